// nn.functional for pooling, batch norm, 1-D and transposed convolution, softplus and l1_loss:
// PyTorch's signatures and defaults (keyword arguments as an options object), checks that name the
// problem, LibTorch's math.
import { native } from '../native.js';
import { checkBool, checkInt, checkNumber, checkOptions, invalid, isInt } from '../torch/check.js';
import { isFloating } from '../torch/dtype.js';
import { Tensor, tensorArg, wrap } from '../torch/tensor.js';
import { toPair, type Pair } from './functional.js';
import { checkReduction, type Reduction } from './reduction.js';

const shapeStr = (s: number[]): string => `[${s.join(', ')}]`;

function optTensor(name: string, v: unknown): Tensor | null {
  return v === undefined || v === null ? null : tensorArg(name, v);
}

/** An int or a one-element array of ints, each >= min, as PyTorch's _single. */
export function toSingle(name: string, v: unknown, min: number): [number] {
  const p = isInt(v) ? v : Array.isArray(v) && v.length === 1 && isInt(v[0]) ? (v[0] as number) : null;
  if (p === null) throw invalid(name, 'an integer or a one-element array of integers', v);
  if (p < min) throw new RangeError(`Expected ${name} >= ${min} but received ${JSON.stringify(v)}`);
  return [p];
}

function checkRank(op: string, x: Tensor, ranks: number[], what: string): void {
  if (!ranks.includes(x.dim())) throw new RangeError(`${op}: expected ${what} but received input of shape ${shapeStr(x.shape)}`);
}

function checkFloat(op: string, x: Tensor): void {
  if (!isFloating(x.dtype)) throw new TypeError(`${op}: input must be floating point but is ${x.dtype}; convert it with .float()`);
}

function checkWeightMatch(op: string, x: Tensor, w: Tensor): void {
  if (x.dtype !== w.dtype)
    throw new TypeError(`${op}: input dtype ${x.dtype} does not match weight dtype ${w.dtype} (convert one with .to())`);
  if (x.device !== w.device) throw new TypeError(`${op}: input is on ${x.device} but weight is on ${w.device}`);
}

// ------------------------------------------------------------------ pooling

export interface MaxPoolOptions<P> {
  /** Default: kernel_size. */
  stride?: P | null;
  padding?: P;
  dilation?: P;
  ceil_mode?: boolean;
  /** Also return the flat (per-plane) argmax indices, as int64: the result is [output, indices]. */
  return_indices?: boolean;
}
/** Options that select the [output, indices] result. */
export type MaxPoolWithIndices<P> = MaxPoolOptions<P> & { return_indices: true };
export interface AvgPool2dOptions {
  stride?: Pair | null;
  padding?: Pair;
  ceil_mode?: boolean;
  count_include_pad?: boolean;
  divisor_override?: number | null;
}
const MAXPOOL_KEYS = ['stride', 'padding', 'dilation', 'ceil_mode', 'return_indices'];
const AVGPOOL_KEYS = ['stride', 'padding', 'ceil_mode', 'count_include_pad', 'divisor_override'];

function checkPoolPadding(op: string, kernel: number[], padding: number[], dilation: number[] = kernel.map(() => 1)): void {
  kernel.forEach((k, i) => {
    if (padding[i]! > Math.floor((dilation[i]! * (k - 1) + 1) / 2)) {
      throw new RangeError(
        `${op}: pad should be at most half of effective kernel size, but got pad=${padding[i]}, kernel_size=${k} and dilation=${dilation[i]}`,
      );
    }
  });
}

/** Max over windows of the last dim of [N, C, L] (or [C, L]); with return_indices, [output, indices]. */
export function max_pool1d(input: Tensor, kernel_size: number | [number], opts: MaxPoolWithIndices<number | [number]>): [Tensor, Tensor];
export function max_pool1d(
  input: Tensor,
  kernel_size: number | [number],
  opts?: MaxPoolOptions<number | [number]> & { return_indices?: false },
): Tensor;
export function max_pool1d(
  input: Tensor,
  kernel_size: number | [number],
  opts?: MaxPoolOptions<number | [number]>,
): Tensor | [Tensor, Tensor];
export function max_pool1d(
  input: Tensor,
  kernel_size: number | [number],
  opts?: MaxPoolOptions<number | [number]>,
): Tensor | [Tensor, Tensor] {
  const x = tensorArg('input', input);
  const o = checkOptions<MaxPoolOptions<number | [number]>>('max_pool1d options', opts, MAXPOOL_KEYS);
  const k = toSingle('kernel_size', kernel_size, 1);
  const s = o.stride == null ? k : toSingle('stride', o.stride, 1);
  const p = toSingle('padding', o.padding ?? 0, 0);
  const d = toSingle('dilation', o.dilation ?? 1, 1);
  checkRank('max_pool1d', x, [2, 3], 'a 2-D [C, L] or 3-D [N, C, L] input');
  checkPoolPadding('max_pool1d', k, p, d);
  const ceil = checkBool('ceil_mode', o.ceil_mode ?? false);
  const withIndices = checkBool('return_indices', o.return_indices ?? false);
  // A window longer than the padded input leaves no output step; LibTorch still takes time in
  // proportion to kernel_size (seconds for 1e9), so the empty result is made here.
  const span = x.shape[x.dim() - 1]! + 2 * p[0]! - d[0]! * (k[0]! - 1) - 1;
  if (!ceil && span < 0 && Math.floor(span / s[0]!) + 1 === 0) {
    const empty = x.narrow(-1, 0, 0);
    return withIndices ? [empty, empty.long()] : empty;
  }
  if (withIndices) {
    const [out, idx] = native.max_pool1d_with_indices(x.handle, k, s, p, d, ceil);
    return [wrap(out), wrap(idx)];
  }
  return wrap(native.max_pool1d(x.handle, k, s, p, d, ceil));
}

/** Max over kH x kW windows of [N, C, H, W] (or [C, H, W]); with return_indices, [output, indices]. */
export function max_pool2d(input: Tensor, kernel_size: Pair, opts: MaxPoolWithIndices<Pair>): [Tensor, Tensor];
export function max_pool2d(input: Tensor, kernel_size: Pair, opts?: MaxPoolOptions<Pair> & { return_indices?: false }): Tensor;
export function max_pool2d(input: Tensor, kernel_size: Pair, opts?: MaxPoolOptions<Pair>): Tensor | [Tensor, Tensor];
export function max_pool2d(input: Tensor, kernel_size: Pair, opts?: MaxPoolOptions<Pair>): Tensor | [Tensor, Tensor] {
  const x = tensorArg('input', input);
  const o = checkOptions<MaxPoolOptions<Pair>>('max_pool2d options', opts, MAXPOOL_KEYS);
  const k = toPair('kernel_size', kernel_size, 1);
  const s = o.stride == null ? k : toPair('stride', o.stride, 1);
  const p = toPair('padding', o.padding ?? 0, 0);
  const d = toPair('dilation', o.dilation ?? 1, 1);
  checkRank('max_pool2d', x, [3, 4], 'a 3-D [C, H, W] or 4-D [N, C, H, W] input');
  checkPoolPadding('max_pool2d', k, p, d);
  const ceil = checkBool('ceil_mode', o.ceil_mode ?? false);
  if (checkBool('return_indices', o.return_indices ?? false)) {
    const [out, idx] = native.max_pool2d_with_indices(x.handle, k, s, p, d, ceil);
    return [wrap(out), wrap(idx)];
  }
  return wrap(native.max_pool2d(x.handle, k, s, p, d, ceil));
}

/** Mean over kH x kW windows of [N, C, H, W] (or [C, H, W]). */
export function avg_pool2d(input: Tensor, kernel_size: Pair, opts?: AvgPool2dOptions): Tensor {
  const x = tensorArg('input', input);
  const o = checkOptions<AvgPool2dOptions>('avg_pool2d options', opts, AVGPOOL_KEYS);
  const k = toPair('kernel_size', kernel_size, 1);
  const s = o.stride == null ? k : toPair('stride', o.stride, 1);
  const p = toPair('padding', o.padding ?? 0, 0);
  const div = o.divisor_override == null ? null : checkInt('divisor_override', o.divisor_override, 1);
  checkRank('avg_pool2d', x, [3, 4], 'a 3-D [C, H, W] or 4-D [N, C, H, W] input');
  checkPoolPadding('avg_pool2d', k, p);
  return wrap(
    native.avg_pool2d_ex(
      x.handle,
      k,
      s,
      p,
      checkBool('ceil_mode', o.ceil_mode ?? false),
      checkBool('count_include_pad', o.count_include_pad ?? true),
      div,
    ),
  );
}

// ------------------------------------------------------------------ convolution

export type Conv1dPadding = number | [number] | 'same' | 'valid';
export interface Conv1dOptions {
  stride?: number | [number];
  padding?: Conv1dPadding;
  dilation?: number | [number];
  groups?: number;
}
export interface ResolvedConv1d {
  stride: [number];
  padding: [number] | 'same' | 'valid';
  dilation: [number];
  groups: number;
}
export function resolveConv1dOptions(opts: Conv1dOptions | undefined, name = 'conv1d options'): ResolvedConv1d {
  const o = checkOptions<Conv1dOptions>(name, opts, ['stride', 'padding', 'dilation', 'groups']);
  const stride = toSingle('stride', o.stride ?? 1, 1);
  const padding = o.padding === 'same' || o.padding === 'valid' ? o.padding : toSingle('padding', o.padding ?? 0, 0);
  const dilation = toSingle('dilation', o.dilation ?? 1, 1);
  const groups = checkInt('groups', o.groups ?? 1, 1);
  if (padding === 'same' && stride[0] !== 1) throw new RangeError("padding='same' is not supported for strided convolutions");
  return { stride, padding, dilation, groups };
}

/** 1-D convolution over [N, C, L] (or [C, L]); weight [out, C/groups, k]. */
export function conv1d(input: Tensor, weight: Tensor, bias?: Tensor | null, opts?: Conv1dOptions): Tensor {
  const x = tensorArg('input', input);
  const w = tensorArg('weight', weight);
  const b = optTensor('bias', bias);
  const o = resolveConv1dOptions(opts);
  if (w.dim() !== 3)
    throw new RangeError(`conv1d: weight must have 3 dims [out_channels, in_channels/groups, kW] but has shape ${shapeStr(w.shape)}`);
  checkRank('conv1d', x, [2, 3], 'a 2-D (unbatched) or 3-D (batched) input [N, C, L]');
  const [outC, inPerGroup, k] = w.shape as [number, number, number];
  const c = x.shape[x.dim() - 2]!;
  if (c !== inPerGroup * o.groups)
    throw new RangeError(
      `conv1d: expected input with ${inPerGroup * o.groups} channels (weight ${shapeStr(w.shape)}, groups=${o.groups}) but received input of shape ${shapeStr(x.shape)}`,
    );
  if (outC % o.groups !== 0) throw new RangeError(`conv1d: out_channels (${outC}) must be divisible by groups (${o.groups})`);
  if (b && (b.dim() !== 1 || b.shape[0] !== outC))
    throw new RangeError(`conv1d: bias must have shape [${outC}] but has shape ${shapeStr(b.shape)}`);
  const pad = Array.isArray(o.padding) ? o.padding[0] : 0;
  const eff = o.dilation[0] * (k - 1) + 1;
  if (o.padding !== 'same' && x.shape[x.dim() - 1]! + 2 * pad < eff) {
    throw new RangeError(
      `conv1d: the (padded) input has length ${x.shape[x.dim() - 1]! + 2 * pad} but the (dilated) kernel is ${eff}; the kernel can't be larger than the input`,
    );
  }
  checkWeightMatch('conv1d', x, w);
  return wrap(native.conv1d(x.handle, w.handle, b ? b.handle : null, o.stride, o.padding, o.dilation, o.groups));
}

export interface ConvTranspose2dOptions {
  stride?: Pair;
  padding?: Pair;
  output_padding?: Pair;
  groups?: number;
  dilation?: Pair;
}
export interface ResolvedConvTranspose2d {
  stride: [number, number];
  padding: [number, number];
  output_padding: [number, number];
  groups: number;
  dilation: [number, number];
}
export function resolveConvTranspose2dOptions(
  opts: ConvTranspose2dOptions | undefined,
  name = 'conv_transpose2d options',
): ResolvedConvTranspose2d {
  const o = checkOptions<ConvTranspose2dOptions>(name, opts, ['stride', 'padding', 'output_padding', 'groups', 'dilation']);
  const r: ResolvedConvTranspose2d = {
    stride: toPair('stride', o.stride ?? 1, 1),
    padding: toPair('padding', o.padding ?? 0, 0),
    output_padding: toPair('output_padding', o.output_padding ?? 0, 0),
    groups: checkInt('groups', o.groups ?? 1, 1),
    dilation: toPair('dilation', o.dilation ?? 1, 1),
  };
  for (const i of [0, 1]) {
    if (r.output_padding[i]! >= r.stride[i]! && r.output_padding[i]! >= r.dilation[i]!) {
      throw new RangeError(
        `output_padding (${r.output_padding.join(', ')}) must be smaller than either stride (${r.stride.join(', ')}) or dilation (${r.dilation.join(', ')})`,
      );
    }
  }
  return r;
}

/** Transposed 2-D convolution over [N, C, H, W] (or [C, H, W]); weight [C, out/groups, kH, kW]. */
export function conv_transpose2d(input: Tensor, weight: Tensor, bias?: Tensor | null, opts?: ConvTranspose2dOptions): Tensor {
  const x = tensorArg('input', input);
  const w = tensorArg('weight', weight);
  const b = optTensor('bias', bias);
  const o = resolveConvTranspose2dOptions(opts);
  if (w.dim() !== 4)
    throw new RangeError(
      `conv_transpose2d: weight must have 4 dims [in_channels, out_channels/groups, kH, kW] but has shape ${shapeStr(w.shape)}`,
    );
  checkRank('conv_transpose2d', x, [3, 4], 'a 3-D (unbatched) or 4-D (batched) input [N, C, H, W]');
  const c = x.shape[x.dim() - 3]!;
  if (c !== w.shape[0])
    throw new RangeError(
      `conv_transpose2d: expected input with ${w.shape[0]} channels (weight ${shapeStr(w.shape)}) but received input of shape ${shapeStr(x.shape)}`,
    );
  if (c % o.groups !== 0) throw new RangeError(`conv_transpose2d: in_channels (${c}) must be divisible by groups (${o.groups})`);
  const outC = w.shape[1]! * o.groups;
  if (b && (b.dim() !== 1 || b.shape[0] !== outC))
    throw new RangeError(`conv_transpose2d: bias must have shape [${outC}] but has shape ${shapeStr(b.shape)}`);
  checkWeightMatch('conv_transpose2d', x, w);
  return wrap(
    native.conv_transpose2d(x.handle, w.handle, b ? b.handle : null, o.stride, o.padding, o.output_padding, o.groups, o.dilation),
  );
}

// ------------------------------------------------------------------ normalisation

export interface BatchNormOptions {
  running_mean?: Tensor | null;
  running_var?: Tensor | null;
  weight?: Tensor | null;
  bias?: Tensor | null;
  training?: boolean;
  momentum?: number;
  eps?: number;
}

/**
 * Normalises each channel (dim 1) of [N, C, ...] by the batch's statistics when training (and
 * updates running_mean / running_var in place by momentum), else by the running statistics.
 */
export function batch_norm(
  input: Tensor,
  running_mean: Tensor | null,
  running_var: Tensor | null,
  opts?: Omit<BatchNormOptions, 'running_mean' | 'running_var'>,
): Tensor {
  const x = tensorArg('input', input);
  const o = checkOptions<BatchNormOptions>('batch_norm options', opts, ['weight', 'bias', 'training', 'momentum', 'eps']);
  const rm = optTensor('running_mean', running_mean);
  const rv = optTensor('running_var', running_var);
  const w = optTensor('weight', o.weight);
  const b = optTensor('bias', o.bias);
  const training = checkBool('training', o.training ?? false);
  const momentum = checkNumber('momentum', o.momentum ?? 0.1);
  const eps = checkNumber('eps', o.eps ?? 1e-5);
  checkFloat('batch_norm', x);
  if (x.dim() < 2)
    throw new RangeError(`batch_norm: expected an input with a channel dim [N, C, ...] but received input of shape ${shapeStr(x.shape)}`);
  const c = x.shape[1]!;
  for (const [name, t] of [
    ['running_mean', rm],
    ['running_var', rv],
    ['weight', w],
    ['bias', b],
  ] as const) {
    if (t && (t.dim() !== 1 || t.shape[0] !== c))
      throw new RangeError(`batch_norm: ${name} must have shape [${c}] (one per channel) but has shape ${shapeStr(t.shape)}`);
  }
  if (!training && (!rm || !rv)) throw new RangeError('batch_norm: running_mean and running_var are required when training is false');
  if (training) {
    const perChannel = x.numel() / Math.max(c, 1);
    if (perChannel <= 1) throw new RangeError(`Expected more than 1 value per channel when training, got input size ${shapeStr(x.shape)}`);
  }
  return wrap(native.batch_norm(x.handle, w?.handle, b?.handle, rm?.handle, rv?.handle, training, momentum, eps));
}

// ------------------------------------------------------------------ activations and losses

/** log(1 + exp(beta·x)) / beta, linear above threshold (beta·x > threshold). */
export function softplus(input: Tensor, beta = 1, threshold = 20): Tensor {
  const x = tensorArg('input', input);
  checkFloat('softplus', x);
  return wrap(native.softplus(x.handle, checkNumber('beta', beta), checkNumber('threshold', threshold)));
}

/** Mean absolute error. */
export function l1_loss(input: Tensor, target: Tensor, opts?: { reduction?: Reduction }): Tensor {
  const x = tensorArg('input', input);
  const y = tensorArg('target', target);
  const o = checkOptions<{ reduction?: Reduction }>('l1_loss options', opts, ['reduction']);
  const reduction = checkReduction(o.reduction);
  const same = x.shape.length === y.shape.length && x.shape.every((s, i) => s === y.shape[i]);
  if (!same) {
    process.emitWarning(
      `Using a target size (${shapeStr(y.shape)}) that is different to the input size (${shapeStr(x.shape)}). This will likely lead to incorrect results due to broadcasting. Please ensure they have the same size.`,
      { code: 'SNNTORCH_L1_BROADCAST' },
    );
  }
  return wrap(native.l1_loss(x.handle, y.handle, reduction));
}
