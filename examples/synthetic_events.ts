// Stand-ins for N-MNIST and ST-MNIST, which cannot be downloaded here: event files in each
// dataset's own format, made from MNIST digits, written to a folder in the datasets' layouts and
// then read back by data.events.NMNIST / STMNIST exactly as the real files would be.
//  - N-MNIST-like: the 28x28 digit centred on the 34x34 sensor moves through 3 saccades; each
//    saccade emits an ON event at a pixel where the moving digit's edge brightens and an OFF event
//    where it darkens, at a random time inside the saccade (sorted), as a DVS does.
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

/** Writes n N-MNIST-like files per split into <root>/NMNIST/{Train,Test}/<label>/<id>.bin. */
export function writeSyntheticNMNIST(root: string, opts: { n_train: number; n_test: number; saccade_us: number; seed: number }): void {
  const moves: [number, number][] = [
    [1, 1],
    [1, -1],
    [-2, 0],
  ];
  for (const [split, n, seed] of [
    ['Train', opts.n_train, opts.seed],
    ['Test', opts.n_test, opts.seed + 1],
  ] as const) {
    const { images, labels } = digits(split === 'Train', n, seed);
    const r = rng(seed + 100);
    images.forEach((img, i) => {
      const at = (x: number, y: number, ox: number, oy: number): number => {
        const u = x - 3 - ox,
          v = y - 3 - oy;
        return u >= 0 && u < 28 && v >= 0 && v < 28 ? img[v * 28 + u]! : 0;
      };
      const ev: { x: number; y: number; t: number; p: number }[] = [];
      let ox = 0,
        oy = 0;
      moves.forEach(([dx, dy], s) => {
        for (let y = 0; y < 34; y++) {
          for (let x = 0; x < 34; x++) {
            const change = at(x, y, ox + dx, oy + dy) - at(x, y, ox, oy);
            if (Math.abs(change) > 0.3 && r() < 0.9)
              ev.push({ x, y, t: Math.floor(s * opts.saccade_us + r() * opts.saccade_us), p: change > 0 ? 1 : 0 });
          }
        }
        ox += dx;
        oy += dy;
      });
      ev.sort((a, b) => a.t - b.t);
      const dir = join(root, 'NMNIST', split, String(labels[i]));
      mkdirSync(dir, { recursive: true });
      E.writeNMNISTFile(
        join(dir, `${String(i).padStart(5, '0')}.bin`),
        E.eventsFrom(
          ev.map((e) => e.x),
          ev.map((e) => e.y),
          ev.map((e) => e.t),
          ev.map((e) => e.p),
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
