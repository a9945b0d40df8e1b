// ST-MNIST (Spiking Tactile MNIST, See et al. 2020), read as Tonic's STMNIST does: each sample is
// a MAT file whose 'spiketrain' is [101, n_events] (address, event): rows 0-99 are the 10x10
// taxels (+1 ON, -1 OFF, 0 none), row 100 the event time in seconds. Address a maps to
// x = a % 10, y = floor(a / 10); t becomes integer microseconds; polarity -1 becomes 0. Files
// sit in <root>/<label>/*.mat (files whose name contains 'LUT' are skipped).
import { readFileSync } from 'node:fs';
import { makeEvents, type Events, type SensorSize } from './events.js';
import { parseMat, type MatArray } from './mat.js';
import { EventFolder } from './nmnist.js';

export const STMNIST_SENSOR_SIZE: SensorSize = [10, 10, 2];

/** Events from a spiketrain matrix [101, n] (column-major, as parsed from the MAT file). */
export function stmnistEvents(spiketrain: MatArray): Events {
  const [rows, cols] = spiketrain.dims as [number, number];
  if (spiketrain.dims.length !== 2 || rows !== 101) {
    throw new RangeError(`ST-MNIST spiketrain must be [101, n_events] (100 taxels + timestamps), got [${spiketrain.dims.join(', ')}]`);
  }
  const d = spiketrain.data;
  let n = 0;
  for (let e = 0; e < cols; e++) for (let a = 0; a < 100; a++) if (d[a + e * rows] !== 0) n++;
  const ev = makeEvents(n);
  let j = 0;
  // Row-major order over (event, address), as numpy's nonzero() of the transposed matrix.
  for (let e = 0; e < cols; e++) {
    const t = Math.trunc(d[100 + e * rows]! * 1e6);
    for (let a = 0; a < 100; a++) {
      const v = d[a + e * rows]!;
      if (v === 0) continue;
      ev.x[j] = a % STMNIST_SENSOR_SIZE[0];
      ev.y[j] = Math.floor(a / STMNIST_SENSOR_SIZE[1]);
      ev.t[j] = t;
      ev.p[j] = Math.trunc(Math.max(v, 0));
      j++;
    }
  }
  return ev;
}

export function parseSTMNIST(bytes: Uint8Array, file = 'ST-MNIST sample'): Events {
  const m = parseMat(bytes, file).get('spiketrain');
  if (!m) throw new TypeError(`${file}: no 'spiketrain' variable (not an ST-MNIST sample)`);
  return stmnistEvents(m);
}

export function readSTMNISTFile(path: string): Events {
  return parseSTMNIST(readFileSync(path), path);
}

/** tonic.datasets.STMNIST over an extracted copy: <root>/<label>/*.mat. */
export class STMNIST extends EventFolder {
  static readonly sensor_size = STMNIST_SENSOR_SIZE;
  constructor(opts: { root: string; transform?: ((ev: Events) => unknown) | null }) {
    super(opts.root, '.mat', readSTMNISTFile, STMNIST_SENSOR_SIZE, opts.transform ?? null);
  }
}
