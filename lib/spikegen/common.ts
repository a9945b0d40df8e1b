// Shared argument handling for the spike encoders: snnTorch's keyword arguments as an options
// object, checked with messages that name the option.
import { checkBool, checkInt, checkNumber, checkOptions } from '../torch/check.js';
import { isFloating } from '../torch/dtype.js';
import { Tensor, tensorArg } from '../torch/tensor.js';

export { checkBool, checkInt, checkNumber, checkOptions };

/** snnTorch's `num_steps=False` is 0 here: "not given". */
export function numStepsOf(v: unknown): number {
  if (v === undefined || v === null || v === false) return 0;
  return checkInt('num_steps', v, 0);
}

export function floatingData(op: string, data: unknown): Tensor {
  const t = tensorArg('data', data);
  if (!isFloating(t.dtype)) throw new TypeError(`${op}: data must be a floating point tensor but is ${t.dtype}; convert it with .float()`);
  return t;
}

/** A number option with a default. */
export function num(name: string, v: unknown, dflt: number): number {
  return v === undefined ? dflt : checkNumber(name, v);
}
export function bool(name: string, v: unknown, dflt: boolean): boolean {
  return v === undefined ? dflt : checkBool(name, v);
}
export function int(name: string, v: unknown, dflt: number, min = Number.MIN_SAFE_INTEGER): number {
  return v === undefined ? dflt : checkInt(name, v, min);
}

/** [n, 1, 1, ...]: repeats a tensor n times along a new leading dim (as `x.repeat((n, 1, ...))`). */
export function repeatSteps(x: Tensor, n: number): Tensor {
  return x.repeat([n, ...x.shape.map(() => 1)]);
}
