// torch.* functional forms of the Tensor methods, plus the ops that take several tensors.
import { native } from '../native.js';
import { checkAllocation, checkDim, checkInt, invalid } from './check.js';
import { Tensor, wrap, tensorArg, operand, type TensorOrScalar } from './tensor.js';
import type { DType } from './dtype.js';
import { no_grad } from './autograd.js';
import { tidy } from './memory.js';

type Method = {
  [K in keyof Tensor]: Tensor[K] extends (...a: never[]) => unknown ? K : never;
}[keyof Tensor];

/** torch.f(input, ...args) === input.f(...args), with `input` checked to be a Tensor. */
function method<K extends Method>(name: K): (input: Tensor, ...args: Parameters<Tensor[K]>) => ReturnType<Tensor[K]> {
  return (input: Tensor, ...args: Parameters<Tensor[K]>) => {
    const t = tensorArg('input', input);
    return (t[name] as (...a: Parameters<Tensor[K]>) => ReturnType<Tensor[K]>)(...args);
  };
}

export const add = method('add');
export const sub = method('sub');
export const mul = method('mul');
export const div = method('div');
export const true_divide = method('true_divide');
export const pow = method('pow');
export const remainder = method('remainder');
export const fmod = method('fmod');
export const neg = method('neg');
export const exp = method('exp');
export const log = method('log');
export const log1p = method('log1p');
export const abs = method('abs');
export const sqrt = method('sqrt');
export const rsqrt = method('rsqrt');
export const square = method('square');
export const sign = method('sign');
export const floor = method('floor');
export const ceil = method('ceil');
export const round = method('round');
export const trunc = method('trunc');
export const reciprocal = method('reciprocal');
export const sigmoid = method('sigmoid');
export const tanh = method('tanh');
export const relu = method('relu');
export const atan = method('atan');
export const sin = method('sin');
export const cos = method('cos');
export const clamp = method('clamp');
export const clip = method('clip');
export const softmax = method('softmax');
export const log_softmax = method('log_softmax');
export const logical_not = method('logical_not');
export const logical_and = method('logical_and');
export const logical_or = method('logical_or');
export const isnan = method('isnan');
export const isfinite = method('isfinite');
export const eq = method('eq');
export const ne = method('ne');
export const gt = method('gt');
export const ge = method('ge');
export const lt = method('lt');
export const le = method('le');
export const maximum = method('maximum');
export const minimum = method('minimum');
export const masked_fill = method('masked_fill');
export const sum = method('sum');
export const mean = method('mean');
export const std = method('std');
export const var_ = method('var');
export const prod = method('prod');
export const argmax = method('argmax');
export const argmin = method('argmin');
export const any = method('any');
export const all = method('all');
export const cumsum = method('cumsum');
export const logsumexp = method('logsumexp');
export const norm = method('norm');
export const matmul = method('matmul');
export const mm = method('mm');
export const bmm = method('bmm');
export const dot = method('dot');
export const t = method('t');
export const reshape = method('reshape');
export const flatten = method('flatten');
export const squeeze = method('squeeze');
export const unsqueeze = method('unsqueeze');
export const permute = method('permute');
export const transpose = method('transpose');
export const swapaxes = method('swapaxes');
export const flip = method('flip');
export const split = method('split');
export const chunk = method('chunk');
export const unbind = method('unbind');
export const select = method('select');
export const narrow = method('narrow');
export const index_select = method('index_select');
export const gather = method('gather');
export const scatter = method('scatter');
export const scatter_add = method('scatter_add');
export const masked_select = method('masked_select');
export const clone = method('clone');
export const detach = method('detach');

export function max(input: Tensor): Tensor;
export function max(input: Tensor, dim: number, keepdim?: boolean): [Tensor, Tensor];
export function max(input: Tensor, other: Tensor): Tensor;
export function max(input: Tensor, dim?: number | Tensor, keepdim?: boolean): Tensor | [Tensor, Tensor] {
  const x = tensorArg('input', input);
  if (dim === undefined) return x.max();
  if (dim instanceof Tensor) return x.max(dim);
  return x.max(dim, keepdim);
}
export function min(input: Tensor): Tensor;
export function min(input: Tensor, dim: number, keepdim?: boolean): [Tensor, Tensor];
export function min(input: Tensor, other: Tensor): Tensor;
export function min(input: Tensor, dim?: number | Tensor, keepdim?: boolean): Tensor | [Tensor, Tensor] {
  const x = tensorArg('input', input);
  if (dim === undefined) return x.min();
  if (dim instanceof Tensor) return x.min(dim);
  return x.min(dim, keepdim);
}

/** torch.where(condition, x, y): x where condition holds, else y (either may be a number). */
export function where(condition: Tensor, x: TensorOrScalar, y: TensorOrScalar): Tensor {
  return wrap(native.where(tensorArg('condition', condition).handle, operand('x', x), operand('y', y)));
}

function tensorList(name: string, ts: unknown): Tensor[] {
  if (!Array.isArray(ts) || ts.length === 0) throw invalid(name, 'a non-empty array of Tensors', ts);
  ts.forEach((x, i) => tensorArg(`${name}[${i}]`, x));
  return ts as Tensor[];
}

export function cat(tensors: Tensor[], dim = 0): Tensor {
  const ts = tensorList('tensors', tensors);
  return wrap(
    native.cat(
      ts.map((x) => x.handle),
      checkDim('dim', dim, ts[0]!.dim()),
    ),
  );
}
export const concat = cat;

export function stack(tensors: Tensor[], dim = 0): Tensor {
  const ts = tensorList('tensors', tensors);
  return wrap(
    native.stack(
      ts.map((x) => x.handle),
      checkDim('dim', dim, ts[0]!.dim(), 1),
    ),
  );
}

/**
 * [..., num_classes] int64 one-hot rows of int64 class indices; num_classes = -1 infers max + 1.
 * torch.one_hot and torch.nn.functional.one_hot are this one function.
 */
export function one_hot(tensor: Tensor, num_classes = -1): Tensor {
  const t = tensorArg('tensor', tensor);
  const n = checkInt('num_classes', num_classes, -1);
  if (t.dtype !== 'int64')
    throw new TypeError(`one_hot is only applicable to int64 index tensors but received a ${t.dtype} tensor; use .long()`);
  if (n > 0) checkAllocation('num_classes', t.numel() * n, 8, t.device);
  // As for class targets: on CUDA LibTorch leaves range errors to device asserts.
  if (t.device.startsWith('cuda') && t.numel() > 0) {
    const [lo, hi] = no_grad(() => tidy(() => [t.min().item(), t.max().item()]));
    if (lo! < 0) throw new RangeError('one_hot: class values must be non-negative');
    if (n !== -1 && hi! >= n)
      throw new RangeError(`one_hot: class values must be smaller than num_classes (${n}) but the largest is ${hi}`);
  }
  return wrap(native.one_hot(t.handle, n));
}

export function rsub(input: Tensor, other: number): Tensor {
  return wrap(native.rsub(tensorArg('input', input).handle, other));
}

export function outer(input: Tensor, vec2: Tensor): Tensor {
  return wrap(native.outer(tensorArg('input', input).handle, tensorArg('vec2', vec2).handle));
}

export function is_tensor(x: unknown): x is Tensor {
  return x instanceof Tensor;
}

export function numel(input: Tensor): number {
  return tensorArg('input', input).numel();
}

export function to(input: Tensor, dtype: DType): Tensor {
  return tensorArg('input', input).to(dtype);
}
