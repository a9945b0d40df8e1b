// The shared machinery of snnTorch's SpikingNeuron -> LIF (docs/SEMANTICS.md, Shared neuron
// machinery): threshold, beta and
// graded_spikes_factor as Parameters or buffers, reset_mechanism_val, the surrogate, and state
// held as non-persistent buffers that the module owns (its own handle, so a caller disposing a
// returned tensor cannot free the module's state).
import { native } from '../native.js';
import { checkBool, checkOptions, checkString, invalid } from '../torch/check.js';
import { keep, tidy } from '../torch/memory.js';
import { no_grad } from '../torch/autograd.js';
import { Tensor, tensorArg, wrap } from '../torch/tensor.js';
import { tensor, zeros, zeros_like } from '../torch/creation.js';
import { Module } from '../nn/module.js';
import { Parameter } from '../nn/parameter.js';
import { atan, knownKind, type SpikeGrad } from './surrogate.js';
import type { SnnStepConfig, SnnStepConfigHandle } from '../native.js';
import type { StateAccess } from './sequence.js';
import { get_step_impl } from './impl_config.js';

export type ResetMechanism = 'subtract' | 'zero' | 'none';
export const RESET_CODE: Record<ResetMechanism, number> = { subtract: 0, zero: 1, none: 2 };
export type TensorInit = number | readonly number[] | Tensor;

export interface SpikingNeuronOptions {
  threshold?: TensorInit;
  spike_grad?: SpikeGrad | null;
  surrogate_disable?: boolean;
  init_hidden?: boolean;
  inhibition?: boolean;
  learn_threshold?: boolean;
  reset_mechanism?: ResetMechanism;
  state_quant?: ((x: Tensor) => Tensor) | false | null;
  output?: boolean;
  reset_delay?: boolean;
}

export interface LIFOptions extends SpikingNeuronOptions {
  beta: TensorInit;
  learn_beta?: boolean;
}

export const SPIKING_KEYS = [
  'threshold',
  'spike_grad',
  'surrogate_disable',
  'init_hidden',
  'inhibition',
  'learn_threshold',
  'reset_mechanism',
  'state_quant',
  'output',
  'reset_delay',
] as const;
export const LIF_KEYS = ['beta', ...SPIKING_KEYS, 'learn_beta'] as const;

/** torch.as_tensor for a constructor value: a number is a 0-dim float32, an array a float32 tensor, a Tensor is used as is. */
export function asTensor(name: string, v: unknown): Tensor {
  if (v instanceof Tensor) return v;
  if (typeof v === 'number' && Number.isFinite(v)) return tensor(v, { dtype: 'float32' });
  if (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'number' && Number.isFinite(x)))
    return tensor(v as number[], { dtype: 'float32' });
  throw invalid(name, 'a finite number, an array of numbers or a Tensor', v);
}

/** The spike without a surrogate (surrogate_disable): a plain (x > 0) with no autograd node. */
function hardSpike(x: Tensor): Tensor {
  return no_grad(() => {
    const b = x.gt(0);
    const s = b.to(x.dtype);
    b.dispose();
    return s;
  });
}

/**
 * snnTorch's SpikingNeuron: threshold, surrogate, reset mechanism, graded spikes, state_quant,
 * inhibition, init_hidden/output, and state held as non-persistent buffers. Neurons without a
 * membrane decay (SLSTM) build on this directly; LIF adds beta.
 */
export abstract class SpikingNeuron extends Module {
  // Declared, not defined, so subclass construction order decides registration order.
  declare threshold: Tensor;
  declare graded_spikes_factor: Tensor;
  declare reset_mechanism_val: Tensor;

  readonly spike_grad: SpikeGrad;
  readonly surrogate_disable: boolean;
  readonly init_hidden: boolean;
  readonly inhibition: boolean;
  readonly output: boolean;
  readonly reset_delay: boolean;
  readonly state_quant: ((x: Tensor) => Tensor) | false;
  #reset: ResetMechanism;
  /** The last fused config and its native handle (settings can change between steps). */
  #cfg: { config: SnnStepConfig; handle: SnnStepConfigHandle } | null = null;

  /**
   * Checks the options against `keys` (the subclass's full list) and registers, in snnTorch's
   * order, threshold, graded_spikes_factor and reset_mechanism_val.
   */
  protected constructor(
    opts: SpikingNeuronOptions,
    keys: readonly string[],
    graded: { value: TensorInit; learn: boolean },
    defaults: { reset_mechanism?: ResetMechanism } = {},
  ) {
    super();
    const name = new.target.name;
    const o = checkOptions<SpikingNeuronOptions>(`${name} options`, opts, keys);
    this.surrogate_disable = checkBool('surrogate_disable', o.surrogate_disable ?? false);
    this.init_hidden = checkBool('init_hidden', o.init_hidden ?? false);
    this.inhibition = checkBool('inhibition', o.inhibition ?? false);
    this.output = checkBool('output', o.output ?? false);
    this.reset_delay = checkBool('reset_delay', o.reset_delay ?? true);
    this.#reset = checkString('reset_mechanism', o.reset_mechanism ?? defaults.reset_mechanism ?? 'subtract', [
      'subtract',
      'zero',
      'none',
    ] as const);
    const sq = o.state_quant ?? false;
    if (sq !== false && typeof sq !== 'function') throw invalid('state_quant', 'false or a function (Tensor) => Tensor', sq);
    this.state_quant = sq;
    const sg = o.spike_grad ?? null;
    if (sg !== null && typeof sg !== 'function') throw invalid('spike_grad', 'a surrogate function (e.g. snn.surrogate.atan())', sg);
    this.spike_grad = this.surrogate_disable ? hardSpike : (sg ?? atan(2.0));
    if (this.inhibition)
      process.emitWarning(
        'Inhibition is an unstable feature that has only been tested for dense (fully-connected) layers. Use with caution!',
        'UserWarning',
      );

    this._quantity('threshold', o.threshold ?? 1.0, o.learn_threshold ?? false);
    this._quantity('graded_spikes_factor', graded.value, graded.learn);
    this.register_buffer('reset_mechanism_val', tensor(RESET_CODE[this.#reset], { dtype: 'int64' }));
  }

  /** Registers a constructor value as a Parameter (learn) or a buffer, as snnTorch's *_buffer helpers. */
  protected _quantity(name: string, value: unknown, learn: unknown): void {
    const t = asTensor(name, value);
    if (checkBool(`learn_${name}`, learn)) this.register_parameter(name, new Parameter(t));
    else this.register_buffer(name, t);
  }

  /**
   * After load_state_dict: a loaded reset_mechanism_val takes effect (0 subtract, 1 zero, 2 none);
   * any other value is put back and refused.
   */
  override _load_state_dict_post_hook(): void {
    const v = Number(this.reset_mechanism_val.item());
    const name = (Object.keys(RESET_CODE) as ResetMechanism[]).find((k) => RESET_CODE[k] === v);
    if (name === undefined) {
      no_grad(() => this.reset_mechanism_val.fill_(RESET_CODE[this.#reset]));
      throw new RangeError(
        `${this.constructor.name}: loaded reset_mechanism_val is ${v}; expected 0 (subtract), 1 (zero) or 2 (none). The neuron keeps reset_mechanism='${this.#reset}'.`,
      );
    }
    this.#reset = name;
  }

  get reset_mechanism(): ResetMechanism {
    return this.#reset;
  }
  /** Changes the reset rule (snnTorch's setter leaves the delayed reset on the old rule; we apply the new one everywhere). */
  set reset_mechanism(v: ResetMechanism) {
    this.#reset = checkString('reset_mechanism', v, ['subtract', 'zero', 'none'] as const);
    no_grad(() => this.reset_mechanism_val.fill_(RESET_CODE[this.#reset]));
  }

  // ------------------------------------------------------------------ state buffers
  /** Registers a state buffer, initially shape [0] (lazy: the first input decides its shape). */
  protected _registerState(name: string): void {
    this.register_buffer(name, zeros(0), false);
  }
  protected _state(name: string): Tensor {
    return (this as unknown as Record<string, Tensor>)[name]!;
  }
  /** Stores t as the module's state under its own handle (the caller keeps t). */
  protected _setState(name: string, t: Tensor): void {
    const fields = this as unknown as Record<string, Tensor>;
    const old = fields[name];
    fields[name] = keep(wrap(native.alias(t.handle)));
    if (old && old !== t) old.dispose();
  }
  /** A handle to the state for the caller to own. */
  protected _export(name: string): Tensor {
    return wrap(native.alias(this._state(name).handle));
  }
  /**
   * State whose shape differs from the input's is replaced by zeros_like(input), as snnTorch does;
   * unlike snnTorch (which keeps the old buffer's device) it follows the input's device, so state
   * from init_rleaky() on a CPU module works with CUDA inputs.
   */
  protected _fitState(name: string, input: Tensor, shape?: readonly number[]): void {
    const s = this._state(name);
    const a = s.shape;
    const b = shape ?? input.shape;
    if (a.length !== b.length || a.some((x, i) => x !== b[i])) {
      this._setState(name, shape ? zeros([...shape], { dtype: input.dtype, device: input.device }) : zeros_like(input));
    }
  }
  /** The state buffers as the native sequence runner reads and writes them (lib/snn/sequence.ts). */
  protected _stateAccess(): StateAccess {
    return {
      get: (n) => this._state(n),
      set: (n, t) => this._setState(n, t),
      fit: (n, x) => this._fitState(n, x),
    };
  }
  protected _zeroState(name: string): void {
    const s = this._state(name);
    this._setState(name, zeros_like(s));
  }
  protected _detachState(name: string): void {
    this._setState(name, this._state(name).detach());
  }

  /**
   * One step of a neuron with several states, run the way snnTorch's forward runs: states passed in
   * are stored (refused with init_hidden), any state shaped unlike the input becomes zeros, then
   * `compute` maps the previous states (by name) to the spike and the new states. The new states
   * are stored; 'spk', when it is one of `names`, is the spike itself. `stateShape` (default: the
   * input's shape) is the shape the states must have. Returns the spike followed by
   * the states other than 'spk' (snnTorch's return order), or the spike alone with init_hidden and
   * not output.
   */
  protected _stepStates(
    input: Tensor,
    names: readonly string[],
    given: readonly (Tensor | null | undefined)[],
    compute: (prev: Record<string, Tensor>) => { spk: Tensor; states: Record<string, Tensor> },
    stateShape?: readonly number[],
  ): Tensor | Tensor[] {
    tensorArg('input', input);
    if (this.init_hidden && given.some((g) => g != null)) {
      throw new TypeError(
        `${this.constructor.name}: with init_hidden=true the state lives in the neuron; pass only the input (got ${given.length} state argument(s))`,
      );
    }
    names.forEach((n, i) => {
      const g = given[i];
      if (g != null) this._setState(n, tensorArg(n, g));
    });
    for (const n of names) this._fitState(n, input, stateShape);
    const prev: Record<string, Tensor> = {};
    for (const n of names) prev[n] = this._state(n);
    const { spk, states } = tidy(() => compute(prev));
    const outs: Tensor[] = [spk];
    for (const n of names) {
      if (n === 'spk') {
        this._setState(n, spk);
        continue;
      }
      this._setState(n, states[n]!);
      outs.push(states[n]!);
    }
    if (this.init_hidden && !this.output) {
      for (const t of outs.slice(1)) t.dispose();
      return spk;
    }
    return outs;
  }

  // ------------------------------------------------------------------ step helpers
  /**
   * The fused kernels' configuration of this neuron, parsed natively once per setting (a handle the
   * natives take on every step), or null where the fused kernel does not cover an option in use
   * (then the composed step runs).
   */
  protected _fusedConfig(): SnnStepConfigHandle | null {
    if (get_step_impl() !== 'fused' || this.inhibition || this.state_quant) return null;
    const sg = this.surrogate_disable ? { kind: 'atan' as const, param: 2.0 } : knownKind(this.spike_grad);
    if (!sg) return null;
    const c = this.#cfg;
    if (
      c !== null &&
      c.config.reset === this.#reset &&
      c.config.reset_delay === this.reset_delay &&
      c.config.surrogate === sg.kind &&
      c.config.surrogate_param === sg.param &&
      c.config.surrogate_disable === this.surrogate_disable
    )
      return c.handle;
    const config: SnnStepConfig = {
      reset: this.#reset,
      reset_delay: this.reset_delay,
      surrogate: sg.kind,
      surrogate_param: sg.param,
      surrogate_disable: this.surrogate_disable,
    };
    this.#cfg = { config, handle: native.snn_step_config(config) };
    return this.#cfg.handle;
  }

  /** mem_reset: the detached surrogate forward of U - θ (delayed reset signal). */
  protected _memReset(U: Tensor): Tensor {
    return no_grad(() => {
      const shift = U.sub(this.threshold);
      const r = this.spike_grad(shift);
      shift.dispose();
      return r;
    });
  }
  /** fire / fire_inhibition on the new membrane (docs/SEMANTICS.md, Spike and reset signal). */
  protected _fire(U: Tensor, graded: boolean): Tensor {
    if (this.inhibition) {
      if (U.dim() < 2) throw new RangeError('inhibition needs a batch dimension: input must be at least [B, N]');
      const shift = U.sub(this.threshold);
      const index = shift.argmax(1, true);
      const zeros0 = zeros_like(shift);
      const mask = zeros0.scatter(1, index, 1);
      const s = this.spike_grad(shift);
      const out = s.mul(mask);
      for (const t of [shift, index, zeros0, mask, s]) t.dispose();
      return out;
    }
    const Uq = this.state_quant ? this.state_quant(U) : U;
    const shift = Uq.sub(this.threshold);
    const s = this.spike_grad(shift);
    shift.dispose();
    if (Uq !== U) Uq.dispose();
    if (!graded) return s;
    const out = s.mul(this.graded_spikes_factor);
    s.dispose();
    return out;
  }
  /** reset_delay=False: the immediate reset, with d = S/gsf - r not detached. */
  protected _immediateReset(U: Tensor, S: Tensor, r: Tensor, graded: boolean): Tensor {
    if (this.reset_delay || this.#reset === 'none') return U;
    const sOverG = graded ? S.div(this.graded_spikes_factor) : S;
    const d = sOverG.sub(r);
    if (sOverG !== S) sOverG.dispose();
    const dd = this.#reset === 'subtract' ? d.mul(this.threshold) : d.mul(U);
    const out = U.sub(dd);
    d.dispose();
    dd.dispose();
    U.dispose();
    return out;
  }

  abstract reset_mem(): Tensor | readonly (Tensor | null)[];
  abstract detach_hidden(): void;
  abstract reset_hidden(): void;
}

/** snnTorch's LIF: a SpikingNeuron with a membrane decay beta (Parameter with learn_beta, else a buffer). */
export abstract class LIF extends SpikingNeuron {
  declare beta: Tensor;

  protected constructor(
    opts: LIFOptions,
    keys: readonly string[],
    graded: { value: TensorInit; learn: boolean },
    defaults: { reset_mechanism?: ResetMechanism; beta_optional?: boolean } = {},
  ) {
    super(opts, keys, graded, defaults);
    const o = opts ?? ({} as LIFOptions);
    if (o.beta === undefined && !defaults.beta_optional)
      throw new TypeError(`${new.target.name}: beta is required (snnTorch gives it no default)`);
    if (o.beta !== undefined) this._quantity('beta', o.beta, o.learn_beta ?? false);
  }
}
