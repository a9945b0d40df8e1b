// Which implementations run the neurons, set through snn.config(). Tests and benchmarks compare
// them; each pair computes the same values and gradients.
import { checkOptions, checkString } from '../torch/check.js';

/** One neuron step: 'fused' (one native autograd node per step) or 'composed' (snnTorch's tensor ops). */
export type StepImpl = 'fused' | 'composed';
/** A whole sequence (neuron.sequence()): 'native' (one native node for all steps) or 'loop' (the per-step forward). */
export type SequenceImpl = 'native' | 'loop';

export interface ImplConfig {
  step: StepImpl;
  sequence: SequenceImpl;
}

const STEP_IMPLS: readonly StepImpl[] = ['fused', 'composed'];
const SEQUENCE_IMPLS: readonly SequenceImpl[] = ['native', 'loop'];

const current: ImplConfig = {
  step: process.env.SNNTORCH_STEP_IMPL === 'composed' ? 'composed' : 'fused',
  sequence: process.env.SNNTORCH_SEQUENCE_NATIVE === '0' ? 'loop' : 'native',
};

/**
 * Reads and sets the implementation choices; returns the settings in force after the call (a copy).
 *
 * - `step`: 'fused' (default) runs each neuron step as one native autograd node; 'composed' runs the
 *   plain sequence of tensor ops, as snnTorch writes it (needed for double backward). Options the
 *   fused kernel does not cover (inhibition, state_quant, a custom spike_grad) always run composed.
 *   The environment variable SNNTORCH_STEP_IMPL=composed sets it at load.
 * - `sequence`: 'native' (default) lets neuron.sequence() run all time steps in one native node
 *   where the neuron and its options allow; 'loop' always loops the per-step forward.
 *   SNNTORCH_SEQUENCE_NATIVE=0 sets 'loop' at load.
 *
 * `snn.config()` only reads; `snn.config({ step: 'composed' })` sets the keys given. Unknown keys and
 * values throw a TypeError naming them. To restore: `const prev = snn.config(); ...; snn.config(prev)`.
 */
export function config(settings?: Partial<ImplConfig>): ImplConfig {
  const o = checkOptions<Partial<ImplConfig>>('snn.config settings', settings, ['step', 'sequence']);
  // Both are checked before either is set, so a bad call changes nothing.
  const step = o.step === undefined ? current.step : checkString('step', o.step, STEP_IMPLS);
  const sequence = o.sequence === undefined ? current.sequence : checkString('sequence', o.sequence, SEQUENCE_IMPLS);
  current.step = step;
  current.sequence = sequence;
  return { ...current };
}

/** @deprecated Use snn.config({ step: impl }). */
export function set_step_impl(impl: StepImpl): void {
  config({ step: checkString('impl', impl, STEP_IMPLS) });
}
export function get_step_impl(): StepImpl {
  return current.step;
}
/** True when neuron.sequence() may use its native node (the 'native' sequence implementation). */
export function sequenceNative(): boolean {
  return current.sequence === 'native';
}
/** Runs fn with the given step implementation, restoring the previous one after. */
export function with_step_impl<R>(impl: StepImpl, fn: () => R): R {
  const prev = current.step;
  set_step_impl(impl);
  try {
    return fn();
  } finally {
    current.step = prev;
  }
}
