// Latency coding: a feature's value sets the time of its one spike (snnTorch's spikegen.latency,
// latency_code and latency_interpolate). The output keeps the data's floating dtype (snnTorch 0.9.4
// returns float32 for float64 data).
import { checkAllocation } from '../torch/check.js';
import { arange, zeros } from '../torch/creation.js';
import { elementSize } from '../torch/dtype.js';
import { cat, stack, where } from '../torch/functions.js';
import { tidy } from '../torch/memory.js';
import type { Tensor } from '../torch/tensor.js';
import { bool, checkOptions, floatingData, int, num, numStepsOf } from './common.js';

export interface LatencyCodeOptions {
  /** Required unless bypass (then the latest spike time sets it). */
  num_steps?: number | false;
  /** Features below it fire at the last step, or never with clip. Default 0.01. */
  threshold?: number;
  /** The RC time constant of the charging LIF model. Default 1. */
  tau?: number;
  first_spike_time?: number;
  /** Scale spike times so the latest falls on num_steps - 1. */
  normalize?: boolean;
  /** A linear code instead of the RC (logarithmic) one. */
  linear?: boolean;
  epsilon?: number;
}
export interface LatencyOptions extends LatencyCodeOptions {
  on_target?: number;
  off_target?: number;
  /** Remove the spikes of features below threshold. */
  clip?: boolean;
  /** A target that rises linearly up to each spike (latency_interpolate). */
  interpolate?: boolean;
  /** Let spikes past num_steps drop instead of throwing; without num_steps, size it to the latest spike. */
  bypass?: boolean;
}
const CODE_KEYS = ['num_steps', 'threshold', 'tau', 'first_spike_time', 'normalize', 'linear', 'epsilon'];
/** The options latency() and targets_latency() take. */
export const LATENCY_KEYS: readonly string[] = [...CODE_KEYS, 'on_target', 'off_target', 'clip', 'interpolate', 'bypass'];

interface Code {
  numSteps: number;
  threshold: number;
  tau: number;
  firstSpike: number;
  normalize: boolean;
  linear: boolean;
  epsilon: number;
}

function resolveCode(o: LatencyCodeOptions): Code {
  const c: Code = {
    numSteps: numStepsOf(o.num_steps),
    threshold: num('threshold', o.threshold, 0.01),
    tau: num('tau', o.tau, 1),
    firstSpike: int('first_spike_time', o.first_spike_time, 0, 0),
    normalize: bool('normalize', o.normalize, false),
    linear: bool('linear', o.linear, false),
    epsilon: num('epsilon', o.epsilon, 1e-7),
  };
  if (c.threshold <= 0 || c.threshold >= 1)
    throw new RangeError(`latency: threshold must be between 0 and 1 (exclusive) but is ${c.threshold}`);
  if (c.tau <= 0) throw new RangeError(`latency: tau must be greater than 0 but is ${c.tau}`);
  if (c.firstSpike && c.numSteps && c.firstSpike > c.numSteps - 1) {
    throw new RangeError(`latency: first_spike_time (${c.firstSpike}) must be equal to or less than num_steps-1 (${c.numSteps - 1})`);
  }
  if (c.normalize && !c.numSteps) throw new RangeError('latency: num_steps must be given when normalize is true');
  return c;
}

/** torch.round's rounding (half to even), for a scalar. */
function roundHalfEven(v: number): number {
  const r = Math.round(v);
  return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

function minMax(t: Tensor): [number, number] {
  return tidy(() => [t.min().item(), t.max().item()]);
}

/** Spike times (float, data's shape) and the mask of features below threshold. */
export function latency_code(data: Tensor, opts?: LatencyCodeOptions): [Tensor, Tensor] {
  const o = checkOptions<LatencyCodeOptions>('latency_code options', opts, CODE_KEYS);
  const x = floatingData('latency_code', data);
  return spikeTimes(x, resolveCode(o));
}

function spikeTimes(x: Tensor, c: Code): [Tensor, Tensor] {
  return tidy(() => {
    const below = x.lt(c.threshold);
    let t: Tensor;
    if (c.linear) {
      const tau = c.normalize ? c.numSteps - 1 - c.firstSpike : c.tau;
      // -tau·(x - 1), capped at the time of a feature at threshold.
      t = x
        .sub(1)
        .mul(-tau)
        .clamp(null, -tau * (c.threshold - 1))
        .add(c.firstSpike);
      const [lo, hi] = minMax(t);
      if (lo < 0 && c.normalize)
        t = t
          .sub(lo)
          .mul(1 / (hi - lo))
          .mul(c.numSteps - 1);
    } else {
      // tau·ln(x / (x - threshold)), the time an RC circuit driven by x takes to reach threshold.
      const xc = x.clamp(c.threshold + c.epsilon, null);
      t = xc.div(xc.sub(c.threshold)).log().mul(c.tau);
      if (c.firstSpike > 0) t = t.add(c.firstSpike);
      if (c.normalize) {
        const shifted = t.sub(c.firstSpike);
        t = shifted
          .mul(c.numSteps - c.firstSpike - 1)
          .div(shifted.max())
          .add(c.firstSpike);
      }
    }
    return [t, below];
  });
}

/**
 * One spike per feature at its latency: [num_steps, ...data.shape], values on_target at the spike
 * and off_target elsewhere (or the interpolated ramp). data must lie in [0, 1].
 */
export function latency(data: Tensor, opts?: LatencyOptions | number): Tensor {
  const o = typeof opts === 'number' ? { num_steps: opts } : checkOptions<LatencyOptions>('latency options', opts, LATENCY_KEYS);
  const x = floatingData('latency', data);
  const c = resolveCode(o);
  const onTarget = num('on_target', o.on_target, 1);
  const offTarget = num('off_target', o.off_target, 0);
  const clip = bool('clip', o.clip, false);
  const interpolate = bool('interpolate', o.interpolate, false);
  const bypass = bool('bypass', o.bypass, false);
  if (x.numel() === 0) throw new RangeError('latency: data is empty');
  const [lo, hi] = minMax(x);
  if (lo < 0 || hi > 1) throw new RangeError(`latency: elements of data must be between [0, 1], but data is [${lo}, ${hi}]`);
  if (!c.numSteps && !bypass) {
    throw new RangeError(
      'latency: num_steps must be given; or set bypass: true to size it to the latest spike time (which may give differently sized tensors in a loop)',
    );
  }
  return tidy(() => {
    const [t, below] = spikeTimes(x, c);
    const latest = roundHalfEven(t.max().item());
    let numSteps = c.numSteps;
    if (!numSteps) {
      numSteps = latest + 1;
      if (numSteps <= 0)
        throw new RangeError(
          `latency: num_steps (${numSteps}) computed from the spike times must be positive; normalise the data to larger values or lower threshold`,
        );
    }
    if (latest > numSteps - 1 && !bypass) {
      throw new RangeError(
        `latency: the latest spike time (${latest}) is out of bounds for num_steps (${numSteps}); set bypass: true to drop late spikes, or lower tau, or set normalize: true`,
      );
    }
    if (interpolate) return latency_interpolate(t, numSteps, { on_target: onTarget, off_target: offTarget });
    const steps = t.round();
    const late = steps.gt(numSteps - 1);
    const index = t
      .clamp(null, numSteps - 1)
      .round()
      .long()
      .unsqueeze(0);
    let spikes = zeros([numSteps, ...t.shape], { dtype: x.dtype, device: x.device })
      .scatter(0, index, 1)
      .mul(late.logical_not());
    if (clip) spikes = spikes.mul(below.logical_not());
    return spikes.mul(onTarget).clamp(offTarget, null);
  });
}

/**
 * A target rising linearly from off_target at step 0 to on_target at each feature's spike time,
 * off_target after it: [num_steps, ...spike_time.shape], in spike_time's floating dtype.
 */
export function latency_interpolate(spike_time: Tensor, num_steps: number, opts?: { on_target?: number; off_target?: number }): Tensor {
  const o = checkOptions<{ on_target?: number; off_target?: number }>('latency_interpolate options', opts, ['on_target', 'off_target']);
  const st = floatingData('latency_interpolate', spike_time);
  const numSteps = int('num_steps', num_steps, 0, 1);
  const onTarget = num('on_target', o.on_target, 1);
  const offTarget = num('off_target', o.off_target, 0);
  if (onTarget < offTarget)
    throw new RangeError(`latency_interpolate: on_target (${onTarget}) must be greater than off_target (${offTarget})`);
  return tidy(() => {
    // Spikes past the window get a time below 1 (so the ramp is over at once), as do spikes at 0.
    let t = st.round();
    t = where(t.gt(numSteps), 0.5, t);
    const atZero = t.eq(0);
    const hasZero = atZero.any().item() !== 0;
    const rows: Tensor[] = [];
    if (hasZero) {
      rows.push(where(atZero, 1, 0).to(t.dtype).unsqueeze(0));
      t = where(atZero, 0.5, t);
    }
    // Every later step at once (step / t, broadcast over a leading steps dim): one allocation, checked
    // first, so a huge num_steps fails at once instead of looping over num_steps tensors.
    if (numSteps > rows.length) {
      checkAllocation('num_steps', numSteps * Math.max(t.numel(), 1), elementSize(t.dtype), t.device);
      rows.push(
        arange(rows.length, numSteps, { dtype: t.dtype, device: t.device })
          .reshape([-1, ...t.shape.map(() => 1)])
          .div(t),
      );
    }
    const ramp = (rows.length > 0 ? cat(rows) : stack(rows)).mul(onTarget - offTarget).add(offTarget);
    return where(ramp.gt(onTarget), offTarget, ramp);
  });
}
