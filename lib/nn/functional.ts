// nn.functional: PyTorch's signatures (keyword arguments as an options object), with shape and
// option checks that name the problem; the math is LibTorch's.
import { native } from '../native.js';
import { checkBool, checkInt, checkNumber, checkOptions, invalid, isInt } from '../torch/check.js';
import { isFloating, type DType } from '../torch/dtype.js';
import { no_grad } from '../torch/autograd.js';
import { tidy } from '../torch/memory.js';
import { Tensor, tensorArg, wrap } from '../torch/tensor.js';
import { checkReduction, type Reduction } from './reduction.js';

export type { Reduction };
const shapeStr = (s: number[]): string => `[${s.join(', ')}]`;
const sameShape = (a: number[], b: number[]): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

function optTensor(name: string, v: unknown): Tensor | null {
  if (v === undefined || v === null) return null;
  return tensorArg(name, v);
}

// ------------------------------------------------------------------ linear / conv

/** y = x Wᵀ + b, over the last dim of x. */
export function linear(input: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  const x = tensorArg('input', input);
  const w = tensorArg('weight', weight);
  const b = optTensor('bias', bias);
  if (w.dim() !== 1 && w.dim() !== 2) throw new RangeError(`linear: weight must have 1 or 2 dims but has shape ${shapeStr(w.shape)}`);
  const inFeatures = w.shape[w.dim() - 1]!;
  const xs = x.shape;
  if (xs.length === 0 || xs[xs.length - 1] !== inFeatures) {
    throw new RangeError(
      `linear: expected input with last dim ${inFeatures} (weight ${shapeStr(w.shape)}) but received input of shape ${shapeStr(xs)}`,
    );
  }
  if (b && w.dim() === 2 && b.numel() !== w.shape[0]) {
    throw new RangeError(
      `linear: bias of shape ${shapeStr(b.shape)} does not match weight ${shapeStr(w.shape)} (expected [${w.shape[0]}])`,
    );
  }
  checkSameDtype('linear', x, w);
  return wrap(native.linear(x.handle, w.handle, b ? b.handle : null));
}

export type Pair = number | [number, number];
export type Conv2dPadding = Pair | 'same' | 'valid';
export interface Conv2dOptions {
  stride?: Pair;
  padding?: Conv2dPadding;
  dilation?: Pair;
  groups?: number;
}

/** An int or a pair of ints, each >= min, as PyTorch's _pair. */
export function toPair(name: string, v: unknown, min: number): [number, number] {
  const p = isInt(v) ? [v, v] : Array.isArray(v) && v.length === 2 && v.every(isInt) ? (v as [number, number]) : null;
  if (!p) throw invalid(name, 'an integer or a pair of integers', v);
  if (p[0]! < min || p[1]! < min) throw new RangeError(`Expected ${name} >= ${min} but received ${JSON.stringify(v)}`);
  return [p[0]!, p[1]!];
}

export interface ResolvedConv2d {
  stride: [number, number];
  padding: [number, number] | 'same' | 'valid';
  dilation: [number, number];
  groups: number;
}

export function resolveConv2dOptions(opts: Conv2dOptions | undefined, name = 'conv2d options'): ResolvedConv2d {
  const o = checkOptions<Conv2dOptions>(name, opts, ['stride', 'padding', 'dilation', 'groups']);
  const stride = toPair('stride', o.stride ?? 1, 1);
  const padding = o.padding === 'same' || o.padding === 'valid' ? o.padding : toPair('padding', o.padding ?? 0, 0);
  const dilation = toPair('dilation', o.dilation ?? 1, 1);
  const groups = checkInt('groups', o.groups ?? 1, 1);
  if (padding === 'same' && (stride[0] !== 1 || stride[1] !== 1)) {
    throw new RangeError("padding='same' is not supported for strided convolutions");
  }
  return { stride, padding, dilation, groups };
}

/** 2-D convolution over [N, C, H, W] (or unbatched [C, H, W]); weight [out, C/groups, kH, kW]. */
export function conv2d(input: Tensor, weight: Tensor, bias?: Tensor | null, opts?: Conv2dOptions): Tensor {
  const x = tensorArg('input', input);
  const w = tensorArg('weight', weight);
  const b = optTensor('bias', bias);
  const o = resolveConv2dOptions(opts);
  checkConv2dShapes(x, w, b, o);
  checkSameDtype('conv2d', x, w);
  return wrap(native.conv2d(x.handle, w.handle, b ? b.handle : null, o.stride, o.padding, o.dilation, o.groups));
}

function checkConv2dShapes(x: Tensor, w: Tensor, b: Tensor | null, o: ResolvedConv2d): void {
  const ws = w.shape;
  if (ws.length !== 4)
    throw new RangeError(`conv2d: weight must have 4 dims [out_channels, in_channels/groups, kH, kW] but has shape ${shapeStr(ws)}`);
  const xs = x.shape;
  if (xs.length !== 3 && xs.length !== 4) {
    throw new RangeError(
      `conv2d: expected a 3-D (unbatched) or 4-D (batched) input [N, C, H, W] but received input of shape ${shapeStr(xs)}`,
    );
  }
  const [outC, inPerGroup, kH, kW] = ws as [number, number, number, number];
  const c = xs[xs.length - 3]!;
  if (outC % o.groups !== 0) throw new RangeError(`conv2d: out_channels (${outC}) must be divisible by groups (${o.groups})`);
  if (c !== inPerGroup * o.groups) {
    throw new RangeError(
      `conv2d: expected input with ${inPerGroup * o.groups} channels (weight ${shapeStr(ws)}, groups=${o.groups}) but received input of shape ${shapeStr(xs)}`,
    );
  }
  if (b && (b.dim() !== 1 || b.shape[0] !== outC))
    throw new RangeError(`conv2d: bias must have shape [${outC}] but has shape ${shapeStr(b.shape)}`);
  const pad = Array.isArray(o.padding) ? o.padding : [0, 0];
  const h = xs[xs.length - 2]! + 2 * pad[0]!;
  const wd = xs[xs.length - 1]! + 2 * pad[1]!;
  const effH = o.dilation[0] * (kH - 1) + 1;
  const effW = o.dilation[1] * (kW - 1) + 1;
  if (o.padding !== 'same' && (h < effH || wd < effW)) {
    throw new RangeError(
      `conv2d: the (padded) input is ${h}x${wd} but the (dilated) kernel is ${effH}x${effW}; the kernel can't be larger than the input`,
    );
  }
}

function checkSameDtype(op: string, x: Tensor, w: Tensor): void {
  if (x.dtype !== w.dtype)
    throw new TypeError(`${op}: input dtype ${x.dtype} does not match weight dtype ${w.dtype} (convert one with .to())`);
  if (x.device !== w.device) throw new TypeError(`${op}: input is on ${x.device} but weight is on ${w.device}`);
}

// ------------------------------------------------------------------ activations

export function relu(input: Tensor, opts?: { inplace?: boolean }): Tensor {
  const x = tensorArg('input', input);
  const o = checkOptions<{ inplace?: boolean }>('relu options', opts, ['inplace']);
  if (o.inplace !== undefined && checkBool('inplace', o.inplace)) return x.clamp_(0, null);
  return x.relu();
}

export function softmax(input: Tensor, dim: number, opts?: { dtype?: DType }): Tensor {
  const x = tensorArg('input', input);
  const o = checkOptions<{ dtype?: DType }>('softmax options', opts, ['dtype']);
  return x.softmax(dim, o.dtype === undefined ? undefined : { dtype: o.dtype });
}

export function log_softmax(input: Tensor, dim: number, opts?: { dtype?: DType }): Tensor {
  const x = tensorArg('input', input);
  const o = checkOptions<{ dtype?: DType }>('log_softmax options', opts, ['dtype']);
  return x.log_softmax(dim, o.dtype === undefined ? undefined : { dtype: o.dtype });
}

export interface DropoutOptions {
  p?: number;
  training?: boolean;
  inplace?: boolean;
}

/** Zeroes each element with probability p and scales the rest by 1/(1-p); identity when not training. */
export function dropout(input: Tensor, p: number | DropoutOptions = 0.5, training = true, inplace = false): Tensor {
  const x = tensorArg('input', input);
  let o: DropoutOptions = { p: p as number, training, inplace };
  if (typeof p === 'object' && p !== null)
    o = { training, inplace, ...checkOptions<DropoutOptions>('dropout options', p, ['p', 'training', 'inplace']) };
  const prob = checkNumber('p', o.p ?? 0.5);
  if (prob < 0 || prob > 1) throw new RangeError(`dropout probability has to be between 0 and 1, but got ${prob}`);
  const out = wrap(native.dropout(x.handle, prob, checkBool('training', o.training ?? true)));
  if (!checkBool('inplace', o.inplace ?? false)) return out;
  x.copy_(out);
  out.dispose();
  return x;
}

// ------------------------------------------------------------------ losses

/** Mean squared error. Differing shapes broadcast (with a warning, as in PyTorch). */
export function mse_loss(input: Tensor, target: Tensor, opts?: { reduction?: Reduction }): Tensor {
  const x = tensorArg('input', input);
  const y = tensorArg('target', target);
  const o = checkOptions<{ reduction?: Reduction }>('mse_loss options', opts, ['reduction']);
  const reduction = checkReduction(o.reduction);
  if (!sameShape(x.shape, y.shape)) {
    process.emitWarning(
      `Using a target size (${shapeStr(y.shape)}) that is different to the input size (${shapeStr(x.shape)}). This will likely lead to incorrect results due to broadcasting. Please ensure they have the same size.`,
      { code: 'SNNTORCH_MSE_BROADCAST' },
    );
  }
  return wrap(native.mse_loss(x.handle, y.handle, reduction));
}

export interface NllLossOptions {
  weight?: Tensor | null;
  ignore_index?: number;
  reduction?: Reduction;
}
export interface CrossEntropyOptions extends NllLossOptions {
  label_smoothing?: number;
}

/** Class-index targets: int64, shape = input's without the class dim; ids in [0, C) or ignore_index. */
function checkClassTarget(op: string, x: Tensor, y: Tensor, ignoreIndex: number): void {
  if (y.dtype !== 'int64') {
    throw new TypeError(
      `${op}: expected a target of int64 class indices (or float probabilities shaped like input) but received a ${y.dtype} target; use target.long()`,
    );
  }
  const xs = x.shape;
  const expected = xs.length === 1 ? [] : [xs[0]!, ...xs.slice(2)];
  if (!sameShape(y.shape, expected)) {
    throw new RangeError(
      `${op}: expected target of shape ${shapeStr(expected)} for input of shape ${shapeStr(xs)} but received target of shape ${shapeStr(y.shape)}`,
    );
  }
  // On CUDA an out-of-range index is a device-side assert that poisons the context, so check here
  // (on CPU LibTorch raises a catchable error itself).
  if (y.device.startsWith('cuda') && y.numel() > 0) {
    const c = xs.length === 1 ? xs[0]! : xs[1]!;
    const bad = no_grad(() =>
      tidy(() =>
        y
          .ne(ignoreIndex)
          .logical_and(y.lt(0).logical_or(y.ge(c)))
          .any()
          .item(),
      ),
    );
    if (bad) throw new RangeError(`${op}: target has class indices outside [0, ${c - 1}] (and not ignore_index=${ignoreIndex})`);
  }
}

function checkLossInput(op: string, x: Tensor): void {
  if (x.dim() < 1) throw new RangeError(`${op}: input must have a class dim but is a scalar`);
  if (!isFloating(x.dtype)) throw new TypeError(`${op}: input must be floating point but is ${x.dtype}`);
}

function checkClassWeight(op: string, x: Tensor, w: Tensor | null): void {
  if (!w) return;
  const c = x.dim() === 1 ? x.shape[0]! : x.shape[1]!;
  if (w.dim() !== 1 || w.shape[0] !== c)
    throw new RangeError(`${op}: weight must have shape [${c}] (one per class) but has shape ${shapeStr(w.shape)}`);
}

/** Cross entropy over logits [N, C] (or [C], or [N, C, d1, ...]) with class-index or probability targets. */
export function cross_entropy(input: Tensor, target: Tensor, opts?: CrossEntropyOptions): Tensor {
  const x = tensorArg('input', input);
  const y = tensorArg('target', target);
  const o = checkOptions<CrossEntropyOptions>('cross_entropy options', opts, ['weight', 'ignore_index', 'reduction', 'label_smoothing']);
  const weight = optTensor('weight', o.weight);
  const ignoreIndex = checkInt('ignore_index', o.ignore_index ?? -100);
  const reduction = checkReduction(o.reduction);
  const smoothing = checkNumber('label_smoothing', o.label_smoothing ?? 0);
  if (smoothing < 0 || smoothing > 1) throw new RangeError(`label_smoothing must be between 0.0 and 1.0 but received ${smoothing}`);
  checkLossInput('cross_entropy', x);
  checkClassWeight('cross_entropy', x, weight);
  if (isFloating(y.dtype)) {
    if (!sameShape(x.shape, y.shape)) {
      throw new RangeError(
        `cross_entropy: a probability target must have the input's shape ${shapeStr(x.shape)} but has shape ${shapeStr(y.shape)}`,
      );
    }
  } else {
    checkClassTarget('cross_entropy', x, y, ignoreIndex);
  }
  return wrap(native.cross_entropy(x.handle, y.handle, weight ? weight.handle : null, reduction, ignoreIndex, smoothing));
}

/** Negative log likelihood over log-probabilities [N, C] (or [C], or [N, C, d1, ...]). */
export function nll_loss(input: Tensor, target: Tensor, opts?: NllLossOptions): Tensor {
  const x = tensorArg('input', input);
  const y = tensorArg('target', target);
  const o = checkOptions<NllLossOptions>('nll_loss options', opts, ['weight', 'ignore_index', 'reduction']);
  const weight = optTensor('weight', o.weight);
  const ignoreIndex = checkInt('ignore_index', o.ignore_index ?? -100);
  const reduction = checkReduction(o.reduction);
  checkLossInput('nll_loss', x);
  checkClassWeight('nll_loss', x, weight);
  checkClassTarget('nll_loss', x, y, ignoreIndex);
  return wrap(native.nll_loss(x.handle, y.handle, weight ? weight.handle : null, reduction, ignoreIndex));
}

// ------------------------------------------------------------------ encoding

export { one_hot } from '../torch/functions.js';
export * from './functional_layers.js';
export * from './functional_unpool.js';
