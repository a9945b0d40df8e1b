// PyTorch's loss reductions, checked the same way by nn.functional, the loss modules and snnTorch's losses.
import type { Reduction } from '../native.js';
import { checkString } from '../torch/check.js';

export type { Reduction };
export const REDUCTIONS: readonly Reduction[] = ['mean', 'sum', 'none'];

/** A reduction argument ('mean' when undefined); `name` is how an error names it. */
export function checkReduction(v: unknown, name = 'reduction'): Reduction {
  return v === undefined ? 'mean' : checkString(name, v, REDUCTIONS);
}
