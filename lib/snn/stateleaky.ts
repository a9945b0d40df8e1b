// snn.StateLeaky and snn.LinearLeaky: leaky integration of a whole sequence at once, snnTorch
// 0.9.4 semantics. No reset: mem[t] = Σ_{j<K} X[t-j]·exp(-j/τ) with τ = 1/(1 - β + 1e-12) (a
// buffer, or a Parameter with learn_beta) and K = min(kernel_truncation_steps, T), computed as
// snnTorch does: a depthwise causal convolution over time of the input [T, B, C].
// With output (the default) the spike is fire(mem) = sg(mem - θ)·graded_spikes_factor.
// LinearLeaky applies nn.Linear(in_features, out_features) to every step first.
//
// Departure: snnTorch 0.9.4 multiplies the spike by graded_spikes_factor twice (fire already
// applies it); here it is applied once. With the default factor 1 both agree.
import { checkInt, checkOptions, invalid } from '../torch/check.js';
import { tidy } from '../torch/memory.js';
import { no_grad } from '../torch/autograd.js';
import { Tensor, tensorArg } from '../torch/tensor.js';
import { arange, zeros } from '../torch/creation.js';
import { cat } from '../torch/functions.js';
import { conv2d } from '../nn/functional.js';
import { Linear } from '../nn/linear.js';
import { LIF, type LIFOptions, type TensorInit } from './neuron.js';
import type { NeuronInternals } from './synaptic.js';
import type { SequenceNeuronOutput } from './types.js';

export interface StateLeakyOptions extends Omit<LIFOptions, 'reset_delay' | 'reset_mechanism' | 'init_hidden' | 'inhibition'> {
  channels: number;
  graded_spikes_factor?: TensorInit;
  learn_graded_spikes_factor?: boolean;
  /** Truncate the decay kernel to this many steps (default: the whole sequence). */
  kernel_truncation_steps?: number | null;
}
const BASE_KEYS = [
  'beta',
  'threshold',
  'spike_grad',
  'surrogate_disable',
  'learn_beta',
  'learn_threshold',
  'state_quant',
  'output',
  'graded_spikes_factor',
  'learn_graded_spikes_factor',
  'kernel_truncation_steps',
] as const;
const STATELEAKY_KEYS = [...BASE_KEYS, 'channels'] as const;

abstract class SequenceLeaky extends LIF {
  declare tau: Tensor;
  readonly channels: number;
  readonly kernel_truncation_steps: number | null;

  protected constructor(o: StateLeakyOptions, keys: readonly string[]) {
    super({ ...o, output: o.output ?? true }, keys, { value: o.graded_spikes_factor ?? 1.0, learn: o.learn_graded_spikes_factor ?? false });
    this.channels = checkInt('channels', o.channels, 1);
    this.kernel_truncation_steps =
      o.kernel_truncation_steps == null ? null : checkInt('kernel_truncation_steps', o.kernel_truncation_steps, 1);
    const bs = this.beta.shape;
    if (!(bs.length === 0 || (bs.length === 1 && (bs[0] === 1 || bs[0] === this.channels)))) {
      throw new RangeError(
        `${new.target.name}: beta has shape [${bs.join(', ')}]; it must be a scalar, [1] or [channels=${this.channels}]`,
      );
    }
    const tau = no_grad(() => tidy(() => this.beta.neg().add(1).add(1e-12).reciprocal()));
    this._quantity('tau', tau, o.learn_beta ?? false);
    if (o.output === false && (o.spike_grad != null || o.surrogate_disable || o.learn_threshold || o.learn_graded_spikes_factor)) {
      process.emitWarning(`${new.target.name}: spike-related settings are unused when output=false (no spikes emitted).`, 'UserWarning');
    }
  }

  /** The leaky integration of X [T, B, C] (snnTorch's causal conv1d with the decay filter). */
  protected _integrate(X: Tensor): Tensor {
    if (X.dim() !== 3 || X.size(2) !== this.channels)
      throw invalid('input', `a [T, B, ${this.channels}] tensor`, `shape [${X.shape.join(', ')}]`);
    const [T, B, C] = X.shape as [number, number, number];
    const K = this.kernel_truncation_steps === null ? T : Math.min(this.kernel_truncation_steps, T);
    return tidy(() => {
      const ts = arange(K).view([1, 1, K]);
      const ts4 = this.tau.shape.length === 0 || (this.tau.shape.length === 1 && this.tau.shape[0] === 1);
      const tau = ts4 ? this.tau : this.tau.view([C, 1, 1]);
      let decay = ts.neg().div(tau).exp();
      if (ts4) decay = decay.expand([C, 1, K]);
      // causal_conv1d: pad K-1 zeros on the left of time, flip the kernel, depthwise conv.
      const x = X.permute([1, 2, 0]).unsqueeze(2);
      const padded = K > 1 ? cat([zeros([B, C, 1, K - 1], { dtype: x.dtype, device: x.device }), x], 3) : x;
      const w = decay.flip(-1).unsqueeze(2);
      const y = conv2d(padded, w, null, { groups: C });
      return y.squeeze(2).permute([2, 0, 1]);
    });
  }

  protected _outputs(mem: Tensor): Tensor | [Tensor, Tensor] {
    return tidy(() => {
      const m = this.state_quant ? this.state_quant(mem) : mem;
      if (!this.output) return m;
      const spk = (this as unknown as NeuronInternals)._fire(m, true);
      return [spk, m] as [Tensor, Tensor];
    });
  }

  /** Nothing to reset: the whole sequence is integrated from zero in every call. */
  reset_mem(): Tensor[] {
    return [];
  }
  detach_hidden(): void {}
  reset_hidden(): void {}
}

export class StateLeaky<const O extends StateLeakyOptions = StateLeakyOptions> extends SequenceLeaky {
  constructor(opts: O) {
    const o = checkOptions<StateLeakyOptions>('StateLeaky options', opts, STATELEAKY_KEYS);
    if (o.beta === undefined || o.channels === undefined) throw new TypeError('StateLeaky: beta and channels are required');
    super(o, STATELEAKY_KEYS);
  }
  /** input [T, B, channels] -> [spk, mem] records (mem alone with output: false). */
  forward(input: Tensor): SequenceNeuronOutput<O> {
    tensorArg('input', input);
    return tidy(() => this._outputs(this._integrate(input))) as SequenceNeuronOutput<O>;
  }
}

export interface LinearLeakyOptions extends Omit<StateLeakyOptions, 'channels'> {
  in_features: number;
  out_features: number;
  bias?: boolean;
}
const LINEARLEAKY_KEYS = [...BASE_KEYS, 'in_features', 'out_features', 'bias'] as const;

export class LinearLeaky<const O extends LinearLeakyOptions = LinearLeakyOptions> extends SequenceLeaky {
  declare linear: Linear;
  constructor(opts: O) {
    const o = checkOptions<LinearLeakyOptions>('LinearLeaky options', opts, LINEARLEAKY_KEYS);
    if (o.beta === undefined || o.in_features === undefined || o.out_features === undefined)
      throw new TypeError('LinearLeaky: beta, in_features and out_features are required');
    super({ ...o, channels: o.out_features } as StateLeakyOptions, [...LINEARLEAKY_KEYS, 'channels']);
    this.register_module('linear', new Linear(checkInt('in_features', o.in_features, 1), this.channels, { bias: o.bias ?? true }));
  }
  /** input [T, B, in_features] -> [spk, mem] records over out_features (mem alone with output: false). */
  forward(input: Tensor): SequenceNeuronOutput<O> {
    const x = tensorArg('input', input);
    if (x.dim() !== 3 || x.size(2) !== this.linear.in_features)
      throw invalid('input', `a [T, B, ${this.linear.in_features}] tensor`, `shape [${x.shape.join(', ')}]`);
    const [T, B] = x.shape as [number, number, number];
    return tidy(() => {
      const cur = this.linear.forward(x.reshape([-1, this.linear.in_features])).reshape([T, B, this.channels]);
      return this._outputs(this._integrate(cur));
    }) as SequenceNeuronOutput<O>;
  }
}
