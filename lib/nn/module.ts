// nn.Module: sub-modules, parameters and buffers are found by the instance's fields, in declaration
// order (as PyTorch finds them by attribute), and named as PyTorch names them (fc1.weight,
// rlif1.recurrent.bias, ...), so state dicts line up with PyTorch/snnTorch checkpoints.
import { native } from '../native.js';
import { checkBool, checkOptions, invalid } from '../torch/check.js';
import { isFloating, type DType, type Device, type DeviceLike } from '../torch/dtype.js';
import { parseToTarget } from '../torch/to_args.js';
import { keep } from '../torch/memory.js';
import { no_grad } from '../torch/autograd.js';
import { Tensor, wrap } from '../torch/tensor.js';
import { Parameter } from './parameter.js';
import { BackwardHookState, type BackwardHook, type BackwardPreHook } from './backward_hook.js';

export type { BackwardHook, BackwardPreHook, Grads } from './backward_hook.js';

export type StateDict = Map<string, Tensor>;

export interface LoadResult {
  missing_keys: string[];
  unexpected_keys: string[];
}

/** A forward pre-hook: (module, args) => new args (an array), one new argument, or undefined to keep them. */
export type ForwardPreHook<M extends Module = Module> = (module: M, args: unknown[]) => unknown;
/** A forward hook: (module, args, output) => a replacement output, or undefined to keep it. */
export type ForwardHook<M extends Module = Module> = (module: M, args: unknown[], output: unknown) => unknown;

let nextHookId = 0;

/** Removes the hook it was returned for (PyTorch's torch.utils.hooks.RemovableHandle). */
export class RemovableHandle implements Disposable {
  readonly id = nextHookId++;
  #hooks: Map<number, unknown> | null;
  constructor(hooks: Map<number, unknown>) {
    this.#hooks = hooks;
  }
  remove(): void {
    this.#hooks?.delete(this.id);
    this.#hooks = null;
  }
  [Symbol.dispose](): void {
    this.remove();
  }
}

export abstract class Module {
  training = true;
  // Buffer names with their persistence (non-persistent buffers are moved by to() but not saved).
  #buffers = new Map<string, boolean>();
  // Hooks by handle id, in registration order (Map keeps insertion order).
  #forwardPreHooks = new Map<number, ForwardPreHook>();
  #forwardHooks = new Map<number, ForwardHook>();
  #backwardHooks = new Map<number, BackwardHook>();
  #backwardPreHooks = new Map<number, BackwardPreHook>();

  /** Subclasses define the computation. */
  abstract forward(...args: never[]): unknown;

  // ------------------------------------------------------------------ registration
  register_buffer(name: string, tensor: Tensor | null, persistent = true): void {
    this.#checkName(name);
    if (tensor !== null && !(tensor instanceof Tensor)) throw invalid(`buffer '${name}'`, 'a Tensor or null', tensor);
    if (tensor instanceof Parameter) throw new TypeError(`register_buffer: '${name}' is a Parameter; use a plain Tensor`);
    this.#buffers.set(name, checkBool('persistent', persistent));
    // The module holds its own handle to the tensor (same storage), so replacing or freeing the
    // buffer (to(), dispose()) never frees the caller's handle.
    this.#fields()[name] = tensor ? keep(wrap(native.alias(tensor.handle))) : null;
  }
  register_parameter(name: string, param: Parameter | null): void {
    this.#checkName(name);
    if (param !== null && !(param instanceof Parameter)) throw invalid(`parameter '${name}'`, 'an nn.Parameter or null', param);
    this.#buffers.delete(name);
    this.#fields()[name] = param;
  }
  register_module(name: string, module: Module | null): void {
    this.#checkName(name);
    if (module !== null && !(module instanceof Module)) throw invalid(`module '${name}'`, 'an nn.Module or null', module);
    this.#fields()[name] = module;
  }
  add_module(name: string, module: Module | null): void {
    this.register_module(name, module);
  }
  /** Whether a field is a registered buffer (and so saved / moved). */
  is_buffer(name: string): boolean {
    return this.#buffers.has(name);
  }

  // ------------------------------------------------------------------ hooks
  /**
   * Registers hook(module, args) to run before every forward call; it may return replacement
   * args (an array) or one replacement argument. Hooks run in registration order.
   *
   * Modules are called as `m.forward(x)`, so the first registration gives this instance its own
   * `forward` property: a wrapper that runs the pre-hooks, the class's forward (whatever
   * `this.forward` was at that moment, so subclass overrides are kept), then the forward hooks.
   * Instances without hooks keep calling the class's forward directly.
   */
  register_forward_pre_hook(hook: ForwardPreHook<this>): RemovableHandle {
    return this.#addHook(this.#forwardPreHooks, hook as ForwardPreHook, 'a function (module, args) => args | undefined');
  }
  /** Registers hook(module, args, output) to run after every forward call; it may return a replacement output. */
  register_forward_hook(hook: ForwardHook<this>): RemovableHandle {
    return this.#addHook(this.#forwardHooks, hook as ForwardHook, 'a function (module, args, output) => output | undefined');
  }
  /**
   * Registers hook(module, grad_input, grad_output) to run in backward once the gradients of this
   * module's inputs are computed (PyTorch's register_full_backward_hook): one entry per forward
   * argument (null for non-tensors and inputs without gradient), one per output (an array output
   * is a tuple). It may return a replacement grad_input of the same length. Hooks registered
   * before a forward call are the ones its backward runs. Backward must run on the JS thread
   * (CPU tensors); a hooked node reached by a device backward fails with an error.
   */
  register_full_backward_hook(hook: BackwardHook<this>): RemovableHandle {
    return this.#addHook(
      this.#backwardHooks,
      hook as BackwardHook,
      'a function (module, grad_input, grad_output) => grad_input | undefined',
    );
  }
  /**
   * Registers hook(module, grad_output) to run in backward when the gradients of this module's
   * outputs are computed, before the full backward hooks; it may return a replacement grad_output.
   */
  register_full_backward_pre_hook(hook: BackwardPreHook<this>): RemovableHandle {
    return this.#addHook(this.#backwardPreHooks, hook as BackwardPreHook, 'a function (module, grad_output) => grad_output | undefined');
  }
  // Every register_*_hook: the hook must be a function (`shape` says which), forward is wrapped once,
  // and the handle removes the hook from its own map.
  #addHook<H>(hooks: Map<number, H>, hook: H, shape: string): RemovableHandle {
    if (typeof hook !== 'function') throw invalid('hook', shape, hook);
    this.#installHookedForward();
    const handle = new RemovableHandle(hooks as Map<number, unknown>);
    hooks.set(handle.id, hook);
    return handle;
  }
  #installHookedForward(): void {
    if (Object.prototype.hasOwnProperty.call(this, 'forward') && hooked.has(this.forward as AnyFn)) return;
    const inner = this.forward as AnyFn;
    const wrapper = (...args: unknown[]): unknown => {
      const backward = this.#backwardHooks.size > 0 || this.#backwardPreHooks.size > 0;
      if (this.#forwardPreHooks.size === 0 && this.#forwardHooks.size === 0 && !backward) return inner.apply(this, args);
      let a = args;
      for (const h of [...this.#forwardPreHooks.values()]) {
        const r = h(this, a);
        if (r !== undefined) a = Array.isArray(r) ? r : [r];
      }
      const bw = backward ? new BackwardHookState(this, [...this.#backwardHooks.values()], [...this.#backwardPreHooks.values()]) : null;
      if (bw) a = bw.setupInputHook(a);
      let out = inner.apply(this, a);
      for (const h of [...this.#forwardHooks.values()]) {
        const r = h(this, a, out);
        if (r !== undefined) out = r;
      }
      return bw ? bw.setupOutputHook(out) : out;
    };
    hooked.add(wrapper);
    // Not enumerable: fields are how modules find children and parameters.
    Object.defineProperty(this, 'forward', { value: wrapper, writable: true, configurable: true, enumerable: false });
  }

  // ------------------------------------------------------------------ traversal
  *named_children(): Generator<[string, Module]> {
    for (const [k, v] of Object.entries(this)) if (v instanceof Module) yield [k, v];
  }
  *children(): Generator<Module> {
    for (const [, m] of this.named_children()) yield m;
  }
  *named_modules(prefix = '', memo = new Set<Module>()): Generator<[string, Module]> {
    if (memo.has(this)) return;
    memo.add(this);
    yield [prefix, this];
    for (const [k, m] of this.named_children()) yield* m.named_modules(prefix ? `${prefix}.${k}` : k, memo);
  }
  *modules(): Generator<Module> {
    for (const [, m] of this.named_modules()) yield m;
  }
  /** This module's own parameters (not its children's), in field order. */
  *#ownParameters(): Generator<[string, Parameter]> {
    for (const [k, v] of Object.entries(this)) if (v instanceof Parameter) yield [k, v];
  }
  *#ownBuffers(): Generator<[string, Tensor, boolean]> {
    for (const [k, persistent] of this.#buffers) {
      const v = this.#fields()[k];
      if (v instanceof Tensor && !(v instanceof Parameter)) yield [k, v, persistent];
    }
  }
  /** Parameters by PyTorch's names; a parameter reachable twice is listed once. */
  *named_parameters(prefix = '', recurse = true): Generator<[string, Parameter]> {
    const seen = new Set<Tensor>();
    const mods: Iterable<[string, Module]> = recurse ? this.named_modules(prefix) : [[prefix, this]];
    for (const [mp, m] of mods) {
      for (const [k, p] of m.#ownParameters()) {
        if (seen.has(p)) continue;
        seen.add(p);
        yield [mp ? `${mp}.${k}` : k, p];
      }
    }
  }
  *parameters(recurse = true): Generator<Parameter> {
    for (const [, p] of this.named_parameters('', recurse)) yield p;
  }
  *named_buffers(prefix = '', recurse = true): Generator<[string, Tensor]> {
    const mods: Iterable<[string, Module]> = recurse ? this.named_modules(prefix) : [[prefix, this]];
    for (const [mp, m] of mods) for (const [k, b] of m.#ownBuffers()) yield [mp ? `${mp}.${k}` : k, b];
  }
  *buffers(recurse = true): Generator<Tensor> {
    for (const [, b] of this.named_buffers('', recurse)) yield b;
  }

  // ------------------------------------------------------------------ state dict
  /**
   * Ordered name -> tensor map: each module's parameters, then its persistent buffers, then its
   * children, as PyTorch orders them. Tensors are detached and share storage with the module.
   * Shared parameters appear under every name (as in PyTorch).
   */
  state_dict(prefix = ''): StateDict {
    const out: StateDict = new Map();
    this.#collectState(prefix, out);
    return out;
  }
  #collectState(prefix: string, out: StateDict): void {
    for (const [k, p] of this.#ownParameters()) out.set(prefix + k, p.detach());
    for (const [k, b, persistent] of this.#ownBuffers()) if (persistent) out.set(prefix + k, b.detach());
    for (const [k, m] of this.named_children()) m.#collectState(`${prefix}${k}.`, out);
  }

  /**
   * Copies values from a state dict (a Map or a plain object of tensors). With strict (the
   * default), missing keys, unexpected keys and shape mismatches throw one Error listing them all.
   */
  load_state_dict(state_dict: Map<string, unknown> | Record<string, unknown>, opts?: { strict?: boolean }): LoadResult {
    const o = checkOptions<{ strict?: boolean }>('load_state_dict options', opts, ['strict']);
    const strict = o.strict === undefined ? true : checkBool('strict', o.strict);
    const entries: Map<string, unknown> =
      state_dict instanceof Map
        ? state_dict
        : state_dict !== null && typeof state_dict === 'object'
          ? new Map(Object.entries(state_dict))
          : invalidSd(state_dict);
    const own = this.#targets();
    const missing = [...own.keys()].filter((k) => !entries.has(k));
    const unexpected = [...entries.keys()].filter((k) => !own.has(k));
    const errors: string[] = [];
    for (const [k, v] of entries) {
      const target = own.get(k);
      if (!target) continue;
      if (!(v instanceof Tensor)) {
        errors.push(`value for ${k} is not a Tensor (${typeof v})`);
        continue;
      }
      const from = v.shape;
      const to = target.shape;
      if (from.length !== to.length || from.some((s, i) => s !== to[i])) {
        errors.push(
          `size mismatch for ${k}: copying a param with shape [${from.join(', ')}] from checkpoint, the shape in current model is [${to.join(', ')}].`,
        );
      }
    }
    if (strict) {
      if (missing.length) errors.unshift(`Missing key(s) in state_dict: ${missing.map((k) => `"${k}"`).join(', ')}.`);
      if (unexpected.length)
        errors.splice(missing.length ? 1 : 0, 0, `Unexpected key(s) in state_dict: ${unexpected.map((k) => `"${k}"`).join(', ')}.`);
    }
    if (errors.length) throw new Error(`Error(s) in loading state_dict for ${this.constructor.name}:\n\t${errors.join('\n\t')}`);
    no_grad(() => {
      for (const [k, v] of entries) {
        const target = own.get(k);
        if (target && v instanceof Tensor) target.copy_(v);
      }
    });
    for (const m of this.modules()) m._load_state_dict_post_hook();
    return { missing_keys: missing, unexpected_keys: unexpected };
  }
  /** Called on every module after load_state_dict copied the values in (modules that derive state from buffers override it). */
  _load_state_dict_post_hook(): void {}
  /** Every tensor a state dict may load into, by name (persistent buffers and parameters). */
  #targets(): Map<string, Tensor> {
    const out = new Map<string, Tensor>();
    const walk = (m: Module, prefix: string): void => {
      for (const [k, p] of m.#ownParameters()) out.set(prefix + k, p);
      for (const [k, b, persistent] of m.#ownBuffers()) if (persistent) out.set(prefix + k, b);
      for (const [k, c] of m.named_children()) walk(c, `${prefix}${k}.`);
    };
    walk(this, '');
    return out;
  }

  // ------------------------------------------------------------------ modes and moves
  train(mode = true): this {
    checkBool('mode', mode);
    for (const m of this.modules()) m.training = mode;
    return this;
  }
  eval(): this {
    return this.train(false);
  }
  requires_grad_(requires_grad = true): this {
    for (const p of this.parameters()) p.requires_grad_(requires_grad);
    return this;
  }
  /** Sets every parameter's grad to null (set_to_none, PyTorch 2's default) or zero. */
  zero_grad(set_to_none = true): void {
    for (const p of this.parameters()) {
      if (set_to_none) p.grad = null;
      else {
        const g = p.grad;
        if (g) {
          g.zero_();
          g.dispose();
        }
      }
    }
  }

  /**
   * Moves / casts parameters (in place: the Parameter objects stay the same, so optimizers keep
   * working) and buffers, including held state such as a neuron's membrane. A dtype casts only
   * floating-point tensors, as in PyTorch.
   */
  to(target: DType | DeviceLike | { dtype?: DType; device?: DeviceLike }): this {
    const { dtype, device } = parseToTarget(target, ['dtype', 'device']);
    const convert = (t: Tensor): Tensor =>
      t.to({ dtype: dtype !== null && isFloating(t.dtype) ? dtype : t.dtype, device: device ?? t.device });
    no_grad(() => {
      for (const m of this.modules()) {
        const fields = m.#fields();
        for (const [, p] of m.#ownParameters()) {
          const moved = convert(p);
          native.set_data(p.handle, moved.handle);
          moved.dispose();
          const g = p.grad;
          if (g) {
            const mg = convert(g);
            p.grad = mg;
            mg.dispose();
            g.dispose();
          }
        }
        for (const [k, b] of m.#ownBuffers()) {
          const moved = keep(convert(b));
          if (moved !== b) b.dispose();
          fields[k] = moved;
        }
        m._moved(device ?? undefined, dtype ?? undefined);
      }
    });
    return this;
  }
  cpu(): this {
    return this.to('cpu');
  }
  cuda(device: number | Device = 'cuda'): this {
    return this.to(typeof device === 'number' ? `cuda:${device}` : device);
  }
  float(): this {
    return this.to('float32');
  }
  double(): this {
    return this.to('float64');
  }
  /** Hook for modules holding state outside buffers (called by to()). */
  protected _moved(_device: Device | undefined, _dtype: DType | undefined): void {}

  /** Calls fn on every sub-module (children first) and on this module. */
  apply(fn: (m: Module) => void): this {
    for (const c of this.children()) c.apply(fn);
    fn(this);
    return this;
  }

  /** Frees every parameter and buffer of this module and its children. */
  dispose(): void {
    for (const m of this.modules()) {
      for (const [, p] of m.#ownParameters()) p.dispose();
      for (const [, b] of m.#ownBuffers()) b.dispose();
    }
  }

  // ------------------------------------------------------------------ printing
  extra_repr(): string {
    return '';
  }
  toString(): string {
    const children = [...this.named_children()].map(([k, m]) => `(${k}): ${m.toString().replace(/\n/g, '\n  ')}`);
    const extra = this.extra_repr();
    if (!children.length) return `${this.constructor.name}(${extra})`;
    const lines = extra ? [extra, ...children] : children;
    return `${this.constructor.name}(\n  ${lines.join('\n  ')}\n)`;
  }

  #fields(): Record<string, unknown> {
    return this as unknown as Record<string, unknown>;
  }
  #checkName(name: string): void {
    if (typeof name !== 'string' || name === '' || name.includes('.')) throw invalid('name', "a non-empty name without '.'", name);
  }
}

type AnyFn = (...args: unknown[]) => unknown;
const hooked = new WeakSet<AnyFn>();

function invalidSd(v: unknown): never {
  throw invalid('state_dict', 'a Map or an object of Tensors', v);
}
