// snn.surrogate: spike functions with surrogate gradients, as snnTorch's factories. Each returns a
// callable (x) => spikes that the neurons also recognise by kind, so the fused kernels can apply
// the same backward without a separate autograd node.
import { native } from '../native.js';
import { checkNumber } from '../torch/check.js';
import { Tensor, tensorArg, wrap } from '../torch/tensor.js';

export type SurrogateKind = 'atan' | 'fast_sigmoid' | 'sigmoid' | 'straight_through_estimator' | 'heaviside' | 'triangular';

/** Codes shared with native/kernels/surrogate.h. */
export const SURROGATE_CODE: Record<SurrogateKind, number> = {
  atan: 0,
  fast_sigmoid: 1,
  sigmoid: 2,
  straight_through_estimator: 3,
  heaviside: 4,
  triangular: 5,
};

/** A spike function: forward H(x) = (x > 0), backward by its surrogate. */
export interface SpikeFunction {
  (x: Tensor): Tensor;
  readonly kind: SurrogateKind;
  readonly param: number;
}

/** Any callable a neuron accepts as spike_grad: one of ours, or a custom (x) => Tensor. */
export type SpikeGrad = SpikeFunction | ((x: Tensor) => Tensor);

function make(kind: SurrogateKind, param: number): SpikeFunction {
  const code = SURROGATE_CODE[kind];
  const fn = (x: Tensor): Tensor => wrap(native.snn_spike(tensorArg('x', x).handle, code, param));
  return Object.assign(fn, { kind, param });
}

/** d/dx = (alpha/2) / (1 + (pi/2 * alpha * x)^2); snnTorch's default neuron surrogate (alpha 2). */
export function atan(alpha = 2.0): SpikeFunction {
  return make('atan', checkNumber('alpha', alpha, { finite: true }));
}
/** d/dx = 1 / (slope*|x| + 1)^2. */
export function fast_sigmoid(slope = 25): SpikeFunction {
  return make('fast_sigmoid', checkNumber('slope', slope, { finite: true }));
}
/** d/dx = slope*e^(-slope x) / (e^(-slope x) + 1)^2, with float32 overflow to 0 then NaN, as snnTorch. */
export function sigmoid(slope = 25): SpikeFunction {
  return make('sigmoid', checkNumber('slope', slope, { finite: true }));
}
/** d/dx = 1. */
export function straight_through_estimator(): SpikeFunction {
  return make('straight_through_estimator', 0);
}
/** d/dx = H(x). */
export function heaviside(): SpikeFunction {
  return make('heaviside', 0);
}
/** d/dx = threshold, negated where x >= 0 (snnTorch's Triangular). */
export function triangular(threshold = 1): SpikeFunction {
  return make('triangular', checkNumber('threshold', threshold, { finite: true }));
}

/** The kind and parameter of a recognised spike function, or null for a custom callable. */
export function known(fn: SpikeGrad): { code: number; param: number } | null {
  const f = fn as Partial<SpikeFunction>;
  if (typeof f.kind === 'string' && f.kind in SURROGATE_CODE && typeof f.param === 'number') {
    return { code: SURROGATE_CODE[f.kind], param: f.param };
  }
  return null;
}
