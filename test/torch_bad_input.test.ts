// Bad input never crashes: every exported torch function and every Tensor method is called with
// junk (wrong types, disposed tensors, NaN, absurd sizes, out-of-range dims, mismatched shapes and
// dtypes). Each call must throw an Error or return a valid result. The sweep runs in a child process
// so that a crash shows up as a failed test, not a dead test runner; this same file is the child's
// script when SNN_BAD_INPUT_SWEEP is set.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as lib from '../lib/index.js';
import { torch } from '../lib/index.js';

interface SweepReport {
  calls: number;
  threw: number;
  returned: number;
  /** Calls that threw something that is not an Error, or returned a broken tensor. */
  bad: string[];
  functions: number;
  methods: number;
  /** Functions and classes of the other namespaces (nn, optim, snn, functional, data). */
  otherExports: number;
  /** Methods called on instances of those classes. */
  otherMethods: number;
}

type Fn = (...args: unknown[]) => unknown;

function junkValues(): [string, () => unknown][] {
  const disposed = torch.ones(2, 3);
  disposed.dispose();
  const circular: unknown[] = [];
  circular.push(circular);
  return [
    ['undefined', () => undefined], ['null', () => null], ['NaN', () => NaN], ['Infinity', () => Infinity],
    ['-Infinity', () => -Infinity], ['-1', () => -1], ['0', () => 0], ['1', () => 1], ['2', () => 2], ['1.5', () => 1.5],
    ['1e12', () => 1e12], ['-1e12', () => -1e12], ['2**53', () => 2 ** 53], ['7 (dim out of range)', () => 7],
    ['string', () => 'abc'], ['dtype string', () => 'float32'], ['true', () => true], ['{}', () => ({})],
    ['[]', () => []], ['[NaN]', () => [NaN]], ['[1e12]', () => [1e12]], ['[-1]', () => [-1]], ['[1e6, 1e6]', () => [1e6, 1e6]],
    ['ragged', () => [[1, 2], [3]]], ['circular', () => circular], ['[[1e12]]', () => [[1e12]]], ['bigint', () => 1n],
    ['symbol', () => Symbol('junk')], ['function', () => () => 42], ['Float32Array', () => new Float32Array([1, 2])],
    ['disposed tensor', () => disposed], ['float [2,3]', () => torch.ones(2, 3)], ['float [3,1]', () => torch.ones(3, 1)],
    ['int64 [4]', () => torch.tensor([0, 1, 2, 9])], ['bool [2,3]', () => torch.zeros(2, 3).gt(0)],
    ['float64 [3]', () => torch.ones([3], { dtype: 'float64' })], ['0-dim', () => torch.tensor(1.5)],
    ['empty [0]', () => torch.zeros(0)], ['NaN tensor', () => torch.full([2, 3], NaN)],
    ['options junk', () => ({ dtype: 'nope', device: 7, requires_grad: 'yes' })],
  ];
}

/** Argument lists to try, built fresh for each call (some calls mutate their arguments). */
function argPatterns(j: () => unknown): (() => unknown[])[] {
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

/**
 * The junk values for one function or method, for as long as its time budget lasts: every target is
 * called with the first ones, and a slow target cannot make the sweep (some 200,000 calls over every
 * namespace) run for long on 2 cores.
 */
function* within<T>(items: readonly T[], ms = 500): Generator<T> {
  const end = performance.now() + ms;
  for (const x of items) {
    if (performance.now() > end) return;
    yield x;
  }
}

function sweep(): SweepReport {
  const report: SweepReport = { calls: 0, threw: 0, returned: 0, bad: [], functions: 0, methods: 0, otherExports: 0, otherMethods: 0 };
  const junk = junkValues();
  const threads0 = torch.get_num_threads();
  const snnConfig0 = lib.snn.config();
  const attempt = (label: string, call: () => unknown, keepResult = false): void => {
    report.calls++;
    const t0 = process.env.SNN_SWEEP_SLOW ? performance.now() : 0;
    try {
      torch.tidy(() => {
        const r = call();
        // A returned tensor must be usable (its metadata readable) unless the call disposed it.
        if (r instanceof torch.Tensor && !r.isDisposed) void r.shape;
        if (Array.isArray(r)) for (const x of r) if (x instanceof torch.Tensor && !x.isDisposed) void x.shape;
        return keepResult ? r : undefined;
      });
      report.returned++;
    } catch (e) {
      if (e instanceof Error) report.threw++;
      else report.bad.push(`${label} threw a non-Error: ${String(e)}`);
    }
    // SNN_SWEEP_SLOW=<ms>: name the calls slower than that (to find what makes the sweep slow).
    if (t0 && performance.now() - t0 > Number(process.env.SNN_SWEEP_SLOW)) process.stderr.write(`slow ${(performance.now() - t0).toFixed(0)} ms: ${label}\n`);
    torch.set_grad_enabled(true); // a junk call may legitimately turn grad mode off
    lib.snn.config(snnConfig0); // and a junk call may select other neuron implementations
    // and set_num_threads(7) is valid: more threads than cores would slow every later call severalfold.
    if (torch.get_num_threads() !== threads0) torch.set_num_threads(threads0);
  };

  // Every function exported by lib/torch/index.ts, and those of its namespace objects (two levels:
  // torch.cuda.*, torch.backends.mps.*).
  const ns = torch as unknown as Record<string, unknown>;
  const fns: [string, Fn][] = [];
  const collect = (prefix: string, o: Record<string, unknown>, depth: number, into: [string, Fn][]): void => {
    for (const [k, v] of Object.entries(o)) {
      if (typeof v === 'function') into.push([prefix + k, v as Fn]);
      else if (v && typeof v === 'object' && depth < 2) collect(`${prefix}${k}.`, v as Record<string, unknown>, depth + 1, into);
    }
  };
  collect('', Object.fromEntries(Object.entries(ns).filter(([k]) => k !== 'Tensor' && k !== 'TorchDevice')), 0, fns);
  report.functions = fns.length;
  for (const [name, f] of fns) {
    attempt(`torch.${name}()`, () => f());
    for (const [jn, j] of within(junk)) for (const p of argPatterns(j)) attempt(`torch.${name}(${jn} ...)`, () => f(...p()));
  }
  for (const [jn, j] of within(junk)) attempt(`new Tensor(${jn})`, () => new torch.Tensor(j() as never));

  // Every Tensor method, getter and setter, on a live receiver and on a disposed one.
  const proto = torch.Tensor.prototype as unknown as Record<string, unknown>;
  for (const name of Object.getOwnPropertyNames(proto)) {
    if (name === 'constructor') continue;
    report.methods++;
    const desc = Object.getOwnPropertyDescriptor(proto, name)!;
    const fresh = (): torch.Tensor => torch.arange(6, { dtype: 'float32' }).reshape(2, 3);
    const dead = (): torch.Tensor => {
      const t = fresh();
      t.dispose();
      return t;
    };
    if (desc.get) {
      attempt(`get ${name}`, () => desc.get!.call(fresh()));
      const before = report.threw;
      attempt(`get ${name} (disposed)`, () => desc.get!.call(dead()));
      if (name !== 'isDisposed' && report.threw === before) report.bad.push(`get ${name} on a disposed tensor did not throw`);
    }
    if (desc.set) for (const [jn, j] of within(junk)) attempt(`set ${name} = ${jn}`, () => desc.set!.call(fresh(), j()));
    if (typeof desc.value === 'function') {
      const m = desc.value as Fn;
      attempt(`x.${name}()`, () => m.call(fresh()));
      for (const [jn, j] of within(junk)) for (const p of argPatterns(j)) attempt(`x.${name}(${jn} ...)`, () => m.call(fresh(), ...p()));
      if (name !== 'dispose' && name !== 'toString') {
        const before = report.threw;
        attempt(`disposed.${name}(...)`, () => m.call(dead(), 0, 0));
        if (report.threw === before) report.bad.push(`disposed.${name}() did not throw`);
      }
    }
  }
  sweepOtherNamespaces(report, attempt, junk);
  return report;
}

const isClass = (f: Fn): boolean => /^class\b/.test(Function.prototype.toString.call(f));

/**
 * The other namespaces of lib/index.ts: every function called and every class constructed with
 * the same junk, and every method of the first instance each class yields called with junk too.
 */
function sweepOtherNamespaces(report: SweepReport, attempt: (label: string, call: () => unknown, keepResult?: boolean) => void, junk: [string, () => unknown][]): void {
  const exports: [string, Fn][] = [];
  const walk = (prefix: string, o: Record<string, unknown>, depth: number): void => {
    for (const [k, v] of Object.entries(o)) {
      if (typeof v === 'function') exports.push([prefix + k, v as Fn]);
      else if (v && typeof v === 'object' && depth < 2) walk(`${prefix}${k}.`, v as Record<string, unknown>, depth + 1);
    }
  };
  for (const name of ['nn', 'optim', 'snn', 'functional', 'data'] as const) walk(`${name}.`, lib[name] as unknown as Record<string, unknown>, 0);
  report.otherExports = exports.length;
  for (const [name, f] of exports) {
    const asClass = isClass(f);
    const call = (args: unknown[]): unknown => (asClass ? new (f as unknown as new (...a: unknown[]) => unknown)(...args) : f(...args));
    let instance: object | null = null;
    const tryCall = (label: string, args: () => unknown[]): void => {
      // The first instance a class yields keeps its tensors (tidy keeps what the call returns).
      const keep = asClass && instance === null;
      attempt(
        label,
        () => {
          const r = call(args());
          if (keep && r !== null && typeof r === 'object') instance = r;
          return r;
        },
        keep,
      );
    };
    tryCall(`${name}()`, () => []);
    for (const [jn, j] of within(junk)) for (const p of argPatterns(j)) tryCall(`${name}(${jn} ...)`, p);
    if (instance === null) continue;
    // Methods of the instance (own prototype chain below Object), each with single and double junk.
    const seen = new Set<string>();
    for (let proto = Object.getPrototypeOf(instance); proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
      for (const m of Object.getOwnPropertyNames(proto)) {
        if (m === 'constructor' || seen.has(m)) continue;
        const desc = Object.getOwnPropertyDescriptor(proto, m)!;
        if (typeof desc.value !== 'function') continue;
        seen.add(m);
        report.otherMethods++;
        const method = desc.value as Fn;
        const target = instance;
        attempt(`${name}#${m}()`, () => method.call(target));
        for (const [jn, j] of within(junk)) {
          attempt(`${name}#${m}(${jn})`, () => method.call(target, j()));
          attempt(`${name}#${m}(${jn}, ${jn})`, () => method.call(target, j(), j()));
        }
      }
    }
  }
}

if (process.env.SNN_BAD_INPUT_SWEEP) {
  const report = sweep();
  process.stdout.write('\nSWEEP ' + JSON.stringify(report) + '\n');
} else {
  // The whole-library sweep outgrew CI's time on 2 cores once it covered every namespace; it runs
  // with SNNTORCH_SWEEP=1 (nightly) until it is split per namespace.
  const sweepDescribe = process.env.SNNTORCH_SWEEP === '1' ? describe : describe.skip;
  if (process.env.SNNTORCH_SWEEP !== '1') console.log('      junk sweep skipped: set SNNTORCH_SWEEP=1 to run it (several minutes to tens of minutes)');
  sweepDescribe('torch bad input: a sweep over every function and method', function () {
    // Some 200,000 calls: several minutes on 2 cores; the child is killed past 40 minutes.
    this.timeout(2_700_000);
    let report: SweepReport;
    let status: number | null;
    let signal: string | null;
    let stderr: string;

    before(() => {
      const here = fileURLToPath(import.meta.url);
      const root = join(dirname(here), '..');
      const cwd = mkdtempSync(join(tmpdir(), 'snn-bad-input-')); // torch.save('abc') writes here
      try {
        const loader = pathToFileURL(join(root, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
        const r = spawnSync(process.execPath, ['--import', loader, here], {
          cwd,
          env: { ...process.env, SNN_BAD_INPUT_SWEEP: '1' },
          encoding: 'utf8',
          maxBuffer: 64 * 1024 * 1024,
          timeout: 2_400_000,
        });
        status = r.status;
        signal = r.signal;
        stderr = r.stderr;
        const line = r.stdout.split('\n').find((l) => l.startsWith('SWEEP '));
        report = line ? (JSON.parse(line.slice(6)) as SweepReport) : { calls: 0, threw: 0, returned: 0, bad: ['no report'], functions: 0, methods: 0, otherExports: 0, otherMethods: 0 };
      } finally {
        rmSync(cwd, { recursive: true, force: true });
      }
    });

    it('the child process survives every call and exits normally', () => {
      expect(signal, stderr).to.equal(null);
      expect(status, stderr).to.equal(0);
    });
    it('covers every exported function and Tensor method', () => {
      expect(report.functions).to.be.at.least(130);
      expect(report.methods).to.be.at.least(120);
      expect(report.calls).to.be.at.least(50000);
    });
    it('covers every function and class of nn, optim, snn, functional and data, and their instances\' methods', () => {
      console.log(`      (${report.calls} calls: ${report.functions} torch functions, ${report.methods} Tensor members, ${report.otherExports} other exports, ${report.otherMethods} instance methods)`);
      expect(report.otherExports, JSON.stringify(report)).to.be.at.least(85);
      expect(report.otherMethods, JSON.stringify(report)).to.be.at.least(100);
    });
    it('every failure is a thrown Error; disposed receivers always throw', () => {
      expect(report.bad).to.deep.equal([]);
      expect(report.threw).to.be.greaterThan(report.returned);
    });
  });

  describe('torch bad input: messages name the argument, the expectation and the value', () => {
    it('types, dims, sizes, options', () => {
      const x = torch.ones(2, 3);
      expect(() => torch.zeros(-1)).to.throw(TypeError, /Expected an array of non-negative integers for size but received \[-1\]/);
      expect(() => x.sum(5)).to.throw(RangeError, /Expected a dim in \[-2, 1\] for dim but received 5 of type number/);
      expect(() => x.add('1' as never)).to.throw(TypeError, /Expected a Tensor or a number for other but received "1" of type string/);
      expect(() => x.narrow(0, 0, -1)).to.throw(RangeError, /length/);
      expect(() => x.to('float33' as never)).to.throw(TypeError, /for dtype but received "float33"/);
      expect(() => torch.cat([x, 1 as never])).to.throw(TypeError, /tensors\[1\]/);
      expect(() => torch.manual_seed(NaN)).to.throw(TypeError, /seed.*NaN/);
      expect(() => torch.set_num_threads(0)).to.throw(RangeError, /n/);
    });
    it('LibTorch errors keep LibTorch\'s message: mismatched shapes and dtypes', () => {
      const x = torch.ones(2, 3);
      expect(() => x.add(torch.ones(4))).to.throw(Error, /The size of tensor a \(3\) must match the size of tensor b \(4\)/);
      expect(() => x.mm(torch.ones([3, 2], { dtype: 'float64' }))).to.throw(Error, /expected .*(same dtype|scalar type)/i);
      expect(() => x.index_select(0, torch.ones(1))).to.throw(Error, /index_select\(\): Expected dtype int32 or int64 for index/);
      expect(() => x.gather(0, torch.ones(1, 3))).to.throw(Error, /gather\(\): Expected dtype int64 for index/);
    });
    it('a disposed tensor throws a named error, as receiver and as argument', () => {
      const d = torch.ones(1);
      d.dispose();
      expect(() => d.sum()).to.throw(Error, /Tensor was disposed/);
      expect(() => torch.stack([torch.ones(1), d])).to.throw(Error, /disposed/);
      expect(() => String(d)).to.throw(Error, /disposed/);
    });
  });
}
