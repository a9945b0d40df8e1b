// The junk sweep's parts shared by every group: the junk values, the argument patterns, the per-target
// time budget and the guarded call that records how each call ended.
import * as lib from '../lib/index.js';
import { torch } from '../lib/index.js';

export type Fn = (...args: unknown[]) => unknown;
export type Junk = [string, () => unknown];

export interface SweepReport {
  group: string;
  calls: number;
  threw: number;
  returned: number;
  /** Calls that threw or rejected with something that is not an Error, or returned a broken tensor. */
  bad: string[];
  /** Functions and classes swept (for the Tensor group: its methods, getters and setters). */
  targets: number;
  /** Methods called on the instances the classes yielded. */
  methods: number;
  /** Junk values swept per target: the least any target got. */
  minJunk: number;
  /** Every junk value that some target got, by name (the rotation's coverage), and how many there are. */
  junkSeen: number;
  junkCount: number;
  /** Targets that got junk values (functions, classes, members and instance methods). */
  rotated: number;
  ms: number;
  /** The slowest targets, "label: ms". */
  slowest: string[];
}

/**
 * SNNTORCH_SWEEP=full: every junk value with every argument pattern for every target (nightly, tens of
 * minutes). Otherwise (CI) each target gets its first calls plus junk values for as long as
 * CI_TARGET_MS lasts and at least CI_MIN_JUNK of them, the list rotated by CI_MIN_JUNK per target (the
 * target index times CI_MIN_JUNK) so that any ten targets of a group together try every junk value.
 */
export const FULL = process.env.SNNTORCH_SWEEP === 'full';
export const CI_TARGET_MS = 40;
export const CI_MIN_JUNK = 4;

export function junkValues(): Junk[] {
  const disposed = torch.ones(2, 3);
  disposed.dispose();
  const circular: unknown[] = [];
  circular.push(circular);
  return [
    ['undefined', () => undefined],
    ['null', () => null],
    ['NaN', () => NaN],
    ['Infinity', () => Infinity],
    ['-Infinity', () => -Infinity],
    ['-1', () => -1],
    ['0', () => 0],
    ['1', () => 1],
    ['2', () => 2],
    ['1.5', () => 1.5],
    ['1e12', () => 1e12],
    ['-1e12', () => -1e12],
    ['2**53', () => 2 ** 53],
    ['7 (dim out of range)', () => 7],
    ['string', () => 'abc'],
    ['dtype string', () => 'float32'],
    ['true', () => true],
    ['{}', () => ({})],
    ['[]', () => []],
    ['[NaN]', () => [NaN]],
    ['[1e12]', () => [1e12]],
    ['[-1]', () => [-1]],
    ['[1e6, 1e6]', () => [1e6, 1e6]],
    ['ragged', () => [[1, 2], [3]]],
    ['circular', () => circular],
    ['[[1e12]]', () => [[1e12]]],
    ['bigint', () => 1n],
    ['symbol', () => Symbol('junk')],
    ['function', () => () => 42],
    ['Float32Array', () => new Float32Array([1, 2])],
    ['disposed tensor', () => disposed],
    ['float [2,3]', () => torch.ones(2, 3)],
    ['float [3,1]', () => torch.ones(3, 1)],
    ['int64 [4]', () => torch.tensor([0, 1, 2, 9])],
    ['bool [2,3]', () => torch.zeros(2, 3).gt(0)],
    ['float64 [3]', () => torch.ones([3], { dtype: 'float64' })],
    ['0-dim', () => torch.tensor(1.5)],
    ['empty [0]', () => torch.zeros(0)],
    ['NaN tensor', () => torch.full([2, 3], NaN)],
    ['options junk', () => ({ dtype: 'nope', device: 7, requires_grad: 'yes' })],
  ];
}

/** Argument lists to try, built fresh for each call (some calls mutate their arguments). */
export function argPatterns(j: () => unknown): (() => unknown[])[] {
  return [
    () => [j()],
    () => [j(), j()],
    () => [j(), j(), j()],
    () => [torch.ones(2, 3), j()],
    () => [torch.ones(2, 3), j(), j()],
    () => [0, j()],
    () => [j(), 0],
    () => [0, torch.tensor([[0, 1, 2]]), j()],
    () => [torch.ones(2, 3), torch.ones(2, 3), j()],
  ];
}

const isThenable = (r: unknown): r is PromiseLike<unknown> =>
  r !== null && (typeof r === 'object' || typeof r === 'function') && typeof (r as { then?: unknown }).then === 'function';

/** Runs one group's calls and keeps its report. */
export class Sweeper {
  readonly report: SweepReport;
  readonly junk = junkValues();
  private readonly threads0 = torch.get_num_threads();
  private readonly snnConfig0 = lib.snn.config();
  private readonly pending: Promise<void>[] = [];
  private readonly seen = new Set<string>();
  private readonly times: [string, number][] = [];
  private index = 0;
  private readonly started = performance.now();

  constructor(group: string) {
    this.report = {
      group,
      calls: 0,
      threw: 0,
      returned: 0,
      bad: [],
      targets: 0,
      methods: 0,
      minJunk: Infinity,
      junkSeen: 0,
      junkCount: 0,
      rotated: 0,
      ms: 0,
      slowest: [],
    };
  }

  /** Calls `call` once; it must return (a usable result) or throw an Error. A Promise must settle the same way. */
  attempt(label: string, call: () => unknown, keepResult = false): void {
    const r = this.report;
    r.calls++;
    const t0 = process.env.SNN_SWEEP_SLOW ? performance.now() : 0;
    // SNN_SWEEP_TRACE=1: name each call before it runs (to find one that hangs).
    if (process.env.SNN_SWEEP_TRACE) process.stderr.write(`call ${label}\n`);
    try {
      torch.tidy(() => {
        const out = call();
        if (isThenable(out)) {
          this.pending.push(
            Promise.resolve(out).then(
              () => void r.returned++,
              (e: unknown) => void (e instanceof Error ? r.threw++ : r.bad.push(`${label} rejected with a non-Error: ${String(e)}`)),
            ),
          );
          return undefined;
        }
        // A returned tensor must be usable (its metadata readable) unless the call disposed it.
        if (out instanceof torch.Tensor && !out.isDisposed) void out.shape;
        if (Array.isArray(out)) for (const x of out) if (x instanceof torch.Tensor && !x.isDisposed) void x.shape;
        r.returned++;
        return keepResult ? out : undefined;
      });
    } catch (e) {
      if (e instanceof Error) r.threw++;
      else r.bad.push(`${label} threw a non-Error: ${String(e)}`);
    }
    // SNN_SWEEP_SLOW=<ms>: name the calls slower than that (to find what makes the sweep slow).
    if (t0 && performance.now() - t0 > Number(process.env.SNN_SWEEP_SLOW))
      process.stderr.write(`slow ${(performance.now() - t0).toFixed(0)} ms: ${label}\n`);
    torch.set_grad_enabled(true); // a junk call may legitimately turn grad mode off
    lib.snn.config(this.snnConfig0); // and a junk call may select other neuron implementations
    // and set_num_threads(7) is valid: more threads than cores would slow every later call severalfold.
    if (torch.get_num_threads() !== this.threads0) torch.set_num_threads(this.threads0);
  }

  /**
   * One target: `first` (its calls without junk) and then `each` for the junk values this target gets
   * (all of them with SNNTORCH_SWEEP=full; otherwise a time-bounded share, rotated by the target index).
   */
  target(label: string, first: () => void, each: (name: string, j: () => unknown) => void): void {
    const t0 = performance.now();
    const n = this.junk.length;
    const offset = (this.index++ * CI_MIN_JUNK) % n;
    first();
    let done = 0;
    for (; done < n; done++) {
      if (!FULL && done >= CI_MIN_JUNK && performance.now() - t0 > CI_TARGET_MS) break;
      const [name, j] = this.junk[(offset + done) % n];
      this.seen.add(name);
      each(name, j);
    }
    this.report.minJunk = Math.min(this.report.minJunk, done);
    const ms = performance.now() - t0;
    this.times.push([label, ms]);
    if (process.env.SNN_SWEEP_SLOW && ms > Number(process.env.SNN_SWEEP_SLOW))
      process.stderr.write(
        `slow target ${ms.toFixed(0)} ms (${done} junk values, rss ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB): ${label}\n`,
      );
  }

  /** Waits for the Promises the calls returned and completes the report. */
  async finish(): Promise<SweepReport> {
    await Promise.all(this.pending);
    const r = this.report;
    r.junkSeen = this.seen.size;
    r.junkCount = this.junk.length;
    r.rotated = this.index;
    r.ms = Math.round(performance.now() - this.started);
    r.slowest = this.times
      .sort((a, b) => b[1] - a[1])
      .slice(0, 5)
      .map(([l, ms]) => `${l}: ${ms.toFixed(0)} ms`);
    if (r.minJunk === Infinity) r.minJunk = 0;
    return r;
  }
}
