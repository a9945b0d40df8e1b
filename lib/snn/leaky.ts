// snn.Leaky: first-order leaky integrate-and-fire neuron, snnTorch 0.9.4 semantics (docs/SEMANTICS.md, Leaky).
import { native } from '../native.js';
import { checkBool, checkOptions } from '../torch/check.js';
import { tidy } from '../torch/memory.js';
import { Tensor, tensorArg, wrap } from '../torch/tensor.js';
import { LIF, LIF_KEYS, type LIFOptions, type TensorInit } from './neuron.js';
import type { NeuronOutput } from './types.js';
import { checkSequenceOptions, leakySequenceNative, runSequence, type SequenceOptions } from './sequence.js';

export interface LeakyOptions extends LIFOptions {
  graded_spikes_factor?: TensorInit;
  learn_graded_spikes_factor?: boolean;
}

export class Leaky<const O extends LeakyOptions = LeakyOptions> extends LIF {
  declare mem: Tensor;

  constructor(opts: O) {
    const o = checkOptions<LeakyOptions>('Leaky options', opts, [...LIF_KEYS, 'graded_spikes_factor', 'learn_graded_spikes_factor']);
    super(o, [...LIF_KEYS, 'graded_spikes_factor', 'learn_graded_spikes_factor'], {
      value: o.graded_spikes_factor ?? 1.0,
      learn: checkBool('learn_graded_spikes_factor', o.learn_graded_spikes_factor ?? false),
    });
    this._registerState('mem');
  }

  /**
   * One step. Returns [spk, mem]; with init_hidden (and output false) only spk. A mem passed in is
   * used (with its autograd history) when its shape matches the input, else zeros (snnTorch).
   */
  forward(input: Tensor, mem?: Tensor | null): NeuronOutput<O, [Tensor, Tensor]> {
    tensorArg('input', input);
    if (mem != null) {
      if (this.init_hidden) throw new TypeError('Leaky: with init_hidden=true the state lives in the neuron; pass only the input');
      this._setState('mem', tensorArg('mem', mem));
    }
    this._fitState('mem', input);
    const [spk, U] = this.#step(input, this.mem);
    this._setState('mem', U);
    if (this.init_hidden && !this.output) {
      U.dispose();
      return spk as NeuronOutput<O, [Tensor, Tensor]>;
    }
    return [spk, U] as NeuronOutput<O, [Tensor, Tensor]>;
  }

  #step(X: Tensor, U: Tensor): [Tensor, Tensor] {
    const cfg = this._fusedConfig();
    if (cfg) {
      const [s, m] = native.snn_leaky_step(
        X.handle,
        U.handle,
        this.beta.handle,
        this.threshold.handle,
        this.graded_spikes_factor.handle,
        cfg,
      );
      return [wrap(s), wrap(m)];
    }
    return tidy(() => {
      const r = this._memReset(U);
      const b = this.beta.clamp(0, 1);
      let Un: Tensor;
      if (this.reset_mechanism === 'subtract') Un = b.mul(U).add(X).sub(r.mul(this.threshold));
      else if (this.reset_mechanism === 'zero') Un = b.mul(r.neg().add(1).mul(U)).add(X);
      else Un = b.mul(U).add(X);
      if (this.state_quant) Un = this.state_quant(Un);
      const S = this._fire(Un, true);
      return [S, this._immediateReset(Un, S, r, true)] as [Tensor, Tensor];
    });
  }

  /**
   * The whole time loop in one call: input [T, B, ...], or a static [B, ...] with num_steps.
   * Returns the spike and membrane records [T, B, ...]; starts from opts.mem, else the current state.
   */
  sequence(input: Tensor, opts: Omit<SequenceOptions, 'spk'> = {}): [Tensor, Tensor] {
    const o = checkSequenceOptions('Leaky.sequence', input, opts);
    if (this.init_hidden) throw new TypeError('Leaky.sequence: not available with init_hidden=true (call forward per step)');
    const cfg = this._fusedConfig();
    if (cfg) {
      const st = this._stateAccess();
      const out = leakySequenceNative(
        input,
        { ...o, spk: null },
        st,
        { beta: this.beta, threshold: this.threshold, graded_spikes_factor: this.graded_spikes_factor },
        cfg,
      );
      if (out) return out;
    }
    return runSequence(input, o, (x, first) => this.forward(x, first ? o.mem : null) as [Tensor, Tensor]);
  }

  /** Zeroes the membrane (keeping its shape) and returns it; [0]-shaped before the first step. */
  reset_mem(): Tensor {
    this._zeroState('mem');
    return this._export('mem');
  }
  /** Deprecated alias of reset_mem(), as in snnTorch. */
  init_leaky(): Tensor {
    return this.reset_mem();
  }
  /** Cuts the membrane's autograd history (truncated BPTT), for this neuron only. */
  detach_hidden(): void {
    this._detachState('mem');
  }
  /** Zeroes this neuron's membrane. */
  reset_hidden(): void {
    this._zeroState('mem');
  }

  override extra_repr(): string {
    return `reset_mechanism=${this.reset_mechanism}`;
  }
}
