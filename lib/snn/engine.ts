// Which implementation runs one neuron step: 'fused' (one native autograd node per step, the
// default) or 'composed' (the plain sequence of tensor ops, as snnTorch writes it). Tests and
// benchmarks compare the two; options the fused kernel does not cover (inhibition, state_quant,
// a custom spike_grad) always run composed.
import { checkString } from '../torch/check.js';

export type StepImpl = 'fused' | 'composed';
let current: StepImpl = (process.env.SNNTORCH_STEP_IMPL as StepImpl | undefined) === 'composed' ? 'composed' : 'fused';

export function set_step_impl(impl: StepImpl): void {
  current = checkString('impl', impl, ['fused', 'composed'] as const);
}
export function get_step_impl(): StepImpl {
  return current;
}
/** Runs fn with the given step implementation, restoring the previous one after. */
export function with_step_impl<R>(impl: StepImpl, fn: () => R): R {
  const prev = current;
  set_step_impl(impl);
  try {
    return fn();
  } finally {
    current = prev;
  }
}
