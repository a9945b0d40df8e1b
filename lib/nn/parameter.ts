// nn.Parameter: a leaf Tensor that a Module registers as learnable. It shares the given tensor's
// storage (as PyTorch's Parameter does) and is never freed by torch.tidy scopes.
import { native } from '../native.js';
import { checkBool } from '../torch/check.js';
import { keep } from '../torch/memory.js';
import { Tensor, tensorArg } from '../torch/tensor.js';

export class Parameter extends Tensor {
  constructor(data: Tensor, requires_grad = true) {
    super(native.detach(tensorArg('data', data).handle));
    keep(this);
    if (checkBool('requires_grad', requires_grad)) this.requires_grad_(true);
  }
}
