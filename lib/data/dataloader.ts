// torch.utils.data.DataLoader for datasets held as tensors: each batch is made by the dataset's
// getBatch (one index_select of the features and of the labels, then the transform once on the
// batch), so nothing is copied or converted per image. Batches are new tensors every step: the
// training loop owns them and disposes them (or runs the step in torch.tidy).
//
// Shuffling is a Fisher-Yates shuffle driven by xoshiro128** (a small, well-tested PRNG), with a
// new permutation for each epoch (each new iteration of the loader):
//   - with `seed` (alias `generator_seed`), the loader owns its PRNG, seeded once: the sequence of
//     epoch orders is the same in every run with that seed, whatever else the program draws;
//   - without it, each epoch's order is seeded by a draw from LibTorch's global generator (as
//     PyTorch's RandomSampler does), so torch.manual_seed(s) makes the shuffling reproducible too.
import { checkAllocation, checkBool, checkInt, checkOptions, invalid, outOfRange } from '../torch/check.js';
import { randint, tensor } from '../torch/creation.js';
import { stack } from '../torch/functions.js';
import { tidy } from '../torch/memory.js';
import { Tensor } from '../torch/tensor.js';
import { isBatchDataset, type Dataset, type Sample } from './datasets.js';

export interface DataLoaderOptions {
  /** Items per batch (default 1). */
  batch_size?: number;
  /** A new random order every epoch (default false: the dataset's order). */
  shuffle?: boolean;
  /** Drops the last batch when it is smaller than batch_size (default false). */
  drop_last?: boolean;
  /** Seeds the loader's own shuffling PRNG (any integer in [0, 2^53)). */
  seed?: number;
  /** The same as seed (after PyTorch's generator=torch.Generator().manual_seed(s)). */
  generator_seed?: number;
  /** Draws each epoch's item order (e.g. a DistributedSampler); excludes shuffle, as in PyTorch. */
  sampler?: Iterable<number> & { readonly length: number };
}

/** xoshiro128** (Blackman & Vigna), 32-bit outputs, seeded from a 53-bit integer through splitmix32. */
export class Xoshiro128 {
  private s: Uint32Array;
  constructor(seed: number) {
    checkInt('seed', seed, 0);
    let x = (seed >>> 0) ^ Math.imul(Math.floor(seed / 2 ** 32) >>> 0, 0x9e3779b9);
    const splitmix32 = (): number => {
      x = (x + 0x9e3779b9) | 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
      z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
      return (z ^ (z >>> 15)) >>> 0;
    };
    this.s = Uint32Array.from([splitmix32(), splitmix32(), splitmix32(), splitmix32()]);
    if (this.s.every((v) => v === 0)) this.s[0] = 1;
  }
  /** The next uniform uint32. */
  next(): number {
    const s = this.s;
    const rotl = (v: number, k: number): number => (v << k) | (v >>> (32 - k));
    const result = Math.imul(rotl(Math.imul(s[1]!, 5), 7), 9) >>> 0;
    const t = s[1]! << 9;
    s[2] = s[2]! ^ s[0]!;
    s[3] = s[3]! ^ s[1]!;
    s[1] = s[1]! ^ s[2]!;
    s[0] = s[0]! ^ s[3]!;
    s[2] = s[2]! ^ t;
    s[3] = rotl(s[3]!, 11);
    return result;
  }
  /**
   * A uniform integer in [0, n) for an integer 1 <= n <= 2^32, without modulo bias. Any other n
   * (a fraction, NaN, Infinity, beyond 2^32) is a RangeError: the rejection loop would never end.
   */
  below(n: number): number {
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 2 ** 32) {
      throw outOfRange('n', 'an integer in [1, 2^32]', n);
    }
    const limit = 2 ** 32 - (2 ** 32 % n);
    let r: number;
    do r = this.next();
    while (r >= limit);
    return r % n;
  }
}

/** The most items randomPermutation orders: its indices are int32. */
export const MAX_PERMUTATION_LENGTH = 2 ** 31 - 1;

/** A uniformly random permutation of 0..n-1 (Fisher-Yates), for an integer 0 <= n < 2^31. */
export function randomPermutation(n: number, rng: Xoshiro128): Int32Array {
  checkInt('n', n, 0, MAX_PERMUTATION_LENGTH);
  if (!(rng instanceof Xoshiro128)) throw invalid('rng', 'a data.Xoshiro128', rng);
  checkAllocation('n', n, 4, 'cpu');
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = rng.below(i + 1);
    const t = p[i]!;
    p[i] = p[j]!;
    p[j] = t;
  }
  return p;
}

/** A seed in [0, 2^53) drawn from LibTorch's global generator (follows torch.manual_seed). */
function seedFromTorch(): number {
  const t = randint(0, 2 ** 26, [2]);
  try {
    const d = t.data();
    return Number(d[0]!) * 2 ** 26 + Number(d[1]!);
  } finally {
    t.dispose();
  }
}

/** Stacks per-item samples when a dataset has no getBatch (the slow, general path). */
function collate(items: Sample[]): [Tensor, Tensor] {
  return tidy(() => {
    const features = stack(items.map(([x]) => x));
    const labels = items.every(([, y]) => typeof y === 'number')
      ? tensor(
          items.map(([, y]) => y as number),
          { dtype: 'int64' },
        )
      : stack(items.map(([, y]) => (typeof y === 'number' ? tensor(y, { dtype: 'int64' }) : y)));
    return [features, labels];
  });
}

/**
 * torch.utils.data.DataLoader: `for (const [features, labels] of loader)` gives batches of
 * `batch_size` items; `length` is the number of batches per epoch.
 */
export class DataLoader<T extends Sample = Sample> implements Iterable<[Tensor, Tensor]> {
  readonly dataset: Dataset<T>;
  readonly batch_size: number;
  readonly shuffle: boolean;
  readonly drop_last: boolean;
  /** The loader's own seed, or null when each epoch's order follows torch's global generator. */
  readonly seed: number | null;
  private rng: Xoshiro128 | null;

  constructor(dataset: Dataset<T>, opts: DataLoaderOptions = {}) {
    if (typeof dataset !== 'object' || dataset === null || typeof dataset.get !== 'function' || !isInt32Length(dataset.length)) {
      throw invalid('dataset', 'a dataset (an object with length and get(i))', dataset);
    }
    const o = checkOptions<DataLoaderOptions>('DataLoader options', opts, [
      'batch_size',
      'shuffle',
      'drop_last',
      'seed',
      'generator_seed',
      'sampler',
    ]);
    this.dataset = dataset;
    this.batch_size = o.batch_size === undefined ? 1 : checkInt('batch_size', o.batch_size, 1, 2 ** 31 - 1);
    this.shuffle = o.shuffle === undefined ? false : checkBool('shuffle', o.shuffle);
    this.drop_last = o.drop_last === undefined ? false : checkBool('drop_last', o.drop_last);
    if (o.seed !== undefined && o.generator_seed !== undefined) throw new TypeError('DataLoader: give seed or generator_seed, not both');
    const seed = o.seed ?? o.generator_seed;
    this.seed = seed === undefined ? null : checkInt(o.seed !== undefined ? 'seed' : 'generator_seed', seed, 0);
    this.rng = this.seed === null ? null : new Xoshiro128(this.seed);
    if (o.sampler !== undefined) {
      if (
        o.sampler === null ||
        typeof o.sampler !== 'object' ||
        typeof o.sampler[Symbol.iterator] !== 'function' ||
        !Number.isInteger(o.sampler.length)
      )
        throw invalid('sampler', 'an iterable of indices with a length', o.sampler);
      if (this.shuffle) throw new TypeError('DataLoader: sampler option is mutually exclusive with shuffle');
      this.sampler = o.sampler;
    }
  }
  /** The sampler given, or null (then shuffle decides the order). */
  readonly sampler: (Iterable<number> & { readonly length: number }) | null = null;

  /** Batches per epoch (PyTorch's len(loader)). */
  get length(): number {
    const n = this.sampler ? this.sampler.length : this.dataset.length;
    return this.drop_last ? Math.floor(n / this.batch_size) : Math.ceil(n / this.batch_size);
  }

  /** The item order for the next epoch (advances the shuffling PRNG when shuffling). */
  private order(n: number): Int32Array {
    if (this.sampler) return Int32Array.from(this.sampler);
    if (!this.shuffle) {
      const p = new Int32Array(n);
      for (let i = 0; i < n; i++) p[i] = i;
      return p;
    }
    return randomPermutation(n, this.rng ?? new Xoshiro128(seedFromTorch()));
  }

  /** One epoch: the order is drawn when iteration starts. */
  *[Symbol.iterator](): Generator<[Tensor, Tensor], void, undefined> {
    const order = this.order(this.dataset.length);
    const n = order.length;
    const batches = this.length;
    const ds = this.dataset;
    for (let b = 0; b < batches; b++) {
      const idx = order.subarray(b * this.batch_size, Math.min(n, (b + 1) * this.batch_size));
      if (isBatchDataset(ds)) {
        yield ds.getBatch(idx);
      } else {
        const items: Sample[] = [];
        let batch: [Tensor, Tensor];
        try {
          for (const i of idx) items.push(ds.get(i));
          batch = collate(items);
        } finally {
          for (const [x, y] of items) {
            x.dispose();
            if (y instanceof Tensor) y.dispose();
          }
        }
        yield batch;
      }
    }
  }
}

function isInt32Length(v: unknown): boolean {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v < 2 ** 31;
}
