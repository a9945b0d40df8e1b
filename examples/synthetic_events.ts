// Stand-ins for N-MNIST and ST-MNIST, which cannot be downloaded here: event files in each
// dataset's own format, made from MNIST digits, written to a folder in the datasets' layouts and
// then read back by data.events.NMNIST / STMNIST exactly as the real files would be.
//  - N-MNIST-like: the 28x28 digit centred on the 34x34 sensor moves smoothly through 3 saccades,
//    seen by a model DVS pixel array (an event per fixed brightness change, ON or OFF).
//  - ST-MNIST-like: the digit pooled to the 10x10 taxel grid and "written" top to bottom: each
//    taxel under the stroke turns ON when the pen reaches its row and OFF a little later.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { torch, data } from '../lib/index.js';
import { rng } from './common.js';

const E = data.events;

function digits(train: boolean, n: number, seed: number): { images: Float32Array[]; labels: number[] } {
  const ds = new data.datasets.MNIST({ train });
  const pick = rng(seed);
  const images: Float32Array[] = [];
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const k = Math.floor(pick() * ds.length);
    const [img, label] = ds.get(k);
    images.push(torch.tidy(() => img.float().div(255).contiguous().data() as Float32Array));
    labels.push(label);
    img.dispose();
  }
  return { images, labels };
}

/** The digit placed on the 34x34 sensor with its top-left corner at (3 + ox, 3 + oy), bilinear between pixels, into out. */
function place(img: Float32Array, ox: number, oy: number, out: Float64Array): void {
  // One sub-pixel offset for the whole frame: the same four weights at every pixel.
  const ix = Math.floor(ox),
    iy = Math.floor(oy);
  const fx = ox - ix,
    fy = oy - iy;
  const px = (a: number, b: number): number => (a >= 0 && a < 28 && b >= 0 && b < 28 ? img[b * 28 + a]! : 0);
  for (let y = 0; y < 34; y++) {
    for (let x = 0; x < 34; x++) {
      // Digit pixel u sits at sensor x = 3 + u + o, so sensor x reads u = x - 3 - ix - fx.
      const u = x - 3 - ix,
        v = y - 3 - iy;
      out[y * 34 + x] = (1 - fy) * ((1 - fx) * px(u, v) + fx * px(u - 1, v)) + fy * ((1 - fx) * px(u, v - 1) + fx * px(u - 1, v - 1));
    }
  }
}

/**
 * Writes n N-MNIST-like files per split into <root>/NMNIST/{Train,Test}/<label>/<id>.bin. Each of the
 * 3 saccades moves the digit smoothly (SUBSTEPS positions per saccade); a pixel emits an event each
 * time its brightness has changed by CONTRAST since its last event (ON when brighter, OFF when
 * darker), at a jittered time inside that sub-step, as a DVS pixel does. Events therefore come in
 * bursts along the moving edges, a few thousand per recording, and neighbouring pixels fire within
 * milliseconds of each other, so Denoise(filter_time=10000) keeps them as it keeps real N-MNIST's.
 */
export function writeSyntheticNMNIST(
  root: string,
  opts: { n_train: number; n_test: number; saccade_us: number; seed: number; contrast?: number },
): void {
  const SUBSTEPS = 24;
  const CONTRAST = opts.contrast ?? 0.15;
  const moves: [number, number][] = [
    [1.5, 1.5],
    [1.5, -1.5],
    [-3, 0],
  ];
  for (const [split, n, seed] of [
    ['Train', opts.n_train, opts.seed],
    ['Test', opts.n_test, opts.seed + 1],
  ] as const) {
    const { images, labels } = digits(split === 'Train', n, seed);
    const r = rng(seed + 100);
    const ref = new Float64Array(34 * 34);
    const now = new Float64Array(34 * 34);
    images.forEach((img, i) => {
      const xs: number[] = [],
        ys: number[] = [],
        ts: number[] = [],
        ps: number[] = [];
      place(img, 0, 0, ref);
      let ox = 0,
        oy = 0;
      moves.forEach(([dx, dy], s) => {
        for (let k = 1; k <= SUBSTEPS; k++) {
          place(img, ox + (dx * k) / SUBSTEPS, oy + (dy * k) / SUBSTEPS, now);
          for (let y = 0; y < 34; y++) {
            for (let x = 0; x < 34; x++) {
              let d = now[y * 34 + x]! - ref[y * 34 + x]!;
              while (Math.abs(d) >= CONTRAST) {
                const on = d > 0;
                xs.push(x);
                ys.push(y);
                ps.push(on ? 1 : 0);
                ts.push(Math.floor(opts.saccade_us * (s + (k - 1 + r()) / SUBSTEPS)));
                ref[y * 34 + x]! += on ? CONTRAST : -CONTRAST;
                d = now[y * 34 + x]! - ref[y * 34 + x]!;
              }
            }
          }
        }
        ox += dx;
        oy += dy;
      });
      const order = ts.map((_, e) => e).sort((a, b) => ts[a]! - ts[b]!);
      const dir = join(root, 'NMNIST', split, String(labels[i]));
      mkdirSync(dir, { recursive: true });
      E.writeNMNISTFile(
        join(dir, `${String(i).padStart(5, '0')}.bin`),
        E.eventsFrom(
          order.map((e) => xs[e]!),
          order.map((e) => ys[e]!),
          order.map((e) => ts[e]!),
          order.map((e) => ps[e]!),
        ),
      );
    });
  }
}

/** Writes n ST-MNIST-like MAT files into <root>/<label>/<id>.mat; returns the file count. */
export function writeSyntheticSTMNIST(root: string, opts: { n: number; seed: number }): number {
  const { images, labels } = digits(true, opts.n, opts.seed);
  const r = rng(opts.seed + 7);
  images.forEach((img, i) => {
    // Pool 28x28 -> 10x10 (2.8 pixels per taxel), threshold the stroke.
    const taxel = new Float64Array(100);
    for (let y = 0; y < 28; y++)
      for (let x = 0; x < 28; x++)
        taxel[Math.min(9, Math.floor(y / 2.8)) * 10 + Math.min(9, Math.floor(x / 2.8))]! += img[y * 28 + x]! / 7.84;
    const cols: { a: number; v: number; t: number }[] = [];
    for (let a = 0; a < 100; a++) {
      if (taxel[a]! < 0.25) continue;
      const row = Math.floor(a / 10);
      const on = 0.1 * row + 0.05 * r();
      cols.push({ a, v: 1, t: on }, { a, v: -1, t: on + 0.1 + 0.05 * r() });
    }
    cols.sort((a, b) => a.t - b.t);
    const d = new Float64Array(101 * cols.length);
    cols.forEach((c, e) => {
      d[c.a + e * 101] = c.v;
      d[100 + e * 101] = c.t;
    });
    const dir = join(root, String(labels[i]));
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `sample_${i}.mat`), E.encodeMat([{ name: 'spiketrain', dims: [101, cols.length], data: d }]));
  });
  return images.length;
}
