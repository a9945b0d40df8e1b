// snn.LeakyParallel: a layer of leaky neurons run over the whole sequence by nn.RNN (relu, one
// layer), snnTorch 0.9.4 semantics: mem = RNN(X) with W_hh holding beta, spk = sg(mem - θ)·gsf.
// Returns the spike record [T, B, hidden_size] only. There is no reset and no state between calls.
//   - beta (a number, [1] or [hidden_size]; clamped to [0, 1]) fills W_hh; with
//     weight_hh_enable=false (the default) W_hh is kept diagonal (its gradient too), so each
//     neuron decays by its own beta. Without beta, W_hh keeps PyTorch's random init (diagonal).
//   - learn_beta=false freezes W_hh.
// Departure: snnTorch 0.9.4 ignores a per-neuron beta tensor of length hidden_size (its branch is
// unreachable) and leaves W_hh random; here row i gets beta[i].
import { checkBool, checkInt, checkNumber, checkOptions, invalid } from '../torch/check.js';
import { no_grad } from '../torch/autograd.js';
import { tidy } from '../torch/memory.js';
import { Tensor, tensorArg } from '../torch/tensor.js';
import { eye } from '../torch/creation.js';
import type { DType, Device } from '../torch/dtype.js';
import { Module } from '../nn/module.js';
import { Parameter } from '../nn/parameter.js';
import { RNN } from '../nn/rnn.js';
import { asTensor, type TensorInit } from './neuron.js';
import { atan, type SpikeGrad } from './surrogate.js';

export interface LeakyParallelOptions {
  input_size: number;
  hidden_size: number;
  beta?: TensorInit | null;
  bias?: boolean;
  threshold?: TensorInit;
  dropout?: number;
  spike_grad?: SpikeGrad | null;
  surrogate_disable?: boolean;
  learn_beta?: boolean;
  learn_threshold?: boolean;
  graded_spikes_factor?: TensorInit;
  learn_graded_spikes_factor?: boolean;
  weight_hh_enable?: boolean;
  device?: Device;
  dtype?: DType;
}
const KEYS = [
  'input_size',
  'hidden_size',
  'beta',
  'bias',
  'threshold',
  'dropout',
  'spike_grad',
  'surrogate_disable',
  'learn_beta',
  'learn_threshold',
  'graded_spikes_factor',
  'learn_graded_spikes_factor',
  'weight_hh_enable',
  'device',
  'dtype',
] as const;

export class LeakyParallel extends Module {
  declare beta: Tensor | undefined;
  declare threshold: Tensor;
  declare graded_spikes_factor: Tensor;
  declare rnn: RNN;
  readonly hidden_size: number;
  readonly spike_grad: SpikeGrad;
  readonly surrogate_disable: boolean;
  readonly weight_hh_enable: boolean;

  constructor(opts: LeakyParallelOptions) {
    super();
    const o = checkOptions<LeakyParallelOptions>('LeakyParallel options', opts, KEYS);
    const input_size = checkInt('input_size', o.input_size, 1);
    this.hidden_size = checkInt('hidden_size', o.hidden_size, 1);
    const rnn = new RNN(input_size, this.hidden_size, {
      num_layers: 1,
      nonlinearity: 'relu',
      bias: o.bias ?? true,
      batch_first: false,
      dropout: checkNumber('dropout', o.dropout ?? 0, { finite: true }),
      ...(o.device ? { device: o.device } : {}),
      ...(o.dtype ? { dtype: o.dtype } : {}),
    });
    const learnBeta = checkBool('learn_beta', o.learn_beta ?? false);
    this.weight_hh_enable = checkBool('weight_hh_enable', o.weight_hh_enable ?? false);
    // snnTorch's order: beta (buffer), rnn, threshold, graded_spikes_factor.
    if (o.beta != null) {
      const b = asTensor('beta', o.beta);
      const shaped = b.dim() === 0 ? b.reshape([1]) : b;
      if (shaped.dim() !== 1 || (shaped.size(0) !== 1 && shaped.size(0) !== this.hidden_size)) {
        throw new RangeError(
          `LeakyParallel: beta must be a single value or of length hidden_size=${this.hidden_size}, got shape [${b.shape.join(', ')}]`,
        );
      }
      this.register_buffer(
        'beta',
        no_grad(() => shaped.clamp(0, 1)),
      );
    }
    this.register_module('rnn', rnn);
    const whh = (rnn as unknown as Record<string, Parameter>).weight_hh_l0!;
    no_grad(() => {
      if (this.beta) {
        if (this.beta.size(0) === 1) whh.fill_(this.beta.item());
        else tidy(() => whh.copy_(this.beta!.unsqueeze(1).expand([this.hidden_size, this.hidden_size])));
      }
      if (!this.weight_hh_enable) tidy(() => whh.copy_(whh.mul(eye(this.hidden_size, { dtype: whh.dtype, device: whh.device }))));
    });
    if (!learnBeta) whh.requires_grad_(false);
    this.#quantity('threshold', o.threshold ?? 1.0, o.learn_threshold ?? false);
    this.#quantity('graded_spikes_factor', o.graded_spikes_factor ?? 1.0, o.learn_graded_spikes_factor ?? false);
    this.surrogate_disable = checkBool('surrogate_disable', o.surrogate_disable ?? false);
    const sg = o.spike_grad ?? null;
    if (sg !== null && typeof sg !== 'function') throw invalid('spike_grad', 'a surrogate function (e.g. snn.surrogate.atan())', sg);
    this.spike_grad = this.surrogate_disable ? (x: Tensor) => no_grad(() => x.gt(0).to(x.dtype)) : (sg ?? atan(2.0));
  }

  #quantity(name: string, value: unknown, learn: unknown): void {
    const t = asTensor(name, value);
    if (checkBool(`learn_${name}`, learn)) this.register_parameter(name, new Parameter(t));
    else this.register_buffer(name, t);
  }

  /** input [T, B, input_size] -> spikes [T, B, hidden_size]. */
  forward(input: Tensor): Tensor {
    tensorArg('input', input);
    return tidy(() => {
      const mask = this.weight_hh_enable ? null : (w: Tensor) => w.mul(eye(this.hidden_size, { dtype: w.dtype, device: w.device }));
      const [mem] = this.rnn.forward(input, null, mask ? (_k, w) => mask(w) : undefined);
      return this.spike_grad(mem.sub(this.threshold)).mul(this.graded_spikes_factor);
    });
  }
}
