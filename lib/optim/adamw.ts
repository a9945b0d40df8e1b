// optim.AdamW over torch::optim::AdamW: Adam with decoupled weight decay (p *= 1 - lr·weight_decay).
import type { Tensor } from '../torch/tensor.js';
import { adamSpec, splitFused, type AdamHyperparameters, type AdamImplementation, type AdamOptions } from './adam.js';
import { Optimizer, type Params } from './optimizer.js';

const SPEC = adamSpec('adamw', 'AdamW', 1e-2);

export class AdamW extends Optimizer<AdamHyperparameters> {
  /** Whether step() runs the fused update (the `fused` option, as Adam's). */
  readonly fused: boolean;
  /** new AdamW(model.parameters(), {lr, betas, eps, weight_decay = 1e-2, amsgrad, fused}). */
  constructor(params: Params<AdamOptions> | Iterable<Tensor>, opts?: AdamOptions & AdamImplementation) {
    const [hyper, fused] = splitFused<AdamOptions>('AdamW', opts);
    super(SPEC, params, hyper);
    this.fused = fused;
    if (fused) this.setFused(true);
  }
}
