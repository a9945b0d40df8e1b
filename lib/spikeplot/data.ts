// Tensor -> plain numbers for the plots, with shape checks that name the argument.
import { tidy } from '../torch/memory.js';
import { Tensor, tensorArg } from '../torch/tensor.js';

export interface Matrix {
  rows: number;
  cols: number;
  /** Row-major values. */
  values: Float64Array;
}

/** A 1-D or 2-D tensor as a [rows, cols] matrix (1-D: cols = 1). */
export function matrixOf(name: string, data: unknown, op: string): Matrix {
  const t = tensorArg(name, data);
  if (t.dim() !== 1 && t.dim() !== 2) {
    throw new RangeError(
      `${op}: ${name} must be 1-D [time] or 2-D [time, neurons] but has shape [${t.shape.join(', ')}]; reshape it first (e.g. x.view(num_steps, -1))`,
    );
  }
  const values = tidy(() => Float64Array.from(t.detach().cpu().double().data() as Float64Array));
  return { rows: t.shape[0]!, cols: t.dim() === 2 ? t.shape[1]! : 1, values };
}

export function isTensor(v: unknown): v is Tensor {
  return v instanceof Tensor;
}

export interface FigureOptions {
  title?: string;
  /** Size of the plotting area in pixels. */
  width?: number;
  height?: number;
}

export function checkSize(name: string, v: unknown, dflt: number): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0 || v > 10000)
    throw new RangeError(`Expected a size in pixels (0, 10000] for ${name} but received ${String(v)}`);
  return v;
}

export function base(
  o: FigureOptions,
  width: number,
  height: number,
): { width: number; height: number; background: string; padding: number; title?: string } {
  const title = o.title === undefined ? undefined : String(o.title);
  return {
    width: checkSize('width', o.width, width),
    height: checkSize('height', o.height, height),
    background: 'white',
    padding: 8,
    ...(title ? { title } : {}),
  };
}

export const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
