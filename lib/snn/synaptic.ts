// snn.Synaptic: second-order LIF with a synaptic current, snnTorch 0.9.4 semantics (op order as
// snnTorch's forward, composed of tensor ops):
//   r = stopgrad(H(mem - θ)); syn' = clamp(α)·syn + X; mem' = clamp(β)·mem + syn'
//   subtract: mem' -= r·θ; zero: mem' -= r·mem' (syn is not reset); none: nothing
//   state_quant on mem' and syn'; spk = fire(mem') (or the inhibition variant);
//   reset_delay=false: mem' -= (spk/gsf - r)·θ (subtract) or ·mem' (zero).
import { checkOptions } from '../torch/check.js';
import { native, type SnnConfigArg } from '../native.js';
import { wrap, type Tensor } from '../torch/tensor.js';
import { LIF, LIF_KEYS, type LIFOptions, type TensorInit } from './neuron.js';
import { loopSequenceStates, resolveSequenceStates, type StatesSequenceOptions } from './sequence_states.js';
import { neuronSequenceNative } from './sequence.js';
import type { NeuronOutput } from './types.js';

export interface SynapticOptions extends LIFOptions {
  alpha: TensorInit;
  learn_alpha?: boolean;
}
const SYNAPTIC_KEYS = ['alpha', ...LIF_KEYS, 'learn_alpha'] as const;

export class Synaptic<const O extends SynapticOptions = SynapticOptions> extends LIF {
  declare alpha: Tensor;
  declare syn: Tensor;
  declare mem: Tensor;

  constructor(opts: O) {
    const o = checkOptions<SynapticOptions>('Synaptic options', opts, SYNAPTIC_KEYS);
    super(o, SYNAPTIC_KEYS, { value: 1.0, learn: false });
    if (o.alpha === undefined) throw new TypeError('Synaptic: alpha is required (snnTorch gives it no default)');
    this._quantity('alpha', o.alpha, o.learn_alpha ?? false);
    this._registerState('syn');
    this._registerState('mem');
  }

  /** One step: [spk, syn, mem]; with init_hidden (and output false) only spk. */
  forward(input: Tensor, syn?: Tensor | null, mem?: Tensor | null): NeuronOutput<O, [Tensor, Tensor, Tensor]> {
    return this._stepStates(input, ['syn', 'mem'], [syn, mem], (p) => synapticStep(this, input, p.syn!, p.mem!, null)) as NeuronOutput<
      O,
      [Tensor, Tensor, Tensor]
    >;
  }

  /**
   * All steps of input [T, B, ...] (or a static input with num_steps): records [spk, syn, mem], each
   * [T, B, ...]. Where the fused step runs, the whole loop is one native node (BPTT in C++).
   */
  sequence(input: Tensor, opts: StatesSequenceOptions = {}): [Tensor, Tensor, Tensor] {
    const r = resolveSequenceStates(this, 'Synaptic.sequence', input, opts, ['syn', 'mem']);
    const cfg = this._fusedConfig();
    if (cfg) {
      const params = [this.alpha, this.beta, this.threshold, this.graded_spikes_factor];
      const out = neuronSequenceNative('synaptic', r.input, r.num_steps, r.init, ['syn', 'mem'], this._stateAccess(), params, null, cfg);
      if (out) return out as [Tensor, Tensor, Tensor];
    }
    return loopSequenceStates(r, (x, first, init) => this.forward(x, first ? init.syn : null, first ? init.mem : null) as Tensor[]) as [
      Tensor,
      Tensor,
      Tensor,
    ];
  }

  /** Zeroes syn and mem (keeping their shapes) and returns them. */
  reset_mem(): [Tensor, Tensor] {
    this._zeroState('syn');
    this._zeroState('mem');
    return [this._export('syn'), this._export('mem')];
  }
  /** Deprecated alias of reset_mem(), as in snnTorch. */
  init_synaptic(): [Tensor, Tensor] {
    return this.reset_mem();
  }
  detach_hidden(): void {
    this._detachState('syn');
    this._detachState('mem');
  }
  reset_hidden(): void {
    this._zeroState('syn');
    this._zeroState('mem');
  }
}

/** The shared Synaptic / RSynaptic step; `rec` is the recurrent term Rec(spk) (RSynaptic) or null. */
export function synapticStep(
  n: LIF & { alpha: Tensor },
  X: Tensor,
  syn: Tensor,
  mem: Tensor,
  rec: Tensor | null,
): { spk: Tensor; states: Record<string, Tensor> } {
  const h = n as unknown as NeuronInternals;
  const cfg = h._fusedConfig();
  if (cfg) {
    const out = native.snn_neuron_step(
      rec ? 'rsynaptic' : 'synaptic',
      rec ? [X.handle, rec.handle] : [X.handle],
      [syn.handle, mem.handle],
      [n.alpha.handle, n.beta.handle, n.threshold.handle, n.graded_spikes_factor.handle],
      cfg,
    );
    if (out.length === 3) return { spk: wrap(out[0]!), states: { syn: wrap(out[1]!), mem: wrap(out[2]!) } };
  }
  const r = h._memReset(mem);
  let synN = n.alpha.clamp(0, 1).mul(syn).add(X);
  if (rec) synN = synN.add(rec);
  let memN = n.beta.clamp(0, 1).mul(mem).add(synN);
  if (n.reset_mechanism === 'subtract') memN = memN.sub(r.mul(n.threshold));
  else if (n.reset_mechanism === 'zero') memN = memN.sub(memN.mul(r));
  if (n.state_quant) {
    memN = n.state_quant(memN);
    synN = n.state_quant(synN);
  }
  const spk = h._fire(memN, true);
  memN = h._immediateReset(memN, spk, r, true);
  return { spk, states: { syn: synN, mem: memN } };
}

/** The protected step helpers of SpikingNeuron, for the step functions shared between classes. */
export interface NeuronInternals {
  _fusedConfig(): SnnConfigArg | null;
  _memReset(U: Tensor): Tensor;
  _fire(U: Tensor, graded: boolean): Tensor;
  _immediateReset(U: Tensor, S: Tensor, r: Tensor, graded: boolean): Tensor;
}
