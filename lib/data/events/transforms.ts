// Tonic's Denoise and ToFrame transforms (tonic.functional.denoise_numpy, to_frame_numpy and the
// slicers they use), and PadTensors, Tonic's collation for frames of different lengths.
import { checkOptions } from '../../torch/check.js';
import { empty, from_typed_array } from '../../torch/creation.js';
import type { Tensor } from '../../torch/tensor.js';
import { checkSensorSize, takeEvents, type Events, type SensorSize } from './events.js';

export interface DenoiseOptions {
  /** Microseconds: an event is kept when a 4-neighbour pixel fired within this time before it. */
  filter_time: number;
}

/** tonic.transforms.Denoise: drops events with no event at a 4-neighbour within filter_time before. */
export function Denoise(opts: DenoiseOptions): (ev: Events) => Events {
  const o = checkOptions<DenoiseOptions>('Denoise options', opts, ['filter_time']);
  if (typeof o.filter_time !== 'number' || !(o.filter_time > 0))
    throw new TypeError(`Denoise: filter_time must be a positive number of microseconds, got ${String(o.filter_time)}`);
  const filter_time = o.filter_time;
  return (ev) => {
    const n = ev.x.length;
    if (n === 0) return ev;
    let width = 0;
    let height = 0;
    for (let i = 0; i < n; i++) {
      if (ev.x[i]! + 1 > width) width = ev.x[i]! + 1;
      if (ev.y[i]! + 1 > height) height = ev.y[i]! + 1;
    }
    // memory[x, y]: the time until which a neighbour's event counts as support.
    const memory = new Float64Array(width * height).fill(filter_time);
    const keep: number[] = [];
    for (let i = 0; i < n; i++) {
      const x = ev.x[i]!,
        y = ev.y[i]!,
        t = ev.t[i]!;
      memory[x * height + y] = t + filter_time;
      if (
        (x > 0 && memory[(x - 1) * height + y]! > t) ||
        (x < width - 1 && memory[(x + 1) * height + y]! > t) ||
        (y > 0 && memory[x * height + y - 1]! > t) ||
        (y < height - 1 && memory[x * height + y + 1]! > t)
      ) {
        keep.push(i);
      }
    }
    return takeEvents(ev, keep);
  };
}

export interface ToFrameOptions {
  sensor_size: SensorSize;
  /** Microseconds per frame. */
  time_window?: number;
  /** Events per frame. */
  event_count?: number;
  /** Frames of equal duration. */
  n_time_bins?: number;
  /** Frames of equal event counts. */
  n_event_bins?: number;
  /** Overlap of windows: microseconds / events for time_window / event_count, a fraction in [0, 1) for the bins. */
  overlap?: number;
  /** Keeps a last, incomplete window (time_window / event_count). */
  include_incomplete?: boolean;
}

/** numpy.searchsorted(a, v) (side='left') on a sorted array. */
function searchsorted(a: Float64Array, v: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

type Slices = [number, number][];

function sliceByTime(t: Float64Array, time_window: number, overlap: number, include_incomplete: boolean): Slices {
  const stride = time_window - overlap;
  if (!(stride > 0)) throw new RangeError(`ToFrame: time_window - overlap must be positive, got ${time_window} - ${overlap}`);
  const start = t[0]!;
  const duration = t[t.length - 1]! - start;
  const raw = (duration - time_window) / stride + 1;
  const n = Math.max(include_incomplete ? Math.ceil(raw) : Math.floor(raw), 1);
  const out: Slices = [];
  for (let i = 0; i < n; i++) {
    const ws = i * stride + start;
    out.push([searchsorted(t, ws), searchsorted(t, ws + time_window)]);
  }
  return out;
}

function sliceByCount(n_events: number, event_count: number, overlap: number, include_incomplete: boolean): Slices {
  const count = Math.min(event_count, n_events);
  const stride = count - overlap;
  if (!(stride > 0)) throw new RangeError(`ToFrame: event_count - overlap must be positive, got ${count} - ${overlap}`);
  const raw = (n_events - count) / stride;
  const n = (include_incomplete ? Math.ceil(raw) : Math.floor(raw)) + 1;
  const out: Slices = [];
  for (let i = 0; i < n; i++) out.push([i * stride, Math.min(i * stride + count, n_events)]);
  return out;
}

function sliceByTimeBins(t: Float64Array, bins: number, overlap: number): Slices {
  if (!(overlap >= 0 && overlap < 1)) throw new RangeError(`ToFrame: overlap must be in [0, 1) with n_time_bins, got ${overlap}`);
  const window = Math.floor((t[t.length - 1]! - t[0]!) / bins) * (1 + overlap);
  const stride = window * (1 - overlap);
  const out: Slices = [];
  for (let i = 0; i < bins; i++) {
    const ws = i * stride + t[0]!;
    out.push([searchsorted(t, ws), searchsorted(t, ws + window)]);
  }
  return out;
}

function sliceByEventBins(n_events: number, bins: number, overlap: number): Slices {
  if (!(overlap >= 0 && overlap < 1)) throw new RangeError(`ToFrame: overlap must be in [0, 1) with n_event_bins, got ${overlap}`);
  const count = Math.trunc((n_events / bins) * (1 + overlap));
  const stride = Math.trunc(count * (1 - overlap));
  const out: Slices = [];
  for (let i = 0; i < bins; i++) out.push([i * stride, Math.min(i * stride + count, n_events)]);
  return out;
}

/**
 * tonic.transforms.ToFrame: event counts per pixel and polarity in each window, as a float32
 * tensor [frames, polarities, height, width] (Tonic returns an int numpy array of that shape).
 * Exactly one of time_window, event_count, n_time_bins, n_event_bins.
 */
export function ToFrame(opts: ToFrameOptions): (ev: Events) => Tensor {
  const o = checkOptions<ToFrameOptions>('ToFrame options', opts, [
    'sensor_size',
    'time_window',
    'event_count',
    'n_time_bins',
    'n_event_bins',
    'overlap',
    'include_incomplete',
  ]);
  const sensor = checkSensorSize('ToFrame: sensor_size', o.sensor_size);
  const modes = (['time_window', 'event_count', 'n_time_bins', 'n_event_bins'] as const).filter((k) => o[k] !== undefined && o[k] !== null);
  if (modes.length !== 1)
    throw new TypeError(
      `ToFrame: give exactly one of time_window, event_count, n_time_bins, n_event_bins (got ${modes.length === 0 ? 'none' : modes.join(', ')})`,
    );
  const mode = modes[0]!;
  const value = o[mode]!;
  if (typeof value !== 'number' || !(value > 0) || (mode !== 'time_window' && !Number.isInteger(value))) {
    throw new TypeError(`ToFrame: ${mode} must be a positive ${mode === 'time_window' ? 'number' : 'integer'}, got ${String(value)}`);
  }
  const overlap = o.overlap ?? 0;
  const include_incomplete = o.include_incomplete ?? false;
  const [W, H, P] = sensor;
  return (ev) => {
    const n = ev.x.length;
    if (n === 0) throw new RangeError('ToFrame: the event stream is empty (no frames to make)');
    let slices: Slices;
    if (mode === 'time_window') slices = sliceByTime(ev.t, value, overlap, include_incomplete);
    else if (mode === 'event_count') slices = sliceByCount(n, value, overlap, include_incomplete);
    else if (mode === 'n_time_bins') slices = sliceByTimeBins(ev.t, value, overlap);
    else slices = sliceByEventBins(n, value, overlap);
    const frame = W * H * P;
    const out = countBuffer(slices.length * frame);
    for (let f = 0; f < slices.length; f++) {
      const [s, e] = slices[f]!;
      for (let i = s; i < e; i++) {
        const x = ev.x[i]!,
          y = ev.y[i]!;
        const p = P === 1 ? 0 : ev.p[i]!;
        if (x < 0 || x >= W || y < 0 || y >= H || p < 0 || p >= P) {
          throw new RangeError(`ToFrame: event ${i} (x=${x}, y=${y}, p=${p}) lies outside sensor_size [${W}, ${H}, ${P}]`);
        }
        out[f * frame + (p * H + y) * W + x]! += 1;
      }
    }
    return from_typed_array(out, [slices.length, P, H, W]);
  };
}

// The counts are copied into the tensor, so one zeroed scratch buffer serves every ToFrame call:
// a fresh multi-megabyte ArrayBuffer per recording (tutorial 7: 128 x 2.7 MB per batch) cost more
// than the counting. Buffers over SCRATCH_MAX elements are not kept.
const SCRATCH_MAX = 16 * 2 ** 20;
let scratch = new Float32Array(0);
function countBuffer(n: number): Float32Array {
  if (n > SCRATCH_MAX) return new Float32Array(n);
  if (scratch.length < n) scratch = new Float32Array(n);
  const out = scratch.subarray(0, n);
  out.fill(0);
  return out;
}

/**
 * tonic.collation.PadTensors: frame tensors [T_i, ...] padded with zeros to the longest T and
 * stacked, [T, B, ...] when batch_first is false (the tutorials' setting), else [B, T, ...].
 * Each frame is copied once into the batch (tutorial 7's batches are 128 x [~300, 2, 34, 34]).
 */
export function PadTensors({ batch_first = true }: { batch_first?: boolean } = {}): (frames: readonly Tensor[]) => Tensor {
  return (frames) => {
    if (frames.length === 0) throw new RangeError('PadTensors: no tensors to collate');
    const first = frames[0]!;
    const rest = first.shape.slice(1);
    frames.forEach((f, i) => {
      if (f.ndim !== first.ndim || f.ndim < 1 || f.shape.slice(1).some((d, k) => d !== rest[k]) || f.dtype !== first.dtype)
        throw new RangeError(
          `PadTensors: tensor ${i} is ${f.dtype} [${f.shape.join(', ')}], but tensor 0 is ${first.dtype} [${first.shape.join(', ')}]; ` +
            'all must differ only in their first (time) dimension',
        );
    });
    const T = Math.max(...frames.map((f) => f.shape[0]!));
    const B = frames.length;
    const batch_dim = batch_first ? 0 : 1;
    const out = empty(batch_first ? [B, T, ...rest] : [T, B, ...rest], { dtype: first.dtype });
    frames.forEach((f, i) => {
      const row = out.select(batch_dim, i);
      const n = f.shape[0]!;
      const head = row.narrow(0, 0, n);
      head.copy_(f);
      head.dispose();
      if (n < T) {
        const tail = row.narrow(0, n, T - n);
        tail.zero_();
        tail.dispose();
      }
      row.dispose();
    });
    return out;
  };
}
