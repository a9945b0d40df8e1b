// snn.Alpha: alpha-kernel neuron with excitatory and inhibitory synaptic currents, snnTorch 0.9.4
// semantics (composed tensor ops, snnTorch's op order), a = clamp(α, 0, 1), b = clamp(β, 0, 1):
//   r = stopgrad(H(mem - θ))
//   syn_exc' = a·syn_exc + X;  syn_inh' = b·syn_inh - X
//   τ = log(a) / (log(b) - log(a)) + 1;  mem' = τ·(syn_exc' + syn_inh')
//   subtract: syn_exc' -= θ·r; syn_inh' -= (b·syn_inh - X)·r; mem' -= (-syn_inh)·r
//   zero (the default): each new state -= (its own update)·r
//   state_quant on all three; spk = fire(mem').
// Under snn.config({ step: 'fused' }) one native node runs the step (native/kernels/neuron_traits.h,
// Alpha), except with state_quant, inhibition or a custom surrogate (the composed ops above).
// Requires α > β elementwise and β ≠ 1 (snnTorch's checks).
//
// Departure: snnTorch 0.9.4's Alpha(learn_alpha=true) raises at construction ("cannot assign
// 'torch.FloatTensor' as parameter 'alpha'"); here alpha becomes a Parameter holding the value as
// given, clamped to [0, 1] in every step (gradient zero outside, passed at the bounds). Without
// learn_alpha, alpha is a buffer stored clamped, as snnTorch stores it.
import { checkOptions } from '../torch/check.js';
import { no_grad } from '../torch/autograd.js';
import { native } from '../native.js';
import { wrap, type Tensor } from '../torch/tensor.js';
import { LIF, SPIKING_KEYS, type LIFOptions, type TensorInit } from './neuron.js';
import { loopSequenceStates, resolveSequenceStates, type StatesSequenceOptions } from './sequence_states.js';
import { neuronSequenceNative } from './sequence.js';
import type { NeuronOutput } from './types.js';

export interface AlphaOptions extends Omit<LIFOptions, 'reset_delay'> {
  alpha: TensorInit;
  learn_alpha?: boolean;
}
const ALPHA_KEYS = ['alpha', 'beta', ...SPIKING_KEYS.filter((k) => k !== 'reset_delay'), 'learn_alpha', 'learn_beta'] as const;

export class Alpha<const O extends AlphaOptions = AlphaOptions> extends LIF {
  declare alpha: Tensor;
  declare syn_exc: Tensor;
  declare syn_inh: Tensor;
  declare mem: Tensor;

  constructor(opts: O) {
    const o = checkOptions<AlphaOptions>('Alpha options', opts, ALPHA_KEYS);
    super(o, ALPHA_KEYS, { value: 1.0, learn: false }, { reset_mechanism: 'zero' });
    if (o.alpha === undefined) throw new TypeError('Alpha: alpha is required (snnTorch gives it no default)');
    const learn = o.learn_alpha ?? false;
    this._quantity('alpha', o.alpha, learn);
    if (!learn) no_grad(() => this.alpha.clamp_(0, 1));
    no_grad(() => {
      const a = this.alpha.clamp(0, 1);
      const le = a.le(this.beta);
      const bad = le.any().item();
      const one = this.beta.eq(1);
      const bad1 = one.any().item();
      for (const t of [a, le, one]) t.dispose();
      if (bad) throw new RangeError('Alpha: alpha must be greater than beta (elementwise)');
      if (bad1) throw new RangeError('Alpha: beta cannot be 1 (tau_alpha = log(alpha) / (log(beta) - log(alpha)) + 1 divides by zero)');
    });
    this._registerState('syn_exc');
    this._registerState('syn_inh');
    this._registerState('mem');
  }

  /** One step: [spk, syn_exc, syn_inh, mem]; with init_hidden (and output false) only spk. */
  forward(
    input: Tensor,
    syn_exc?: Tensor | null,
    syn_inh?: Tensor | null,
    mem?: Tensor | null,
  ): NeuronOutput<O, [Tensor, Tensor, Tensor, Tensor]> {
    return this._stepStates(input, ['syn_exc', 'syn_inh', 'mem'], [syn_exc, syn_inh, mem], (p) =>
      this.#step(input, p.syn_exc!, p.syn_inh!, p.mem!),
    ) as NeuronOutput<O, [Tensor, Tensor, Tensor, Tensor]>;
  }

  #step(X: Tensor, exc: Tensor, inh: Tensor, mem: Tensor): { spk: Tensor; states: Record<string, Tensor> } {
    const cfg = this._fusedConfig();
    if (cfg) {
      const out = native.snn_neuron_step(
        'alpha',
        [X.handle],
        [exc.handle, inh.handle, mem.handle],
        [this.alpha.handle, this.beta.handle, this.threshold.handle, this.graded_spikes_factor.handle],
        cfg,
      );
      if (out.length === 4) return { spk: wrap(out[0]!), states: { syn_exc: wrap(out[1]!), syn_inh: wrap(out[2]!), mem: wrap(out[3]!) } };
    }
    const r = this._memReset(mem);
    const a = this.alpha.clamp(0, 1);
    const b = this.beta.clamp(0, 1);
    const base = (): [Tensor, Tensor, Tensor] => {
      const e = a.mul(exc).add(X);
      const i = b.mul(inh).sub(X);
      const la = a.log();
      const tau = la.div(b.log().sub(la)).add(1);
      return [e, i, tau.mul(e.add(i))];
    };
    let [e, i, m] = base();
    if (this.reset_mechanism === 'subtract') {
      e = e.sub(this.threshold.mul(r));
      i = i.sub(b.mul(inh).sub(X).mul(r));
      m = m.sub(inh.neg().mul(r));
    } else if (this.reset_mechanism === 'zero') {
      const [e2, i2, m2] = base();
      e = e.sub(e2.mul(r));
      i = i.sub(i2.mul(r));
      m = m.sub(m2.mul(r));
    }
    if (this.state_quant) {
      e = this.state_quant(e);
      i = this.state_quant(i);
      m = this.state_quant(m);
    }
    const spk = this._fire(m, true);
    return { spk, states: { syn_exc: e, syn_inh: i, mem: m } };
  }

  /**
   * All steps of input [T, B, ...] (or a static input with num_steps): records [spk, syn_exc, syn_inh,
   * mem], each [T, B, ...]. Where the fused step runs, the whole loop is one native node (BPTT in C++).
   */
  sequence(input: Tensor, opts: StatesSequenceOptions = {}): [Tensor, Tensor, Tensor, Tensor] {
    const names = ['syn_exc', 'syn_inh', 'mem'] as const;
    const r = resolveSequenceStates(this, 'Alpha.sequence', input, opts, names);
    const cfg = this._fusedConfig();
    if (cfg) {
      const params = [this.alpha, this.beta, this.threshold, this.graded_spikes_factor];
      const out = neuronSequenceNative('alpha', r.input, r.num_steps, r.init, names, this._stateAccess(), params, null, cfg);
      if (out) return out as [Tensor, Tensor, Tensor, Tensor];
    }
    return loopSequenceStates(
      r,
      (x, first, i) => this.forward(x, first ? i.syn_exc : null, first ? i.syn_inh : null, first ? i.mem : null) as Tensor[],
    ) as [Tensor, Tensor, Tensor, Tensor];
  }

  /** Zeroes syn_exc, syn_inh and mem (keeping their shapes) and returns them. */
  reset_mem(): [Tensor, Tensor, Tensor] {
    for (const n of ['syn_exc', 'syn_inh', 'mem']) this._zeroState(n);
    return [this._export('syn_exc'), this._export('syn_inh'), this._export('mem')];
  }
  /** Deprecated alias of reset_mem(), as in snnTorch. */
  init_alpha(): [Tensor, Tensor, Tensor] {
    return this.reset_mem();
  }
  detach_hidden(): void {
    for (const n of ['syn_exc', 'syn_inh', 'mem']) this._detachState(n);
  }
  reset_hidden(): void {
    for (const n of ['syn_exc', 'syn_inh', 'mem']) this._zeroState(n);
  }
}
