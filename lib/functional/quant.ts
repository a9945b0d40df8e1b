// snnTorch's state_quant: a factory for a quantiser of hidden states (e.g. a neuron's
// state_quant option) that snaps each element to the nearest of 2^num_bits levels in the forward
// pass and passes the gradient straight through in the backward pass (one native autograd node).
import { native } from '../native.js';
import { checkBool, checkInt, checkNumber, checkOptions } from '../torch/check.js';
import { linspace, tensor } from '../torch/creation.js';
import { keep } from '../torch/memory.js';
import { tensorArg, wrap, type Tensor } from '../torch/tensor.js';

export interface StateQuantOptions {
  num_bits?: number;
  /** Evenly spaced levels (default); false spaces them geometrically by multiplier. */
  uniform?: boolean;
  /** For non-uniform levels: centre the dense region on threshold (default) rather than on 0. */
  thr_centered?: boolean;
  threshold?: number;
  /** Levels reach down to -threshold·(1 + lower_limit). */
  lower_limit?: number;
  /** Levels reach up to threshold·(1 + upper_limit). */
  upper_limit?: number;
  /** Ratio between successive gaps of non-uniform levels; by default from num_bits as snnTorch picks it. */
  multiplier?: number | null;
}

/** The quantiser; `levels` are the float32 levels it snaps to. */
export interface StateQuant {
  (x: Tensor): Tensor;
  readonly levels: Tensor;
}

function defaultMultiplier(bits: number): number {
  if (bits === 1) return 0.05;
  const table: Record<number, number> = { 2: 0.1, 3: 0.3, 4: 0.5, 5: 0.7, 6: 0.9, 7: 0.925 };
  return table[bits] ?? 0.95;
}

/** Geometric levels: gaps shrinking by multiplier toward `centre` from both sides, as snnTorch builds them. */
function geometricLevels(numLevels: number, minVal: number, maxVal: number, centre: number, multiplier: number): number[] {
  const overall = maxVal - minVal;
  const lowerRange = centre - minVal;
  const upperRange = maxVal - centre;
  const lowerBits = Math.floor(numLevels * (lowerRange / overall));
  const upperBits = numLevels - lowerBits;
  const out: number[] = [];
  if (lowerBits !== 0) {
    let sum = 0;
    for (let j = lowerBits - 1; j >= 0; j--) sum += multiplier ** j;
    const room = sum / lowerRange;
    let v = minVal;
    for (let j = 0; j < lowerBits; j++) {
      out.push(v);
      v += multiplier ** j / room;
    }
  }
  if (upperBits !== 0) {
    let sum = 0;
    for (let j = upperBits - 1; j >= 0; j--) sum += multiplier ** j;
    const room = sum / upperRange;
    let v = centre;
    for (let j = upperBits - 1; j >= 0; j--) {
      v += multiplier ** j / room;
      out.push(v);
    }
  }
  return out;
}

/** state_quant({num_bits, uniform, ...}) or state_quant(num_bits). */
export function state_quant(opts?: StateQuantOptions | number): StateQuant {
  const o = checkOptions<StateQuantOptions>('state_quant options', typeof opts === 'number' ? { num_bits: opts } : opts, [
    'num_bits',
    'uniform',
    'thr_centered',
    'threshold',
    'lower_limit',
    'upper_limit',
    'multiplier',
  ]);
  const bits = checkInt('num_bits', o.num_bits ?? 8, 1, 24);
  const uniform = checkBool('uniform', o.uniform ?? true);
  const thrCentered = checkBool('thr_centered', o.thr_centered ?? true);
  const threshold = checkNumber('threshold', o.threshold ?? 1, { finite: true });
  const lower = checkNumber('lower_limit', o.lower_limit ?? 0, { finite: true });
  const upper = checkNumber('upper_limit', o.upper_limit ?? 0.2, { finite: true });
  const numLevels = 2 ** bits;
  const minVal = -(threshold + threshold * lower);
  const maxVal = threshold + threshold * upper;
  if (!(maxVal > minVal)) throw new RangeError(`state_quant: the levels' range [${minVal}, ${maxVal}] is empty; use a positive threshold`);
  let levels: Tensor;
  if (uniform) {
    levels = linspace(-threshold - threshold * lower, threshold + threshold * upper, numLevels);
  } else {
    const multiplier = o.multiplier == null ? defaultMultiplier(bits) : checkNumber('multiplier', o.multiplier, { finite: true });
    levels = tensor(geometricLevels(numLevels, minVal, maxVal, thrCentered ? threshold : 0, multiplier), { dtype: 'float32' });
  }
  keep(levels);
  const quant = (x: Tensor): Tensor => wrap(native.state_quant(tensorArg('x', x).handle, levels.handle));
  return Object.assign(quant, { levels });
}
