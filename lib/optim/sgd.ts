// optim.SGD over torch::optim::SGD (momentum, dampening, Nesterov, weight decay).
import type { Tensor } from '../torch/tensor.js';
import { Optimizer, boolean, finiteNumber, nonNegative, type OptimizerSpec, type Params } from './optimizer.js';

export interface SGDOptions {
  lr?: number;
  momentum?: number;
  dampening?: number;
  weight_decay?: number;
  nesterov?: boolean;
}
export type SGDHyperparameters = Required<SGDOptions>;

const SPEC: OptimizerSpec<SGDHyperparameters> = {
  kind: 'sgd',
  name: 'SGD',
  // lr defaults to 1e-3 as in PyTorch >= 2.2 (1.13 required it).
  defaults: { lr: 1e-3, momentum: 0, dampening: 0, weight_decay: 0, nesterov: false },
  checks: { lr: nonNegative, momentum: nonNegative, dampening: finiteNumber, weight_decay: nonNegative, nesterov: boolean },
  checkGroup: (h) => {
    if (h.nesterov && (h.momentum <= 0 || h.dampening !== 0))
      throw new RangeError('Nesterov momentum requires a momentum and zero dampening');
  },
  stateTensors: ['momentum_buffer'],
  optionalState: ['momentum_buffer'],
  hasStep: false,
};

export class SGD extends Optimizer<SGDHyperparameters> {
  /** new SGD(model.parameters(), {lr, momentum, dampening, weight_decay, nesterov}). */
  constructor(params: Params<SGDOptions> | Iterable<Tensor>, opts?: SGDOptions) {
    super(SPEC, params, opts);
  }
}
