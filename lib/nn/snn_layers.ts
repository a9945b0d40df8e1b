// snnTorch's layers (snntorch._layers): GradedSpikes and the per-time-step batch norms
// BatchNormTT1d / BatchNormTT2d. Exported from `snn`, as snnTorch exports them.
import { checkInt, checkNumber, checkOptions } from '../torch/check.js';
import { no_grad } from '../torch/autograd.js';
import { rand } from '../torch/creation.js';
import { tensorArg, type Tensor } from '../torch/tensor.js';
import { BatchNorm1d, BatchNorm2d, type BatchNormModuleOptions } from './batchnorm.js';
import { ModuleList } from './container.js';
import { constant_ } from './init.js';
import { emptyParameter, type Parameter } from './parameter.js';
import { Module } from './module.js';

/**
 * A learnable spike magnitude per neuron: forward(x) = x * weights, weights [size, 1] filled with
 * constant_factor, or drawn from U(0.5, 1.5) when constant_factor is 0 / null / undefined.
 */
export class GradedSpikes extends Module {
  readonly size: number;
  weights: Parameter;
  constructor(size: number, constant_factor?: number | null) {
    super();
    this.size = checkInt('size', size, 1);
    this.weights = emptyParameter([this.size, 1], {});
    if (constant_factor) constant_(this.weights, checkNumber('constant_factor', constant_factor));
    else
      no_grad(() => {
        const r = rand([this.size, 1]);
        this.weights.copy_(r).add_(0.5);
        r.dispose();
      });
  }
  forward(x: Tensor): Tensor {
    return tensorArg('x', x).mul(this.weights);
  }
}

type BatchNormTTOptions = Pick<BatchNormModuleOptions, 'eps' | 'momentum' | 'affine'>;

function batchNormTT(
  kind: typeof BatchNorm1d | typeof BatchNorm2d,
  name: string,
  input_features: number,
  time_steps: number,
  opts?: BatchNormTTOptions,
): ModuleList {
  const o = checkOptions<BatchNormTTOptions>(`${name} options`, opts, ['eps', 'momentum', 'affine']);
  const steps = checkInt('time_steps', time_steps, 1);
  const list = new ModuleList();
  for (let t = 0; t < steps; t++) {
    const bn = new kind(input_features, { eps: o.eps ?? 1e-5, momentum: o.momentum ?? 0.1, affine: o.affine ?? true });
    // snnTorch removes the shift: each step's norm only scales.
    bn.bias?.dispose();
    bn.bias = null;
    list.append(bn);
  }
  return list;
}

/** One BatchNorm1d (without bias) per time step: apply list.at(step) to step's input. */
export function BatchNormTT1d(input_features: number, time_steps: number, opts?: BatchNormTTOptions): ModuleList {
  return batchNormTT(BatchNorm1d, 'BatchNormTT1d', input_features, time_steps, opts);
}
/** One BatchNorm2d (without bias) per time step: apply list.at(step) to step's input. */
export function BatchNormTT2d(input_features: number, time_steps: number, opts?: BatchNormTTOptions): ModuleList {
  return batchNormTT(BatchNorm2d, 'BatchNormTT2d', input_features, time_steps, opts);
}
