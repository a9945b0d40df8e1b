// snn.SConv2dLSTM: a spiking convolutional LSTM cell, snnTorch 0.9.4 semantics. Not an LIF: it
// builds on SpikingNeuron. mem is the hidden state h, syn the cell state c, both [B, out_channels, H, W]:
//   r = stopgrad(H(mem - θ))
//   [i, f, o, g] = split(conv([X, mem] along channels), out_channels)   (conv padding kernel_size//2)
//   syn' = σ(f)·syn + σ(i)·tanh(g);  mem' = σ(o)·tanh(syn')
//   subtract: mem' -= r·θ; zero: mem' -= r·mem' (syn is not reset); none (the default): nothing
//   state_quant on syn' and mem'; spk = fire(max_pool2d(mem', max_pool)) or of avg_pool2d, or of mem'.
// inhibition is accepted (with snnTorch's warning) and ignored, as snnTorch's SConv2dLSTM ignores it.
import { native } from '../native.js';
import { checkInt, checkOptions, invalid, isInt } from '../torch/check.js';
import { cat } from '../torch/functions.js';
import { Tensor, wrap } from '../torch/tensor.js';
import { Conv2d } from '../nn/conv.js';
import { SPIKING_KEYS, SpikingNeuron, type SpikingNeuronOptions } from './neuron.js';
import { runSequenceStates, type StatesSequenceOptions } from './sequence_states.js';
import type { NeuronInternals } from './synaptic.js';
import type { NeuronOutput } from './types.js';

export interface SConv2dLSTMOptions extends Omit<SpikingNeuronOptions, 'reset_delay'> {
  bias?: boolean;
  /** Pool the membrane with max_pool2d(mem, max_pool) before firing (0: none). */
  max_pool?: number | readonly [number, number];
  /** Pool the membrane with avg_pool2d(mem, avg_pool) before firing (0: none). */
  avg_pool?: number | readonly [number, number];
}
const SCONV_KEYS = ['bias', 'max_pool', 'avg_pool', ...SPIKING_KEYS.filter((k) => k !== 'reset_delay')] as const;

function pair(name: string, v: unknown): [number, number] {
  if (isInt(v) && v > 0) return [v, v];
  if (Array.isArray(v) && v.length === 2 && v.every((x) => isInt(x) && x > 0)) return [v[0], v[1]];
  throw invalid(name, 'a positive integer or a pair of them', v);
}

// O defaults to no options, so `new SConv2dLSTM(i, o, k)` types its forward() as the full tuple.
export class SConv2dLSTM<const O extends SConv2dLSTMOptions = {}> extends SpikingNeuron {
  declare syn: Tensor;
  declare mem: Tensor;
  declare conv: Conv2d;
  readonly in_channels: number;
  readonly out_channels: number;
  readonly kernel_size: [number, number];
  readonly max_pool: [number, number] | null;
  readonly avg_pool: [number, number] | null;
  readonly bias: boolean;

  constructor(in_channels: number, out_channels: number, kernel_size: number | readonly [number, number], opts: O = {} as O) {
    const o = checkOptions<SConv2dLSTMOptions>('SConv2dLSTM options', opts, SCONV_KEYS);
    super(o, SCONV_KEYS, { value: 1.0, learn: false }, { reset_mechanism: 'none' });
    this._registerState('syn');
    this._registerState('mem');
    this.in_channels = checkInt('in_channels', in_channels, 1);
    this.out_channels = checkInt('out_channels', out_channels, 1);
    this.kernel_size = pair('kernel_size', kernel_size);
    // 0 (snnTorch's default), false and absent mean no pooling; anything else must be a size.
    const given = (v: unknown): boolean => v !== undefined && v !== null && v !== 0 && v !== false;
    this.max_pool = given(o.max_pool) ? pair('max_pool', o.max_pool) : null;
    this.avg_pool = given(o.avg_pool) ? pair('avg_pool', o.avg_pool) : null;
    if (this.max_pool && this.avg_pool) throw new TypeError('SConv2dLSTM: give only one of max_pool and avg_pool, not both');
    this.bias = o.bias ?? true;
    const [kh, kw] = this.kernel_size;
    this.register_module(
      'conv',
      new Conv2d(this.in_channels + this.out_channels, 4 * this.out_channels, [kh, kw], { padding: [kh >> 1, kw >> 1], bias: this.bias }),
    );
  }

  /** One step on input [B, in_channels, H, W]: [spk, syn, mem]; with init_hidden (and output false) only spk. */
  forward(input: Tensor, syn?: Tensor | null, mem?: Tensor | null): NeuronOutput<O, [Tensor, Tensor, Tensor]> {
    if (!(input instanceof Tensor) || input.dim() !== 4)
      throw invalid('input', 'a [B, in_channels, H, W] tensor', input instanceof Tensor ? `shape [${input.shape.join(', ')}]` : input);
    const shape = [input.size(0), this.out_channels, input.size(2), input.size(3)];
    return this._stepStates(input, ['syn', 'mem'], [syn, mem], (p) => this.#step(input, p.syn!, p.mem!), shape) as NeuronOutput<
      O,
      [Tensor, Tensor, Tensor]
    >;
  }

  #cell(X: Tensor, syn: Tensor, mem: Tensor): [Tensor, Tensor] {
    const conv = this.conv.forward(cat([X, mem], 1));
    const [ci, cf, co, cg] = conv.chunk(4, 1);
    const s = cf!.sigmoid().mul(syn).add(ci!.sigmoid().mul(cg!.tanh()));
    return [s, co!.sigmoid().mul(s.tanh())];
  }

  #step(X: Tensor, syn: Tensor, mem: Tensor): { spk: Tensor; states: Record<string, Tensor> } {
    const h = this as unknown as NeuronInternals;
    const r = h._memReset(mem);
    let [s, m] = this.#cell(X, syn, mem);
    if (this.reset_mechanism === 'subtract') m = m.sub(r.mul(this.threshold));
    else if (this.reset_mechanism === 'zero') m = m.sub(this.#cell(X, syn, mem)[1].mul(r));
    if (this.state_quant) {
      s = this.state_quant(s);
      m = this.state_quant(m);
    }
    let U = m;
    if (this.max_pool) U = wrap(native.max_pool2d(m.handle, this.max_pool, this.max_pool, [0, 0], [1, 1], false));
    else if (this.avg_pool) U = wrap(native.avg_pool2d(m.handle, this.avg_pool, this.avg_pool, [0, 0]));
    const Uq = this.state_quant ? this.state_quant(U) : U;
    const spk = this.spike_grad(Uq.sub(this.threshold)).mul(this.graded_spikes_factor);
    return { spk, states: { syn: s, mem: m } };
  }

  /** All steps of input [T, B, C, H, W] (or a static input with num_steps): records [spk, syn, mem]. */
  sequence(input: Tensor, opts: Pick<StatesSequenceOptions, 'num_steps' | 'syn' | 'mem'> = {}): [Tensor, Tensor, Tensor] {
    return runSequenceStates(
      this,
      'SConv2dLSTM.sequence',
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
  init_sconv2dlstm(): [Tensor, Tensor] {
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
