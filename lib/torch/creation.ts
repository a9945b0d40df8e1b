// Tensor creation with PyTorch's names and options ({dtype, device, requires_grad}).
import { native, type ImportableArray } from '../native.js';
import { checkAllocation, checkBool, checkInt, checkNumber, checkOptions, checkShape, invalid, isInt } from './check.js';
import { checkDevice, checkDtype, elementSize, isFloating, type DType, type DeviceLike } from './dtype.js';
import { Tensor, wrap, tensorArg, type NestedList } from './tensor.js';
import { checkCudaAvailable } from './device.js';

export interface TensorOptions {
  dtype?: DType;
  device?: DeviceLike;
  requires_grad?: boolean;
}
const OPTION_KEYS = ['dtype', 'device', 'requires_grad'] as const;

interface Resolved {
  dtype: DType | null;
  device: string | null;
  requires_grad: boolean;
}

function resolve(opts: TensorOptions | undefined, name = 'options'): Resolved {
  const o = checkOptions<TensorOptions>(name, opts, OPTION_KEYS);
  const dtype = o.dtype === undefined ? null : checkDtype('dtype', o.dtype);
  const device = o.device === undefined ? null : checkDevice('device', o.device);
  checkCudaAvailable(device);
  const requires_grad = o.requires_grad === undefined ? false : checkBool('requires_grad', o.requires_grad);
  if (requires_grad && dtype !== null && !isFloating(dtype)) {
    throw new TypeError(`requires_grad=true needs a floating point dtype, but dtype is ${dtype}`);
  }
  return { dtype, device, requires_grad };
}

/** Refuses a result that cannot fit in memory (see checkAllocation), naming the argument. */
function allocation(name: string, numel: number, o: Resolved, fallback: DType): void {
  checkAllocation(name, numel, elementSize(o.dtype ?? fallback), o.device);
}

function product(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** A fill value: any number (NaN and infinities included, as in PyTorch) or a boolean. */
function fillValue(v: unknown): number | boolean {
  if (typeof v === 'boolean' || typeof v === 'number') return v;
  throw invalid('fill_value', 'a number or a boolean', v);
}

/** Sizes given as f(2, 3), f([2, 3]) or f([2, 3], opts). */
function sizesAndOptions(args: unknown[]): [number[], TensorOptions | undefined] {
  let opts: TensorOptions | undefined;
  const last = args[args.length - 1];
  if (last !== undefined && typeof last === 'object' && !Array.isArray(last)) {
    opts = last as TensorOptions;
    args = args.slice(0, -1);
  }
  const sizes = args.length === 1 && Array.isArray(args[0]) ? args[0] : args;
  return [checkShape('size', sizes), opts];
}

type SizeArgs = (number | number[] | TensorOptions)[];

function inferShape(data: unknown, shape: number[] = []): number[] {
  if (Array.isArray(data)) {
    shape.push(data.length);
    if (data.length > 0) inferShape(data[0], shape);
  }
  return shape;
}

function flatten(data: unknown, shape: number[], depth: number, out: (number | boolean)[]): void {
  if (depth === shape.length) {
    if (typeof data !== 'number' && typeof data !== 'boolean') throw invalid('data', 'nested arrays of numbers or booleans', data);
    out.push(data);
    return;
  }
  if (!Array.isArray(data) || data.length !== shape[depth]) {
    throw new TypeError(`tensor(): ragged nested array: expected length ${shape[depth]} at depth ${depth}`);
  }
  for (const x of data) flatten(x, shape, depth + 1, out);
}

// The integer dtypes' ranges, for PyTorch's "value cannot be converted to type X without overflow".
const INT_RANGE: Partial<Record<DType, [number, number]>> = {
  int64: [-(2 ** 63), 2 ** 63],
  int32: [-(2 ** 31), 2 ** 31 - 1],
  int16: [-32768, 32767],
  int8: [-128, 127],
  uint8: [0, 255],
};

/**
 * Refuses a value the dtype cannot hold, as torch.tensor does (c10's overflow check): an integer
 * dtype takes values in its range (fractions are truncated toward zero); uint8 also takes negative
 * integers down to -255, which wrap as in PyTorch (-1 -> 255); NaN and infinities fit no integer
 * dtype. Floating dtypes take any number (out of range becomes inf); bool takes any number
 * (non-zero, NaN included, is true).
 */
function checkFits(values: (number | boolean)[], dtype: DType): void {
  const range = INT_RANGE[dtype];
  if (!range) return;
  const [lo, hi] = range;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (typeof v === 'boolean') continue;
    const fits = Number.isInteger(v)
      ? dtype === 'int64'
        ? v >= lo && v < hi
        : dtype === 'uint8'
          ? v >= -255 && v <= hi
          : v >= lo && v <= hi
      : Number.isFinite(v) && v >= lo && (dtype === 'int64' ? v < hi : v <= hi);
    if (!fits) throw new RangeError(`tensor(): value ${v} at data index ${i} cannot be converted to type ${dtype} without overflow`);
  }
}

function typedArrayFrom(values: (number | boolean)[], dtype: DType): ImportableArray {
  checkFits(values, dtype);
  switch (dtype) {
    case 'float64':
      return Float64Array.from(values, Number);
    case 'int64':
      return BigInt64Array.from(values, (v) => BigInt(Math.trunc(Number(v))));
    case 'int32':
      return Int32Array.from(values, Number);
    case 'uint8':
      return Uint8Array.from(values, Number);
    case 'bool':
      return Uint8Array.from(values, (v) => (v === false || v === 0 ? 0 : 1));
    case 'int8':
      return Int8Array.from(values, Number);
    case 'int16':
      return Int16Array.from(values, Number);
    default:
      return Float32Array.from(values, Number);
  }
}

function defaultDtypeOf(values: (number | boolean)[]): DType {
  if (values.length > 0 && values.every((v) => typeof v === 'boolean')) return 'bool';
  if (values.length > 0 && values.every((v) => isInt(v))) return 'int64';
  return 'float32';
}

const ARRAY_DTYPES: [new (...a: never[]) => ImportableArray, DType][] = [
  [Float32Array, 'float32'],
  [Float64Array, 'float64'],
  [Int32Array, 'int32'],
  [BigInt64Array, 'int64'],
  [Uint8Array, 'uint8'],
  [Int8Array, 'int8'],
  [Int16Array, 'int16'],
];

/**
 * torch.tensor(data, {dtype, device, requires_grad}): data is a number, a boolean, nested arrays, or
 * a typed array (1-D). Like PyTorch, all-integer data gives int64, all-boolean gives bool, else
 * float32. The data is copied.
 */
export function tensor(data: NestedList | ImportableArray | Tensor, opts?: TensorOptions): Tensor {
  const o = resolve(opts);
  if (data instanceof Tensor) {
    const t = data.detach();
    const out = t.to({ dtype: o.dtype ?? t.dtype, device: o.device ?? t.device, copy: true });
    t.dispose();
    if (o.requires_grad) out.requires_grad_(true);
    return out;
  }
  if (ArrayBuffer.isView(data)) return from_typed_array(data as ImportableArray, [(data as ImportableArray).length], opts);
  const shape = inferShape(data);
  const values: (number | boolean)[] = [];
  flatten(data, shape, 0, values);
  // JS has no 1.0 vs 1: data that asks for gradients is floating point unless a dtype says otherwise.
  const dtype = o.dtype ?? (o.requires_grad ? 'float32' : defaultDtypeOf(values));
  for (const v of values)
    if (typeof v === 'number' && Number.isNaN(v) && !isFloating(dtype) && dtype !== 'bool')
      throw new TypeError(`tensor(): NaN cannot be stored in dtype ${dtype}`);
  const srcDtype: DType = dtype === 'float16' || dtype === 'bfloat16' ? 'float32' : dtype;
  return wrap(native.from_typed_array(typedArrayFrom(values, srcDtype), shape, dtype, o.device, o.requires_grad));
}

/** A tensor copied from a typed array, with the given shape (the element type picks the dtype unless opts.dtype says otherwise). */
export function from_typed_array(array: ImportableArray, shape?: number[], opts?: TensorOptions): Tensor {
  const entry = ARRAY_DTYPES.find(([C]) => array instanceof C);
  if (!entry || !ArrayBuffer.isView(array))
    throw invalid(
      'array',
      'a typed array (Float32Array, Float64Array, Int32Array, BigInt64Array, Uint8Array, Int8Array, Int16Array)',
      array,
    );
  const s = shape === undefined ? [array.length] : checkShape('shape', shape);
  const n = s.reduce((a, b) => a * b, 1);
  if (n !== array.length)
    throw new RangeError(`from_typed_array: shape [${s.join(', ')}] has ${n} elements but the array has ${array.length}`);
  const o = resolve(opts);
  return wrap(native.from_typed_array(array, s, o.dtype ?? entry[1], o.device, o.requires_grad));
}

/** A tensor from the bytes of a buffer, read as `dtype` (PyTorch's frombuffer); copied. */
export function from_buffer(buffer: ArrayBufferLike | ArrayBufferView, opts: TensorOptions & { shape?: number[] } = {}): Tensor {
  const { shape, ...rest } = opts;
  const dtype = rest.dtype === undefined ? 'float32' : checkDtype('dtype', rest.dtype);
  const bytes = ArrayBuffer.isView(buffer) ? new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength) : new Uint8Array(buffer);
  const ctorFor: Partial<Record<DType, [new (b: ArrayBuffer) => ImportableArray, number]>> = {
    float32: [Float32Array, 4],
    float64: [Float64Array, 8],
    int32: [Int32Array, 4],
    int64: [BigInt64Array, 8],
    uint8: [Uint8Array, 1],
    bool: [Uint8Array, 1],
    int8: [Int8Array, 1],
    int16: [Int16Array, 2],
  };
  const entry = ctorFor[dtype];
  if (!entry) throw invalid('dtype', 'a dtype from_buffer can read', dtype);
  if (bytes.byteLength % entry[1] !== 0)
    throw new RangeError(`from_buffer: ${bytes.byteLength} bytes is not a multiple of ${dtype}'s ${entry[1]} bytes`);
  const copy = bytes.slice().buffer; // aligned copy (JS -> tensor always copies)
  return from_typed_array(new entry[0](copy), shape, { ...rest, dtype });
}

function factory(name: 'zeros' | 'ones' | 'empty' | 'rand' | 'randn') {
  return (...args: SizeArgs): Tensor => {
    const [size, opts] = sizesAndOptions(args);
    const o = resolve(opts);
    allocation('size', product(size), o, 'float32');
    return wrap(native[name](size, o.dtype, o.device, o.requires_grad));
  };
}

export const zeros = factory('zeros');
export const ones = factory('ones');
export const empty = factory('empty');
export const rand = factory('rand');
export const randn = factory('randn');

/** full(size, value, opts): without a dtype the result is float32 (JS numbers carry no int/float kind) or bool for a boolean value. */
export function full(size: number[], fill_value: number | boolean, opts?: TensorOptions): Tensor {
  const o = resolve(opts);
  const v = fillValue(fill_value);
  allocation('size', product(checkShape('size', size)), o, 'float32');
  return wrap(native.full(size, v, o.dtype ?? (typeof v === 'boolean' ? 'bool' : 'float32'), o.device, o.requires_grad));
}

export function eye(n: number, m?: number | TensorOptions, opts?: TensorOptions): Tensor {
  if (typeof m === 'object') [m, opts] = [undefined, m];
  const o = resolve(opts);
  const rows = checkInt('n', n, 0);
  const cols = m === undefined ? rows : checkInt('m', m, 0);
  allocation('n, m', rows * cols, o, 'float32');
  return wrap(native.eye(rows, cols, o.dtype, o.device, o.requires_grad));
}

/** arange(end) | arange(start, end, step?) with PyTorch's dtype rule: int64 if all arguments are integers. */
export function arange(start: number, end?: number | TensorOptions, step?: number | TensorOptions, opts?: TensorOptions): Tensor {
  if (typeof end === 'object') [end, opts] = [undefined, end];
  if (typeof step === 'object') [step, opts] = [undefined, step];
  const [s, e] = end === undefined ? [0, start] : [start, end];
  const st = step ?? 1;
  for (const [k, v] of [
    ['start', s],
    ['end', e],
    ['step', st],
  ] as const)
    checkNumber(k, v, { finite: true });
  if (st === 0) throw new RangeError('arange: step must be nonzero');
  const o = resolve(opts);
  const dtype = o.dtype ?? ([s, e, st].every(isInt) ? 'int64' : 'float32');
  allocation('end', Math.max(0, Math.ceil((e - s) / st)), o, dtype);
  return wrap(native.arange(s, e, st, dtype, o.device, o.requires_grad));
}

export function linspace(start: number, end: number, steps: number, opts?: TensorOptions): Tensor {
  const o = resolve(opts);
  allocation('steps', checkInt('steps', steps, 0), o, 'float32');
  return wrap(
    native.linspace(
      checkNumber('start', start, { finite: true }),
      checkNumber('end', end, { finite: true }),
      steps,
      o.dtype,
      o.device,
      o.requires_grad,
    ),
  );
}

/** randint(high, size, opts) or randint(low, high, size, opts); int64 by default. */
export function randint(low: number, high: number | number[], size?: number[] | TensorOptions, opts?: TensorOptions): Tensor {
  if (Array.isArray(high)) [low, high, size, opts] = [0, low, high, size as TensorOptions | undefined];
  const lo = checkInt('low', low);
  const hi = checkInt('high', high);
  if (hi <= lo) throw new RangeError(`randint: high (${hi}) must be greater than low (${lo})`);
  const o = resolve(opts);
  allocation('size', product(checkShape('size', size)), o, 'int64');
  return wrap(native.randint(lo, hi, size as number[], o.dtype ?? 'int64', o.device, o.requires_grad));
}

export function randperm(n: number, opts?: TensorOptions): Tensor {
  const o = resolve(opts);
  allocation('n', checkInt('n', n, 0), o, 'int64');
  return wrap(native.randperm(n, o.dtype ?? 'int64', o.device, o.requires_grad));
}

/** bernoulli(probabilities) or bernoulli(input, p). */
export function bernoulli(input: Tensor, p?: number): Tensor {
  tensorArg('input', input);
  if (p !== undefined) {
    checkNumber('p', p);
    if (p < 0 || p > 1) throw new RangeError(`bernoulli: p must be in [0, 1], got ${p}`);
  }
  return wrap(native.bernoulli(input.handle, p ?? null));
}

function likeFactory(name: 'zeros_like' | 'ones_like' | 'rand_like' | 'randn_like') {
  return (input: Tensor, opts?: TensorOptions): Tensor => {
    tensorArg('input', input);
    const o = resolve(opts);
    return wrap(native[name](input.handle, o.dtype, o.device, o.requires_grad));
  };
}
export const zeros_like = likeFactory('zeros_like');
export const ones_like = likeFactory('ones_like');
export const rand_like = likeFactory('rand_like');
export const randn_like = likeFactory('randn_like');
export function empty_like(input: Tensor, opts?: TensorOptions): Tensor {
  return zeros_like(input, opts);
}
export function full_like(input: Tensor, fill_value: number | boolean, opts?: TensorOptions): Tensor {
  tensorArg('input', input);
  const o = resolve(opts);
  const v = fillValue(fill_value);
  return wrap(native.full_like(input.handle, v, o.dtype, o.device, o.requires_grad));
}

/**
 * Seeds the random generator of the calling thread, as torch.manual_seed. Every random factory
 * (rand, randn, randint, randperm, bernoulli, *_like, dropout, nn.init) draws from it.
 *
 * Threads: on the main thread this is LibTorch's default generator (CPU and CUDA), the same stream
 * as LibTorch C++ and, for rand/randn, as PyTorch's CPU stream (manual_seed(0); rand(3) gives
 * [0.4963, 0.7682, 0.0885] in both). A worker thread (node:worker_threads) has a CPU generator of
 * its own: it starts from PyTorch's default seed, as a fresh process would, and its manual_seed
 * never changes the main thread's or another worker's stream. CUDA random ops in a worker still use
 * LibTorch's process-wide CUDA generator, which only the main thread's manual_seed seeds.
 */
export function manual_seed(seed: number): void {
  native.manual_seed(checkInt('seed', seed, 0, Number.MAX_SAFE_INTEGER));
}

/** The seed the calling thread's CPU generator was last seeded with (torch.initial_seed()). */
export function initial_seed(): number {
  return native.initial_seed();
}
