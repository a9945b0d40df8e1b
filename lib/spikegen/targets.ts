// Spiking targets from class labels (snnTorch's spikegen.targets_rate, targets_latency,
// to_one_hot, from_one_hot, target_rate_code, rate_interpolate).
import { bernoulli, from_typed_array, full, ones, rand, tensor, zeros } from '../torch/creation.js';
import { checkAllocation } from '../torch/check.js';
import { cat } from '../torch/functions.js';
import { tidy } from '../torch/memory.js';
import { tensorArg, type Tensor } from '../torch/tensor.js';
import { bool, checkInt, checkOptions, int, num, numStepsOf, repeatSteps } from './common.js';
import { LATENCY_KEYS, latency, type LatencyOptions } from './latency.js';

export type FiringPattern = 'regular' | 'uniform' | 'poisson';

/** [N, num_classes] float32 one-hot rows from N integer class labels. */
export function to_one_hot(targets: Tensor, num_classes: number): Tensor {
  const y = tensorArg('targets', targets);
  const n = checkInt('num_classes', num_classes, 1);
  if (y.dim() !== 1) throw new RangeError(`to_one_hot: targets must be 1-D class labels but have shape [${y.shape.join(', ')}]`);
  return tidy(() => {
    const labels = y.long();
    if (labels.numel() > 0) {
      const hi = labels.max().item();
      const lo = labels.min().item();
      if (hi > n - 1) throw new RangeError(`to_one_hot: target [${hi}] is out of bounds for num_classes [${n}]`);
      if (lo < 0) throw new RangeError(`to_one_hot: targets must be non-negative class labels but contain ${lo}`);
    }
    return zeros([y.shape[0]!, n], { device: y.device }).scatter(1, labels.unsqueeze(-1), 1);
  });
}

/** Indices along dim 0 of the elements equal to 1 (torch.where(one_hot == 1)[0]), int64. */
export function from_one_hot(one_hot_label: Tensor): Tensor {
  const x = tensorArg('one_hot_label', one_hot_label);
  if (x.dim() === 0) throw new RangeError('from_one_hot: one_hot_label must have at least one dim');
  const rowSize = x.shape.slice(1).reduce((a, b) => a * b, 1);
  const hits = tidy(() => x.eq(1).cpu().to('uint8').data());
  const out: bigint[] = [];
  for (let i = 0; i < hits.length; i++) if (hits[i]) out.push(BigInt(Math.floor(i / rowSize)));
  if (x.device === 'cpu') return from_typed_array(BigInt64Array.from(out), [out.length]);
  return tidy(() => from_typed_array(BigInt64Array.from(out), [out.length]).to(x.device));
}

/** The inverse of a one-hot tensor: 1 where it is 0, else 0. */
export function to_one_hot_inverse(one_hot_targets: Tensor): Tensor {
  const x = tensorArg('one_hot_targets', one_hot_targets);
  return tidy(() => x.eq(0).to(x.dtype));
}

/** Float spike times in arange(start, end, step) as float32, computed as PyTorch does (double accumulator). */
function arangeValues(start: number, end: number, step: number): number[] {
  if (step === 0) throw new RangeError('arange: step must be nonzero');
  const size = Math.ceil((end - start) / step);
  if (size < 0) throw new RangeError(`arange: upper bound (${end}) and lower bound (${start}) inconsistent with step sign (${step})`);
  return Array.from({ length: size }, (_, i) => Math.fround(start + i * step));
}

/**
 * One neuron's target spike train over num_steps at the given rate: [spikes (float32 [num_steps]),
 * spike times (int64)]. 'regular' spaces spikes 1/rate apart from first_spike_time; 'uniform'
 * draws as many times uniformly; 'poisson' draws Bernoulli(rate) per step.
 */
export function target_rate_code(
  num_steps: number,
  opts?: { first_spike_time?: number; rate?: number; firing_pattern?: FiringPattern },
): [Tensor, Tensor] {
  const o = checkOptions<{ first_spike_time?: number; rate?: number; firing_pattern?: FiringPattern }>('target_rate_code options', opts, [
    'first_spike_time',
    'rate',
    'firing_pattern',
  ]);
  const T = checkInt('num_steps', num_steps, 1);
  const fst = int('first_spike_time', o.first_spike_time, 0, 0);
  const r = num('rate', o.rate, 1);
  const pattern = firingPatternOf(o.firing_pattern);
  if (r < 0 || r > 1) throw new RangeError(`target_rate_code: rate (${r}) must be between 0 and 1`);
  if (fst > T) throw new RangeError(`target_rate_code: first_spike_time (${fst}) must be less than num_steps (${T})`);
  if (r === 0) return [zeros([T]), zeros([0])];
  return tidy(() => {
    if (pattern === 'poisson') {
      const spikes = bernoulli(cat([zeros([fst]), ones([T - fst]).mul(r)]));
      const times = from_one_hot(spikes);
      return [spikes, times];
    }
    const regular = arangeValues(fst, T, 1 / r);
    const times =
      pattern === 'regular'
        ? tensor(regular, { dtype: 'float32' }).long()
        : rand([regular.length])
            .mul(T - fst)
            .add(fst)
            .long();
    return [zeros([T]).scatter(0, times, 1), times];
  });
}

function firingPatternOf(v: unknown): FiringPattern {
  if (v === undefined) return 'regular';
  const s = typeof v === 'string' ? v.toLowerCase() : v;
  if (s !== 'regular' && s !== 'uniform' && s !== 'poisson')
    throw new TypeError(`Expected one of 'regular', 'uniform', 'poisson' for firing_pattern but received ${String(v)}`);
  return s;
}

/**
 * A target ramping linearly from off_target to on_target up to each spike time (on_target at a
 * spike), off_target after the last: float32 [num_steps].
 */
export function rate_interpolate(
  spike_time: Tensor,
  num_steps: number,
  opts?: { on_target?: number; off_target?: number; epsilon?: number },
): Tensor {
  const o = checkOptions<{ on_target?: number; off_target?: number; epsilon?: number }>('rate_interpolate options', opts, [
    'on_target',
    'off_target',
    'epsilon',
  ]);
  const st = tensorArg('spike_time', spike_time);
  const T = checkInt('num_steps', num_steps, 1);
  const on = num('on_target', o.on_target, 1);
  const off = num('off_target', o.off_target, 0);
  const eps = num('epsilon', o.epsilon, 1e-7);
  if (st.numel() === 0) return full([T], off);
  // The result has about num_steps values: refuse one that cannot fit before building it.
  checkAllocation('num_steps', T, 4, null);
  const times = Array.from(
    tidy(() => st.cpu().double().data()),
    Number,
  );
  // The steps in [0, num_steps) that hold a spike, in order (visiting only those, not every step).
  const steps = [...new Set(times)].filter((t) => Number.isInteger(t) && t >= 0 && t < T).sort((a, b) => a - b);
  const values: number[] = [];
  let current = -1;
  for (const step of steps) {
    if (step === current + 1) values.push(Math.fround(on));
    else values.push(...arangeValues(off, on + eps, (on - off) / (step - current - 1)));
    current = step;
  }
  const latest = Math.max(...times);
  const pad = latest < T - 1 ? T - 1 - Math.trunc(latest) : 0;
  checkAllocation('spike_time', values.length + pad, 4, null); // a time of -Infinity pads without end
  const out = new Float32Array(values.length + pad);
  out.set(values);
  out.fill(Math.fround(off), values.length);
  return from_typed_array(out, [out.length]);
}

export interface TargetsRateOptions {
  num_steps?: number | false;
  first_spike_time?: number;
  correct_rate?: number;
  incorrect_rate?: number;
  on_target?: number;
  off_target?: number;
  firing_pattern?: FiringPattern;
  interpolate?: boolean;
  epsilon?: number;
}

/** The options targets_rate() takes. */
const TARGETS_RATE_KEYS: readonly string[] = [
  'num_steps',
  'first_spike_time',
  'correct_rate',
  'incorrect_rate',
  'on_target',
  'off_target',
  'firing_pattern',
  'interpolate',
  'epsilon',
];

/**
 * Rate-coded targets from labels. correct_rate 1 and incorrect_rate 0 give one-hot rows [N, C]
 * (or [num_steps, N, C] with a first_spike_time); other rates give spike trains [num_steps, N, C].
 * snnTorch 0.9.4 multiplies the incorrect-class train into the class dim there (a shape error
 * unless C equals num_steps); here each incorrect class gets the incorrect_rate train, as documented.
 */
export function targets_rate(targets: Tensor, num_classes: number, opts?: TargetsRateOptions): Tensor {
  const o = checkOptions<TargetsRateOptions>('targets_rate options', opts, TARGETS_RATE_KEYS);
  const T = numStepsOf(o.num_steps);
  const fst = int('first_spike_time', o.first_spike_time, 0, 0);
  const correct = num('correct_rate', o.correct_rate, 1);
  const incorrect = num('incorrect_rate', o.incorrect_rate, 0);
  const on = num('on_target', o.on_target, 1);
  const off = num('off_target', o.off_target, 0);
  const pattern = firingPatternOf(o.firing_pattern);
  const interpolate = bool('interpolate', o.interpolate, false);
  const eps = num('epsilon', o.epsilon, 1e-7);
  if (correct < 0 || correct > 1 || incorrect < 0 || incorrect > 1) {
    throw new RangeError(`targets_rate: correct_rate (${correct}) and incorrect_rate (${incorrect}) must be between 0 and 1`);
  }
  if (!T && (correct !== 1 || incorrect !== 0))
    throw new RangeError('targets_rate: num_steps must be given if correct_rate is not 1 or incorrect_rate is not 0');
  if (incorrect > correct) throw new RangeError('targets_rate: correct_rate must be greater than incorrect_rate');
  if (fst > 0 && !T) throw new RangeError('targets_rate: num_steps must be given with a first_spike_time');
  return tidy(() => {
    const oneHot = to_one_hot(targets, num_classes);
    const device = oneHot.device;
    if (correct === 1 && incorrect === 0) {
      if (fst === 0) {
        if (on > off) return oneHot.mul(on).clamp(off, null);
        return oneHot.mul(on).add(oneHot.eq(0).to(oneHot.dtype).mul(off));
      }
      const spikes = repeatSteps(oneHot.mul(on).clamp(off, null), T);
      spikes.narrow(0, 0, fst).fill_(off);
      return spikes;
    }
    const hot = repeatSteps(oneHot, T);
    const cold = repeatSteps(to_one_hot_inverse(oneHot), T);
    const [cSpikes, cTimes] = target_rate_code(T, { first_spike_time: fst, rate: correct, firing_pattern: pattern });
    const [iSpikes, iTimes] = target_rate_code(T, { first_spike_time: fst, rate: incorrect, firing_pattern: pattern });
    const perStep = (t: Tensor): Tensor => t.to(device).unsqueeze(-1).unsqueeze(-1);
    if (!interpolate)
      return hot
        .mul(perStep(cSpikes))
        .add(cold.mul(perStep(iSpikes)))
        .mul(on)
        .clamp(off, null);
    const ramp = (times: Tensor): Tensor => perStep(rate_interpolate(times, T, { on_target: on, off_target: off, epsilon: eps }));
    return hot.mul(ramp(cTimes)).add(cold.mul(ramp(iTimes)));
  });
}

/** Latency-coded targets: latency(to_one_hot(targets, num_classes), opts). */
export function targets_latency(targets: Tensor, num_classes: number, opts?: LatencyOptions): Tensor {
  return tidy(() => latency(to_one_hot(targets, num_classes), opts));
}

export interface TargetsConvertOptions extends TargetsRateOptions, Omit<LatencyOptions, keyof TargetsRateOptions> {
  /** 'rate' (targets_rate) or 'latency' (targets_latency). */
  code?: 'rate' | 'latency';
}

/** targets_rate or targets_latency by code, each given the options it takes (snnTorch's targets_convert). */
export function targets_convert(targets: Tensor, num_classes: number, opts?: TargetsConvertOptions): Tensor {
  const o = checkOptions<TargetsConvertOptions>('targets_convert options', opts, [
    'code',
    ...new Set<string>([...TARGETS_RATE_KEYS, ...LATENCY_KEYS]),
  ]);
  const code = o.code ?? 'rate';
  const pick = (keys: readonly string[]): Record<string, unknown> =>
    Object.fromEntries(Object.entries(o).filter(([k]) => keys.includes(k)));
  if (code === 'rate') return targets_rate(targets, num_classes, pick(TARGETS_RATE_KEYS) as TargetsRateOptions);
  if (code === 'latency') return targets_latency(targets, num_classes, pick(LATENCY_KEYS) as LatencyOptions);
  throw new TypeError(`Expected 'rate' or 'latency' for code but received ${String(code)}`);
}
