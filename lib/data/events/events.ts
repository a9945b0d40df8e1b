// Event streams as Tonic holds them (a structured array with fields x, y, t, p), here as four
// parallel typed arrays: x, y and polarity p as Int32Array, timestamps t (microseconds) as
// Float64Array, sorted by t as the sensors record them.

export interface Events {
  x: Int32Array;
  y: Int32Array;
  t: Float64Array;
  p: Int32Array;
}

/** Tonic's sensor_size: (width, height, polarities). */
export type SensorSize = readonly [number, number, number];

export function makeEvents(n: number): Events {
  return { x: new Int32Array(n), y: new Int32Array(n), t: new Float64Array(n), p: new Int32Array(n) };
}

/** Events from arrays of equal length. */
export function eventsFrom(x: ArrayLike<number>, y: ArrayLike<number>, t: ArrayLike<number>, p: ArrayLike<number>): Events {
  const n = x.length;
  if (y.length !== n || t.length !== n || p.length !== n) {
    throw new RangeError(`eventsFrom: x, y, t and p must have the same length, got ${n}, ${y.length}, ${t.length}, ${p.length}`);
  }
  return { x: Int32Array.from(x), y: Int32Array.from(y), t: Float64Array.from(t), p: Int32Array.from(p) };
}

/** The events at the given positions, in that order. */
export function takeEvents(ev: Events, idx: ArrayLike<number>): Events {
  const out = makeEvents(idx.length);
  for (let i = 0; i < idx.length; i++) {
    const k = idx[i]!;
    out.x[i] = ev.x[k]!;
    out.y[i] = ev.y[k]!;
    out.t[i] = ev.t[k]!;
    out.p[i] = ev.p[k]!;
  }
  return out;
}

/** The events [start, end). */
export function sliceEvents(ev: Events, start: number, end: number): Events {
  return { x: ev.x.subarray(start, end), y: ev.y.subarray(start, end), t: ev.t.subarray(start, end), p: ev.p.subarray(start, end) };
}

export function checkSensorSize(name: string, s: unknown): SensorSize {
  if (!Array.isArray(s) || s.length !== 3 || !s.every((v) => Number.isInteger(v) && v >= 1)) {
    throw new TypeError(`${name} must be [width, height, polarities] of positive integers (Tonic's sensor_size), got ${JSON.stringify(s)}`);
  }
  return s as unknown as SensorSize;
}
