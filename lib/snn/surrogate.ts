// snn.surrogate: spike functions with surrogate gradients, as snnTorch's factories. Each returns a
// callable (x) => spikes that the neurons also recognise by kind, so the fused kernels can apply
// the same backward without a separate autograd node.
import { native } from '../native.js';
import { checkNumber, invalid } from '../torch/check.js';
import { is_grad_enabled, no_grad } from '../torch/autograd.js';
import { tidy } from '../torch/memory.js';
import { ones_like, rand_like } from '../torch/creation.js';
import { Tensor, tensorArg, wrap } from '../torch/tensor.js';

export type SurrogateKind = 'atan' | 'fast_sigmoid' | 'sigmoid' | 'straight_through_estimator' | 'heaviside' | 'triangular';

/** The surrogates the native kernels implement (native/kernels/surrogate.h), by the names they parse. */
const NATIVE_KINDS: ReadonlySet<string> = new Set<SurrogateKind>([
  'atan',
  'fast_sigmoid',
  'sigmoid',
  'straight_through_estimator',
  'heaviside',
  'triangular',
]);

/** A spike function: forward H(x) = (x > 0), backward by its surrogate. */
export interface SpikeFunction {
  (x: Tensor): Tensor;
  readonly kind: SurrogateKind;
  readonly param: number;
}

/** Any callable a neuron accepts as spike_grad: one of ours, or a custom (x) => Tensor. */
export type SpikeGrad = SpikeFunction | ((x: Tensor) => Tensor);

function make(kind: SurrogateKind, param: number): SpikeFunction {
  const fn = (x: Tensor): Tensor => wrap(native.snn_spike(tensorArg('x', x).handle, kind, param));
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

/** The kind and parameter of a recognised spike function by name, or null for a custom callable. */
export function knownKind(fn: SpikeGrad): { kind: SurrogateKind; param: number } | null {
  const f = fn as Partial<SpikeFunction>;
  if (typeof f.kind === 'string' && NATIVE_KINDS.has(f.kind) && typeof f.param === 'number') return { kind: f.kind, param: f.param };
  return null;
}

// ------------------------------------------------------------------ surrogates defined in TypeScript
//
// These are spike functions whose gradient G = dS/dx is written as tensor ops:
//   spk = H(x) + (x - stopgrad(x)) · G((x + stopgrad(x)) / 2)
// x - stopgrad(x) is exactly 0 and (x + stopgrad(x)) / 2 exactly x, so the forward is exactly H(x)
// and G is evaluated at x. The gradient is upstream · G(x), as snnTorch's autograd Functions give,
// and the gradient of that gradient is upstream · G'(x) (the midpoint halves each of the two
// paths), so penalties on gradients differentiate as they do in snnTorch. Neurons do not recognise
// these functions, so a neuron using one runs its composed step (the fused kernels know only the
// built-in surrogates above).

/** A spike function whose surrogate gradient is computed in TypeScript (runs on the composed step). */
export interface ComposedSpikeFunction {
  (x: Tensor): Tensor;
  readonly kind: string;
}

/** Builds a spike function from G(x, out) = dS/dx (elementwise; `out` is H(x), a constant). */
function fromGradient(kind: string, G: (x: Tensor, out: Tensor) => Tensor): ComposedSpikeFunction {
  const fn = (x: Tensor): Tensor => {
    tensorArg('x', x);
    return tidy(() => {
      const out = no_grad(() => x.gt(0).to(x.dtype));
      if (!x.requires_grad || !is_grad_enabled()) return out;
      const xd = x.detach();
      const g = G(x.add(xd).div(2), out);
      if (!(g instanceof Tensor)) throw invalid(`${kind} gradient`, 'a Tensor shaped like x', g);
      return out.add(x.sub(xd).mul(g));
    });
  };
  return Object.assign(fn, { kind });
}

/** snnTorch's spike_rate_escape: d/dx = slope · exp(-beta · |x - 1|). */
export function spike_rate_escape(beta = 1, slope = 25): ComposedSpikeFunction {
  const b = checkNumber('beta', beta, { finite: true });
  const k = checkNumber('slope', slope, { finite: true });
  return fromGradient('spike_rate_escape', (x) => x.sub(1).abs().mul(-b).exp().mul(k));
}

/** snnTorch's SFS (sparse fast sigmoid): d/dx = 1 / (slope·|x| + 1)² where x > B, else 0. */
export function SFS(slope = 25, B = 1): ComposedSpikeFunction {
  const k = checkNumber('slope', slope, { finite: true });
  const b = checkNumber('B', B, { finite: true });
  return fromGradient('SFS', (x) => x.abs().mul(k).add(1).pow(2).reciprocal().mul(x.gt(b).to(x.dtype)));
}

/**
 * snnTorch's SSO (stochastic spike operator): d/dx = 1 where the neuron spiked, else
 * (U(0,1) - 0.5 + mean) · variance, a fresh draw per element. The draw is made when the spike is
 * computed (snnTorch draws in the backward pass; the distribution is the same).
 */
export function SSO(mean = 0, variance = 0.2): ComposedSpikeFunction {
  const m = checkNumber('mean', mean, { finite: true });
  const v = checkNumber('variance', variance, { finite: true });
  return fromGradient('SSO', (x, out) => out.add(out.neg().add(1).mul(rand_like(x).sub(0.5).add(m).mul(v))));
}

/**
 * snnTorch's LSO (leaky spike operator): d/dx = 1 where the neuron spiked, else slope.
 * snnTorch 0.9.4's LSO(slope) raises on first use (it calls the stochastic operator with a missing
 * argument); this is the LeakySpikeOperator it means to apply.
 */
export function LSO(slope = 0.1): ComposedSpikeFunction {
  const k = checkNumber('slope', slope, { finite: true });
  return fromGradient('LSO', (_x, out) => out.add(out.neg().add(1).mul(k)));
}

/**
 * A surrogate defined in TypeScript, with snnTorch's custom_surrogate signature:
 * `fn(input, grad_input, spikes)` returns the gradient for `input`. It is evaluated once, at
 * forward time, with grad_input = ones, and the result scales the incoming gradient; so fn must be
 * linear in grad_input (every surrogate is: grad_input times a function of input and spikes).
 * Neurons using it run their composed step; the fused kernels cannot call TypeScript.
 */
export function custom_surrogate(fn: (input: Tensor, grad_input: Tensor, spikes: Tensor) => Tensor): ComposedSpikeFunction {
  if (typeof fn !== 'function') throw invalid('custom_surrogate_function', 'a function (input, grad_input, spikes) => Tensor', fn);
  return fromGradient('custom_surrogate', (x, out) => fn(x, ones_like(x), out));
}
