// Rate coding: each feature's value is the probability of a spike at every step (snnTorch's
// spikegen.rate / rate_conv).
import { bernoulli, zeros } from '../torch/creation.js';
import { cat } from '../torch/functions.js';
import { tidy } from '../torch/memory.js';
import type { Tensor } from '../torch/tensor.js';
import { bool, checkOptions, floatingData, int, num, numStepsOf, repeatSteps } from './common.js';

export interface RateOptions {
  /** Steps to repeat static data over; leave out for time-varying data (time_var_input). */
  num_steps?: number | false;
  gain?: number;
  offset?: number;
  /** Steps before the first spike may occur (those steps are all zeros). */
  first_spike_time?: number;
  /** The data already has time as its first dim. */
  time_var_input?: boolean;
}

/** Bernoulli spikes with probability clamp(data, 0, 1), same shape and dtype as data. */
export function rate_conv(data: Tensor): Tensor {
  const x = floatingData('rate_conv', data);
  return tidy(() => bernoulli(x.clamp(0, 1)));
}

/**
 * Poisson (Bernoulli per step) spike trains of shape [num_steps, ...data.shape]; with
 * time_var_input the data's own first dim is time and first_spike_time prepends silent steps.
 */
export function rate(data: Tensor, opts?: RateOptions | number): Tensor {
  const o =
    typeof opts === 'number'
      ? { num_steps: opts }
      : checkOptions<RateOptions>('rate options', opts, ['num_steps', 'gain', 'offset', 'first_spike_time', 'time_var_input']);
  const x = floatingData('rate', data);
  const numSteps = numStepsOf(o.num_steps);
  const gain = num('gain', o.gain, 1);
  const offset = num('offset', o.offset, 0);
  const firstSpike = int('first_spike_time', o.first_spike_time, 0, 0);
  const timeVar = bool('time_var_input', o.time_var_input, false);
  if (timeVar && numSteps) {
    throw new RangeError(
      "rate: num_steps must not be given when time_var_input is true; the data's first dim plus first_spike_time sets the number of steps",
    );
  }
  if (!timeVar && !numSteps) {
    throw new RangeError(
      "rate: num_steps must be a positive integer for data without a time dim (or set time_var_input: true if the data's first dim is time)",
    );
  }
  if (numSteps && firstSpike > numSteps - 1) {
    throw new RangeError(`rate: first_spike_time (${firstSpike}) must be equal to or less than num_steps-1 (${numSteps - 1})`);
  }
  return tidy(() => {
    if (timeVar) {
      const spikes = rate_conv(x);
      if (firstSpike === 0) return spikes;
      return cat([zeros([firstSpike, ...x.shape.slice(1)], { dtype: x.dtype, device: x.device }), spikes]);
    }
    // x·1 + 0 is x exactly, so the identity gain and offset are skipped.
    let p = repeatSteps(x, numSteps);
    if (gain !== 1) p = p.mul(gain);
    if (offset !== 0) p = p.add(offset);
    const spikes = rate_conv(p);
    if (firstSpike > 0) spikes.narrow(0, 0, firstSpike).zero_();
    return spikes;
  });
}
