// Shared plumbing of snntorch.functional: argument parsing (snnTorch's positional order or an
// options object), input checks with the house message shape, and the pieces every loss uses
// (reduction bookkeeping, class weights, population codes).
import { checkBool, checkInt, checkNumber, checkOptions, invalid, outOfRange } from '../torch/check.js';
import { keep } from '../torch/memory.js';
import { Tensor } from '../torch/tensor.js';
import { tensor } from '../torch/creation.js';
import { stack } from '../torch/functions.js';
import type { DType } from '../torch/dtype.js';
import { checkReduction, type Reduction } from '../nn/reduction.js';

export { REDUCTIONS, type Reduction } from '../nn/reduction.js';

/** A class-weight vector: a 1-D float Tensor (kept by reference, as snnTorch does) or numbers (copied to float32). */
export type WeightArg = Tensor | readonly number[] | null;

/** What every snnTorch loss object exposes besides being callable. */
export interface LossFunction<Name extends string = string> {
  (spk_out: Tensor, targets: Tensor): Tensor;
  readonly __name__: Name;
  readonly reduction: Reduction;
  readonly weight: Tensor | null;
}

// ------------------------------------------------------------------ arguments

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const p = Object.getPrototypeOf(v) as unknown;
  return p === Object.prototype || p === null;
}

/**
 * snnTorch's calling conventions in one: `f({a, b})`, `f(a, b)` (Python's positional order) or
 * `f(a, {b})` (positional then keywords). Returns the options by name; unknown names, too many
 * positional arguments and a name given twice are errors.
 */
export function parseArgs<O extends object>(fname: string, args: readonly unknown[], keys: readonly (keyof O & string)[]): Partial<O> {
  let positional = args;
  let named: Record<string, unknown> = {};
  const last = args[args.length - 1];
  if (args.length > 0 && isPlainObject(last)) {
    named = checkOptions<Record<string, unknown>>(`${fname} options`, last, keys);
    positional = args.slice(0, -1);
  }
  if (positional.length > keys.length) {
    throw new TypeError(
      `${fname}() takes at most ${keys.length} positional arguments (${keys.join(', ')}) but ${positional.length} were given`,
    );
  }
  const out: Record<string, unknown> = {};
  positional.forEach((v, i) => {
    if (v !== undefined) out[keys[i]!] = v;
  });
  for (const [k, v] of Object.entries(named)) {
    if (v === undefined) continue;
    if (k in out) throw new TypeError(`${fname}() got multiple values for argument '${k}'`);
    out[k] = v;
  }
  return out as Partial<O>;
}

export function optReduction(fname: string, v: unknown): Reduction {
  return checkReduction(v, `${fname} reduction`);
}

export function optBool(name: string, v: unknown, dflt: boolean): boolean {
  return v === undefined ? dflt : checkBool(name, v);
}

export function optNumber(name: string, v: unknown, dflt: number): number {
  return v === undefined ? dflt : checkNumber(name, v, { finite: true });
}

/** num_classes: snnTorch's default is False; a positive integer when given. */
export function optNumClasses(name: string, v: unknown): number | false {
  if (v === undefined || v === null || v === false) return false;
  return checkInt(name, v, 1);
}

/** A weight given as numbers becomes a float32 tensor owned by the loss (kept out of tidy scopes). */
export function optWeight(name: string, v: unknown): Tensor | null {
  if (v === undefined || v === null) return null;
  let w: Tensor;
  if (v instanceof Tensor) {
    w = v;
  } else if (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'number' && Number.isFinite(x))) {
    w = keep(tensor(v as number[], { dtype: 'float32' }));
  } else {
    throw invalid(name, 'a 1-D float Tensor or a non-empty array of finite numbers', v);
  }
  if (w.dim() !== 1 || !w.is_floating_point()) {
    throw new TypeError(
      `Expected a 1-D float Tensor for ${name} but received a Tensor of shape [${w.shape.join(', ')}] and dtype ${w.dtype}`,
    );
  }
  return w;
}

// ------------------------------------------------------------------ inputs

function describeTensor(t: Tensor): string {
  return `a Tensor of shape [${t.shape.join(', ')}] and dtype ${t.dtype}`;
}

export interface RecordInfo {
  T: number;
  B: number;
  C: number;
  device: string;
  dtype: DType;
}

/** A [T, B, C] record (time, batch, outputs), every size at least 1; float unless `anyDtype`. */
export function checkRecord(name: string, v: unknown, anyDtype = false): RecordInfo {
  if (!(v instanceof Tensor)) throw invalid(name, 'a Tensor of shape [T, B, C] (time steps, batch, outputs)', v);
  const s = v.shape;
  if (s.length !== 3) {
    throw new RangeError(`Expected a 3-D Tensor [T, B, C] (time steps, batch, outputs) for ${name} but received ${describeTensor(v)}`);
  }
  if (s.some((n) => n === 0)) {
    throw new RangeError(`Expected a non-empty Tensor [T, B, C] for ${name} but received ${describeTensor(v)}`);
  }
  if (!anyDtype && !v.is_floating_point()) {
    throw new TypeError(`Expected a floating point Tensor [T, B, C] for ${name} but received ${describeTensor(v)}`);
  }
  return { T: s[0]!, B: s[1]!, C: s[2]!, device: v.device, dtype: v.dtype };
}

const INTEGER_DTYPES: readonly DType[] = ['int64', 'int32', 'int16', 'int8', 'uint8'];

/**
 * Class-index labels: an integer Tensor [B] on the record's device with every value in
 * [0, numClasses). Checked here because an out-of-range index would otherwise fail deep inside
 * LibTorch (and on CUDA poison the device). Returns the labels as int64 (a new tensor).
 */
export function checkLabels(name: string, v: unknown, rec: RecordInfo, numClasses: number): Tensor {
  if (!(v instanceof Tensor)) throw invalid(name, `an integer Tensor of ${rec.B} class indices`, v);
  if (!INTEGER_DTYPES.includes(v.dtype)) {
    throw new TypeError(
      `Expected an integer Tensor (int64, int32, int16, int8 or uint8) of class indices for ${name} but received ${describeTensor(v)}`,
    );
  }
  if (v.dim() !== 1 || v.shape[0] !== rec.B) {
    throw new RangeError(
      `Expected a 1-D Tensor of ${rec.B} class indices (one per batch element of the record) for ${name} but received ${describeTensor(v)}`,
    );
  }
  if (v.device !== rec.device) {
    throw new TypeError(`Expected ${name} on the record's device ${rec.device} but received a Tensor on ${v.device}`);
  }
  const data = v.data();
  for (let i = 0; i < data.length; i++) {
    const x = Number(data[i]);
    if (x < 0 || x >= numClasses) {
      throw new RangeError(`Expected class indices in [0, ${numClasses - 1}] for ${name} but received ${x} at index ${i}`);
    }
  }
  return v.to('int64');
}

/** The weight must hold one value per class, live on the record's device. */
export function checkWeightFor(weight: Tensor, rec: RecordInfo, numClasses: number): void {
  if (weight.isDisposed) throw new Error('weight was disposed: the loss cannot use it any more');
  if (weight.shape[0] !== numClasses) {
    throw new RangeError(`Expected one weight per class (${numClasses}) for weight but received ${describeTensor(weight)}`);
  }
  if (weight.device !== rec.device) {
    throw new TypeError(`Expected weight on the record's device ${rec.device} but received a Tensor on ${weight.device}`);
  }
}

/**
 * snnTorch multiplies an unreduced [B, C] MSE loss by weight[labels] ([B]), which broadcasts
 * against the class (last) dim. It only runs when B == C, B == 1 or C == 1; say so instead of
 * LibTorch's shape error.
 */
export function checkWeightBroadcast(fname: string, B: number, C: number): void {
  if (B === C || B === 1 || C === 1) return;
  throw new RangeError(
    `${fname}: snnTorch multiplies the [B, C] loss by weight[targets] of shape [B], which broadcasts against the class dim ` +
      `and so needs B == C (or B == 1); received B=${B}, C=${C}`,
  );
}

// ------------------------------------------------------------------ loss pieces

/** snnTorch's `_intermediate_reduction`: with a weight, reduce later by hand. */
export function intermediateReduction(reduction: Reduction, weight: Tensor | null): Reduction {
  return weight === null ? reduction : 'none';
}

/** snnTorch's `_reduce`: a plain mean, only when the weight delayed a 'mean' reduction. */
export function finalReduce(loss: Tensor, reduction: Reduction, weight: Tensor | null): Tensor {
  return weight !== null && reduction === 'mean' ? loss.mean() : loss;
}

/** Population code: num_classes given and dividing the number of outputs C. */
export function checkPopulation(fname: string, numClasses: number | false, C: number): number {
  if (numClasses === false) throw new TypeError(`${fname}: num_classes must be specified if population_code=true`);
  if (C % numClasses !== 0) {
    throw outOfRange('num_classes', `a divisor of the number of outputs C=${C} (population_code=true)`, numClasses);
  }
  return numClasses;
}

/**
 * `_population_code`: counts[b, i] = sum over t and over the outputs of group i
 * ([floor(C*i/n), floor(C*(i+1)/n))) of spk[t, b, j]; [B, n]. Summed as snnTorch does: over the
 * group first, then over time.
 */
export function populationCount(spk: Tensor, numClasses: number): Tensor {
  const C = spk.size(-1);
  const cols: Tensor[] = [];
  for (let i = 0; i < numClasses; i++) {
    const lo = Math.trunc((C * i) / numClasses);
    const hi = Math.trunc((C * (i + 1)) / numClasses);
    cols.push(spk.slice(2, lo, hi).sum(-1).sum(0));
  }
  return stack(cols, 1);
}

/** `weight[labels]`, [B]. */
export function weightOfLabels(weight: Tensor, labels: Tensor): Tensor {
  return weight.index_select(0, labels);
}
