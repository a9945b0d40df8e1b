// optim.Optimizer: the shared front of the torch::optim wrappers. Options are checked here; the
// update math is LibTorch's. param_groups are PyTorch-shaped objects whose hyperparameters write
// through to the native optimizer (so a scheduler's `group.lr = x` takes effect at the next step).
import { native, type NativeOptimizer, type NativeOptimOptions, type NativeOptimState, type OptimKind } from '../native.js';
import { checkBool, checkOptions, invalid, isInt } from '../torch/check.js';
import { tensor } from '../torch/creation.js';
import { isFloating } from '../torch/dtype.js';
import { enable_grad } from '../torch/autograd.js';
import { Tensor } from '../torch/tensor.js';

/** One hyperparameter's check: returns the value or throws naming it. */
export type Check<V> = (name: string, v: unknown) => V;

/** What a subclass tells the base: its native kind, defaults and checks. */
export interface OptimizerSpec<H extends object> {
  kind: OptimKind;
  name: string;
  defaults: H;
  checks: { [K in keyof H]: Check<H[K]> };
  /** Cross-key rules (e.g. SGD's nesterov); throws. */
  checkGroup?(h: H): void;
  /** The state tensors PyTorch keeps per parameter (all required unless listed in optionalState). */
  stateTensors: readonly string[];
  optionalState?: readonly string[];
  /** Whether the state has a `step` count (Adam, AdamW). */
  hasStep: boolean;
  /**
   * Option keys that choose an implementation, not a hyperparameter (Adam's `fused`): the
   * constructor accepts them (so a misspelt key's error lists them), the subclass reads them.
   */
  implementationKeys?: readonly string[];
}

export type ParamGroup<H extends object> = H & {
  /** The group's parameters (a copy: add groups with add_param_group). */
  readonly params: readonly Tensor[];
  /** Set by learning-rate schedulers, as in PyTorch. */
  initial_lr?: number;
};
export type ParamGroupSpec<O extends object> = O & { params: Iterable<Tensor> };
/** What optimizers take: parameters (e.g. model.parameters()) or PyTorch's list of group dicts. */
export type Params<O extends object> = Iterable<Tensor> | ParamGroupSpec<O>[];

/** One parameter's state as in PyTorch's state_dict (step is a float32 scalar tensor, as torch >= 1.12). */
export type ParamState = Record<string, Tensor>;
/** A saved param group: hyperparameters (betas as [b1, b2]), initial_lr if a scheduler set one, and params as indices. */
export type GroupState = Record<string, number | boolean | number[]>;
export interface OptimizerStateDict {
  /** Keyed by parameter index, numbered across groups in order. */
  state: Map<number, ParamState>;
  param_groups: GroupState[];
}

// Keys PyTorch's param groups carry that select an implementation, not the math: accepted on load.
const IMPLEMENTATION_KEYS = new Set(['foreach', 'capturable', 'differentiable', 'fused']);

export abstract class Optimizer<H extends object = object> {
  readonly defaults: Readonly<H>;
  readonly param_groups: ParamGroup<H>[] = [];
  readonly #spec: OptimizerSpec<H>;
  #native: NativeOptimizer | null;

  protected constructor(spec: OptimizerSpec<H>, params: Params<Partial<H>>, opts: Partial<H> | undefined) {
    this.#spec = spec;
    const keys = [...Object.keys(spec.checks), ...(spec.implementationKeys ?? [])];
    const o = checkOptions<Partial<H>>(`${spec.name} options`, opts, keys);
    this.defaults = Object.freeze(this.#resolve(o, spec.defaults));
    const groups = this.#groupSpecs(params);
    const seen = new Set<Tensor>();
    const resolved = groups.map((g, i) => ({
      params: checkParams(g.params, i, seen),
      h: this.#resolve(g.options, this.defaults, `param_groups[${i}]`),
    }));
    this.#native = native.optim_create(
      spec.kind,
      resolved.map((g) => ({ ...(g.h as NativeOptimOptions), params: g.params.map((p) => p.handle) })),
    );
    for (const g of resolved) this.#addView(g.params, g.h);
  }

  // ------------------------------------------------------------------ the PyTorch API
  /** Applies one update to every parameter that has a grad. With a closure, re-evaluates the loss first (with grad on) and returns it. */
  step(): void;
  step<L>(closure: () => L): L;
  step<L>(closure?: () => L): L | void {
    let loss: L | undefined;
    if (closure !== undefined) {
      if (typeof closure !== 'function') throw invalid('closure', 'a function', closure);
      loss = enable_grad(closure);
    }
    native.optim_step(this.#handle());
    return loss;
  }

  /** For subclasses with a fused implementation (Adam, AdamW): selects it for every later step(). */
  protected setFused(fused: boolean): void {
    native.optim_set_fused(this.#handle(), fused);
  }

  /** Clears the grads of every parameter: set to null (the default, as PyTorch 2) or zeroed in place. */
  zero_grad(opts?: { set_to_none?: boolean } | boolean): void {
    const setToNone =
      typeof opts === 'boolean' ? opts : checkOptions<{ set_to_none?: boolean }>('zero_grad options', opts, ['set_to_none']).set_to_none;
    native.optim_zero_grad(this.#handle(), setToNone === undefined ? true : checkBool('set_to_none', setToNone));
  }

  /** Adds a group {params, ...hyperparameters}; missing hyperparameters come from the defaults. */
  add_param_group(group: ParamGroupSpec<Partial<H>>): void {
    const [g] = this.#groupSpecs([group]);
    const seen = new Set<Tensor>(this.param_groups.flatMap((x) => [...x.params]));
    const params = checkParams(g!.params, this.param_groups.length, seen);
    const h = this.#resolve(g!.options, this.defaults, `param_groups[${this.param_groups.length}]`);
    native.optim_add_param_group(this.#handle(), { ...(h as NativeOptimOptions), params: params.map((p) => p.handle) });
    this.#addView(params, h);
  }

  /** Per-parameter state (shared tensors), keyed by parameter, like PyTorch's optimizer.state. */
  get state(): Map<Tensor, ParamState> {
    const all = this.#params();
    const out = new Map<Tensor, ParamState>();
    native.optim_get_state(this.#handle()).forEach((s, i) => {
      if (s) out.set(all[i]!, this.#stateToJs(s));
    });
    return out;
  }

  /** PyTorch's layout: {state: Map<index, {...}>, param_groups: [{...hyperparameters, params: [indices]}]}. */
  state_dict(): OptimizerStateDict {
    const state = new Map<number, ParamState>();
    native.optim_get_state(this.#handle()).forEach((s, i) => {
      if (s) state.set(i, this.#stateToJs(s));
    });
    let next = 0;
    const param_groups = this.param_groups.map((g) => {
      const out: GroupState = {};
      for (const k of Object.keys(this.#spec.checks)) {
        const v = g[k as keyof H] as number | boolean | number[];
        out[k] = Array.isArray(v) ? [...v] : v;
      }
      if (g.initial_lr !== undefined) out.initial_lr = g.initial_lr;
      out.params = g.params.map(() => next++);
      return out;
    });
    return { state, param_groups };
  }

  /** Restores hyperparameters and state from state_dict() (or PyTorch's, loaded with torch.load). All checks run before anything changes. */
  load_state_dict(state_dict: unknown): void {
    const name = this.#spec.name;
    const sd = entries(state_dict, 'optimizer state_dict');
    const groups = sd.get('param_groups');
    if (!Array.isArray(groups)) throw invalid("state_dict['param_groups']", 'an array of param groups', groups);
    if (groups.length !== this.param_groups.length) {
      throw new RangeError(
        `${name}.load_state_dict: loaded state dict has ${groups.length} parameter group(s) but the optimizer has ${this.param_groups.length}`,
      );
    }
    // Saved ids map, in order, onto our parameters in order (as PyTorch does).
    const idToIndex = new Map<number, number>();
    let next = 0;
    const hypers = groups.map((raw, gi) => {
      const g = entries(raw, `param_groups[${gi}]`);
      const ids = g.get('params');
      const own = this.param_groups[gi]!.params.length;
      if (!Array.isArray(ids) || ids.length !== own) {
        throw new RangeError(
          `${name}.load_state_dict: param_groups[${gi}] has ${Array.isArray(ids) ? ids.length : 'no'} parameters but the optimizer's group has ${own}`,
        );
      }
      for (const id of ids) idToIndex.set(toInt(id, `param_groups[${gi}].params`), next++);
      return this.#groupFromSaved(g, gi);
    });
    const params = this.#params();
    const rawState = sd.get('state') ?? new Map();
    const states = new Map<number, NativeOptimState | null>();
    for (const [id, s] of entries(rawState, "state_dict['state']")) {
      const index = idToIndex.get(toInt(id, 'state key'));
      if (index === undefined)
        throw new RangeError(`${name}.load_state_dict: state for parameter id ${String(id)} that no param group lists`);
      states.set(index, this.#stateFromSaved(entries(s, `state[${String(id)}]`), params[index]!, String(id)));
    }
    // Everything checked: apply.
    hypers.forEach(([h, initialLr], gi) => {
      native.optim_set_options(this.#handle(), gi, h as NativeOptimOptions);
      const view = this.param_groups[gi]!;
      this.#caches[gi] = h;
      if (initialLr === undefined) delete view.initial_lr;
      else view.initial_lr = initialLr;
    });
    params.forEach((_, i) => native.optim_set_state(this.#handle(), i, states.get(i) ?? null));
  }

  /** Frees the optimizer's native state now (it is unusable afterwards). */
  dispose(): void {
    if (this.#native) native.optim_dispose(this.#native);
    this.#native = null;
  }

  toString(): string {
    const lines = this.param_groups.map((g, i) => {
      const kv = Object.keys(this.#spec.checks).map((k) => `    ${k}: ${formatValue(g[k as keyof H])}`);
      return `Parameter Group ${i}\n${kv.join('\n')}`;
    });
    return `${this.#spec.name} (\n${lines.join('\n')}\n)`;
  }

  // ------------------------------------------------------------------ internals
  #caches: H[] = [];

  #handle(): NativeOptimizer {
    if (!this.#native) throw new Error(`${this.#spec.name} was disposed: it cannot be used after dispose()`);
    return this.#native;
  }

  #params(): Tensor[] {
    return this.param_groups.flatMap((g) => [...g.params]);
  }

  /** base overlaid with the given options, every key checked, then the cross-key rules. */
  #resolve(o: Partial<H>, base: H, where?: string): H {
    const out = { ...base };
    for (const k of Object.keys(this.#spec.checks) as (keyof H & string)[]) {
      const v = o[k];
      if (v !== undefined) out[k] = this.#spec.checks[k](where ? `${where}.${k}` : k, v);
      // Arrays (betas) are shared between defaults and groups: frozen, so no copy drifts from LibTorch.
      if (Array.isArray(out[k])) out[k] = Object.freeze([...(out[k] as unknown[])]) as H[typeof k];
    }
    this.#spec.checkGroup?.(out);
    return out;
  }

  #groupSpecs(params: unknown): { params: Iterable<unknown>; options: Partial<H> }[] {
    if (params === null || typeof params !== 'object' || !(Symbol.iterator in params)) {
      throw invalid('params', 'an iterable of Tensors or an array of param groups', params);
    }
    const list = [...(params as Iterable<unknown>)];
    if (list.length === 0) throw new RangeError(`${this.#spec.name}: optimizer got an empty parameter list`);
    if (list.every((x) => x instanceof Tensor)) return [{ params: list, options: {} }];
    return list.map((g, i) => {
      if (g === null || typeof g !== 'object' || g instanceof Tensor)
        throw invalid(`params[${i}]`, 'a param group {params, ...options}', g);
      const { params: ps, ...rest } = g as { params?: unknown };
      if (ps === null || typeof ps !== 'object' || !(Symbol.iterator in ps))
        throw invalid(`param_groups[${i}].params`, 'an iterable of Tensors', ps);
      const options = checkOptions<Partial<H>>(`param_groups[${i}]`, rest, Object.keys(this.#spec.checks));
      return { params: ps as Iterable<unknown>, options };
    });
  }

  #addView(params: Tensor[], h: H): void {
    const gi = this.param_groups.length;
    this.#caches.push(h);
    const view = { params: Object.freeze([...params]) } as ParamGroup<H>;
    for (const k of Object.keys(this.#spec.checks) as (keyof H & string)[]) {
      Object.defineProperty(view, k, {
        enumerable: true,
        get: () => {
          const v = this.#caches[gi]![k];
          return Array.isArray(v) ? Object.freeze([...v]) : v;
        },
        set: (v: unknown) => {
          const next = { ...this.#caches[gi]!, [k]: this.#spec.checks[k](`param_groups[${gi}].${k}`, v) };
          this.#spec.checkGroup?.(next);
          native.optim_set_options(this.#handle(), gi, { [k]: next[k] } as NativeOptimOptions);
          this.#caches[gi] = next;
        },
      });
    }
    this.param_groups.push(view);
  }

  #stateToJs(s: NativeOptimState): ParamState {
    const out: ParamState = {};
    if (this.#spec.hasStep) out.step = tensor(s.step ?? 0, { dtype: 'float32' });
    for (const k of this.#spec.stateTensors) {
      const h = s[k as keyof NativeOptimState];
      if (h !== undefined && typeof h !== 'number') out[k] = new Tensor(h);
    }
    return out;
  }

  /** null where nothing is kept (PyTorch's SGD without momentum saves momentum_buffer=None). */
  #stateFromSaved(s: Map<string | number, unknown>, p: Tensor, id: string): NativeOptimState | null {
    const out: NativeOptimState = {};
    const name = this.#spec.name;
    for (const k of this.#spec.stateTensors) {
      const t = s.get(k);
      if (t === undefined || t === null) {
        if (this.#spec.optionalState?.includes(k)) continue;
        throw new RangeError(`${name}.load_state_dict: state[${id}] is missing '${k}' (is this another optimizer's state dict?)`);
      }
      if (!(t instanceof Tensor)) throw invalid(`state[${id}].${k}`, 'a Tensor', t);
      const ps = p.shape;
      const ts = t.shape;
      if (ps.length !== ts.length || ps.some((d, i) => d !== ts[i])) {
        throw new RangeError(
          `${name}.load_state_dict: state[${id}].${k} has shape [${ts.join(', ')}] but its parameter has shape [${ps.join(', ')}]`,
        );
      }
      (out as Record<string, unknown>)[k] = t.handle;
    }
    if (this.#spec.hasStep) {
      const step = s.get('step');
      const n = step instanceof Tensor ? (step.numel() === 1 ? step.item() : NaN) : step;
      if (typeof n !== 'number' || !Number.isInteger(n) || n < 0)
        throw invalid(`state[${id}].step`, 'a non-negative integer (or a scalar tensor holding one)', step);
      out.step = n;
    }
    return Object.keys(out).length ? out : null;
  }

  #groupFromSaved(g: Map<string | number, unknown>, gi: number): [H, number | undefined] {
    const known = new Set(Object.keys(this.#spec.checks));
    const opts: Partial<H> = {};
    let initialLr: number | undefined;
    for (const [k, v] of g) {
      if (k === 'params') continue;
      if (typeof k === 'string' && known.has(k)) (opts as Record<string, unknown>)[k] = v;
      else if (k === 'initial_lr') initialLr = this.#spec.checks['lr' as keyof H](`param_groups[${gi}].initial_lr`, v) as number;
      else if (k === 'maximize') {
        if (v !== false)
          throw new RangeError(`${this.#spec.name}.load_state_dict: param_groups[${gi}] has maximize=${String(v)}, which is not supported`);
      } else if (!(typeof k === 'string' && IMPLEMENTATION_KEYS.has(k))) {
        throw new RangeError(`${this.#spec.name}.load_state_dict: param_groups[${gi}] has an unknown option '${String(k)}'`);
      }
    }
    for (const k of known) if (!g.has(k)) throw new RangeError(`${this.#spec.name}.load_state_dict: param_groups[${gi}] is missing '${k}'`);
    return [this.#resolve(opts, this.#caches[gi]!, `param_groups[${gi}]`), initialLr];
  }
}

// ------------------------------------------------------------------ helpers

function checkParams(ps: Iterable<unknown>, group: number, seen: Set<Tensor>): Tensor[] {
  const out: Tensor[] = [];
  for (const p of ps) {
    if (!(p instanceof Tensor)) throw invalid(`param_groups[${group}].params`, 'Tensors', p);
    if (!isFloating(p.dtype))
      throw new TypeError(`optimizer can only optimize floating point Tensors, but one in param_groups[${group}] is ${p.dtype}`);
    if (!p.is_leaf) throw new TypeError("can't optimize a non-leaf Tensor");
    if (seen.has(p)) throw new RangeError(`some parameters appear more than once (param_groups[${group}])`);
    seen.add(p);
    out.push(p);
  }
  if (out.length === 0) throw new RangeError(`param_groups[${group}] has no parameters`);
  return out;
}

/** A Map or plain object as a Map (torch.load gives Maps; state_dict() gives both). */
function entries(v: unknown, name: string): Map<string | number, unknown> {
  if (v instanceof Map) return v as Map<string | number, unknown>;
  if (v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Tensor)) return new Map(Object.entries(v));
  throw invalid(name, 'a Map or an object', v);
}

function toInt(v: unknown, name: string): number {
  const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : typeof v === 'bigint' ? Number(v) : v;
  if (!isInt(n) || n < 0) throw invalid(name, 'a parameter index', v);
  return n;
}

function formatValue(v: unknown): string {
  if (Array.isArray(v)) return `(${v.join(', ')})`;
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  return String(v);
}

// ------------------------------------------------------------------ shared checks

export const nonNegative: Check<number> = (name, v) => {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw invalid(name, 'a finite number', v);
  if (v < 0) throw new RangeError(`Expected a number >= 0 for ${name} but received ${v}`);
  return v;
};
export const finiteNumber: Check<number> = (name, v) => {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw invalid(name, 'a finite number', v);
  return v;
};
export const boolean: Check<boolean> = (name, v) => checkBool(name, v);
export const betas: Check<[number, number]> = (name, v) => {
  if (!Array.isArray(v) || v.length !== 2 || !v.every((x) => typeof x === 'number'))
    throw invalid(name, 'a pair of numbers [beta1, beta2]', v);
  v.forEach((b: number, i) => {
    if (!(b >= 0 && b < 1)) throw new RangeError(`Expected ${name}[${i}] in [0, 1) but received ${b}`);
  });
  return [v[0] as number, v[1] as number];
};
