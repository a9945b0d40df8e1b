// Loss modules: nn.MSELoss, nn.L1Loss and nn.CrossEntropyLoss (forward(input, target)), over nn.functional.
import { checkInt, checkNumber, checkOptions } from '../torch/check.js';
import { Tensor, tensorArg } from '../torch/tensor.js';
import { cross_entropy, mse_loss, type CrossEntropyOptions } from './functional.js';
import { l1_loss } from './functional_layers.js';
import { Module } from './module.js';
import { checkReduction, type Reduction } from './reduction.js';

export class MSELoss extends Module {
  readonly reduction: Reduction;
  constructor(opts?: { reduction?: Reduction }) {
    super();
    const o = checkOptions<{ reduction?: Reduction }>('MSELoss options', opts, ['reduction']);
    this.reduction = checkReduction(o.reduction ?? 'mean');
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return mse_loss(input, target, { reduction: this.reduction });
  }
}

export class CrossEntropyLoss extends Module {
  // A buffer (saved in state_dict when given), as PyTorch's _WeightedLoss registers it.
  declare weight: Tensor | null;
  readonly ignore_index: number;
  readonly reduction: Reduction;
  readonly label_smoothing: number;

  constructor(opts?: CrossEntropyOptions) {
    super();
    const o = checkOptions<CrossEntropyOptions>('CrossEntropyLoss options', opts, [
      'weight',
      'ignore_index',
      'reduction',
      'label_smoothing',
    ]);
    this.ignore_index = checkInt('ignore_index', o.ignore_index ?? -100);
    this.reduction = checkReduction(o.reduction ?? 'mean');
    this.label_smoothing = checkNumber('label_smoothing', o.label_smoothing ?? 0);
    if (this.label_smoothing < 0 || this.label_smoothing > 1)
      throw new RangeError(`label_smoothing must be between 0.0 and 1.0 but received ${this.label_smoothing}`);
    this.register_buffer('weight', o.weight == null ? null : tensorArg('weight', o.weight));
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return cross_entropy(input, target, {
      weight: this.weight,
      ignore_index: this.ignore_index,
      reduction: this.reduction,
      label_smoothing: this.label_smoothing,
    });
  }
}

export class L1Loss extends Module {
  readonly reduction: Reduction;
  constructor(opts?: { reduction?: Reduction }) {
    super();
    const o = checkOptions<{ reduction?: Reduction }>('L1Loss options', opts, ['reduction']);
    this.reduction = checkReduction(o.reduction ?? 'mean');
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return l1_loss(input, target, { reduction: this.reduction });
  }
}
