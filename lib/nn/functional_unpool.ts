// nn.functional.max_unpool1d / max_unpool2d: the partial inverse of max pooling with
// return_indices (PyTorch's signatures, defaults and output-size rule).
import { native } from '../native.js';
import { checkOptions, invalid, isInt } from '../torch/check.js';
import { isFloating } from '../torch/dtype.js';
import { Tensor, tensorArg, wrap } from '../torch/tensor.js';
import { toPair, type Pair } from './functional.js';
import { toSingle } from './functional_layers.js';

export interface MaxUnpoolOptions<P> {
  /** Default: kernel_size. */
  stride?: P | null;
  padding?: P;
  /** The unpooled size: the spatial dims, or [N, C, ...spatial]; default (in - 1) * stride - 2 * padding + kernel_size. */
  output_size?: number[] | null;
}
const KEYS = ['stride', 'padding', 'output_size'];
const shapeStr = (s: readonly number[]): string => `[${s.join(', ')}]`;

/** PyTorch's _unpool_output_size: the default size, or output_size checked to lie within one stride of it. */
export function unpoolOutputSize(x: Tensor, kernel: number[], stride: number[], padding: number[], output_size: unknown): number[] {
  const n = kernel.length;
  const inSize = x.shape.slice(-n);
  const def = kernel.map((k, d) => (inSize[d]! - 1) * stride[d]! + k - 2 * padding[d]!);
  if (output_size == null) return def;
  if (!Array.isArray(output_size) || !output_size.every((v) => isInt(v))) throw invalid('output_size', 'an array of integers', output_size);
  let size = output_size as number[];
  if (size.length === n + 2) size = size.slice(2);
  if (size.length !== n) {
    throw new RangeError(`output_size should be a sequence containing ${n} or ${n + 2} elements, but it has a length of '${size.length}'`);
  }
  size.forEach((v, d) => {
    const min = def[d]! - stride[d]!;
    const max = def[d]! + stride[d]!;
    if (!(min < v && v < max))
      throw new RangeError(`invalid output_size "${shapeStr(output_size as number[])}" (dim ${d} must be between ${min} and ${max})`);
  });
  return size;
}

function checkUnpoolArgs(op: string, x: Tensor, idx: Tensor, ranks: number[], what: string): void {
  if (!ranks.includes(x.dim())) throw new RangeError(`${op}: expected ${what} but received input of shape ${shapeStr(x.shape)}`);
  if (!isFloating(x.dtype)) throw new TypeError(`${op}: input must be floating point but is ${x.dtype}; convert it with .float()`);
  if (idx.dtype !== 'int64')
    throw new TypeError(`${op}: indices must be int64 (as max pooling with return_indices gives them) but are ${idx.dtype}`);
  if (shapeStr(idx.shape) !== shapeStr(x.shape)) {
    throw new RangeError(`${op}: indices must have the shape of input, ${shapeStr(x.shape)}, but have ${shapeStr(idx.shape)}`);
  }
  if (idx.device !== x.device) throw new TypeError(`${op}: input is on ${x.device} but indices are on ${idx.device}`);
}

/** Scatters each input value to its index of the max_pool2d input plane; everything else is zero. */
export function max_unpool2d(input: Tensor, indices: Tensor, kernel_size: Pair, opts?: MaxUnpoolOptions<Pair>): Tensor {
  const x = tensorArg('input', input);
  const idx = tensorArg('indices', indices);
  const o = checkOptions<MaxUnpoolOptions<Pair>>('max_unpool2d options', opts, KEYS);
  const k = toPair('kernel_size', kernel_size, 1);
  const s = o.stride == null ? k : toPair('stride', o.stride, 1);
  const p = toPair('padding', o.padding ?? 0, 0);
  checkUnpoolArgs('max_unpool2d', x, idx, [3, 4], 'a 3-D [C, H, W] or 4-D [N, C, H, W] input');
  const size = unpoolOutputSize(x, k, s, p, o.output_size);
  return wrap(native.max_unpool2d(x.handle, idx.handle, size));
}

/** Scatters each input value to its index of the max_pool1d input row; everything else is zero. */
export function max_unpool1d(
  input: Tensor,
  indices: Tensor,
  kernel_size: number | [number],
  opts?: MaxUnpoolOptions<number | [number]>,
): Tensor {
  const x = tensorArg('input', input);
  const idx = tensorArg('indices', indices);
  const o = checkOptions<MaxUnpoolOptions<number | [number]>>('max_unpool1d options', opts, KEYS);
  const k = toSingle('kernel_size', kernel_size, 1);
  const s = o.stride == null ? k : toSingle('stride', o.stride, 1);
  const p = toSingle('padding', o.padding ?? 0, 0);
  checkUnpoolArgs('max_unpool1d', x, idx, [2, 3], 'a 2-D [C, L] or 3-D [N, C, L] input');
  const size = unpoolOutputSize(x, k, s, p, o.output_size);
  // PyTorch's own route: a width-1 max_unpool2d.
  const y = native.max_unpool2d(native.unsqueeze(x.handle, -1), native.unsqueeze(idx.handle, -1), [size[0]!, 1]);
  return wrap(native.squeeze(y, -1));
}
