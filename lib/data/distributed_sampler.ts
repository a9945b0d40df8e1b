// torch.utils.data.distributed.DistributedSampler: each of num_replicas ranks gets a disjoint
// slice of the dataset's indices (rank, rank + num_replicas, ...), the same size on every rank.
// Without drop_last the index list is padded by repeating its start so that it divides evenly;
// with drop_last its tail is dropped. With shuffle the order is torch.randperm seeded with
// seed + epoch (LibTorch's generator, the same numbers as PyTorch's), so every rank draws the same
// permutation; call set_epoch(e) before each epoch for a new order.
import { native } from '../native.js';
import { checkBool, checkInt, checkOptions, invalid } from '../torch/check.js';
import { defaultGroupOrNull } from '../torch/distributed/state.js';

export interface DistributedSamplerOptions {
  /** Default: torch.distributed.get_world_size(). */
  num_replicas?: number;
  /** Default: torch.distributed.get_rank(). */
  rank?: number;
  /** Default true. */
  shuffle?: boolean;
  /** Default 0; must be the same on every rank. */
  seed?: number;
  /** Default false. */
  drop_last?: boolean;
}

export class DistributedSampler implements Iterable<number> {
  readonly dataset_length: number;
  readonly num_replicas: number;
  readonly rank: number;
  readonly shuffle: boolean;
  readonly seed: number;
  readonly drop_last: boolean;
  /** Indices this rank yields per epoch. */
  readonly num_samples: number;
  readonly total_size: number;
  epoch = 0;

  constructor(dataset: { length: number }, opts?: DistributedSamplerOptions) {
    if (dataset === null || typeof dataset !== 'object' || !Number.isInteger(dataset.length) || dataset.length < 0) {
      throw invalid('dataset', 'a dataset (an object with an integer length)', dataset);
    }
    const o = checkOptions<DistributedSamplerOptions>('DistributedSampler options', opts, [
      'num_replicas',
      'rank',
      'shuffle',
      'seed',
      'drop_last',
    ]);
    const group = defaultGroupOrNull();
    if ((o.num_replicas === undefined || o.rank === undefined) && !group) {
      throw new Error('DistributedSampler: pass num_replicas and rank, or call torch.distributed.init_process_group first');
    }
    this.num_replicas = checkInt('num_replicas', o.num_replicas ?? group!.world_size, 1);
    const rank = checkInt('rank', o.rank ?? group!.rank);
    if (rank < 0 || rank >= this.num_replicas)
      throw new RangeError(`Invalid rank ${rank}, rank should be in the interval [0, ${this.num_replicas - 1}]`);
    this.rank = rank;
    this.shuffle = o.shuffle === undefined ? true : checkBool('shuffle', o.shuffle);
    this.seed = o.seed === undefined ? 0 : checkInt('seed', o.seed, 0);
    this.drop_last = o.drop_last === undefined ? false : checkBool('drop_last', o.drop_last);
    this.dataset_length = dataset.length;
    const n = dataset.length;
    this.num_samples =
      this.drop_last && n % this.num_replicas !== 0
        ? Math.ceil((n - this.num_replicas) / this.num_replicas)
        : Math.ceil(n / this.num_replicas);
    this.total_size = this.num_samples * this.num_replicas;
  }

  /** Indices per epoch on this rank (PyTorch's len(sampler)). */
  get length(): number {
    return this.num_samples;
  }

  /** Sets the epoch: with shuffle, each epoch gets its own order (the same on every rank). */
  set_epoch(epoch: number): void {
    this.epoch = checkInt('epoch', epoch, 0);
  }

  /** This epoch's indices for this rank. */
  indices(): Int32Array {
    const n = this.dataset_length;
    let all: Int32Array;
    if (this.shuffle && n > 0) {
      const t = native.dist_randperm(n, this.seed + this.epoch);
      try {
        all = Int32Array.from(native.data(t) as BigInt64Array, (v) => Number(v));
      } finally {
        t.dispose();
      }
    } else {
      all = Int32Array.from({ length: n }, (_, i) => i);
    }
    let padded: Int32Array;
    if (!this.drop_last) {
      padded = new Int32Array(this.total_size);
      padded.set(all);
      for (let i = n; i < this.total_size && n > 0; i++) padded[i] = all[(i - n) % n]!;
    } else {
      padded = all.subarray(0, this.total_size);
    }
    const out = new Int32Array(this.num_samples);
    for (let k = 0, i = this.rank; i < this.total_size; i += this.num_replicas, k++) out[k] = padded[i]!;
    return out;
  }

  [Symbol.iterator](): Iterator<number> {
    return this.indices()[Symbol.iterator]();
  }
}
