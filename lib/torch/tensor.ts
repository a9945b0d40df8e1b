// Tensor: a typed handle over one native at::Tensor, with PyTorch's method names. Arguments are
// checked here (names, ranges, types); the math happens in LibTorch.
import { native, type NativeTensor, type Operand, type ExportedArray } from '../native.js';
import {
  checkAllocation,
  checkBool,
  checkDim,
  checkDims,
  checkInt,
  checkNumber,
  checkOptions,
  checkShape,
  invalid,
  isInt,
} from './check.js';
import { checkDtype, elementSize, isFloating, type DType, type Device, type DeviceLike } from './dtype.js';
import { parseToTarget, type ToOptions } from './to_args.js';
import { getHeapStatistics } from 'node:v8';
import { track, type Disposable } from './memory.js';
import { formatTensor } from './format.js';

export type Scalar = number | boolean;
export type TensorOrScalar = Tensor | Scalar;
/** One index of Tensor.index(): a number selects, null keeps a dim, [start, end, step] slices, a Tensor gathers. */
export type IndexSpec = number | null | [number | null | undefined, (number | null)?, number?] | Tensor;

export interface GradFn {
  name(): string;
}

export class Tensor implements Disposable {
  #h: NativeTensor | null;

  /** Wraps a native handle (internal: build tensors with torch.tensor, torch.zeros, ...). */
  constructor(handle: NativeTensor) {
    if (!(handle instanceof native.TensorHandle)) throw invalid('handle', 'a native tensor handle', handle);
    this.#h = handle;
    track(this);
  }

  /**
   * True only for objects built by this class (a private-field brand check): a Proxy of a Tensor or
   * an object made with Object.create(Tensor.prototype) is not a Tensor, so `instanceof Tensor`
   * rejects them and every argument check names the argument instead of failing deep inside.
   */
  static [Symbol.hasInstance](v: unknown): boolean {
    return v !== null && typeof v === 'object' && #h in v && Function.prototype[Symbol.hasInstance].call(this, v);
  }

  /** The native handle; throws if this tensor was disposed. */
  get handle(): NativeTensor {
    if (!(#h in this)) throw invalid('this', 'a Tensor (a Proxy or a copy of a Tensor is not one)', this);
    if (this.#h === null) throw new Error('Tensor was disposed: it cannot be used after dispose()');
    return this.#h;
  }

  // ---------------------------------------------------------------- memory
  dispose(): void {
    if (this.#h) {
      this.#h.dispose();
      this.#h = null;
    }
  }
  [Symbol.dispose](): void {
    this.dispose();
  }
  get isDisposed(): boolean {
    if (!(#h in this)) throw invalid('this', 'a Tensor (a Proxy or a copy of a Tensor is not one)', this);
    return this.#h === null;
  }

  /**
   * Numeric coercion (`t * 2`, `t + 1`, `Number(t)`, `t > 0`) would silently give NaN or a string:
   * it throws and names the tensor method to use. String coercion (`${t}`, String(t)) prints it.
   */
  [Symbol.toPrimitive](hint: 'number' | 'string' | 'default'): string {
    if (hint === 'string') return this.toString();
    throw new TypeError(
      'A Tensor cannot be used as a JavaScript number: use t.item() for the value of a one-element tensor, ' +
        'or the tensor methods (t.mul(2), t.add(1), t.gt(0), ...) for elementwise math; `${t}` or String(t) prints it',
    );
  }

  // ---------------------------------------------------------------- metadata
  get shape(): number[] {
    return native.shape(this.handle);
  }
  size(): number[];
  size(dim: number): number;
  size(dim?: number): number[] | number {
    const s = this.shape;
    if (dim === undefined) return s;
    if (s.length === 0) {
      if (!isInt(dim)) throw invalid('dim', 'an integer dim', dim);
      throw new RangeError(`size(dim): a 0-dim tensor has no dimensions (dim ${dim})`);
    }
    const d = checkDim('dim', dim, s.length);
    return s[d < 0 ? d + s.length : d]!;
  }
  dim(): number {
    return this.shape.length;
  }
  get ndim(): number {
    return this.dim();
  }
  numel(): number {
    return native.numel(this.handle);
  }
  stride(): number[] {
    return native.strides(this.handle);
  }
  get dtype(): DType {
    return native.dtype(this.handle);
  }
  get device(): Device {
    return native.device(this.handle);
  }
  get is_cuda(): boolean {
    return this.device.startsWith('cuda');
  }
  is_contiguous(): boolean {
    return native.is_contiguous(this.handle);
  }
  is_floating_point(): boolean {
    return isFloating(this.dtype);
  }

  // ---------------------------------------------------------------- autograd attributes
  get requires_grad(): boolean {
    return native.requires_grad(this.handle);
  }
  set requires_grad(v: boolean) {
    native.set_requires_grad(this.handle, checkBool('requires_grad', v));
  }
  requires_grad_(v = true): this {
    this.requires_grad = v;
    return this;
  }
  get grad(): Tensor | null {
    const g = native.get_grad(this.handle);
    return g ? new Tensor(g) : null;
  }
  /** Assigning a grad checks it as PyTorch does: same dtype, device and shape as the tensor. */
  set grad(g: Tensor | null) {
    if (g !== null && !(g instanceof Tensor)) throw invalid('grad', 'a Tensor or null', g);
    if (g !== null) {
      if (native.same_storage(g.handle, this.handle)) throw new Error("can't assign a tensor as its own grad");
      if (g.dtype !== this.dtype || g.device.split(':')[0] !== this.device.split(':')[0]) {
        throw new TypeError(
          `assigned grad has data of a different type: the grad is ${g.dtype} on ${g.device} but the tensor is ${this.dtype} on ${this.device}`,
        );
      }
      if (g.device !== this.device)
        throw new Error(
          `assigned grad has data located on a different device: the grad is on ${g.device} but the tensor is on ${this.device}`,
        );
      if (g.shape.join() !== this.shape.join()) {
        throw new RangeError(
          `assigned grad has data of a different size: the grad has shape [${g.shape.join(', ')}] but the tensor has shape [${this.shape.join(', ')}]`,
        );
      }
    }
    native.set_grad(this.handle, g ? g.handle : null);
  }
  get grad_fn(): GradFn | null {
    const n = native.grad_fn_name(this.handle);
    return n === null ? null : { name: () => n };
  }
  get is_leaf(): boolean {
    return native.is_leaf(this.handle);
  }
  retain_grad(): void {
    native.retain_grad(this.handle);
  }
  backward(gradient?: Tensor | null, opts?: { retain_graph?: boolean; create_graph?: boolean }): void {
    const o = checkOptions<{ retain_graph?: boolean; create_graph?: boolean }>('backward options', opts, ['retain_graph', 'create_graph']);
    if (gradient != null && !(gradient instanceof Tensor)) throw invalid('gradient', 'a Tensor', gradient);
    native.backward(this.handle, gradient ? gradient.handle : null, o.retain_graph ?? null, o.create_graph ?? false);
  }

  // ---------------------------------------------------------------- data out
  /** A scalar tensor's value (a one-element tensor of any shape). */
  item(): number {
    const n = this.numel();
    if (n !== 1) throw new RangeError(`item(): a Tensor with ${n} elements cannot be converted to a number`);
    return Number(native.item(this.handle));
  }
  /**
   * The elements as a typed array (int64 -> BigInt64Array, float16/bfloat16 -> Float32Array), in a
   * fresh copy: writing to it never changes the tensor, so autograd (whose version counter cannot see
   * writes through a JS array) stays right. Copy back with t.copy_(torch.tensor(array)).
   * Throws a RangeError, before allocating, for a tensor larger than memory or a typed array allows.
   */
  data(): ExportedArray {
    checkExport('data()', this);
    return native.data_copy(this.handle);
  }
  /** Nested arrays of numbers (booleans for bool), like PyTorch's tolist(). Checks the size first (see checkTolist). */
  tolist(): NestedList {
    const shape = this.shape;
    checkTolist(this.numel());
    const flat = readValues(this);
    const isBool = this.dtype === 'bool';
    const at = (i: number): number | boolean => {
      const v = flat[i]!;
      return isBool ? v !== 0 : Number(v);
    };
    if (shape.length === 0) return at(0);
    let i = 0;
    const build = (d: number): NestedList[] => {
      const out: NestedList[] = new Array(shape[d]!);
      for (let k = 0; k < shape[d]!; k++) out[k] = d === shape.length - 1 ? at(i++) : build(d + 1);
      return out;
    };
    return build(0);
  }
  /** PyTorch's print form; a tensor over 1000 elements is summarised natively (only the shown elements are read). */
  toString(): string {
    return formatTensor(this.handle);
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.isDisposed ? 'tensor(<disposed>)' : this.toString();
  }

  // ---------------------------------------------------------------- pointwise
  add(other: TensorOrScalar, opts?: { alpha?: number }): Tensor {
    return binaryOp(this, 'add', other, alphaOf(opts));
  }
  sub(other: TensorOrScalar, opts?: { alpha?: number }): Tensor {
    return binaryOp(this, 'sub', other, alphaOf(opts));
  }
  mul(other: TensorOrScalar): Tensor {
    return binaryOp(this, 'mul', other);
  }
  div(other: TensorOrScalar, opts?: { rounding_mode?: 'trunc' | 'floor' | null }): Tensor {
    const o = checkOptions<{ rounding_mode?: 'trunc' | 'floor' | null }>('div options', opts, ['rounding_mode']);
    if (o.rounding_mode != null && o.rounding_mode !== 'trunc' && o.rounding_mode !== 'floor') {
      throw invalid('rounding_mode', "'trunc', 'floor' or null", o.rounding_mode);
    }
    return wrap(native.div(this.handle, operand('other', other), o.rounding_mode ?? null));
  }
  true_divide(other: TensorOrScalar): Tensor {
    return this.div(other);
  }
  pow(exponent: TensorOrScalar): Tensor {
    return binaryOp(this, 'pow', exponent);
  }
  remainder(other: TensorOrScalar): Tensor {
    return binaryOp(this, 'remainder', other);
  }
  fmod(other: TensorOrScalar): Tensor {
    return binaryOp(this, 'fmod', other);
  }
  neg(): Tensor {
    return wrap(native.neg(this.handle));
  }
  exp(): Tensor {
    return wrap(native.exp(this.handle));
  }
  log(): Tensor {
    return wrap(native.log(this.handle));
  }
  log1p(): Tensor {
    return wrap(native.log1p(this.handle));
  }
  abs(): Tensor {
    return wrap(native.abs(this.handle));
  }
  sqrt(): Tensor {
    return wrap(native.sqrt(this.handle));
  }
  rsqrt(): Tensor {
    return wrap(native.rsqrt(this.handle));
  }
  square(): Tensor {
    return wrap(native.square(this.handle));
  }
  sign(): Tensor {
    return wrap(native.sign(this.handle));
  }
  floor(): Tensor {
    return wrap(native.floor(this.handle));
  }
  ceil(): Tensor {
    return wrap(native.ceil(this.handle));
  }
  round(): Tensor {
    return wrap(native.round(this.handle));
  }
  trunc(): Tensor {
    return wrap(native.trunc(this.handle));
  }
  reciprocal(): Tensor {
    return wrap(native.reciprocal(this.handle));
  }
  sigmoid(): Tensor {
    return wrap(native.sigmoid(this.handle));
  }
  tanh(): Tensor {
    return wrap(native.tanh(this.handle));
  }
  relu(): Tensor {
    return wrap(native.relu(this.handle));
  }
  atan(): Tensor {
    return wrap(native.atan(this.handle));
  }
  sin(): Tensor {
    return wrap(native.sin(this.handle));
  }
  cos(): Tensor {
    return wrap(native.cos(this.handle));
  }
  logical_not(): Tensor {
    return wrap(native.logical_not(this.handle));
  }
  logical_and(other: TensorOrScalar): Tensor {
    return binaryOp(this, 'logical_and', other);
  }
  logical_or(other: TensorOrScalar): Tensor {
    return binaryOp(this, 'logical_or', other);
  }
  isnan(): Tensor {
    return wrap(native.isnan(this.handle));
  }
  isfinite(): Tensor {
    return wrap(native.isfinite(this.handle));
  }
  clamp(
    min?: number | Tensor | null | { min?: number | Tensor | null; max?: number | Tensor | null },
    max?: number | Tensor | null,
  ): Tensor {
    let lo: number | Tensor | null | undefined = min as number | Tensor | null | undefined;
    let hi = max;
    if (min !== null && typeof min === 'object' && !(min instanceof Tensor)) {
      const o = checkOptions<{ min?: number | Tensor | null; max?: number | Tensor | null }>('clamp options', min, ['min', 'max']);
      lo = o.min;
      hi = o.max;
    }
    if (lo == null && hi == null) throw new TypeError('clamp: at least one of min and max must be given');
    return wrap(native.clamp(this.handle, bound('min', lo), bound('max', hi)));
  }
  clip(min?: number | Tensor | null, max?: number | Tensor | null): Tensor {
    return this.clamp(min, max);
  }
  softmax(dim: number, opts?: { dtype?: DType }): Tensor {
    return wrap(native.softmax(this.handle, checkDim('dim', dim, this.dim()), optDtype(opts)));
  }
  log_softmax(dim: number, opts?: { dtype?: DType }): Tensor {
    return wrap(native.log_softmax(this.handle, checkDim('dim', dim, this.dim()), optDtype(opts)));
  }

  // comparisons
  eq(other: TensorOrScalar): Tensor {
    return binaryOp(this, 'eq', other);
  }
  ne(other: TensorOrScalar): Tensor {
    return binaryOp(this, 'ne', other);
  }
  gt(other: TensorOrScalar): Tensor {
    return binaryOp(this, 'gt', other);
  }
  ge(other: TensorOrScalar): Tensor {
    return binaryOp(this, 'ge', other);
  }
  lt(other: TensorOrScalar): Tensor {
    return binaryOp(this, 'lt', other);
  }
  le(other: TensorOrScalar): Tensor {
    return binaryOp(this, 'le', other);
  }
  maximum(other: Tensor): Tensor {
    return binaryOp(this, 'maximum', other);
  }
  minimum(other: Tensor): Tensor {
    return binaryOp(this, 'minimum', other);
  }
  /** PyTorch's x.where(condition, y): x where condition, else y. */
  where(condition: Tensor, other: TensorOrScalar): Tensor {
    return wrap(native.where(tensorArg('condition', condition).handle, this.handle, operand('other', other)));
  }
  masked_fill(mask: Tensor, value: TensorOrScalar): Tensor {
    return wrap(native.masked_fill(this.handle, tensorArg('mask', mask).handle, operand('value', value)));
  }

  // ---------------------------------------------------------------- reductions
  sum(dim?: number | number[] | null, keepdim = false, opts?: { dtype?: DType }): Tensor {
    return wrap(native.sum(this.handle, dimsOf(this, dim), checkBool('keepdim', keepdim), optDtype(opts)));
  }
  mean(dim?: number | number[] | null, keepdim = false, opts?: { dtype?: DType }): Tensor {
    return wrap(native.mean(this.handle, dimsOf(this, dim), checkBool('keepdim', keepdim), optDtype(opts)));
  }
  /** Standard deviation; unbiased (Bessel's correction) by default, as in PyTorch. */
  std(dim?: number | number[] | null, unbiased = true, keepdim = false): Tensor {
    return wrap(native.std(this.handle, dimsOf(this, dim), checkBool('unbiased', unbiased), checkBool('keepdim', keepdim)));
  }
  var(dim?: number | number[] | null, unbiased = true, keepdim = false): Tensor {
    return wrap(native.var(this.handle, dimsOf(this, dim), checkBool('unbiased', unbiased), checkBool('keepdim', keepdim)));
  }
  prod(dim?: number | null, keepdim = false, opts?: { dtype?: DType }): Tensor {
    return wrap(
      native.prod(this.handle, dim == null ? null : checkDim('dim', dim, this.dim()), checkBool('keepdim', keepdim), optDtype(opts)),
    );
  }
  /** max() -> the largest element; max(dim, keepdim) -> [values, indices]; max(other) -> elementwise. */
  max(): Tensor;
  max(dim: number, keepdim?: boolean): [Tensor, Tensor];
  max(other: Tensor): Tensor;
  max(dim?: number | Tensor, keepdim = false): Tensor | [Tensor, Tensor] {
    if (dim === undefined) return wrap(native.max(this.handle));
    if (dim instanceof Tensor) return this.maximum(dim);
    const [v, i] = native.max(this.handle, checkDim('dim', dim, this.dim()), checkBool('keepdim', keepdim));
    return [wrap(v), wrap(i)];
  }
  min(): Tensor;
  min(dim: number, keepdim?: boolean): [Tensor, Tensor];
  min(other: Tensor): Tensor;
  min(dim?: number | Tensor, keepdim = false): Tensor | [Tensor, Tensor] {
    if (dim === undefined) return wrap(native.min(this.handle));
    if (dim instanceof Tensor) return this.minimum(dim);
    const [v, i] = native.min(this.handle, checkDim('dim', dim, this.dim()), checkBool('keepdim', keepdim));
    return [wrap(v), wrap(i)];
  }
  argmax(dim?: number | null, keepdim = false): Tensor {
    return wrap(native.argmax(this.handle, dim == null ? null : checkDim('dim', dim, this.dim()), checkBool('keepdim', keepdim)));
  }
  argmin(dim?: number | null, keepdim = false): Tensor {
    return wrap(native.argmin(this.handle, dim == null ? null : checkDim('dim', dim, this.dim()), checkBool('keepdim', keepdim)));
  }
  any(dim?: number | null, keepdim = false): Tensor {
    return wrap(native.any(this.handle, dim == null ? null : checkDim('dim', dim, this.dim()), checkBool('keepdim', keepdim)));
  }
  all(dim?: number | null, keepdim = false): Tensor {
    return wrap(native.all(this.handle, dim == null ? null : checkDim('dim', dim, this.dim()), checkBool('keepdim', keepdim)));
  }
  cumsum(dim: number, opts?: { dtype?: DType }): Tensor {
    return wrap(native.cumsum(this.handle, checkDim('dim', dim, this.dim()), optDtype(opts)));
  }
  logsumexp(dim: number | number[], keepdim = false): Tensor {
    return wrap(native.logsumexp(this.handle, checkDims('dim', dim, this.dim()), checkBool('keepdim', keepdim)));
  }
  norm(p = 2, dim?: number | number[] | null, keepdim = false): Tensor {
    return wrap(native.norm(this.handle, checkNumber('p', p), dimsOf(this, dim), checkBool('keepdim', keepdim)));
  }

  // ---------------------------------------------------------------- linear algebra
  matmul(other: Tensor): Tensor {
    return wrap(native.matmul(this.handle, tensorArg('other', other).handle));
  }
  mm(other: Tensor): Tensor {
    return wrap(native.mm(this.handle, tensorArg('mat2', other).handle));
  }
  bmm(other: Tensor): Tensor {
    return wrap(native.bmm(this.handle, tensorArg('mat2', other).handle));
  }
  dot(other: Tensor): Tensor {
    return wrap(native.dot(this.handle, tensorArg('other', other).handle));
  }
  t(): Tensor {
    if (this.dim() > 2) throw new RangeError(`t() expects a tensor with <= 2 dims, but it has ${this.dim()}`);
    return wrap(native.t(this.handle));
  }
  get T(): Tensor {
    return wrap(native.permute(this.handle, [...Array(this.dim()).keys()].reverse()));
  }

  // ---------------------------------------------------------------- shape
  reshape(...shape: (number | number[])[]): Tensor {
    return wrap(native.reshape(this.handle, shapeArg(shape, true)));
  }
  view(...shape: (number | number[])[]): Tensor {
    return wrap(native.view(this.handle, shapeArg(shape, true)));
  }
  view_as(other: Tensor): Tensor {
    return this.view(tensorArg('other', other).shape);
  }
  reshape_as(other: Tensor): Tensor {
    return this.reshape(tensorArg('other', other).shape);
  }
  flatten(start_dim = 0, end_dim = -1): Tensor {
    const n = this.dim();
    return wrap(native.flatten(this.handle, checkDim('start_dim', start_dim, n), checkDim('end_dim', end_dim, n)));
  }
  squeeze(dim?: number): Tensor {
    return wrap(native.squeeze(this.handle, dim === undefined ? null : checkDim('dim', dim, this.dim())));
  }
  unsqueeze(dim: number): Tensor {
    return wrap(native.unsqueeze(this.handle, checkDim('dim', dim, this.dim(), 1)));
  }
  permute(...dims: (number | number[])[]): Tensor {
    const d = shapeArg(dims, true);
    if (d.length !== this.dim()) throw new RangeError(`permute: expected ${this.dim()} dims but received ${d.length}`);
    return wrap(
      native.permute(
        this.handle,
        d.map((x) => checkDim('dims', x, this.dim())),
      ),
    );
  }
  transpose(dim0: number, dim1: number): Tensor {
    const n = this.dim();
    return wrap(native.transpose(this.handle, checkDim('dim0', dim0, n), checkDim('dim1', dim1, n)));
  }
  swapaxes(dim0: number, dim1: number): Tensor {
    return this.transpose(dim0, dim1);
  }
  expand(...sizes: (number | number[])[]): Tensor {
    return wrap(native.expand(this.handle, shapeArg(sizes, true)));
  }
  expand_as(other: Tensor): Tensor {
    return this.expand(tensorArg('other', other).shape);
  }
  repeat(...repeats: (number | number[])[]): Tensor {
    const r = shapeArg(repeats, false);
    checkAllocation('repeats', this.numel() * r.reduce((a, b) => a * b, 1), elementSize(this.dtype), this.device);
    return wrap(native.repeat(this.handle, r));
  }
  contiguous(): Tensor {
    return wrap(native.contiguous(this.handle));
  }
  flip(...dims: (number | number[])[]): Tensor {
    return wrap(
      native.flip(
        this.handle,
        shapeArg(dims, true).map((d) => checkDim('dims', d, this.dim())),
      ),
    );
  }
  split(split_size_or_sections: number | number[], dim = 0): Tensor[] {
    const d = checkDim('dim', dim, this.dim());
    if (Array.isArray(split_size_or_sections))
      return native.split(this.handle, checkShape('split_size_or_sections', split_size_or_sections), d).map(wrap);
    return native.split(this.handle, checkInt('split_size', split_size_or_sections, 1), d).map(wrap);
  }
  chunk(chunks: number, dim = 0): Tensor[] {
    return native.chunk(this.handle, checkInt('chunks', chunks, 1), checkDim('dim', dim, this.dim())).map(wrap);
  }
  unbind(dim = 0): Tensor[] {
    return native.unbind(this.handle, checkDim('dim', dim, this.dim())).map(wrap);
  }

  // ---------------------------------------------------------------- indexing
  select(dim: number, index: number): Tensor {
    return wrap(native.select(this.handle, checkDim('dim', dim, this.dim()), checkInt('index', index)));
  }
  narrow(dim: number, start: number, length: number): Tensor {
    return wrap(native.narrow(this.handle, checkDim('dim', dim, this.dim()), checkInt('start', start), checkInt('length', length, 0)));
  }
  /** Python's t[a:b:c] along one dim. */
  slice(dim: number, start?: number | null, end?: number | null, step = 1): Tensor {
    if (start != null) checkInt('start', start);
    if (end != null) checkInt('end', end);
    return wrap(native.slice(this.handle, checkDim('dim', dim, this.dim()), start ?? null, end ?? null, checkInt('step', step, 1)));
  }
  /**
   * Python-style indexing, one spec per leading dim: a number selects (the dim goes away), null
   * keeps the whole dim, [start, end, step] slices, a Tensor of indices gathers along that dim.
   * x[0, :, 1:3] is x.index(0, null, [1, 3]).
   */
  index(...specs: IndexSpec[]): Tensor {
    if (specs.length > this.dim()) throw new RangeError(`index: ${specs.length} indices for a tensor of ${this.dim()} dims`);
    let out: Tensor = this;
    let d = 0;
    const temps: Tensor[] = [];
    for (const s of specs) {
      let next: Tensor;
      if (s === null) {
        d++;
        continue;
      } else if (typeof s === 'number') {
        next = out.select(d, s);
      } else if (s instanceof Tensor) {
        next = out.index_select(d, s.dim() === 0 ? s.reshape(1) : s);
        d++;
      } else if (Array.isArray(s)) {
        next = out.slice(d, s[0] ?? null, s[1] ?? null, s[2] ?? 1);
        d++;
      } else {
        throw invalid('index spec', 'a number, null, [start, end, step] or a Tensor', s);
      }
      if (out !== this) temps.push(out);
      out = next;
    }
    for (const t of temps) t.dispose();
    return out === this ? this.view(this.shape) : out;
  }
  index_select(dim: number, index: Tensor): Tensor {
    return wrap(native.index_select(this.handle, checkDim('dim', dim, this.dim()), tensorArg('index', index).handle));
  }
  gather(dim: number, index: Tensor): Tensor {
    return wrap(native.gather(this.handle, checkDim('dim', dim, this.dim()), tensorArg('index', index).handle));
  }
  scatter(dim: number, index: Tensor, src: TensorOrScalar): Tensor {
    return wrap(native.scatter(this.handle, checkDim('dim', dim, this.dim()), tensorArg('index', index).handle, operand('src', src)));
  }
  scatter_add(dim: number, index: Tensor, src: Tensor): Tensor {
    return wrap(
      native.scatter_add(this.handle, checkDim('dim', dim, this.dim()), tensorArg('index', index).handle, tensorArg('src', src).handle),
    );
  }
  masked_select(mask: Tensor): Tensor {
    return wrap(native.masked_select(this.handle, tensorArg('mask', mask).handle));
  }

  // ---------------------------------------------------------------- conversion
  /** to(dtype), to(device), to(torch.device(...)), to(other tensor), or to({dtype, device, copy}). */
  to(target: DType | DeviceLike | Tensor | ToOptions): Tensor {
    const t =
      target instanceof Tensor
        ? { dtype: target.dtype, device: target.device, copy: false }
        : parseToTarget(target, ['dtype', 'device', 'copy']);
    return wrap(native.to(this.handle, t.dtype, t.device, t.copy));
  }
  type(dtype: DType): Tensor {
    return this.to(checkDtype('dtype', dtype));
  }
  float(): Tensor {
    return this.to('float32');
  }
  double(): Tensor {
    return this.to('float64');
  }
  half(): Tensor {
    return this.to('float16');
  }
  long(): Tensor {
    return this.to('int64');
  }
  int(): Tensor {
    return this.to('int32');
  }
  bool(): Tensor {
    return this.to('bool');
  }
  cpu(): Tensor {
    return this.to('cpu');
  }
  cuda(device: number | DeviceLike = 'cuda'): Tensor {
    return this.to(typeof device === 'number' ? `cuda:${checkInt('device', device, 0)}` : device);
  }
  clone(): Tensor {
    return wrap(native.clone(this.handle));
  }
  detach(): Tensor {
    return wrap(native.detach(this.handle));
  }

  // ---------------------------------------------------------------- in place (return this)
  add_(other: TensorOrScalar, opts?: { alpha?: number }): this {
    native.add_(this.handle, operand('other', other), alphaOf(opts));
    return this;
  }
  sub_(other: TensorOrScalar, opts?: { alpha?: number }): this {
    native.sub_(this.handle, operand('other', other), alphaOf(opts));
    return this;
  }
  mul_(other: TensorOrScalar): this {
    native.mul_(this.handle, operand('other', other));
    return this;
  }
  div_(other: TensorOrScalar): this {
    native.div_(this.handle, operand('other', other));
    return this;
  }
  zero_(): this {
    native.zero_(this.handle);
    return this;
  }
  fill_(value: TensorOrScalar): this {
    native.fill_(this.handle, operand('value', value));
    return this;
  }
  copy_(src: Tensor): this {
    native.copy_(this.handle, tensorArg('src', src).handle);
    return this;
  }
  clamp_(min?: number | null, max?: number | null): this {
    if (min == null && max == null) throw new TypeError('clamp_: at least one of min and max must be given');
    native.clamp_(this.handle, min == null ? null : checkNumber('min', min), max == null ? null : checkNumber('max', max));
    return this;
  }
  addcmul_(tensor1: Tensor, tensor2: Tensor, opts?: { value?: number }): this {
    native.addcmul_(this.handle, tensorArg('tensor1', tensor1).handle, tensorArg('tensor2', tensor2).handle, opts?.value ?? 1);
    return this;
  }
  addcdiv_(tensor1: Tensor, tensor2: Tensor, opts?: { value?: number }): this {
    native.addcdiv_(this.handle, tensorArg('tensor1', tensor1).handle, tensorArg('tensor2', tensor2).handle, opts?.value ?? 1);
    return this;
  }
}

type BinaryOp =
  | 'add'
  | 'sub'
  | 'mul'
  | 'pow'
  | 'remainder'
  | 'fmod'
  | 'eq'
  | 'ne'
  | 'gt'
  | 'ge'
  | 'lt'
  | 'le'
  | 'maximum'
  | 'minimum'
  | 'logical_and'
  | 'logical_or';

export type NestedList = number | boolean | NestedList[];

/** A typed array's length limit (V8's on 64-bit) and the memory check, before anything is allocated. */
const MAX_TYPED_ARRAY_LENGTH = 2 ** 32 - 1;
function checkExport(what: string, t: Tensor): void {
  const n = t.numel();
  if (n > MAX_TYPED_ARRAY_LENGTH)
    throw new RangeError(
      `${what}: the tensor has ${n} elements, more than a JavaScript typed array can hold (${MAX_TYPED_ARRAY_LENGTH}); read it in parts (t.narrow(...), t.index(...))`,
    );
  checkAllocation(what, n, elementSize(t.dtype === 'float16' || t.dtype === 'bfloat16' ? 'float32' : t.dtype), 'cpu');
}

/**
 * tolist() builds one JS number per element in V8's heap (8 bytes as a double plus the arrays that
 * nest them); past the heap's limit V8 would end the process with a fatal out-of-memory error. So
 * it refuses, before allocating, anything that would take more than half the heap space left.
 */
function checkTolist(n: number): void {
  const { heap_size_limit, used_heap_size } = getHeapStatistics();
  const budget = Math.max(0, (heap_size_limit - used_heap_size) / 2);
  const need = n * 16;
  if (need > budget) {
    throw new RangeError(
      `tolist(): the tensor has ${n} elements, which would take about ${Math.ceil(need / 2 ** 20)} MiB of JavaScript heap, ` +
        `more than the ${Math.floor(budget / 2 ** 20)} MiB available; use t.data() for a typed array, or convert a part (t.narrow(...))`,
    );
  }
}

/** The elements for reading inside the library: a view of a contiguous CPU copy, never written to. */
export function readValues(t: Tensor): ExportedArray {
  checkExport('reading the elements', t);
  return native.data(t.handle);
}

// Module functions rather than private methods: a method called on a Proxy of a Tensor then reaches
// the handle getter, whose brand check gives the "Expected a Tensor" error.
function binaryOp(t: Tensor, op: BinaryOp, other: TensorOrScalar, alpha?: number | null): Tensor {
  const h = t.handle;
  const b = operand('other', other);
  if (op === 'add' || op === 'sub') return wrap(native[op](h, b, alpha ?? null));
  return wrap(native[op](h, b));
}

function dimsOf(t: Tensor, dim: number | number[] | null | undefined): number[] | null {
  if (dim == null) return null;
  return checkDims('dim', dim, t.dim());
}

export function wrap(h: NativeTensor): Tensor {
  return new Tensor(h);
}

export function tensorArg(name: string, v: unknown): Tensor {
  if (!(v instanceof Tensor)) throw invalid(name, 'a Tensor', v);
  return v;
}

export function operand(name: string, v: unknown): Operand {
  if (v instanceof Tensor) return v.handle;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') {
    if (Number.isNaN(v)) return v; // NaN is a legitimate scalar (e.g. masked_fill with NaN)
    return v;
  }
  throw invalid(name, 'a Tensor or a number', v);
}

function bound(name: string, v: number | Tensor | null | undefined): number | NativeTensor | null {
  if (v == null) return null;
  if (v instanceof Tensor) return v.handle;
  return checkNumber(name, v);
}

function alphaOf(opts: { alpha?: number } | undefined): number | null {
  const o = checkOptions<{ alpha?: number }>('options', opts, ['alpha']);
  return o.alpha === undefined ? null : checkNumber('alpha', o.alpha);
}

function optDtype(opts: { dtype?: DType } | undefined): DType | null {
  const o = checkOptions<{ dtype?: DType }>('options', opts, ['dtype']);
  return o.dtype === undefined ? null : checkDtype('dtype', o.dtype);
}

/** Accepts f(2, 3) and f([2, 3]) like PyTorch; -1 allowed where a size may be inferred. */
function shapeArg(args: (number | number[])[], allowNegOne: boolean): number[] {
  const flat = args.length === 1 && Array.isArray(args[0]) ? args[0] : args;
  for (const s of flat) {
    if (!isInt(s) || (s < 0 && !(allowNegOne && s === -1))) throw invalid('shape', 'integers (>= 0, or -1)', flat);
  }
  return flat as number[];
}
