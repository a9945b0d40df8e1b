// Target construction as snnTorch does it (docs/SEMANTICS.md, Loss targets and mse_count_loss):
// spikegen.targets_convert's non-time-varying path, and the integer spike-count targets of
// mse_count_loss.
import { one_hot } from '../torch/functions.js';
import type { Tensor } from '../torch/tensor.js';
import type { DType } from '../torch/dtype.js';

/**
 * `spikegen.targets_convert(labels, num_classes, on_target=on, off_target=off)` with its default
 * rates: a [B, num_classes] tensor.
 * - on > off: clamp(onehot * on, min=off), so a negative off silently becomes 0.
 * - on <= off: onehot * on + (1 - onehot) * off.
 * `labels` must already be checked int64 indices in range.
 */
export function targets_convert(labels: Tensor, num_classes: number, on: number, off: number, dtype: DType = 'float32'): Tensor {
  const oh = one_hot(labels, num_classes);
  const onehot = oh.to(dtype);
  oh.dispose();
  const scaled = onehot.mul(on);
  if (on > off) {
    const out = scaled.clamp(off, null);
    onehot.dispose();
    scaled.dispose();
    return out;
  }
  const inv = onehot.neg().add(1);
  const offPart = inv.mul(off);
  const out = scaled.add(offPart);
  for (const t of [onehot, scaled, inv, offPart]) t.dispose();
  return out;
}

/** Python's int(T * rate): the double product, truncated toward zero. int(100 * 0.29) = 28. */
export function count_target(num_steps: number, rate: number): number {
  return Math.trunc(num_steps * rate);
}

/** The population-code count target: int(T * rate * (C / n)), multiplied left to right in doubles. */
export function population_count_target(num_steps: number, rate: number, num_outputs: number, num_classes: number): number {
  return Math.trunc(num_steps * rate * (num_outputs / num_classes));
}
