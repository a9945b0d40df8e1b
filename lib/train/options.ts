// The training CLI's options: one table (name, value kind, default, help line) from which the
// parser, the --help text and the error messages are all made. Adding an option is one entry here
// plus its field in TrainConfig. Errors are UsageError (one line, exit code 2), never a stack trace.

/** A command-line mistake: printed as one line, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

type Kind =
  | { kind: 'int'; min: number; max?: number }
  | { kind: 'number'; positive?: boolean }
  | { kind: 'choice'; choices: readonly string[] }
  | { kind: 'string' }
  | { kind: 'flag' };

export type OptionSpec = Kind & {
  /** The long name without the leading dashes (--batch-size). */
  name: string;
  short?: string;
  /** Placeholder in --help (N, X, FILE, ...). */
  arg?: string;
  /** Default as the user would type it; none means "not given" (null in the parsed values). */
  default?: string;
  /** Help text; continuation lines are indented under it. */
  help: string;
};

/** The options of `snntorch-node train` / `npm run train`, in --help order. */
export const TRAIN_OPTIONS: OptionSpec[] = [
  { name: 'epochs', kind: 'int', min: 0, arg: 'N', default: '5', help: 'training epochs (5)' },
  { name: 'batch-size', kind: 'int', min: 1, arg: 'N', default: '128', help: 'batch size for training and test, drop_last on both (128)' },
  { name: 'hidden', kind: 'int', min: 1, arg: 'N', default: '128', help: 'hidden RLeaky neurons (128)' },
  { name: 'num-steps', kind: 'int', min: 1, arg: 'N', default: '10', help: 'time steps per image (10)' },
  { name: 'beta', kind: 'number', arg: 'X', default: '0.9', help: 'membrane decay of both layers (0.9)' },
  { name: 'lr', kind: 'number', positive: true, arg: 'X', default: '1e-3', help: 'Adam learning rate (1e-3)' },
  { name: 'seed', kind: 'int', min: 0, arg: 'N', default: '0', help: 'seed for weights and shuffling (0)' },
  { name: 'threads', kind: 'int', min: 1, arg: 'N', help: "LibTorch and BLAS threads (default: the library's, 1 each on <= 2 cores)" },
  { name: 'device', kind: 'choice', choices: ['cpu', 'cuda'], arg: 'D', default: 'cpu', help: 'cpu | cuda (cpu)' },
  { name: 'dataset', kind: 'string', arg: 'D', default: 'mnist', help: 'mnist | fashion | <folder of IDX files> (mnist)' },
  { name: 'limit', kind: 'int', min: 1, arg: 'N', help: 'train on the first N training and N/6 test images (a quick run)' },
  {
    name: 'loss',
    kind: 'choice',
    choices: ['count', 'membrane'],
    arg: 'L',
    default: 'count',
    help: 'count: SF.mse_count_loss(0.8, 0.2) on spikes (section 5)\nmembrane: SF.mse_membrane_loss(on_target=1.05, off_target=0.2) on the membrane record (section 6)',
  },
  {
    name: 'engine',
    kind: 'choice',
    choices: ['step', 'sequence'],
    arg: 'E',
    default: 'sequence',
    help: "step: the tutorial's loop verbatim, one RLeaky call per step\nsequence: fc1 once per image, each RLeaky layer over all steps in one native call,\nAdam's fused update (default)",
  },
  { name: 'save', kind: 'string', arg: 'FILE', help: "save the model's state_dict (PyTorch format) after training, or when stopped" },
  { name: 'resume', kind: 'string', arg: 'FILE', help: 'load a state_dict before training' },
  {
    name: 'report',
    kind: 'string',
    arg: 'DIR',
    help: 'write metrics.json and SVG plots there (default: runs/<date-time>); --report none to skip',
  },
  { name: 'no-progress', kind: 'flag', help: 'no progress bar (log lines only)' },
  {
    name: 'nproc',
    kind: 'int',
    min: 1,
    arg: 'N',
    help: 'data-parallel training on N processes (snntorch-node run + DistributedDataParallel;\n--batch-size stays the global batch; CPU)',
  },
  { name: 'help', short: 'h', kind: 'flag', help: 'this help' },
];

/** Parsed values: numbers for int/number options, strings for the others, booleans for flags; null when not given. */
export type ParsedOptions = Record<string, string | number | boolean | null>;

/** Levenshtein distance (insertions, deletions, substitutions). */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}

/** The known option closest to `name` (a prefix of one counts as close), or null when none is near. */
export function closestOption(name: string, specs: readonly OptionSpec[] = TRAIN_OPTIONS): string | null {
  let best: string | null = null;
  let bestD = Infinity;
  for (const s of specs) {
    const d = s.name.startsWith(name) && name.length >= 2 ? 0.5 : editDistance(name, s.name);
    if (d < bestD) {
      bestD = d;
      best = s.name;
    }
  }
  return best !== null && bestD <= Math.max(1, Math.floor(name.length / 3)) ? best : null;
}

function unknown(flag: string, specs: readonly OptionSpec[]): UsageError {
  const bare = flag.replace(/^-+/, '');
  const near = closestOption(bare, specs);
  return new UsageError(`unknown option ${flag}; ${near ? `did you mean --${near}?` : 'see --help for the options'}`);
}

function convert(spec: OptionSpec, raw: string): string | number {
  const flag = `--${spec.name}`;
  switch (spec.kind) {
    case 'int': {
      const n = raw.trim() === '' ? NaN : Number(raw);
      const range = spec.max === undefined ? `>= ${spec.min}` : `from ${spec.min} to ${spec.max}`;
      if (!Number.isInteger(n) || n < spec.min || (spec.max !== undefined && n > spec.max))
        throw new UsageError(`bad value for ${flag}: expected an integer ${range}, got '${raw}'`);
      return n;
    }
    case 'number': {
      const n = raw.trim() === '' ? NaN : Number(raw);
      if (!Number.isFinite(n) || (spec.positive && n <= 0))
        throw new UsageError(`bad value for ${flag}: expected a ${spec.positive ? 'positive ' : ''}number, got '${raw}'`);
      return n;
    }
    case 'choice':
      if (!spec.choices.includes(raw))
        throw new UsageError(`bad value for ${flag}: expected one of ${spec.choices.join(', ')}, got '${raw}'`);
      return raw;
    case 'string':
      if (raw === '') throw new UsageError(`bad value for ${flag}: expected a value, got ''`);
      return raw;
    case 'flag':
      throw new UsageError(`${flag} takes no value`);
  }
}

/**
 * Parses argv (without node and the script) against the table: `--name value`, `--name=value`,
 * `-h`; `--no-progress` style flags. Throws UsageError for an unknown option (naming the closest
 * known one), a missing or bad value, or a stray argument.
 */
export function parseOptions(argv: readonly string[], specs: readonly OptionSpec[] = TRAIN_OPTIONS): ParsedOptions {
  const out: ParsedOptions = {};
  for (const s of specs) out[s.name] = s.kind === 'flag' ? false : s.default === undefined ? null : convert(s, s.default);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('-') || arg === '-')
      throw new UsageError(`unexpected argument '${arg}'; options are written --name value (see --help)`);
    if (arg === '--') {
      if (i + 1 < argv.length) throw new UsageError(`unexpected argument '${argv[i + 1]}' after --`);
      break;
    }
    let spec: OptionSpec | undefined;
    let inline: string | undefined;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
      inline = eq < 0 ? undefined : arg.slice(eq + 1);
      spec = specs.find((s) => s.name === name);
      if (!spec) throw unknown(eq < 0 ? arg : arg.slice(0, eq), specs);
    } else {
      spec = specs.find((s) => s.short !== undefined && `-${s.short}` === arg);
      if (!spec) throw unknown(arg, specs);
    }
    if (spec.kind === 'flag') {
      if (inline !== undefined) throw new UsageError(`--${spec.name} takes no value (got '${inline}')`);
      out[spec.name] = true;
      continue;
    }
    let raw = inline;
    if (raw === undefined) {
      const next = argv[i + 1];
      if (next === undefined || (next.startsWith('--') && next.length > 2))
        throw new UsageError(`--${spec.name} needs a value (${spec.arg ?? 'VALUE'})`);
      raw = next;
      i++;
    }
    out[spec.name] = convert(spec, raw);
  }
  return out;
}

/** The options block of --help, made from the table. */
export function optionsHelp(specs: readonly OptionSpec[] = TRAIN_OPTIONS): string {
  const heads = specs.map((s) => `${s.short ? `-${s.short}, ` : ''}--${s.name}${s.arg ? ` ${s.arg}` : ''}`);
  const width = Math.max(...heads.map((h) => h.length)) + 2;
  return specs
    .map((s, i) => {
      const [first, ...rest] = s.help.split('\n');
      return [`  ${heads[i]!.padEnd(width)}${first}`, ...rest.map((l) => `  ${' '.repeat(width)}${l}`)].join('\n');
    })
    .join('\n');
}
