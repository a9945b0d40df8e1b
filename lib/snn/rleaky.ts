// snn.RLeaky: leaky integrate-and-fire with recurrent spike feedback, snnTorch 0.9.4 semantics
// (docs/SEMANTICS.md, RLeaky). The feedback Rec(S) is a LibTorch op (Linear, Conv2d or an elementwise V) that
// feeds the fused step kernel, so its gradient reaches the previous spike and the weights.
import { native } from '../native.js';
import { checkOptions } from '../torch/check.js';
import { tidy } from '../torch/memory.js';
import { Tensor, tensorArg, wrap } from '../torch/tensor.js';
import type { Linear } from '../nn/linear.js';
import type { Conv2d } from '../nn/conv.js';
import { LIF, LIF_KEYS, type LIFOptions } from './neuron.js';
import { RECURRENT_KEYS, RecurrentOneToOne, recurrentConfig, registerRecurrent, type RecurrentOptions } from './recurrent.js';
import type { NeuronOutput } from './types.js';

export { RecurrentOneToOne };
import { checkSequenceOptions, rleakySequenceNative, runSequence, type SequenceOptions } from './sequence.js';

export interface RLeakyOptions extends LIFOptions, RecurrentOptions {}
const RLEAKY_KEYS = [...LIF_KEYS, ...RECURRENT_KEYS] as const;

export class RLeaky<const O extends RLeakyOptions = RLeakyOptions> extends LIF {
  declare spk: Tensor;
  declare mem: Tensor;
  declare V: Tensor;
  declare recurrent: Linear | Conv2d | RecurrentOneToOne;
  readonly all_to_all: boolean;
  readonly linear_features: number | null;
  readonly conv2d_channels: number | null;
  readonly kernel_size: [number, number] | null;
  readonly learn_recurrent: boolean;

  constructor(opts: O) {
    const o = checkOptions<RLeakyOptions>('RLeaky options', opts, RLEAKY_KEYS);
    super(o, RLEAKY_KEYS, { value: 1.0, learn: false });
    const c = recurrentConfig('RLeaky', o);
    this.all_to_all = c.all_to_all;
    this.learn_recurrent = c.learn_recurrent;
    this.linear_features = c.linear_features;
    this.conv2d_channels = c.conv2d_channels;
    this.kernel_size = c.kernel_size;
    registerRecurrent(this, c, o.V);
    this._registerState('spk');
    this._registerState('mem');
  }

  /**
   * One step. Returns [spk, mem]; with init_hidden (and output false) only spk. spk and mem passed
   * in are used (autograd history included) when their shapes match the input, else zeros.
   */
  forward(input: Tensor, spk?: Tensor | null, mem?: Tensor | null): NeuronOutput<O, [Tensor, Tensor]> {
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
      return S as NeuronOutput<O, [Tensor, Tensor]>;
    }
    return [S, U] as NeuronOutput<O, [Tensor, Tensor]>;
  }

  #step(X: Tensor, Sprev: Tensor, U: Tensor): [Tensor, Tensor] {
    const rec = this.recurrent.forward(Sprev);
    try {
      const cfg = this._fusedConfig();
      if (cfg) {
        const [s, m] = native.snn_rleaky_step(X.handle, rec.handle, U.handle, this.beta.handle, this.threshold.handle, cfg);
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
    const cfg = this._fusedConfig();
    if (cfg) {
      const st = this._stateAccess();
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
