// snntorch.spikegen: spike encoders and spiking targets, spelled as snnTorch spells them.
export { rate, rate_conv, type RateOptions } from './rate.js';
export { latency, latency_code, latency_interpolate, type LatencyOptions, type LatencyCodeOptions } from './latency.js';
export { delta, type DeltaOptions } from './delta.js';
export {
  targets_rate,
  targets_latency,
  targets_convert,
  target_rate_code,
  rate_interpolate,
  to_one_hot,
  to_one_hot_inverse,
  from_one_hot,
  type TargetsRateOptions,
  type TargetsConvertOptions,
  type FiringPattern,
} from './targets.js';
