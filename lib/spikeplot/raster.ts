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
  xlabel?: string;
  ylabel?: string;
}

/** data: [time] or [time, neurons]; every nonzero element is a spike. */
export function raster(data: Tensor, opts?: RasterPlotOptions): Plot {
  const o = checkOptions<RasterPlotOptions>('raster options', opts, ['s', 'c', 'xlabel', 'ylabel', 'title', 'width', 'height']);
  const m = matrixOf('data', data, 'raster');
  const points: { t: number; neuron: number }[] = [];
  for (let t = 0; t < m.rows; t++) for (let n = 0; n < m.cols; n++) if (m.values[t * m.cols + n] !== 0) points.push({ t, neuron: n });
  const size = o.s === undefined ? 20 : o.s;
  if (typeof size !== 'number' || !(size > 0)) throw new RangeError(`Expected a positive marker size for s but received ${String(o.s)}`);
  return new Plot({
    $schema: SCHEMA,
    ...base(o, 480, 240),
    data: { values: points },
    mark: { type: 'point', filled: true, size, color: o.c ?? 'black', opacity: 1 },
    encoding: {
      x: { field: 't', type: 'quantitative', title: o.xlabel ?? 'Time step', scale: { domain: [-0.5, Math.max(m.rows - 0.5, 0.5)], nice: false } },
      y: { field: 'neuron', type: 'quantitative', title: o.ylabel ?? 'Neuron', scale: { domain: [-0.5, Math.max(m.cols - 0.5, 0.5)], nice: false } },
    },
  });
}
