// snn.SLSTM: a spiking LSTM cell, snnTorch 0.9.4 semantics. Not an LIF (no beta): it builds on
// SpikingNeuron. mem is the LSTM hidden state h, syn the cell state c:
//   r = stopgrad(H(mem - θ)); [mem', syn'] = LSTMCell(X, [mem, syn])
//   subtract: mem' -= r·θ; zero: mem' -= r·mem' (syn is not reset); none (the default): nothing
//   state_quant on syn' and mem'; spk = fire(mem').
// Departures from snnTorch 0.9.4:
// - State shaped unlike [B, hidden_size] is replaced by zeros. snnTorch compares the state's shape
//   with the *input's* [B, input_size], so when input_size != hidden_size it zeroes the state on
//   every step and the cell never remembers anything; with equal sizes both agree.
// - inhibition is accepted (with snnTorch's warning) and ignored, as snnTorch's SLSTM ignores it.
import { checkInt, checkOptions } from '../torch/check.js';
import type { Tensor } from '../torch/tensor.js';
import { LSTMCell } from '../nn/rnn.js';
import { SPIKING_KEYS, SpikingNeuron, type ResetMechanism, type SpikingNeuronOptions } from './neuron.js';
import { runSequenceStates, type StatesSequenceOptions } from './sequence_states.js';
import type { NeuronInternals } from './synaptic.js';
import type { NeuronOutput } from './types.js';

export interface SLSTMOptions extends Omit<SpikingNeuronOptions, 'reset_delay'> {
  bias?: boolean;
}
const SLSTM_KEYS = ['bias', ...SPIKING_KEYS.filter((k) => k !== 'reset_delay')] as const;

// O defaults to no options, so `new SLSTM(i, h)` types its forward() as the full tuple; write
// SLSTM<SLSTMOptions> for a variable that may hold any SLSTM.
export class SLSTM<const O extends SLSTMOptions = {}> extends SpikingNeuron {
  declare syn: Tensor;
  declare mem: Tensor;
  declare lstm_cell: LSTMCell;
  readonly input_size: number;
  readonly hidden_size: number;
  readonly bias: boolean;

  constructor(input_size: number, hidden_size: number, opts: O = {} as O) {
    const o = checkOptions<SLSTMOptions>('SLSTM options', opts, SLSTM_KEYS);
    super(o, SLSTM_KEYS, { value: 1.0, learn: false }, { reset_mechanism: 'none' as ResetMechanism });
    this._registerState('syn');
    this._registerState('mem');
    this.input_size = checkInt('input_size', input_size, 1);
    this.hidden_size = checkInt('hidden_size', hidden_size, 1);
    this.bias = o.bias ?? true;
    this.register_module('lstm_cell', new LSTMCell(this.input_size, this.hidden_size, { bias: this.bias }));
  }

  /** One step on input [B, input_size]: [spk, syn, mem], each [B, hidden_size]; with init_hidden (and output false) only spk. */
  forward(input: Tensor, syn?: Tensor | null, mem?: Tensor | null): NeuronOutput<O, [Tensor, Tensor, Tensor]> {
    const shape = [...input.shape.slice(0, -1), this.hidden_size];
    return this._stepStates(input, ['syn', 'mem'], [syn, mem], (p) => this.#step(input, p.syn!, p.mem!), shape) as NeuronOutput<
      O,
      [Tensor, Tensor, Tensor]
    >;
  }

  #step(X: Tensor, syn: Tensor, mem: Tensor): { spk: Tensor; states: Record<string, Tensor> } {
    const h = this as unknown as NeuronInternals;
    const r = h._memReset(mem);
    let [m, s] = this.lstm_cell.forward(X, [mem, syn]);
    if (this.reset_mechanism === 'subtract') m = m.sub(r.mul(this.threshold));
    else if (this.reset_mechanism === 'zero') {
      const [m2] = this.lstm_cell.forward(X, [mem, syn]);
      m = m.sub(m2.mul(r));
    }
    if (this.state_quant) {
      s = this.state_quant(s);
      m = this.state_quant(m);
    }
    // snnTorch's SLSTM fires without inhibition whatever the option says.
    const Uq = this.state_quant ? this.state_quant(m) : m;
    const spk = this.spike_grad(Uq.sub(this.threshold)).mul(this.graded_spikes_factor);
    return { spk, states: { syn: s, mem: m } };
  }

  /** All steps of input [T, B, input_size] (or a static input with num_steps): records [spk, syn, mem]. */
  sequence(input: Tensor, opts: Pick<StatesSequenceOptions, 'num_steps' | 'syn' | 'mem'> = {}): [Tensor, Tensor, Tensor] {
    return runSequenceStates(
      this,
      'SLSTM.sequence',
      input,
      opts,
      ['syn', 'mem'],
      (x, first, i) => this.forward(x, first ? i.syn : null, first ? i.mem : null) as Tensor[],
    ) as [Tensor, Tensor, Tensor];
  }

  /** Zeroes syn and mem (keeping their shapes) and returns them. */
  reset_mem(): [Tensor, Tensor] {
    this._zeroState('syn');
    this._zeroState('mem');
    return [this._export('syn'), this._export('mem')];
  }
  /** Deprecated alias of reset_mem(), as in snnTorch. */
  init_slstm(): [Tensor, Tensor] {
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
