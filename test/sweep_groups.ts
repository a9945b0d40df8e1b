// The junk sweep's groups, one per namespace of lib/index.ts: what each group calls.
import * as lib from '../lib/index.js';
import { torch } from '../lib/index.js';
import { argPatterns, type Fn, type Sweeper } from './sweep_core.js';

/** The namespaces of lib/index.ts that are another name for one swept here (the same module). */
export const ALIASES: Record<string, string> = { SF: 'functional' };

/** Functions of a namespace object and of its namespace objects (two levels: torch.backends.mps.*), each once. */
function collect(prefix: string, o: Record<string, unknown>, skip: readonly string[] = []): [string, Fn][] {
  const out: [string, Fn][] = [];
  const seen = new Set<unknown>();
  const walk = (p: string, obj: Record<string, unknown>, depth: number): void => {
    for (const [k, v] of Object.entries(obj)) {
      if (depth === 0 && skip.includes(k)) continue;
      if (typeof v === 'function') {
        if (!seen.has(v)) out.push([p + k, v as Fn]);
        seen.add(v);
      } else if (v && typeof v === 'object' && depth < 2) walk(`${p}${k}.`, v as Record<string, unknown>, depth + 1);
    }
  };
  walk(prefix, o, 0);
  return out;
}

/** Every function exported by lib/torch, with no arguments and with junk. */
function torchFunctions(s: Sweeper): void {
  const fns = collect('torch.', torch as unknown as Record<string, unknown>, ['Tensor', 'TorchDevice']);
  s.report.targets = fns.length + 1;
  for (const [name, f] of fns) {
    s.target(
      name,
      () => s.attempt(`${name}()`, () => f()),
      (jn, j) => {
        for (const p of argPatterns(j)) s.attempt(`${name}(${jn} ...)`, () => f(...p()));
      },
    );
  }
  s.target(
    'new Tensor',
    () => s.attempt('new Tensor()', () => new (torch.Tensor as unknown as new () => unknown)()),
    (jn, j) => s.attempt(`new Tensor(${jn})`, () => new torch.Tensor(j() as never)),
  );
}

/** Every Tensor method, getter and setter, on a live receiver and on a disposed one. */
function tensorMembers(s: Sweeper): void {
  const proto = torch.Tensor.prototype as unknown as Record<string, unknown>;
  const fresh = (): torch.Tensor => torch.arange(6, { dtype: 'float32' }).reshape(2, 3);
  const dead = (): torch.Tensor => {
    const t = fresh();
    t.dispose();
    return t;
  };
  for (const name of Object.getOwnPropertyNames(proto)) {
    if (name === 'constructor') continue;
    s.report.targets++;
    const desc = Object.getOwnPropertyDescriptor(proto, name)!;
    if (desc.get) {
      s.attempt(`get ${name}`, () => desc.get!.call(fresh()));
      const before = s.report.threw;
      s.attempt(`get ${name} (disposed)`, () => desc.get!.call(dead()));
      if (name !== 'isDisposed' && s.report.threw === before) s.report.bad.push(`get ${name} on a disposed tensor did not throw`);
    }
    if (desc.set)
      s.target(
        `set ${name}`,
        () => undefined,
        (jn, j) => s.attempt(`set ${name} = ${jn}`, () => desc.set!.call(fresh(), j())),
      );
    if (typeof desc.value === 'function') {
      const m = desc.value as Fn;
      s.target(
        `x.${name}`,
        () => {
          s.attempt(`x.${name}()`, () => m.call(fresh()));
          if (name !== 'dispose' && name !== 'toString') {
            const before = s.report.threw;
            s.attempt(`disposed.${name}(...)`, () => m.call(dead(), 0, 0));
            if (s.report.threw === before) s.report.bad.push(`disposed.${name}() did not throw`);
          }
        },
        (jn, j) => {
          for (const p of argPatterns(j)) s.attempt(`x.${name}(${jn} ...)`, () => m.call(fresh(), ...p()));
        },
      );
    }
  }
}

const isClass = (f: Fn): boolean => /^class\b/.test(Function.prototype.toString.call(f));

/**
 * A namespace of lib/index.ts: every function called and every class constructed with the junk, and
 * every method of the first instance each class yields called with junk too. `seeds` are valid
 * argument lists tried first, for classes that no junk can construct (an optimizer needs parameters).
 */
function namespace(name: keyof typeof lib, seeds: (() => unknown[])[] = []): (s: Sweeper) => void {
  return (s) => {
    const exports = collect(`${name}.`, lib[name] as unknown as Record<string, unknown>);
    s.report.targets = exports.length;
    for (const [label, f] of exports) {
      const asClass = isClass(f);
      const call = (args: unknown[]): unknown => (asClass ? new (f as unknown as new (...a: unknown[]) => unknown)(...args) : f(...args));
      let instance: object | null = null;
      const tryCall = (l: string, args: () => unknown[]): void => {
        // The first instance a class yields keeps its tensors (tidy keeps what the call returns).
        const keep = asClass && instance === null;
        s.attempt(
          l,
          () => {
            const r = call(args());
            if (keep && r !== null && typeof r === 'object') instance = r;
            return r;
          },
          keep,
        );
      };
      s.target(
        label,
        () => {
          tryCall(`${label}()`, () => []);
          seeds.forEach((seed, i) => tryCall(`${label}(seed ${i})`, seed));
        },
        (jn, j) => {
          for (const p of argPatterns(j)) tryCall(`${label}(${jn} ...)`, p);
        },
      );
      if (instance === null) continue;
      // Methods of the instance (its prototype chain below Object), each with single and double junk.
      const target: object = instance;
      const seen = new Set<string>();
      for (let proto = Object.getPrototypeOf(target); proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
        for (const m of Object.getOwnPropertyNames(proto)) {
          if (m === 'constructor' || seen.has(m)) continue;
          const desc = Object.getOwnPropertyDescriptor(proto, m)!;
          if (typeof desc.value !== 'function') continue;
          seen.add(m);
          s.report.methods++;
          const method = desc.value as Fn;
          s.target(
            `${label}#${m}`,
            () => s.attempt(`${label}#${m}()`, () => method.call(target)),
            (jn, j) => {
              s.attempt(`${label}#${m}(${jn})`, () => method.call(target, j()));
              s.attempt(`${label}#${m}(${jn}, ${jn})`, () => method.call(target, j(), j()));
            },
          );
        }
      }
    }
  };
}

/** Every group, by the name of the namespace it sweeps (the Tensor class is a group of its own). */
export const GROUPS: Record<string, (s: Sweeper) => void> = {
  torch: torchFunctions,
  'torch.Tensor': tensorMembers,
  nn: namespace('nn'),
  optim: namespace('optim', [
    () => [[torch.ones([2, 3], { requires_grad: true })]],
    () => [new lib.optim.SGD([torch.ones([2, 3], { requires_grad: true })], { lr: 0.1 }), 2],
  ]),
  snn: namespace('snn'),
  functional: namespace('functional'),
  data: namespace('data'),
  spikegen: namespace('spikegen'),
  spikeplot: namespace('spikeplot'),
  nir: namespace('nir'),
};
