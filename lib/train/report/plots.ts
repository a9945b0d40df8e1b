// SVG plots for a training report, rendered in Node by vega-lite (spec -> vega) and vega's
// headless View (renderer 'none', toSVG). Independent of the library: inputs are plain numbers.
//   renderLossPlot      loss against iteration (one line per series: train, test, ...)
//   renderAccuracyPlot  accuracy against epoch
//   renderRaster        output spikes of a few digits, one panel per digit, like snnTorch's
//                       spikeplot.raster: time step on x, neuron index on y, a tick per spike
// Each returns the SVG text and, given opts.file, writes it there (creating the folder).
// vega and vega-lite are loaded on first use: the installed package does not depend on them, and
// without them plotsAvailable() is false (the training CLI then writes metrics.json only).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { TopLevelSpec } from 'vega-lite';

type Vega = typeof import('vega');
type VegaLite = typeof import('vega-lite');
let libs: Promise<{ vega: Vega; vegaLite: VegaLite }> | null = null;

function loadVega(): Promise<{ vega: Vega; vegaLite: VegaLite }> {
  libs ??= Promise.all([import('vega'), import('vega-lite')]).then(([vega, vegaLite]) => ({ vega, vegaLite }));
  return libs;
}

/** Whether vega and vega-lite can be loaded (the plots need them: npm install vega vega-lite). */
export async function plotsAvailable(): Promise<boolean> {
  try {
    await loadVega();
    return true;
  } catch {
    libs = null;
    return false;
  }
}

export interface PlotOptions {
  /** Where to write the SVG (folders are created); nothing is written without it. */
  file?: string;
  title?: string;
  /** Size of the plotting area (of each panel for the raster), in pixels. */
  width?: number;
  height?: number;
}

/** Renders a vega-lite spec to SVG text (and to opts.file when given). */
export async function renderVegaLite(spec: TopLevelSpec, file?: string): Promise<string> {
  const { vega, vegaLite } = await loadVega();
  const view = new vega.View(vega.parse(vegaLite.compile(spec).spec), { renderer: 'none', logLevel: vega.Warn });
  try {
    const svg = await view.toSVG();
    if (file !== undefined) {
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, svg);
    }
    return svg;
  } finally {
    view.finalize();
  }
}

function fail(what: string, name: string, value: unknown): never {
  throw new TypeError(
    `Expected ${what} for ${name} but received ${JSON.stringify(value)?.slice(0, 60) ?? String(value)} of type ${Array.isArray(value) ? 'array' : typeof value}`,
  );
}

function checkFiniteOrNull(name: string, v: unknown): number | null {
  if (v === null || (typeof v === 'number' && Number.isNaN(v))) return null; // a diverged value: a gap in the line
  if (typeof v !== 'number' || !Number.isFinite(v)) fail('a finite number', name, v);
  return v;
}

function base(
  opts: PlotOptions,
  width: number,
  height: number,
): { width: number; height: number; background: string; padding: number; title?: string } {
  return {
    width: opts.width ?? width,
    height: opts.height ?? height,
    background: 'white',
    padding: 8,
    ...(opts.title ? { title: opts.title } : {}),
  };
}

export interface LossPoint {
  /** The iteration (batch) number, or the epoch for per-epoch losses. */
  iteration: number;
  loss: number | null;
  /** Which curve the point belongs to (default 'train'). */
  series?: string;
}

export interface LossPlotOptions extends PlotOptions {
  /** x axis title (default 'Iteration'). */
  xTitle?: string;
  /** A log-scaled loss axis (default false). */
  logScale?: boolean;
}

/** The loss curve: points, or plain losses (iteration = index). */
export async function renderLossPlot(points: readonly LossPoint[] | readonly number[], opts: LossPlotOptions = {}): Promise<string> {
  if (!Array.isArray(points)) fail('an array of losses or {iteration, loss, series?} points', 'points', points);
  const values = points.map((p: LossPoint | number, i) => {
    if (typeof p === 'number' || p === null) return { iteration: i, loss: checkFiniteOrNull(`points[${i}]`, p), series: 'train' };
    if (typeof p !== 'object') fail('a number or an {iteration, loss} point', `points[${i}]`, p);
    const iteration = checkFiniteOrNull(`points[${i}].iteration`, p.iteration);
    if (iteration === null) fail('a finite number', `points[${i}].iteration`, p.iteration);
    return { iteration, loss: checkFiniteOrNull(`points[${i}].loss`, p.loss), series: p.series ?? 'train' };
  });
  if (opts.logScale && values.some((v) => v.loss !== null && v.loss <= 0))
    throw new RangeError('renderLossPlot: a log scale needs positive losses');
  const series = [...new Set(values.map((v) => v.series))];
  const multi = series.length > 1;
  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    ...base(opts, 480, 260),
    data: { values },
    mark: { type: 'line', strokeWidth: 1.2, interpolate: 'linear' },
    encoding: {
      x: { field: 'iteration', type: 'quantitative', title: opts.xTitle ?? 'Iteration', axis: { tickMinStep: 1 } },
      y: { field: 'loss', type: 'quantitative', title: 'Loss', scale: opts.logScale ? { type: 'log' } : { zero: false } },
      ...(multi ? { color: { field: 'series', type: 'nominal', title: null, scale: { domain: series } } } : {}),
    },
  };
  return renderVegaLite(spec, opts.file);
}

/**
 * Points for a per-iteration loss history (the tutorial's loss_hist, one loss per batch): the raw
 * losses as series 'loss' and their trailing running mean over `window` iterations as series
 * 'running mean (N)'. A non-finite loss is a gap in the raw line and is left out of the mean.
 */
export function lossHistoryPoints(losses: readonly (number | null)[], window = 50): LossPoint[] {
  if (!Array.isArray(losses)) fail('an array of losses', 'losses', losses);
  if (!Number.isInteger(window) || window < 1) fail('an integer >= 1', 'window', window);
  const meanName = `running mean (${window})`;
  const raw: LossPoint[] = [];
  const mean: LossPoint[] = [];
  let sum = 0;
  let count = 0;
  for (let i = 0; i < losses.length; i++) {
    const v = losses[i];
    const ok = typeof v === 'number' && Number.isFinite(v);
    raw.push({ iteration: i + 1, loss: ok ? v : null, series: 'loss' });
    if (ok) {
      sum += v;
      count++;
    }
    const old = i >= window ? losses[i - window] : undefined;
    if (typeof old === 'number' && Number.isFinite(old)) {
      sum -= old;
      count--;
    }
    mean.push({ iteration: i + 1, loss: count > 0 ? sum / count : null, series: meanName });
  }
  return [...raw, ...mean];
}

export interface AccuracyPoint {
  epoch: number;
  /** A fraction in [0, 1]. */
  accuracy: number;
  /** Which curve (default 'test'). */
  series?: string;
}

/** Accuracy per epoch: points, or plain accuracies (epoch = index + 1). Accuracies are fractions in [0, 1]. */
export async function renderAccuracyPlot(points: readonly AccuracyPoint[] | readonly number[], opts: PlotOptions = {}): Promise<string> {
  if (!Array.isArray(points)) fail('an array of accuracies or {epoch, accuracy, series?} points', 'points', points);
  const values = points.map((p: AccuracyPoint | number, i) => {
    const pt = typeof p === 'number' ? { epoch: i + 1, accuracy: p, series: 'test' } : p;
    if (typeof pt !== 'object' || pt === null) fail('a number or an {epoch, accuracy} point', `points[${i}]`, p);
    const accuracy = checkFiniteOrNull(`points[${i}].accuracy`, pt.accuracy);
    if (accuracy === null || accuracy < 0 || accuracy > 1) fail('an accuracy in [0, 1]', `points[${i}].accuracy`, pt.accuracy);
    const epoch = checkFiniteOrNull(`points[${i}].epoch`, pt.epoch);
    if (epoch === null) fail('a finite number', `points[${i}].epoch`, pt.epoch);
    return { epoch, accuracy, series: pt.series ?? 'test' };
  });
  const series = [...new Set(values.map((v) => v.series))];
  const multi = series.length > 1;
  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    ...base(opts, 360, 240),
    data: { values },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'epoch', type: 'quantitative', title: 'Epoch', axis: { tickMinStep: 1, format: 'd' } },
      y: { field: 'accuracy', type: 'quantitative', title: 'Accuracy', scale: { zero: false }, axis: { format: '.1%' } },
      ...(multi ? { color: { field: 'series', type: 'nominal', title: null, scale: { domain: series } } } : {}),
    },
  };
  return renderVegaLite(spec, opts.file);
}

/** Spikes as nested arrays [T][N][K], or flat row-major data with its shape [T, N, K]. */
export type SpikeRecord =
  readonly (readonly (readonly number[])[])[] | { data: ArrayLike<number | bigint | boolean>; shape: readonly [number, number, number] };

export interface RasterOptions extends PlotOptions {
  /** The true label of each of the N digits (panel titles). */
  labels?: readonly number[];
  /** The predicted label of each digit (panel titles). */
  predictions?: readonly number[];
  /** Panels per row (default min(N, 5)). */
  columns?: number;
}

function flatSpikes(spikes: SpikeRecord): { data: ArrayLike<number | bigint | boolean>; shape: [number, number, number] } {
  if (Array.isArray(spikes)) {
    const T = spikes.length;
    const N = T > 0 ? (spikes[0] as unknown[]).length : 0;
    const K = N > 0 ? ((spikes[0] as unknown[][])[0] as unknown[]).length : 0;
    const data = new Float64Array(T * N * K);
    spikes.forEach((step: readonly (readonly number[])[], t) => {
      if (!Array.isArray(step) || step.length !== N) fail(`an array of ${N} digits`, `spikes[${t}]`, step);
      step.forEach((row, n) => {
        if (!Array.isArray(row) || row.length !== K) fail(`an array of ${K} neurons`, `spikes[${t}][${n}]`, row);
        for (let k = 0; k < K; k++) data[(t * N + n) * K + k] = Number(row[k]);
      });
    });
    return { data, shape: [T, N, K] };
  }
  if (typeof spikes !== 'object' || spikes === null || !('shape' in spikes) || !('data' in spikes))
    fail('nested arrays [T][N][K] or {data, shape}', 'spikes', spikes);
  const shape = spikes.shape;
  if (!Array.isArray(shape) || shape.length !== 3 || !shape.every((s) => Number.isInteger(s) && s >= 0))
    fail('a shape [T, N, K]', 'spikes.shape', shape);
  if (spikes.data.length !== shape[0] * shape[1] * shape[2]) {
    throw new RangeError(
      `renderRaster: shape [${shape.join(', ')}] has ${shape[0] * shape[1] * shape[2]} elements but data has ${spikes.data.length}`,
    );
  }
  return { data: spikes.data, shape: [shape[0], shape[1], shape[2]] };
}

/**
 * A raster of output spikes: one panel per digit (the N axis), time step on x, neuron index on y,
 * a vertical tick for each nonzero entry of the [T, N, K] record.
 */
export async function renderRaster(spikes: SpikeRecord, opts: RasterOptions = {}): Promise<string> {
  const { data, shape } = flatSpikes(spikes);
  const [T, N, K] = shape;
  if (N === 0) throw new RangeError('renderRaster: no digits to plot (N = 0)');
  for (const [name, list] of [
    ['labels', opts.labels],
    ['predictions', opts.predictions],
  ] as const) {
    if (list !== undefined && (!Array.isArray(list) || list.length !== N)) fail(`an array of ${N} numbers (one per digit)`, name, list);
  }
  const panels = Array.from({ length: N }, (_, n) => {
    const parts = [`digit ${n}`];
    if (opts.labels) parts.push(`label ${opts.labels[n]}`);
    if (opts.predictions) parts.push(`predicted ${opts.predictions[n]}`);
    return parts.join(', ');
  });
  const columns = opts.columns ?? Math.min(N, 5);
  const xDomain = [-0.5, Math.max(T, 1) - 0.5];
  // One panel (a concat cell with its own data) per digit, so a digit without spikes still gets
  // an empty panel; fixed domains keep the panels' scales equal.
  const cells = panels.map((title, n) => {
    const values: { t: number; neuron: number; y0: number; y1: number }[] = [];
    for (let t = 0; t < T; t++) {
      for (let k = 0; k < K; k++) {
        const v = data[(t * N + n) * K + k];
        if (v !== undefined && Number(v) !== 0) values.push({ t, neuron: k, y0: k - 0.4, y1: k + 0.4 });
      }
    }
    return {
      title,
      width: opts.width ?? 220,
      height: opts.height ?? 160,
      data: { values },
      mark: { type: 'rule' as const, strokeWidth: 1.5, color: 'black' },
      encoding: {
        x: {
          field: 't',
          type: 'quantitative' as const,
          title: 'Time step',
          scale: { domain: xDomain, nice: false, zero: false },
          axis: { format: 'd', tickMinStep: 1 },
        },
        y: {
          field: 'y0',
          type: 'quantitative' as const,
          title: 'Neuron',
          scale: { domain: [-0.5, K - 0.5], nice: false, zero: false },
          axis: { values: Array.from({ length: K }, (_, k) => k), format: 'd', grid: false },
        },
        y2: { field: 'y1' },
      },
    };
  });
  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    background: 'white',
    padding: 8,
    ...(opts.title ? { title: opts.title } : {}),
    columns,
    concat: cells,
  };
  return renderVegaLite(spec, opts.file);
}
