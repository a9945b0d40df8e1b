// spikeplot.animator: a [time, H, W] tensor (or [time, 1, H, W]) as a heat-map animation, one
// frame per step, on one colour scale from the data's min to max (snnTorch's imshow frames).
import { checkInt, checkNumber, checkOptions } from '../torch/check.js';
import { tidy } from '../torch/memory.js';
import { tensorArg, type Tensor } from '../torch/tensor.js';
import { checkSize, SCHEMA } from './data.js';
import { Animation, type TopLevelSpec } from './render.js';

export interface AnimatorOptions {
  /** Frames to show (default: all of data's first dim). */
  num_steps?: number | false;
  /** Milliseconds per frame (default 40). */
  interval?: number;
  /** A vega colour scheme (matplotlib's names: 'plasma' default, 'viridis', 'greys', ...). */
  cmap?: string;
  /** Pixels per data pixel (default 8). */
  pixel?: number;
}

export function animator(data: Tensor, opts?: AnimatorOptions): Animation {
  const o = checkOptions<AnimatorOptions>('animator options', opts, ['num_steps', 'interval', 'cmap', 'pixel']);
  const x = tensorArg('data', data);
  const shape = [...x.shape];
  if (shape.length === 4 && shape[1] === 1) shape.splice(1, 1);
  if (shape.length !== 3)
    throw new RangeError(`animator: data must be [time, H, W] (or [time, 1, H, W]) but has shape [${x.shape.join(', ')}]`);
  const [steps, h, w] = shape as [number, number, number];
  const numSteps = o.num_steps ? checkInt('num_steps', o.num_steps, 1, steps) : steps;
  const interval = checkNumber('interval', o.interval ?? 40);
  const cmap = o.cmap ?? 'plasma';
  if (typeof cmap !== 'string' || !/^[a-z0-9]+$/i.test(cmap))
    throw new TypeError(`Expected a colour scheme name for cmap but received ${String(cmap)}`);
  const pixel = checkSize('pixel', o.pixel, 8);
  const values = tidy(() => Float64Array.from(x.detach().cpu().double().data() as Float64Array));
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (!(hi > lo)) hi = lo + 1;
  const frames: TopLevelSpec[] = [];
  for (let t = 0; t < numSteps; t++) {
    const cells: { r: number; c: number; v: number }[] = [];
    for (let r = 0; r < h; r++) for (let c = 0; c < w; c++) cells.push({ r, c, v: values[(t * h + r) * w + c]! });
    frames.push({
      $schema: SCHEMA,
      width: w * pixel,
      height: h * pixel,
      background: 'white',
      padding: 4,
      data: { values: cells },
      mark: { type: 'rect' },
      encoding: {
        x: { field: 'c', type: 'ordinal', axis: null, scale: { paddingInner: 0, paddingOuter: 0 } },
        y: { field: 'r', type: 'ordinal', axis: null, scale: { paddingInner: 0, paddingOuter: 0 } },
        color: { field: 'v', type: 'quantitative', scale: { scheme: cmap.toLowerCase(), domain: [lo, hi] }, legend: null },
      },
      config: { view: { stroke: null } },
    } as TopLevelSpec);
  }
  return new Animation(frames, interval);
}
