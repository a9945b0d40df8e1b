// snn.Lapicque: Lapicque's RC-circuit integrate-and-fire neuron, snnTorch 0.9.4 semantics (composed
// tensor ops, snnTorch's op order):
//   r = stopgrad(H(mem - θ))
//   base = X·R·(1/(R·C))·Δt + (1 - Δt/(R·C))·mem
//   subtract: base - r·θ;  zero: base - r·base;  none: base
//   state_quant on mem; spk = fire(mem).
// Give beta, or R and C, or beta with one of R, C; the missing ones follow from
// beta = exp(-Δt/(R·C)) (with R = 1 when only beta is given). The dynamics use R, C and Δt only.
// R, C and time_step are float32 buffers (snnTorch keeps a Python int as int64; the values are the same).
import { checkOptions } from '../torch/check.js';
import { no_grad } from '../torch/autograd.js';
import { Tensor, wrap } from '../torch/tensor.js';
import { native } from '../native.js';
import { ones } from '../torch/creation.js';
import { LIF, SPIKING_KEYS, asTensor, type LIFOptions, type TensorInit } from './neuron.js';
import { loopSequenceStates, resolveSequenceStates, type StatesSequenceOptions } from './sequence_states.js';
import { neuronSequenceNative } from './sequence.js';
import type { NeuronInternals } from './synaptic.js';
import type { NeuronOutput } from './types.js';

export interface LapicqueOptions extends Omit<LIFOptions, 'beta' | 'reset_delay'> {
  beta?: TensorInit | false;
  R?: TensorInit | false;
  C?: TensorInit | false;
  time_step?: TensorInit;
}
const LAPICQUE_KEYS = ['beta', 'R', 'C', 'time_step', ...SPIKING_KEYS.filter((k) => k !== 'reset_delay'), 'learn_beta'] as const;

/** snnTorch's truthiness of an optional constructor value: absent, false and 0 count as not given. */
function given(v: unknown): boolean {
  if (v === undefined || v === null || v === false || v === 0) return false;
  return true;
}

export class Lapicque<const O extends LapicqueOptions = LapicqueOptions> extends LIF {
  declare time_step: Tensor;
  declare R: Tensor;
  declare C: Tensor;
  declare mem: Tensor;

  constructor(opts: O = {} as O) {
    const o = checkOptions<LapicqueOptions>('Lapicque options', opts, LAPICQUE_KEYS);
    const hasBeta = given(o.beta);
    super(
      { ...o, beta: hasBeta ? (o.beta as TensorInit) : undefined } as LIFOptions,
      LAPICQUE_KEYS,
      { value: 1.0, learn: false },
      { beta_optional: true },
    );
    this.register_buffer('time_step', asTensor('time_step', o.time_step ?? 1));
    const hasR = given(o.R);
    const hasC = given(o.C);
    if (!hasBeta && !(hasR && hasC)) throw new TypeError('Lapicque: give beta, or R and C, or beta with one of R and C');
    no_grad(() => {
      if (!hasBeta) {
        const R = asTensor('R', o.R);
        const C = asTensor('C', o.C);
        // beta = exp(ones(1) * (-Δt / (R·C))), shape [1] as in snnTorch.
        // Python multiplies plain numbers R·C in double before dividing; tensors multiply as tensors.
        const rc = typeof o.R === 'number' && typeof o.C === 'number' ? o.R * o.C : R.mul(C);
        const e = this.time_step.neg().div(rc);
        const o1 = ones([1]);
        const arg = o1.mul(e);
        this.register_buffer('beta', arg.exp());
        for (const t of [e, o1, arg]) t.dispose();
        if (rc instanceof Tensor) rc.dispose();
        this.register_buffer('R', R);
        this.register_buffer('C', C);
      } else if (!hasR && !hasC) {
        this.register_buffer('R', asTensor('R', 1));
        this.register_buffer('C', this.#other(this.R));
      } else if (hasR && !hasC) {
        const R = asTensor('R', o.R);
        this.register_buffer('C', this.#other(R));
        this.register_buffer('R', R);
      } else if (hasC && !hasR) {
        const C = asTensor('C', o.C);
        this.register_buffer('C', C);
        this.register_buffer('R', this.#other(C));
      } else {
        throw new TypeError('Lapicque: give beta, or R and C, or beta with one of R and C, not all three');
      }
    });
    this._registerState('mem');
  }

  /** Δt / (x · log(1/β)): C from R, or R from C. */
  #other(x: Tensor): Tensor {
    const inv = this.beta.reciprocal();
    const l = inv.log();
    const d = x.mul(l);
    const out = this.time_step.div(d);
    for (const t of [inv, l, d]) t.dispose();
    return out;
  }

  /** One step: [spk, mem]; with init_hidden (and output false) only spk. */
  forward(input: Tensor, mem?: Tensor | null): NeuronOutput<O, [Tensor, Tensor]> {
    return this._stepStates(input, ['mem'], [mem], (p) => this.#step(input, p.mem!)) as NeuronOutput<O, [Tensor, Tensor]>;
  }

  #step(X: Tensor, mem: Tensor): { spk: Tensor; states: Record<string, Tensor> } {
    const h = this as unknown as NeuronInternals;
    const cfg = this.#fusable() ? h._fusedConfig() : null;
    if (cfg) {
      const out = native.snn_neuron_step(
        'lapicque',
        [X.handle],
        [mem.handle],
        [this.R.handle, this.C.handle, this.time_step.handle, this.threshold.handle, this.graded_spikes_factor.handle],
        cfg,
      );
      if (out.length === 2) return { spk: wrap(out[0]!), states: { mem: wrap(out[1]!) } };
    }
    const r = h._memReset(mem);
    const base = (): Tensor => {
      const rc = this.R.mul(this.C);
      const a = X.mul(this.R).mul(rc.reciprocal()).mul(this.time_step);
      const b = this.time_step.div(rc).neg().add(1).mul(mem);
      return a.add(b);
    };
    let m = base();
    if (this.reset_mechanism === 'subtract') m = m.sub(r.mul(this.threshold));
    else if (this.reset_mechanism === 'zero') m = m.sub(r.mul(base()));
    if (this.state_quant) m = this.state_quant(m);
    const spk = h._fire(m, true);
    return { spk, states: { mem: m } };
  }

  /** The kernel does not differentiate R, C and time_step (buffers, as in snnTorch): given a grad, they run composed. */
  #fusable(): boolean {
    return !(this.R.requires_grad || this.C.requires_grad || this.time_step.requires_grad);
  }

  /**
   * All steps of input [T, B, ...] (or a static input with num_steps): records [spk, mem]. Where the
   * fused step runs, the whole loop is one native node (BPTT in C++).
   */
  sequence(input: Tensor, opts: Pick<StatesSequenceOptions, 'num_steps' | 'mem'> = {}): [Tensor, Tensor] {
    const r = resolveSequenceStates(this, 'Lapicque.sequence', input, opts, ['mem']);
    const cfg = this.#fusable() ? this._fusedConfig() : null;
    if (cfg) {
      const params = [this.R, this.C, this.time_step, this.threshold, this.graded_spikes_factor];
      const out = neuronSequenceNative('lapicque', r.input, r.num_steps, r.init, ['mem'], this._stateAccess(), params, null, cfg);
      if (out) return out as [Tensor, Tensor];
    }
    return loopSequenceStates(r, (x, first, i) => this.forward(x, first ? i.mem : null) as Tensor[]) as [Tensor, Tensor];
  }

  /** Zeroes mem (keeping its shape) and returns it. */
  reset_mem(): Tensor {
    this._zeroState('mem');
    return this._export('mem');
  }
  /** Deprecated alias of reset_mem(), as in snnTorch. */
  init_lapicque(): Tensor {
    return this.reset_mem();
  }
  detach_hidden(): void {
    this._detachState('mem');
  }
  reset_hidden(): void {
    this._zeroState('mem');
  }
}
