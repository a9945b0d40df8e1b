// nn.init: PyTorch's initialisers, filled in place by torch::nn::init (same RNG stream as LibTorch
// and PyTorch on CPU). Each returns the tensor it was given.
import { native, type InitNonlinearity } from '../native.js';
import { checkNumber, checkOptions, checkString, invalid } from '../torch/check.js';
import { isFloating } from '../torch/dtype.js';
import { Tensor, tensorArg } from '../torch/tensor.js';

export type Nonlinearity = InitNonlinearity;
export type FanMode = 'fan_in' | 'fan_out';
const NONLINEARITIES: readonly Nonlinearity[] = [
  'linear',
  'conv1d',
  'conv2d',
  'conv3d',
  'conv_transpose1d',
  'conv_transpose2d',
  'conv_transpose3d',
  'sigmoid',
  'tanh',
  'relu',
  'leaky_relu',
];
const MODES: readonly FanMode[] = ['fan_in', 'fan_out'];

function floatTensor(name: string, t: unknown): Tensor {
  const x = tensorArg(name, t);
  if (!isFloating(x.dtype)) throw invalid(name, 'a floating point Tensor', `${x.dtype} Tensor`);
  return x;
}

/** Fills with U(a, b). */
export function uniform_(tensor: Tensor, a = 0, b = 1): Tensor {
  const t = floatTensor('tensor', tensor);
  const lo = checkNumber('a', a, { finite: true });
  const hi = checkNumber('b', b, { finite: true });
  if (lo > hi) throw new RangeError(`uniform_: expected a <= b but received a=${lo}, b=${hi}`);
  native.init_uniform_(t.handle, lo, hi);
  return t;
}

/** Fills with N(mean, std²). */
export function normal_(tensor: Tensor, mean = 0, std = 1): Tensor {
  const t = floatTensor('tensor', tensor);
  const s = checkNumber('std', std, { finite: true });
  if (s < 0) throw new RangeError(`normal_: expected std >= 0 but received ${s}`);
  native.init_normal_(t.handle, checkNumber('mean', mean, { finite: true }), s);
  return t;
}

export function constant_(tensor: Tensor, val: number): Tensor {
  const t = tensorArg('tensor', tensor);
  native.init_constant_(t.handle, checkNumber('val', val));
  return t;
}
export function zeros_(tensor: Tensor): Tensor {
  const t = tensorArg('tensor', tensor);
  native.init_zeros_(t.handle);
  return t;
}
export function ones_(tensor: Tensor): Tensor {
  const t = tensorArg('tensor', tensor);
  native.init_ones_(t.handle);
  return t;
}

/** The recommended gain for a nonlinearity (param: leaky_relu's negative slope, default 0.01). */
export function calculate_gain(nonlinearity: Nonlinearity, param?: number | null): number {
  const nl = checkString('nonlinearity', nonlinearity, NONLINEARITIES);
  return native.init_calculate_gain(nl, param == null ? 0.01 : checkNumber('param', param, { finite: true }));
}

/** [fan_in, fan_out] as PyTorch computes them (a tensor with at least 2 dims). */
export function _calculate_fan_in_and_fan_out(tensor: Tensor): [number, number] {
  const t = tensorArg('tensor', tensor);
  if (t.dim() < 2)
    throw new RangeError(`Fan in and fan out can not be computed for tensor with fewer than 2 dimensions (shape [${t.shape.join(', ')}])`);
  if (t.numel() === 0) {
    // LibTorch indexes tensor[0][0] for the receptive field; an empty tensor has none.
    const s = t.shape;
    const rf = s.slice(2).reduce((x, y) => x * y, 1);
    return [s[1]! * rf, s[0]! * rf];
  }
  return native.init_fan_in_and_fan_out(t.handle);
}

export interface KaimingOptions {
  a?: number;
  mode?: FanMode;
  nonlinearity?: Nonlinearity;
}

function kaimingArgs(
  tensor: Tensor,
  a: number | KaimingOptions,
  mode: FanMode,
  nonlinearity: Nonlinearity,
): [Tensor, number, FanMode, Nonlinearity] | null {
  const t = floatTensor('tensor', tensor);
  let o: KaimingOptions = { a: a as number, mode, nonlinearity };
  if (typeof a === 'object' && a !== null)
    o = { mode, nonlinearity, ...checkOptions<KaimingOptions>('kaiming options', a, ['a', 'mode', 'nonlinearity']) };
  const slope = checkNumber('a', o.a ?? 0, { finite: true });
  const m = checkString('mode', o.mode ?? 'fan_in', MODES);
  const nl = checkString('nonlinearity', o.nonlinearity ?? 'leaky_relu', NONLINEARITIES);
  _calculate_fan_in_and_fan_out(t); // the shape check, with our message
  if (t.numel() === 0) return null; // PyTorch: initialising a zero-element tensor is a no-op
  return [t, slope, m, nl];
}

/** He (Kaiming) uniform: U(-b, b) with b = gain(nonlinearity, a) * sqrt(3 / fan). Positional like PyTorch, or {a, mode, nonlinearity}. */
export function kaiming_uniform_(
  tensor: Tensor,
  a: number | KaimingOptions = 0,
  mode: FanMode = 'fan_in',
  nonlinearity: Nonlinearity = 'leaky_relu',
): Tensor {
  const args = kaimingArgs(tensor, a, mode, nonlinearity);
  if (args) native.init_kaiming_uniform_(args[0].handle, args[1], args[2], args[3]);
  return tensor;
}

/** He (Kaiming) normal: N(0, std²) with std = gain(nonlinearity, a) / sqrt(fan). */
export function kaiming_normal_(
  tensor: Tensor,
  a: number | KaimingOptions = 0,
  mode: FanMode = 'fan_in',
  nonlinearity: Nonlinearity = 'leaky_relu',
): Tensor {
  const args = kaimingArgs(tensor, a, mode, nonlinearity);
  if (args) native.init_kaiming_normal_(args[0].handle, args[1], args[2], args[3]);
  return tensor;
}

function xavierArgs(tensor: Tensor, gain: number): Tensor | null {
  const t = floatTensor('tensor', tensor);
  checkNumber('gain', gain, { finite: true });
  _calculate_fan_in_and_fan_out(t);
  return t.numel() === 0 ? null : t;
}

/** Glorot (Xavier) uniform: U(-b, b) with b = gain * sqrt(6 / (fan_in + fan_out)). */
export function xavier_uniform_(tensor: Tensor, gain = 1): Tensor {
  const t = xavierArgs(tensor, gain);
  if (t) native.init_xavier_uniform_(t.handle, gain);
  return tensor;
}

/** Glorot (Xavier) normal: N(0, std²) with std = gain * sqrt(2 / (fan_in + fan_out)). */
export function xavier_normal_(tensor: Tensor, gain = 1): Tensor {
  const t = xavierArgs(tensor, gain);
  if (t) native.init_xavier_normal_(t.handle, gain);
  return tensor;
}
