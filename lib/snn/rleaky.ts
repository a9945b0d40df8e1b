// snn.RLeaky: leaky integrate-and-fire with recurrent spike feedback, snnTorch 0.9.4 semantics
// (SEMANTICS §4). The feedback Rec(S) is a LibTorch op (Linear, Conv2d or an elementwise V) that
// feeds the fused step kernel, so its gradient reaches the previous spike and the weights.
import { native } from '../native.js';
import { checkBool, checkInt, checkOptions, invalid, isInt } from '../torch/check.js';
import { tidy } from '../torch/memory.js';
import { Tensor, tensorArg, wrap } from '../torch/tensor.js';
import { Module } from '../nn/module.js';
import { Parameter } from '../nn/parameter.js';
import { Linear } from '../nn/linear.js';
import { Conv2d } from '../nn/conv.js';
import { LIF, LIF_KEYS, asTensor, type LIFOptions, type TensorInit } from './neuron.js';
import { checkSequenceOptions, rleakySequenceNative, runSequence, type SequenceOptions } from './sequence.js';

export interface RLeakyOptions extends LIFOptions {
  V?: TensorInit;
  all_to_all?: boolean;
  linear_features?: number | null;
  conv2d_channels?: number | null;
  kernel_size?: number | [number, number] | null;
  learn_recurrent?: boolean;
}
const RLEAKY_KEYS = [...LIF_KEYS, 'V', 'all_to_all', 'linear_features', 'conv2d_channels', 'kernel_size', 'learn_recurrent'] as const;

/** One-to-one feedback: S ⊙ V (snnTorch's RecurrentOneToOne). */
export class RecurrentOneToOne extends Module {
  declare V: Tensor;
  constructor(V: Tensor) {
    super();
    // A plain field: registered (so it is saved as recurrent.V) only when V is a Parameter.
    this.V = V;
  }
  forward(x: Tensor): Tensor {
    return x.mul(this.V);
  }
}

export class RLeaky extends LIF {
  declare spk: Tensor;
  declare mem: Tensor;
  declare V: Tensor;
  declare recurrent: Linear | Conv2d | RecurrentOneToOne;
  readonly all_to_all: boolean;
  readonly linear_features: number | null;
  readonly conv2d_channels: number | null;
  readonly kernel_size: [number, number] | null;
  readonly learn_recurrent: boolean;

  constructor(opts: RLeakyOptions) {
    const o = checkOptions<RLeakyOptions>('RLeaky options', opts, RLEAKY_KEYS);
    super(o, RLEAKY_KEYS, { value: 1.0, learn: false });
    this.all_to_all = checkBool('all_to_all', o.all_to_all ?? true);
    this.learn_recurrent = checkBool('learn_recurrent', o.learn_recurrent ?? true);
    // Truthiness as in snnTorch: 0 counts as "not given".
    const lf = o.linear_features ? checkInt('linear_features', o.linear_features, 1) : null;
    const cc = o.conv2d_channels ? checkInt('conv2d_channels', o.conv2d_channels, 1) : null;
    const ks = o.kernel_size ? kernelPair(o.kernel_size) : null;
    this.linear_features = lf;
    this.conv2d_channels = cc;
    this.kernel_size = ks;
    if (this.all_to_all) {
      if ((cc && !ks) || (!cc && ks)) throw new TypeError('RLeaky: conv2d_channels and kernel_size must be given together');
      if (!lf && !(cc && ks)) throw new TypeError('RLeaky: all_to_all=true needs linear_features, or conv2d_channels and kernel_size');
      if (lf && (cc || ks)) throw new TypeError('RLeaky: give linear_features or conv2d_channels/kernel_size, not both');
      if (ks && (ks[0] % 2 === 0 || ks[1] % 2 === 0)) {
        throw new RangeError(`RLeaky: kernel_size must be odd so the feedback keeps the spatial size (padding is kernel_size//2), got [${ks.join(', ')}]`);
      }
    } else if (lf || cc || ks) {
      throw new TypeError('RLeaky: linear_features, conv2d_channels and kernel_size apply only with all_to_all=true');
    }

    if (this.all_to_all) {
      this.register_module('recurrent', lf ? new Linear(lf, lf) : new Conv2d(cc!, cc!, ks!, { padding: [ks![0] >> 1, ks![1] >> 1] }));
      if (!this.learn_recurrent) for (const p of this.recurrent.parameters()) p.requires_grad_(false);
    } else {
      const V = asTensor('V', o.V ?? 1.0);
      if (this.learn_recurrent) this.register_parameter('V', new Parameter(V));
      else this.register_buffer('V', V);
      this.register_module('recurrent', new RecurrentOneToOne(this.V));
    }
    this._registerState('spk');
    this._registerState('mem');
  }

  /**
   * One step. Returns [spk, mem]; with init_hidden (and output false) only spk. spk and mem passed
   * in are used (autograd history included) when their shapes match the input, else zeros.
   */
  forward(input: Tensor, spk?: Tensor | null, mem?: Tensor | null): [Tensor, Tensor] | Tensor {
    tensorArg('input', input);
    if (this.init_hidden && (spk != null || mem != null)) throw new TypeError('RLeaky expects 1 input argument when init_hidden=true');
    if (spk != null) this._setState('spk', tensorArg('spk', spk));
    if (mem != null) this._setState('mem', tensorArg('mem', mem));
    this._fitState('spk', input);
    this._fitState('mem', input);
    const [S, U] = this.#step(input, this.spk, this.mem);
    this._setState('spk', S);
    this._setState('mem', U);
    if (this.init_hidden && !this.output) {
      U.dispose();
      return S;
    }
    return [S, U];
  }

  #step(X: Tensor, Sprev: Tensor, U: Tensor): [Tensor, Tensor] {
    const rec = this.recurrent.forward(Sprev);
    try {
      const fused = this._fusedSurrogate();
      if (fused) {
        const [s, m] = native.snn_rleaky_step(
          X.handle, rec.handle, U.handle, this.beta.handle, this.threshold.handle,
          this._resetCode, this.reset_delay, fused.code, fused.param, this.surrogate_disable,
        );
        return [wrap(s), wrap(m)];
      }
      return tidy(() => {
        const r = this._memReset(U);
        const P = this.beta.clamp(0, 1).mul(U).add(X).add(rec);
        let Un: Tensor;
        if (this.reset_mechanism === 'subtract') Un = P.sub(r.mul(this.threshold));
        else if (this.reset_mechanism === 'zero') Un = P.sub(r.mul(P));
        else Un = P;
        if (this.state_quant) Un = this.state_quant(Un);
        const S = this._fire(Un, false);
        return [S, this._immediateReset(Un, S, r, false)] as [Tensor, Tensor];
      });
    } finally {
      rec.dispose();
    }
  }

  /**
   * The whole time loop of this layer in one call: input is [T, B, ...] (one slice per step), or a
   * static [B, ...] repeated for num_steps. Returns the spike and membrane records [T, B, ...]
   * (the neuron's state is left at the last step, as after T forward calls). Starts from the
   * given spk/mem, else from the neuron's current state (zeros after init_rleaky()).
   */
  sequence(input: Tensor, opts: SequenceOptions = {}): [Tensor, Tensor] {
    const o = checkSequenceOptions('RLeaky.sequence', input, opts);
    if (this.init_hidden) throw new TypeError('RLeaky.sequence: not available with init_hidden=true (call forward per step)');
    const fused = this._fusedSurrogate();
    if (fused) {
      const st = { get: (n: string) => this._state(n), set: (n: string, t: Tensor) => this._setState(n, t), fit: (n: string, x: Tensor) => this._fitState(n, x) };
      const cfg = { reset: this._resetCode, reset_delay: this.reset_delay, surrogate: fused, surrogate_disable: this.surrogate_disable };
      const out = rleakySequenceNative(input, o, st, { beta: this.beta, threshold: this.threshold, recurrent: this.recurrent }, cfg);
      if (out) return out;
    }
    return runSequence(input, o, (x, first) => this.forward(x, first ? o.spk : null, first ? o.mem : null) as [Tensor, Tensor]);
  }

  /** Zeroes spk and mem (keeping their shapes) and returns them; [0]-shaped before the first step. */
  reset_mem(): [Tensor, Tensor] {
    this._zeroState('spk');
    this._zeroState('mem');
    return [this._export('spk'), this._export('mem')];
  }
  /** Deprecated alias of reset_mem(), as in snnTorch (the tutorial calls it). */
  init_rleaky(): [Tensor, Tensor] {
    return this.reset_mem();
  }
  detach_hidden(): void {
    this._detachState('spk');
    this._detachState('mem');
  }
  reset_hidden(): void {
    this._zeroState('spk');
    this._zeroState('mem');
  }

  override extra_repr(): string {
    return this.all_to_all ? '' : 'all_to_all=False';
  }
}

function kernelPair(k: unknown): [number, number] {
  if (isInt(k) && k > 0) return [k, k];
  if (Array.isArray(k) && k.length === 2 && k.every((x) => isInt(x) && x > 0)) return [k[0], k[1]];
  throw invalid('kernel_size', 'a positive integer or [kh, kw]', k);
}
