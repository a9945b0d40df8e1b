// spikeplot.traces: one small panel per neuron of a [time, neurons] record (e.g. membrane
// potential), in a rows x cols grid with a shared y axis; spikes drawn as spk_height-tall jumps.
import { checkInt, checkNumber, checkOptions } from '../torch/check.js';
import type { Tensor } from '../torch/tensor.js';
import { checkSize, matrixOf, SCHEMA } from './data.js';
import { Plot, type TopLevelSpec } from './render.js';

export interface TracesOptions {
  /** Spikes of the same shape as data, added as spk_height * spk. */
  spk?: Tensor | null;
  /** [rows, cols] of panels (default [3, 3]); neuron i goes to panel i. */
  dim?: [number, number];
  spk_height?: number;
  titles?: readonly string[] | null;
  title?: string;
  /** Size of each panel in pixels. */
  width?: number;
  height?: number;
}

export function traces(data: Tensor, opts?: TracesOptions): Plot {
  const o = checkOptions<TracesOptions>('traces options', opts, ['spk', 'dim', 'spk_height', 'titles', 'title', 'width', 'height']);
  const m = matrixOf('data', data, 'traces');
  const dim = o.dim ?? [3, 3];
  if (!Array.isArray(dim) || dim.length !== 2) throw new TypeError(`Expected [rows, cols] for dim but received ${JSON.stringify(dim)}`);
  const rows = checkInt('dim[0]', dim[0], 1);
  const cols = checkInt('dim[1]', dim[1], 1);
  const panels = rows * cols;
  if (m.cols < panels) throw new RangeError(`traces: dim [${rows}, ${cols}] needs ${panels} neurons but data has ${m.cols}`);
  const height = checkNumber('spk_height', o.spk_height ?? 5);
  let spk: Float64Array | null = null;
  if (o.spk != null) {
    const s = matrixOf('spk', o.spk, 'traces');
    if (s.rows !== m.rows || s.cols !== m.cols)
      throw new RangeError(`traces: spk must have data's shape [${m.rows}, ${m.cols}] but has [${s.rows}, ${s.cols}]`);
    spk = s.values;
  }
  const titles = o.titles ?? null;
  const points: { t: number; v: number; panel: string; order: number }[] = [];
  for (let i = 0; i < panels; i++) {
    const panel = titles && i < titles.length ? String(titles[i]) : `${i}`;
    for (let t = 0; t < m.rows; t++) {
      const k = t * m.cols + i;
      points.push({ t, v: m.values[k]! + (spk ? height * spk[k]! : 0), panel, order: i });
    }
  }
  const spec = {
    $schema: SCHEMA,
    background: 'white',
    padding: 8,
    ...(o.title ? { title: String(o.title) } : {}),
    data: { values: points },
    columns: cols,
    facet: {
      field: 'panel',
      type: 'nominal',
      sort: { field: 'order' },
      title: null,
      header: titles ? { title: null } : { labelExpr: "''", title: null },
    },
    spec: {
      width: checkSize('width', o.width, 140),
      height: checkSize('height', o.height, 90),
      mark: { type: 'line', strokeWidth: 1.2 },
      encoding: {
        x: { field: 't', type: 'quantitative', axis: null },
        y: { field: 'v', type: 'quantitative', axis: null },
      },
    },
    resolve: { scale: { y: 'shared' } },
  } as TopLevelSpec;
  return new Plot(spec);
}
