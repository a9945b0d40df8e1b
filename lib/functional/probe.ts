// snnTorch's probe monitors (snntorch.functional.probe): record what chosen layers of a network
// see or produce, through Module's forward hooks (and, for the gradient monitors, its full
// backward hooks). Records are the layers' own tensors (held by their own handles, so a tidy scope
// around the forward or backward pass does not free them); clear_recorded_data() and
// remove_hooks() release them.
import { native } from '../native.js';
import { invalid } from '../torch/check.js';
import { keep } from '../torch/memory.js';
import { Tensor, wrap } from '../torch/tensor.js';
import { Module, type RemovableHandle } from '../nn/module.js';

type ModuleClass = abstract new (...args: never[]) => Module;
export type Instance = ModuleClass | readonly ModuleClass[];

/** A one-element tuple (array) becomes its element, as snnTorch's unpack_len1_tuple. */
export function unpack_len1_tuple(x: unknown): unknown {
  return Array.isArray(x) && x.length === 1 ? x[0] : x;
}

/** Own handles to every tensor in a value (arrays and plain objects walked), so the record outlives the caller's scope. */
function hold(v: unknown, owned: Tensor[]): unknown {
  if (v instanceof Tensor) {
    const t = keep(wrap(native.alias(v.handle)));
    owned.push(t);
    return t;
  }
  if (Array.isArray(v)) return v.map((x) => hold(x, owned));
  return v;
}

function matches(m: Module, instance: Instance): boolean {
  const kinds = Array.isArray(instance) ? instance : [instance as ModuleClass];
  return kinds.some((k) => m instanceof k);
}

function checkInstance(instance: unknown): Instance {
  const ok = (k: unknown): boolean => typeof k === 'function';
  if (ok(instance) || (Array.isArray(instance) && instance.length > 0 && instance.every(ok))) return instance as Instance;
  throw invalid('instance', 'an nn.Module class or an array of them', instance);
}

export class BaseMonitor implements Disposable {
  hooks: RemovableHandle[] = [];
  /** Names (as named_modules gives them) of the monitored layers. */
  monitored_layers: string[] = [];
  records: unknown[] = [];
  /** Per layer name, the indices of its records. */
  name_records_index: Record<string, number[]> = {};
  #enable = true;
  #owned: Tensor[] = [];

  /** records[i], or every record of the layer with that name. */
  get(i: number | string): unknown {
    if (typeof i === 'number') return this.records[i < 0 ? i + this.records.length : i];
    if (typeof i === 'string') {
      const idx = this.name_records_index[i];
      if (!idx) throw new RangeError(`no monitored layer named '${i}'; monitored: ${this.monitored_layers.join(', ')}`);
      return idx.map((k) => this.records[k]);
    }
    throw invalid('index', 'a record index or a layer name', i);
  }
  clear_recorded_data(): void {
    this.records.length = 0;
    for (const v of Object.values(this.name_records_index)) v.length = 0;
    for (const t of this.#owned) t.dispose();
    this.#owned = [];
  }
  enable(): void {
    this.#enable = true;
  }
  disable(): void {
    this.#enable = false;
  }
  is_enable(): boolean {
    return this.#enable;
  }
  remove_hooks(): void {
    for (const h of this.hooks) h.remove();
  }
  [Symbol.dispose](): void {
    this.remove_hooks();
    this.clear_recorded_data();
  }

  protected _record(name: string, value: unknown): void {
    this.name_records_index[name]!.push(this.records.length);
    this.records.push(hold(value, this.#owned));
  }
  protected _attach(net: Module, instance: Instance, register: (m: Module, name: string) => RemovableHandle): void {
    if (!(net instanceof Module)) throw invalid('net', 'an nn.Module', net);
    for (const [name, m] of net.named_modules()) {
      if (!matches(m, instance)) continue;
      this.monitored_layers.push(name);
      this.name_records_index[name] = [];
      this.hooks.push(register(m, name));
    }
  }
}

/** Records function_on_output(output) of every layer of the given class(es) (default: net's own class). */
export class OutputMonitor extends BaseMonitor {
  readonly function_on_output: (x: unknown) => unknown;
  constructor(net: Module, instance?: Instance | null, function_on_output: (x: unknown) => unknown = (x) => x) {
    super();
    this.function_on_output = function_on_output;
    const kinds = instance == null ? (net.constructor as ModuleClass) : checkInstance(instance);
    this._attach(net, kinds, (m, name) =>
      m.register_forward_hook((_m, _args, y) => {
        if (this.is_enable()) this._record(name, this.function_on_output(unpack_len1_tuple(y)));
      }),
    );
  }
}

/** Records function_on_input(input) of every layer of the given class(es) (default: net's own class). */
export class InputMonitor extends BaseMonitor {
  readonly function_on_input: (x: unknown) => unknown;
  constructor(net: Module, instance?: Instance | null, function_on_input: (x: unknown) => unknown = (x) => x) {
    super();
    this.function_on_input = function_on_input;
    const kinds = instance == null ? (net.constructor as ModuleClass) : checkInstance(instance);
    this._attach(net, kinds, (m, name) =>
      m.register_forward_hook((_m, args) => {
        if (this.is_enable()) this._record(name, this.function_on_input(unpack_len1_tuple(args)));
      }),
    );
  }
}

/**
 * Records function_on_attribute(layer[attribute_name]) of every layer of the given class(es),
 * before (pre_forward) or after each forward call: a neuron's `mem`, a layer's `weight`, ...
 */
export class AttributeMonitor extends BaseMonitor {
  readonly attribute_name: string;
  readonly function_on_attribute: (x: unknown) => unknown;
  constructor(
    attribute_name: string,
    pre_forward: boolean,
    net: Module,
    instance: Instance,
    function_on_attribute: (x: unknown) => unknown = (x) => x,
  ) {
    super();
    if (typeof attribute_name !== 'string') throw invalid('attribute_name', 'a string', attribute_name);
    this.attribute_name = attribute_name;
    this.function_on_attribute = function_on_attribute;
    const read = (m: Module): unknown => {
      if (!(attribute_name in m)) throw new RangeError(`AttributeMonitor: ${m.constructor.name} has no attribute '${attribute_name}'`);
      return (m as unknown as Record<string, unknown>)[attribute_name];
    };
    this._attach(net, checkInstance(instance), (m, name) => {
      const hook = (mod: Module): void => {
        if (this.is_enable()) this._record(name, this.function_on_attribute(read(mod)));
      };
      return pre_forward ? m.register_forward_pre_hook((mod) => hook(mod)) : m.register_forward_hook((mod) => hook(mod));
    });
  }
}

/**
 * Records function_on_grad_input(grad_input) of every layer of the given class(es) (default: net's
 * own class) in each backward pass: the gradient with respect to the layer's input (one tensor,
 * or an array when the layer has several arguments; null where an argument has no gradient).
 * Backward must run on the JS thread (CPU tensors).
 */
export class GradInputMonitor extends BaseMonitor {
  readonly function_on_grad_input: (x: unknown) => unknown;
  constructor(net: Module, instance?: Instance | null, function_on_grad_input: (x: unknown) => unknown = (x) => x) {
    super();
    this.function_on_grad_input = function_on_grad_input;
    const kinds = instance == null ? (net.constructor as ModuleClass) : checkInstance(instance);
    this._attach(net, kinds, (m, name) =>
      m.register_full_backward_hook((_m, grad_input) => {
        if (this.is_enable()) this._record(name, this.function_on_grad_input(unpack_len1_tuple(grad_input)));
      }),
    );
  }
}

/**
 * Records function_on_grad_output(grad_output) of every layer of the given class(es) (default:
 * net's own class) in each backward pass: the gradient with respect to the layer's output (an
 * array for a layer returning several tensors, e.g. a neuron's [spk, mem]). Backward must run on
 * the JS thread (CPU tensors).
 */
export class GradOutputMonitor extends BaseMonitor {
  readonly function_on_grad_output: (x: unknown) => unknown;
  constructor(net: Module, instance?: Instance | null, function_on_grad_output: (x: unknown) => unknown = (x) => x) {
    super();
    this.function_on_grad_output = function_on_grad_output;
    const kinds = instance == null ? (net.constructor as ModuleClass) : checkInstance(instance);
    this._attach(net, kinds, (m, name) =>
      m.register_full_backward_hook((_m, _grad_input, grad_output) => {
        if (this.is_enable()) this._record(name, this.function_on_grad_output(unpack_len1_tuple(grad_output)));
      }),
    );
  }
}
