// spikeplot.spike_count: a horizontal lollipop per label of the spike count so far; animated, one
// frame per (interpolated) time step with an orange cursor, as snnTorch's spike_count.
import { checkBool, checkInt, checkNumber, checkOptions } from '../torch/check.js';
import type { Tensor } from '../torch/tensor.js';
import { base, matrixOf, SCHEMA, type FigureOptions, type Matrix } from './data.js';
import { Animation, Plot, type TopLevelSpec } from './render.js';

export interface SpikeCountOptions extends FigureOptions {
  /** Steps shown on the x axis (default: data's first dim). */
  num_steps?: number | false;
  animate?: boolean;
  /** Frames per time step when animating (default 1). */
  interpolate?: number;
  /** Alternate grey bands behind the plot (default true). */
  gridshader?: boolean;
  /** Milliseconds per frame (default 25). */
  interval?: number;
  /** Seconds per step: label the x axis in seconds. */
  time_step?: number | false;
}

function frame(m: Matrix, labels: string[], upTo: number, xrange: number, o: SpikeCountOptions, cursor: number | null): TopLevelSpec {
  const counts = labels.map((label, c) => {
    let sum = 0;
    for (let t = 0; t < Math.min(upTo, m.rows); t++) sum += m.values[t * m.cols + c]!;
    return { label, count: sum };
  });
  const dt = o.time_step ? o.time_step : 1;
  const xTitle = o.time_step ? 'Time [s]' : 'Time Step';
  const x = { field: 'count', type: 'quantitative' as const, title: xTitle, scale: { domain: [0, xrange * dt], nice: false } };
  const y = { field: 'label', type: 'nominal' as const, title: 'Labels', sort: labels };
  const layers: TopLevelSpec[] = [];
  if (o.gridshader !== false) {
    const bands = [];
    const step = Math.max(1, Math.ceil(xrange / 10));
    for (let s = 0, k = 0; s < xrange; s += step, k++) if (k % 2 === 1) bands.push({ x0: s * dt, x1: Math.min(s + step, xrange) * dt });
    layers.push({
      data: { values: bands },
      mark: { type: 'rect', color: 'lightgrey', opacity: 0.7 },
      encoding: { x: { field: 'x0', type: 'quantitative' }, x2: { field: 'x1' } },
    } as TopLevelSpec);
  }
  const scaled = counts.map((p) => ({ ...p, count: p.count * dt }));
  layers.push({
    data: { values: scaled },
    mark: { type: 'bar', color: '#007ACC', opacity: 0.5, height: 8 },
    encoding: { x, y },
  } as TopLevelSpec);
  layers.push({
    data: { values: scaled },
    mark: { type: 'point', filled: true, size: 64, color: '#007ACC', opacity: 0.6 },
    encoding: { x, y },
  } as TopLevelSpec);
  if (cursor !== null) {
    layers.push({
      data: { values: [{ at: cursor * dt }] },
      mark: { type: 'rule', color: '#ff7f0e', strokeWidth: 3 },
      encoding: { x: { field: 'at', type: 'quantitative' } },
    } as TopLevelSpec);
  }
  return { $schema: SCHEMA, ...base(o, 480, Math.max(120, 24 * labels.length)), layer: layers } as TopLevelSpec;
}

/**
 * data: [time, labels] spikes. Returns a Plot of the total counts, or with animate an Animation
 * whose frame i shows counts up to step floor(i / interpolate).
 */
export function spike_count(data: Tensor, labels: readonly (string | number)[], opts: SpikeCountOptions & { animate: true }): Animation;
export function spike_count(data: Tensor, labels: readonly (string | number)[], opts?: SpikeCountOptions & { animate?: false }): Plot;
export function spike_count(data: Tensor, labels: readonly (string | number)[], opts?: SpikeCountOptions): Plot | Animation;
export function spike_count(data: Tensor, labels: readonly (string | number)[], opts?: SpikeCountOptions): Plot | Animation {
  const o = checkOptions<SpikeCountOptions>('spike_count options', opts, [
    'num_steps',
    'animate',
    'interpolate',
    'gridshader',
    'interval',
    'time_step',
    'title',
    'width',
    'height',
  ]);
  const m = matrixOf('data', data, 'spike_count');
  if (!Array.isArray(labels) || labels.length !== m.cols)
    throw new RangeError(
      `spike_count: expected ${m.cols} labels (one per column of data) but received ${Array.isArray(labels) ? labels.length : String(labels)}`,
    );
  const names = labels.map(String);
  if (new Set(names).size !== names.length) throw new RangeError('spike_count: labels must be distinct');
  const xrange = o.num_steps ? checkInt('num_steps', o.num_steps, 1) : m.rows;
  const interpolate = checkInt('interpolate', o.interpolate ?? 1, 1);
  const interval = checkNumber('interval', o.interval ?? 25);
  if (o.time_step) checkNumber('time_step', o.time_step);
  if (o.gridshader !== undefined) checkBool('gridshader', o.gridshader);
  if (!checkBool('animate', o.animate ?? false)) return new Plot(frame(m, names, xrange, xrange, o, null));
  const frames: TopLevelSpec[] = [];
  for (let i = 0; i < xrange * interpolate; i++) frames.push(frame(m, names, Math.floor(i / interpolate), xrange, o, i / interpolate));
  return new Animation(frames, interval);
}
