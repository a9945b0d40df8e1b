// nn.Linear: y = x Wᵀ + b, with PyTorch's parameter names and default initialisation.
import { checkBool, checkInt, checkOptions } from '../torch/check.js';
import type { Tensor } from '../torch/tensor.js';
import { linear } from './functional.js';
import { _calculate_fan_in_and_fan_out, kaiming_uniform_, uniform_ } from './init.js';
import { Module } from './module.js';
import { emptyParameter, type FactoryOptions, type Parameter } from './parameter.js';

import { layerReuse } from './reuse.js';

export interface LinearOptions extends FactoryOptions {
  bias?: boolean;
}

export class Linear extends Module {
  readonly in_features: number;
  readonly out_features: number;
  weight: Parameter;
  bias: Parameter | null;

  constructor(in_features: number, out_features: number, opts?: LinearOptions) {
    super();
    const o = checkOptions<LinearOptions>('Linear options', opts, ['bias', 'dtype', 'device']);
    this.in_features = checkInt('in_features', in_features, 0);
    this.out_features = checkInt('out_features', out_features, 0);
    const hasBias = checkBool('bias', o.bias ?? true);
    this.weight = emptyParameter([this.out_features, this.in_features], o);
    this.bias = hasBias ? emptyParameter([this.out_features], o) : null;
    this.reset_parameters();
  }

  /** PyTorch's default: kaiming_uniform_(W, a=√5), i.e. U(±1/√fan_in), and b ~ U(±1/√fan_in). */
  reset_parameters(): void {
    kaiming_uniform_(this.weight, Math.sqrt(5));
    if (this.bias) {
      const [fanIn] = _calculate_fan_in_and_fan_out(this.weight);
      const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
      uniform_(this.bias, -bound, bound);
    }
  }

  /** Applied again to the same input with unchanged parameters, a copy of the first result (lib/nn/reuse.ts). */
  forward(input: Tensor): Tensor {
    return layerReuse(this).apply(input, this.weight, this.bias, () => linear(input, this.weight, this.bias));
  }

  override extra_repr(): string {
    return `in_features=${this.in_features}, out_features=${this.out_features}, bias=${this.bias ? 'True' : 'False'}`;
  }
}
