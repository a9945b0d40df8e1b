// nn.Parameter: a leaf Tensor that a Module registers as learnable. It shares the given tensor's
// storage (as PyTorch's Parameter does) and is never freed by torch.tidy scopes.
import { native } from '../native.js';
import { checkBool, invalid } from '../torch/check.js';
import { empty } from '../torch/creation.js';
import { checkDevice, checkDtype, isFloating, type DType, type Device } from '../torch/dtype.js';
import { keep } from '../torch/memory.js';
import { Tensor, tensorArg } from '../torch/tensor.js';

export class Parameter extends Tensor {
  constructor(data: Tensor, requires_grad = true) {
    super(native.detach(tensorArg('data', data).handle));
    keep(this);
    if (checkBool('requires_grad', requires_grad)) this.requires_grad_(true);
  }
}

/** The dtype and device a layer's constructor takes for its parameters. */
export interface FactoryOptions {
  dtype?: DType;
  device?: Device;
}

/** An uninitialised Parameter of this shape (layers fill it in reset_parameters). */
export function emptyParameter(shape: number[], o: FactoryOptions): Parameter {
  const dtype = o.dtype === undefined ? 'float32' : checkDtype('dtype', o.dtype);
  if (!isFloating(dtype)) throw invalid('dtype', 'a floating point dtype', dtype);
  const data = empty(shape, { dtype, device: o.device === undefined ? 'cpu' : checkDevice('device', o.device) });
  const p = new Parameter(data);
  data.dispose(); // p shares its storage
  return p;
}
