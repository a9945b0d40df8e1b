// optim.Adam over torch::optim::Adam (the same update as torch 1.13's _single_tensor_adam).
import type { Tensor } from '../torch/tensor.js';
import { Optimizer, betas, boolean, nonNegative, type OptimizerSpec, type Params } from './optimizer.js';

export interface AdamOptions {
  lr?: number;
  betas?: [number, number];
  eps?: number;
  weight_decay?: number;
  amsgrad?: boolean;
}
export type AdamHyperparameters = Required<AdamOptions>;

/** The Adam-family spec with the given defaults (AdamW differs only in kind and weight_decay). */
export function adamSpec(kind: 'adam' | 'adamw', name: string, weight_decay: number): OptimizerSpec<AdamHyperparameters> {
  return {
    kind,
    name,
    defaults: { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weight_decay, amsgrad: false },
    checks: { lr: nonNegative, betas, eps: nonNegative, weight_decay: nonNegative, amsgrad: boolean },
    stateTensors: ['exp_avg', 'exp_avg_sq', 'max_exp_avg_sq'],
    optionalState: ['max_exp_avg_sq'],
    hasStep: true,
  };
}

const SPEC = adamSpec('adam', 'Adam', 0);

export class Adam extends Optimizer<AdamHyperparameters> {
  /** new Adam(model.parameters(), {lr, betas, eps, weight_decay, amsgrad}); params may be [{params, lr, ...}, ...]. */
  constructor(params: Params<AdamOptions> | Iterable<Tensor>, opts?: AdamOptions) {
    super(SPEC, params, opts);
  }
}
