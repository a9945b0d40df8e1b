// Argument checks with one message shape for every error:
// "Expected <what> for <name> but received <value> of type <type>" (the habit of sharp's lib/is).
import { totalmem } from 'node:os';

export function describeValue(v: unknown): string {
  let shown: string;
  if (typeof v === 'string') shown = JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v);
  else if (typeof v === 'bigint') shown = `${v}n`;
  else if (Array.isArray(v))
    shown = `[${v
      .slice(0, 8)
      .map((x) => (typeof x === 'number' ? String(x) : typeof x))
      .join(', ')}${v.length > 8 ? ', …' : ''}]`;
  else if (v !== null && typeof v === 'object') shown = (v as object).constructor?.name ?? 'object';
  else shown = String(v);
  const type = v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v;
  return `${shown} of type ${type}`;
}

export function invalid(name: string, what: string, value: unknown): TypeError {
  return new TypeError(`Expected ${what} for ${name} but received ${describeValue(value)}`);
}

export function outOfRange(name: string, what: string, value: unknown): RangeError {
  return new RangeError(`Expected ${what} for ${name} but received ${describeValue(value)}`);
}

export function isInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v);
}

export function checkInt(name: string, v: unknown, min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER): number {
  if (!isInt(v)) throw invalid(name, 'an integer', v);
  if (v < min || v > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `in [${min}, ${max}]`;
    throw outOfRange(name, `an integer ${range}`, v);
  }
  return v;
}

export function checkNumber(name: string, v: unknown, { finite = false }: { finite?: boolean } = {}): number {
  if (typeof v !== 'number' || Number.isNaN(v)) throw invalid(name, 'a number', v);
  if (finite && !Number.isFinite(v)) throw invalid(name, 'a finite number', v);
  return v;
}

export function checkBool(name: string, v: unknown): boolean {
  if (typeof v !== 'boolean') throw invalid(name, 'a boolean', v);
  return v;
}

export function checkString<S extends string>(name: string, v: unknown, allowed: readonly S[]): S {
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
    throw invalid(name, `one of ${allowed.map((a) => `'${a}'`).join(', ')}`, v);
  }
  return v as S;
}

// The largest tensor we let anyone ask for: beyond this LibTorch's allocator would fail anyway,
// and an absurd size is almost always a bug we can name.
const MAX_ELEMENTS = 2 ** 40;

export function checkShape(name: string, v: unknown): number[] {
  if (!Array.isArray(v)) throw invalid(name, 'an array of non-negative integers', v);
  let n = 1;
  for (const s of v) {
    if (!isInt(s) || s < 0) throw invalid(name, 'an array of non-negative integers', v);
    n *= s;
  }
  if (n > MAX_ELEMENTS) throw outOfRange(name, `a shape of at most 2^40 elements`, v);
  return v as number[];
}

/** A dim index for a tensor of `ndim` dims; negative dims count from the end. */
export function checkDim(name: string, dim: unknown, ndim: number, extra = 0): number {
  const n = Math.max(ndim, 1) + extra;
  if (!isInt(dim)) throw invalid(name, 'an integer dim', dim);
  if (dim < -n || dim >= n) throw outOfRange(name, `a dim in [${-n}, ${n - 1}]`, dim);
  return dim;
}

export function checkDims(name: string, dims: unknown, ndim: number): number[] {
  if (isInt(dims)) return [checkDim(name, dims, ndim)];
  if (!Array.isArray(dims)) throw invalid(name, 'a dim or an array of dims', dims);
  return dims.map((d) => checkDim(name, d, ndim));
}

/** Rejects unknown keys in an options object (a typo must not pass silently). */
export function checkOptions<O extends object>(name: string, opts: unknown, allowed: readonly string[]): O {
  if (opts === undefined || opts === null) return {} as O;
  if (typeof opts !== 'object' || Array.isArray(opts)) throw invalid(name, 'an options object', opts);
  for (const k of Object.keys(opts)) {
    if (!allowed.includes(k)) throw new TypeError(`Unknown option '${k}' for ${name}; known options: ${allowed.join(', ')}`);
  }
  return opts as O;
}

// Read once: os.totalmem() parses /proc/meminfo on every call (~26 us), and data()/item() check
// every export against it.
const TOTAL_MEMORY = totalmem();

/**
 * Rejects a CPU tensor larger than this machine's memory before LibTorch tries: a request between
 * free and total memory would otherwise succeed under Linux overcommit and end in the OOM killer.
 */
export function checkAllocation(name: string, numel: number, elementBytes: number, device: string | null): void {
  if (device !== null && device.startsWith('cuda')) return; // device memory is LibTorch's to judge
  const bytes = numel * elementBytes;
  if (bytes > TOTAL_MEMORY) {
    throw new RangeError(
      `Expected a tensor that fits in memory for ${name} but it would take ${bytes} bytes (${numel} elements); this machine has ${TOTAL_MEMORY} bytes`,
    );
  }
}
