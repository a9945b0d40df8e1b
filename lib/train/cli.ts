// `snntorch-node train [options]` (and `npm run train -- [options]` in a checkout): parses the
// options table, runs train(), and maps the outcome to an exit code: 0 done, 2 a usage error (one
// line, no stack trace), 1 a failure, 130 stopped by SIGINT or SIGTERM. A first signal stops the run
// after the batch in progress (the partial report and, with --save, the checkpoint are written); a
// second one exits at once.
import { join } from 'node:path';
import { optionsHelp, parseOptions, UsageError, TRAIN_OPTIONS, type ParsedOptions } from './options.js';
import { train, type StopSignal, type TrainConfig } from './train.js';
import { distributedEntry, trainDistributed } from './distributed.js';

export const EXIT_USAGE = 2;
export const EXIT_STOPPED = 130;

export const HELP = `Usage: snntorch-node train [options]        (in a git checkout: npm run train -- [options])

Trains the network of snnTorch's tutorial "Regression with SNNs, Part II" on MNIST:
fc1 784->hidden, RLeaky(beta, linear_features=hidden), fc2 hidden->10, RLeaky(beta, linear_features=10),
num_steps steps on the static image, Adam, SF.mse_count_loss(0.8, 0.2), evaluated with SF.accuracy_rate.
Ctrl-C (SIGINT) or SIGTERM stops after the current batch, writes the report (and --save's checkpoint)
and exits with code 130.

Options (defaults are the tutorial's):
${optionsHelp()}
`;

/** The TrainConfig for parsed options (`isTTY`: whether a progress bar can be drawn). */
export function configFromOptions(v: ParsedOptions, isTTY = process.stdout.isTTY === true): TrainConfig {
  const str = (k: string): string | null => (v[k] === null ? null : String(v[k]));
  const num = (k: string): number | null => (v[k] === null ? null : Number(v[k]));
  const report = str('report');
  return {
    epochs: num('epochs')!,
    batch_size: num('batch-size')!,
    hidden: num('hidden')!,
    num_steps: num('num-steps')!,
    beta: num('beta')!,
    lr: num('lr')!,
    seed: num('seed')!,
    threads: num('threads'),
    device: str('device') as TrainConfig['device'],
    dataset: str('dataset')!,
    limit: num('limit'),
    loss: str('loss') as TrainConfig['loss'],
    engine: str('engine') as TrainConfig['engine'],
    save: str('save'),
    resume: str('resume'),
    report: report === 'none' ? null : (report ?? join('runs', new Date().toISOString().replace(/[:.]/g, '-'))),
    progress: v['no-progress'] !== true && isTTY,
  };
}

export interface CliIO {
  out?: (s: string) => void;
  err?: (s: string) => void;
  /** Where the signal handlers go (a test passes its own emitter). */
  signals?: Pick<NodeJS.Process, 'on' | 'off'>;
  /** Called on a second signal (default: exit 130 at once). */
  hardExit?: (code: number) => void;
  /** What --nproc relaunches on each rank: a runnable script and the arguments before the options (default: this process's script). */
  relaunch?: { script: string; args: string[] };
}

/** Runs the CLI on argv (without node and the script); resolves to the exit code. */
export async function main(argv: readonly string[], io: CliIO = {}): Promise<number> {
  const out = io.out ?? ((s: string) => process.stdout.write(s));
  const err = io.err ?? ((s: string) => process.stderr.write(s));
  let cfg: TrainConfig;
  let ranked = false;
  try {
    // --nproc N: relaunch this CLI on N ranks (the launcher's exit code becomes ours); in a rank, train with DDP.
    const relaunch = io.relaunch ?? { script: process.argv[1] ?? '', args: [] };
    const v = parseOptions(argv, TRAIN_OPTIONS);
    if (v.help !== true) {
      const entry = distributedEntry([...argv], relaunch.script, relaunch.args);
      if (entry.launch) return await entry.launch;
      ranked = entry.distributed;
    }
    if (v.help === true) {
      out(HELP);
      return 0;
    }
    cfg = configFromOptions(v);
  } catch (e) {
    if (e instanceof UsageError) {
      err(`snntorch-node train: ${e.message}\n`);
      return EXIT_USAGE;
    }
    throw e;
  }
  const signals = io.signals ?? process;
  const hardExit = io.hardExit ?? ((code: number) => process.exit(code));
  const stop: StopSignal = { requested: false };
  const onSignal = (sig: NodeJS.Signals): void => {
    if (stop.requested) {
      err(`\n${sig} again: exiting now\n`);
      hardExit(EXIT_STOPPED);
      return;
    }
    stop.requested = true;
    stop.reason = sig;
    err(`\n${sig}: stopping after the current batch (send it again to exit at once)\n`);
  };
  signals.on('SIGINT', onSignal);
  signals.on('SIGTERM', onSignal);
  try {
    if (ranked) {
      await trainDistributed(cfg);
      return 0;
    }
    const r = await train(cfg, stop);
    return r.stopped ? EXIT_STOPPED : 0;
  } catch (e) {
    err(`snntorch-node train: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  } finally {
    signals.off('SIGINT', onSignal);
    signals.off('SIGTERM', onSignal);
  }
}
