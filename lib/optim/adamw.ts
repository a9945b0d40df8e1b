// optim.AdamW over torch::optim::AdamW: Adam with decoupled weight decay (p *= 1 - lr·weight_decay).
import type { Tensor } from '../torch/tensor.js';
import { AdamFamily, adamSpec, type AdamImplementation, type AdamOptions } from './adam.js';
import type { Params } from './optimizer.js';

const SPEC = adamSpec('adamw', 'AdamW', 1e-2);

export class AdamW extends AdamFamily {
  /** new AdamW(model.parameters(), {lr, betas, eps, weight_decay = 1e-2, amsgrad, fused}). */
  constructor(params: Params<AdamOptions> | Iterable<Tensor>, opts?: AdamOptions & AdamImplementation) {
    super(SPEC, params, opts);
  }
}
