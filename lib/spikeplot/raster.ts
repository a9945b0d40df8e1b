// spikeplot.raster: a dot per spike, time step on x and neuron index on y (snnTorch's
// ax.scatter(*torch.where(data))).
import { checkOptions } from '../torch/check.js';
import type { Tensor } from '../torch/tensor.js';
import { base, matrixOf, SCHEMA, type FigureOptions } from './data.js';
import { Plot } from './render.js';

export interface RasterPlotOptions extends FigureOptions {
  /** Marker area (matplotlib's s), default 20. */
  s?: number;
  /** Marker colour (matplotlib's c), default 'black'. */
  c?: string;
  /** matplotlib's marker: 'o' (default), '.', 's', 'D', '^', 'v', '+', 'x', '|' or '_'. */
  marker?: Marker;
  /** Marker opacity, default 1. */
  alpha?: number;
  xlabel?: string;
  ylabel?: string;
}

export type Marker = 'o' | '.' | 's' | 'D' | 'd' | '^' | 'v' | '+' | 'x' | '|' | '_';
// vega symbol shapes (or SVG paths on the unit square) for matplotlib's marker codes; the line
// markers are stroked, the rest filled.
const SHAPES: Record<Marker, { shape: string; stroked?: boolean; scale?: number }> = {
  o: { shape: 'circle' },
  '.': { shape: 'circle', scale: 0.25 },
  s: { shape: 'square' },
  D: { shape: 'diamond' },
  d: { shape: 'diamond', scale: 0.6 },
  '^': { shape: 'triangle-up' },
  v: { shape: 'triangle-down' },
  '+': { shape: 'M-1,0L1,0M0,-1L0,1', stroked: true },
  x: { shape: 'M-1,-1L1,1M-1,1L1,-1', stroked: true },
  '|': { shape: 'M0,-1L0,1', stroked: true },
  _: { shape: 'M-1,0L1,0', stroked: true },
};

/** data: [time] or [time, neurons]; every nonzero element is a spike. */
export function raster(data: Tensor, opts?: RasterPlotOptions): Plot {
  const o = checkOptions<RasterPlotOptions>('raster options', opts, [
    's',
    'c',
    'marker',
    'alpha',
    'xlabel',
    'ylabel',
    'title',
    'width',
    'height',
  ]);
  const m = matrixOf('data', data, 'raster');
  const points: { t: number; neuron: number }[] = [];
  for (let t = 0; t < m.rows; t++) for (let n = 0; n < m.cols; n++) if (m.values[t * m.cols + n] !== 0) points.push({ t, neuron: n });
  const size = o.s === undefined ? 20 : o.s;
  if (typeof size !== 'number' || !(size > 0)) throw new RangeError(`Expected a positive marker size for s but received ${String(o.s)}`);
  const marker = SHAPES[o.marker ?? 'o'];
  if (!marker)
    throw new TypeError(
      `Expected one of ${Object.keys(SHAPES)
        .map((k) => `'${k}'`)
        .join(', ')} for marker but received ${String(o.marker)}`,
    );
  const alpha = o.alpha ?? 1;
  if (typeof alpha !== 'number' || !(alpha >= 0 && alpha <= 1))
    throw new RangeError(`Expected an opacity in [0, 1] for alpha but received ${String(o.alpha)}`);
  const color = o.c ?? 'black';
  return new Plot({
    $schema: SCHEMA,
    ...base(o, 480, 240),
    data: { values: points },
    mark: marker.stroked
      ? { type: 'point', shape: marker.shape, filled: false, size, stroke: color, strokeWidth: 1.5, opacity: alpha }
      : { type: 'point', shape: marker.shape, filled: true, size: size * (marker.scale ?? 1), color, opacity: alpha },
    encoding: {
      x: {
        field: 't',
        type: 'quantitative',
        title: o.xlabel ?? 'Time step',
        axis: { tickMinStep: 1, format: 'd' },
        scale: { domain: [-0.5, Math.max(m.rows - 0.5, 0.5)], nice: false },
      },
      y: {
        field: 'neuron',
        type: 'quantitative',
        title: o.ylabel ?? 'Neuron',
        axis: { tickMinStep: 1, format: 'd' },
        scale: { domain: [-0.5, Math.max(m.cols - 0.5, 0.5)], nice: false },
      },
    },
  });
}
