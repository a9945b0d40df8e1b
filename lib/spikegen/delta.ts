// Delta modulation: a spike where the data rises by at least threshold from one step to the next
// (snnTorch's spikegen.delta); time is the first dim.
import { zeros_like } from '../torch/creation.js';
import { cat } from '../torch/functions.js';
import { tidy } from '../torch/memory.js';
import { tensorArg, type Tensor } from '../torch/tensor.js';
import { bool, checkOptions, num } from './common.js';

export interface DeltaOptions {
  /** Default 0.1. */
  threshold?: number;
  /** Compare the first step with itself (no spike there) instead of with zeros. */
  padding?: boolean;
  /** Also emit -1 where the data falls by at least threshold. */
  off_spike?: boolean;
}

export function delta(data: Tensor, opts?: DeltaOptions): Tensor {
  const o = checkOptions<DeltaOptions>('delta options', opts, ['threshold', 'padding', 'off_spike']);
  const x = tensorArg('data', data);
  const threshold = num('threshold', o.threshold, 0.1);
  const padding = bool('padding', o.padding, false);
  const offSpike = bool('off_spike', o.off_spike, false);
  if (x.dim() === 0 || x.shape[0] === 0)
    throw new RangeError(`delta: data must have a time dim (dim 0) with at least one step but has shape [${x.shape.join(', ')}]`);
  return tidy(() => {
    const first = x.narrow(0, 0, 1);
    const previous = cat([padding ? first : zeros_like(first), x.narrow(0, 0, x.shape[0]! - 1)]);
    const change = x.sub(previous);
    const on = change.ge(threshold).to(x.dtype);
    if (!offSpike) return on;
    return on.sub(change.le(-threshold).to(x.dtype));
  });
}
