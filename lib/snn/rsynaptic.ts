// snn.RSynaptic: Synaptic with recurrent spike feedback into the synaptic current, snnTorch 0.9.4
// semantics: syn' = clamp(α)·syn + X + Rec(spk_prev); mem' = clamp(β)·mem + syn', then the reset,
// state_quant and fire as Synaptic (the zero reset zeroes mem' only). The previous spike keeps its
// autograd graph, so gradient flows through the feedback into the previous step's surrogate.
//
// Departure: with reset_delay=false snnTorch 0.9.4 computes the immediate reset from the spk
// *argument* and discards the result (a TypeError when spk is not passed, no effect otherwise);
// here it applies the immediate reset exactly as Synaptic does.
import { checkOptions } from '../torch/check.js';
import type { Tensor } from '../torch/tensor.js';
import type { Linear } from '../nn/linear.js';
import type { Conv2d } from '../nn/conv.js';
import { LIF, LIF_KEYS, type LIFOptions, type TensorInit } from './neuron.js';
import { RECURRENT_KEYS, recurrentConfig, registerRecurrent, type RecurrentOneToOne, type RecurrentOptions } from './recurrent.js';
import { synapticStep } from './synaptic.js';
import { loopSequenceStates, resolveSequenceStates, type StatesSequenceOptions } from './sequence_states.js';
import { neuronSequenceNative } from './sequence.js';
import type { NeuronOutput } from './types.js';

export interface RSynapticOptions extends LIFOptions, RecurrentOptions {
  alpha: TensorInit;
  learn_alpha?: boolean;
}
const RSYNAPTIC_KEYS = ['alpha', ...LIF_KEYS, 'learn_alpha', ...RECURRENT_KEYS] as const;

export class RSynaptic<const O extends RSynapticOptions = RSynapticOptions> extends LIF {
  declare alpha: Tensor;
  declare V: Tensor;
  declare recurrent: Linear | Conv2d | RecurrentOneToOne;
  declare spk: Tensor;
  declare syn: Tensor;
  declare mem: Tensor;
  readonly all_to_all: boolean;
  readonly linear_features: number | null;
  readonly conv2d_channels: number | null;
  readonly kernel_size: [number, number] | null;
  readonly learn_recurrent: boolean;

  constructor(opts: O) {
    const o = checkOptions<RSynapticOptions>('RSynaptic options', opts, RSYNAPTIC_KEYS);
    super(o, RSYNAPTIC_KEYS, { value: 1.0, learn: false });
    if (o.alpha === undefined) throw new TypeError('RSynaptic: alpha is required (snnTorch gives it no default)');
    const c = recurrentConfig('RSynaptic', o);
    this.all_to_all = c.all_to_all;
    this.learn_recurrent = c.learn_recurrent;
    this.linear_features = c.linear_features;
    this.conv2d_channels = c.conv2d_channels;
    this.kernel_size = c.kernel_size;
    // snnTorch's order: V and recurrent, then alpha, then the states.
    registerRecurrent(this, c, o.V);
    this._quantity('alpha', o.alpha, o.learn_alpha ?? false);
    this._registerState('spk');
    this._registerState('syn');
    this._registerState('mem');
  }

  /** One step: [spk, syn, mem]; with init_hidden (and output false) only spk. */
  forward(input: Tensor, spk?: Tensor | null, syn?: Tensor | null, mem?: Tensor | null): NeuronOutput<O, [Tensor, Tensor, Tensor]> {
    return this._stepStates(input, ['spk', 'syn', 'mem'], [spk, syn, mem], (p) => {
      const rec = this.recurrent.forward(p.spk!);
      return synapticStep(this, input, p.syn!, p.mem!, rec);
    }) as NeuronOutput<O, [Tensor, Tensor, Tensor]>;
  }

  /**
   * All steps of input [T, B, ...] (or a static input with num_steps): records [spk, syn, mem]. Where
   * the fused step runs and the feedback is a Linear, a stride-1 Conv2d with padding kernel_size//2 or
   * one-to-one V, the whole loop is one native node (BPTT in C++).
   */
  sequence(input: Tensor, opts: StatesSequenceOptions = {}): [Tensor, Tensor, Tensor] {
    const names = ['spk', 'syn', 'mem'];
    const r = resolveSequenceStates(this, 'RSynaptic.sequence', input, opts, names);
    const cfg = this._fusedConfig();
    if (cfg) {
      const params = [this.alpha, this.beta, this.threshold, this.graded_spikes_factor];
      const out = neuronSequenceNative('rsynaptic', r.input, r.num_steps, r.init, names, this._stateAccess(), params, this.recurrent, cfg);
      if (out) return out as [Tensor, Tensor, Tensor];
    }
    return loopSequenceStates(
      r,
      (x, first, i) => this.forward(x, first ? i.spk : null, first ? i.syn : null, first ? i.mem : null) as Tensor[],
    ) as [Tensor, Tensor, Tensor];
  }

  /** Zeroes spk, syn and mem (keeping their shapes) and returns them. */
  reset_mem(): [Tensor, Tensor, Tensor] {
    for (const n of ['spk', 'syn', 'mem']) this._zeroState(n);
    return [this._export('spk'), this._export('syn'), this._export('mem')];
  }
  /** Deprecated alias of reset_mem(), as in snnTorch. */
  init_rsynaptic(): [Tensor, Tensor, Tensor] {
    return this.reset_mem();
  }
  detach_hidden(): void {
    for (const n of ['spk', 'syn', 'mem']) this._detachState(n);
  }
  reset_hidden(): void {
    for (const n of ['spk', 'syn', 'mem']) this._zeroState(n);
  }

  override extra_repr(): string {
    return this.all_to_all ? '' : 'all_to_all=False';
  }
}
