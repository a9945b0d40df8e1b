import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeCheckpoint, encodeCheckpoint, type RawTensor, type Saved } from '../lib/torch/serialization/checkpoint_format.js';
import type { DType as DTypeName } from '../lib/torch/dtype.js';
import { ZipReader, writeZip } from '../lib/torch/serialization/zip.js';
import { decodeFixtureTensor, type FixtureTensor } from './fixture_tensors.js';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
const PT_PATH = join(FIXTURES, 'regression2_state_dict.pt');
const ptBytes = (): Uint8Array => new Uint8Array(readFileSync(PT_PATH));

interface StateEntry {
  name: string;
  kind: string;
  shape: number[];
  dtype: string;
  tensor: FixtureTensor;
}
const netJson = JSON.parse(readFileSync(join(FIXTURES, 'regression2_net.json'), 'utf8')) as { state_dict: StateEntry[] };

const asMap = (v: Saved): Map<string, Saved> => {
  expect(v).to.be.instanceOf(Map);
  return v as Map<string, Saved>;
};
const asTensor = (v: Saved | undefined): RawTensor => {
  expect(v).to.have.property('kind', 'tensor');
  return v as RawTensor;
};
const bytesOf = (a: ArrayBufferView): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
const eqBytes = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((x, i) => x === b[i]);
const latin1 = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));

/** The tensor's elements in row-major order, read through its strides. */
function elements(t: RawTensor): number[] {
  const v = new DataView(t.storage.buffer, t.storage.byteOffset, t.storage.byteLength);
  const read: Record<DTypeName, (i: number) => number> = {
    float32: (i) => v.getFloat32(4 * i, true),
    float64: (i) => v.getFloat64(8 * i, true),
    float16: (i) => v.getUint16(2 * i, true),
    bfloat16: (i) => v.getUint16(2 * i, true),
    int32: (i) => v.getInt32(4 * i, true),
    int64: (i) => Number(v.getBigInt64(8 * i, true)),
    uint8: (i) => v.getUint8(i),
    bool: (i) => v.getUint8(i),
    int8: (i) => v.getInt8(i),
    int16: (i) => v.getInt16(2 * i, true),
  };
  const out: number[] = [];
  const walk = (dim: number, off: number): void => {
    if (dim === t.shape.length) {
      out.push(read[t.dtype](off));
      return;
    }
    for (let i = 0; i < t.shape[dim]!; i++) walk(dim + 1, off + i * t.strides[dim]!);
  };
  walk(0, t.storage_offset);
  return out;
}

function expectThrowsNaming(fn: () => unknown, path: string, what: RegExp): void {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err, 'expected an Error').to.be.instanceOf(Error);
  const msg = (err as Error).message;
  expect(msg).to.contain(path);
  expect(msg).to.match(what);
}

describe('checkpoint format: PyTorch 1.13 fixture', () => {
  it('decodes the 16 state_dict entries in order with names, dtypes, shapes and bit-identical values', () => {
    const sd = asMap(decodeCheckpoint(ptBytes(), PT_PATH));
    expect([...sd.keys()]).to.deep.equal(netJson.state_dict.map((e) => e.name));
    expect(sd.size).to.equal(16);
    for (const e of netJson.state_dict) {
      const t = asTensor(sd.get(e.name));
      const ref = decodeFixtureTensor(e.tensor);
      expect(t.dtype, e.name).to.equal(e.dtype);
      expect(t.shape, e.name).to.deep.equal(e.shape);
      expect(ref.shape, e.name).to.deep.equal(e.shape);
      expect(t.storage_offset).to.equal(0);
      expect(t.requires_grad).to.equal(false);
      const contiguous = t.shape.map((_, i) => t.shape.slice(i + 1).reduce((a, b) => a * b, 1));
      expect(t.strides, e.name).to.deep.equal(contiguous);
      if (t.dtype === 'float32') {
        expect(ref.values).to.be.instanceOf(Float32Array);
        expect(eqBytes(t.storage, bytesOf(ref.values as Float32Array)), `${e.name} bits`).to.equal(true);
      } else {
        expect(elements(t), e.name).to.deep.equal(ref.values);
      }
    }
  });

  it('returns own, aligned storage copies when given a Node Buffer', () => {
    const buf = readFileSync(PT_PATH);
    const before = Buffer.from(buf);
    const t = asTensor(asMap(decodeCheckpoint(buf, PT_PATH)).get('fc1.bias'));
    expect(t.storage.byteOffset).to.equal(0);
    expect(t.storage.buffer).not.to.equal(buf.buffer);
    t.storage.fill(0);
    expect(buf.equals(before)).to.equal(true);
  });

  it("writes a zip byte-identical to PyTorch's own when given the same records", () => {
    const bytes = ptBytes();
    const zip = new ZipReader(bytes);
    const rewritten = writeZip(zip.entries.map((e) => ({ name: e.name, data: zip.read(e.name) })));
    expect(eqBytes(rewritten, bytes)).to.equal(true);
  });

  it('pickles the state dict exactly as torch.save does, except the optional _metadata', () => {
    const bytes = ptBytes();
    const src = new ZipReader(bytes);
    const ours = new ZipReader(encodeCheckpoint(decodeCheckpoint(bytes, PT_PATH), 'regression2_state_dict'));
    expect(ours.entries.map((e) => e.name)).to.deep.equal(src.entries.map((e) => e.name));
    for (const e of src.entries) {
      if (e.name.endsWith('data.pkl')) continue;
      expect(eqBytes(ours.read(e.name), src.read(e.name)), e.name).to.equal(true);
    }
    const theirs = src.read('regression2_state_dict/data.pkl');
    const mine = ours.read('regression2_state_dict/data.pkl');
    // Torch's pickle continues with `_metadata` + BUILD after the items' SETITEMS ('u'); ours stops there.
    expect(mine[mine.length - 2]).to.equal(0x75);
    expect(mine[mine.length - 1]).to.equal(0x2e);
    expect(eqBytes(mine.subarray(0, mine.length - 1), theirs.subarray(0, mine.length - 1))).to.equal(true);
  });

  it('re-encoding the decoded fixture and decoding again gives identical tensors', () => {
    const a = asMap(decodeCheckpoint(ptBytes(), PT_PATH));
    const b = asMap(decodeCheckpoint(encodeCheckpoint(a), 'again.pt'));
    expect([...b.keys()]).to.deep.equal([...a.keys()]);
    for (const [k, v] of a) {
      const x = asTensor(v);
      const y = asTensor(b.get(k));
      expect({ ...y, storage: null }, k).to.deep.equal({ ...x, storage: null });
      expect(eqBytes(y.storage, x.storage), k).to.equal(true);
    }
  });

  it('uses the default archive name "archive" and a "3\\n" version record', () => {
    const zip = new ZipReader(encodeCheckpoint(new Map<string, Saved>([['a', 1]])));
    expect(zip.entries.map((e) => e.name)).to.deep.equal(['archive/data.pkl', 'archive/version']);
    expect(new TextDecoder().decode(zip.read('archive/version'))).to.equal('3\n');
  });
});

describe('checkpoint format: round trip', () => {
  const DTYPES: DTypeName[] = ['float32', 'float64', 'float16', 'bfloat16', 'int32', 'int64', 'uint8', 'bool', 'int8', 'int16'];
  const SIZE: Record<DTypeName, number> = {
    float32: 4,
    float64: 8,
    float16: 2,
    bfloat16: 2,
    int32: 4,
    int64: 8,
    uint8: 1,
    bool: 1,
    int8: 1,
    int16: 2,
  };
  const tensor = (dtype: DTypeName, shape: number[], storage: Uint8Array, extra: Partial<RawTensor> = {}): RawTensor => ({
    kind: 'tensor',
    dtype,
    shape,
    strides: shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1)),
    storage_offset: 0,
    storage,
    requires_grad: false,
    ...extra,
  });
  const patterned = (n: number, seed: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 37 + seed * 11) & 0xff);

  it('keeps maps, nested objects, numbers, bigints, strings, booleans, null and lists', () => {
    const obj = new Map<string, Saved>([
      ['ints', [0, 1, 255, 256, 65535, 65536, -1, -129, 2 ** 31 - 1, -(2 ** 31), 2 ** 31, 2 ** 53 - 1, -(2 ** 53 - 1)]],
      ['floats', [0.5, -0.1, 1e-300, 3.4028234663852886e38, Infinity, -Infinity]],
      ['big', [2n ** 70n, -(2n ** 63n), 2n ** 53n, 5n]],
      ['strings', ['', 'ascii', 'ünï ☃ 😀', 'a\nb']],
      ['flags', [true, false, null]],
      ['nested', { inner: { deep: [1, [2, [3]]] }, 'dotted.key': 'v' }],
      ['empty', {}],
      ['emptyList', []],
    ]);
    const back = asMap(decodeCheckpoint(encodeCheckpoint(obj), 'rt.pt'));
    expect([...back.keys()]).to.deep.equal([...obj.keys()]);
    expect(back.get('ints')).to.deep.equal(obj.get('ints'));
    expect(back.get('floats')).to.deep.equal(obj.get('floats'));
    expect(back.get('big')).to.deep.equal([2n ** 70n, -(2n ** 63n), 2n ** 53n, 5]); // small ints come back as numbers
    expect(back.get('strings')).to.deep.equal(obj.get('strings'));
    expect(back.get('flags')).to.deep.equal([true, false, null]);
    const nested = asMap(back.get('nested')!);
    expect([...nested.keys()]).to.deep.equal(['inner', 'dotted.key']);
    expect(asMap(nested.get('inner')!).get('deep')).to.deep.equal([1, [2, [3]]]);
    expect(asMap(back.get('empty')!).size).to.equal(0);
    expect(back.get('emptyList')).to.deep.equal([]);
  });

  it('keeps -0 and NaN as floats', () => {
    const back = asMap(decodeCheckpoint(encodeCheckpoint({ z: -0, n: NaN }), 'rt.pt'));
    expect(Object.is(back.get('z'), -0)).to.equal(true);
    expect(Number.isNaN(back.get('n'))).to.equal(true);
  });

  it('keeps tensors of every dtype bit for bit', () => {
    const obj = new Map<string, Saved>(
      DTYPES.map((d, i) => [d, tensor(d, [2, 3], patterned(6 * SIZE[d], i), { requires_grad: i % 2 === 0 })]),
    );
    const back = asMap(decodeCheckpoint(encodeCheckpoint(obj), 'rt.pt'));
    for (const d of DTYPES) {
      const src = asTensor(obj.get(d));
      const t = asTensor(back.get(d));
      expect(t.dtype).to.equal(d);
      expect(t.shape).to.deep.equal([2, 3]);
      expect(t.strides).to.deep.equal([3, 1]);
      expect(t.requires_grad).to.equal(src.requires_grad);
      expect(eqBytes(t.storage, src.storage), d).to.equal(true);
    }
  });

  it('keeps a 0-dim tensor and a non-contiguous view sharing storage', () => {
    const base = new Uint8Array(new Float32Array([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]).buffer);
    const full = tensor('float32', [3, 4], base);
    const transposedSlice = tensor('float32', [3, 2], base, { strides: [1, 4], storage_offset: 1 }); // full.T[1:4, 0:2]
    const scalar = tensor('float32', [], base, { strides: [], storage_offset: 7 });
    const other = tensor('int64', [], new Uint8Array(new BigInt64Array([-42n]).buffer));
    const back = asMap(decodeCheckpoint(encodeCheckpoint({ full, transposedSlice, scalar, other }), 'rt.pt'));
    const [f, v, s, o] = ['full', 'transposedSlice', 'scalar', 'other'].map((k) => asTensor(back.get(k)));
    expect(v!.storage).to.equal(f!.storage); // one storage, shared
    expect(s!.storage).to.equal(f!.storage);
    expect(o!.storage).not.to.equal(f!.storage);
    expect(elements(v!)).to.deep.equal([1, 5, 2, 6, 3, 7]);
    expect(v!.strides).to.deep.equal([1, 4]);
    expect(v!.storage_offset).to.equal(1);
    expect(s!.shape).to.deep.equal([]);
    expect(elements(s!)).to.deep.equal([7]);
    expect(elements(o!)).to.deep.equal([-42]);
    const zip = new ZipReader(encodeCheckpoint({ full, transposedSlice, scalar, other }));
    expect(zip.entries.map((e) => e.name)).to.deep.equal(['archive/data.pkl', 'archive/data/0', 'archive/data/1', 'archive/version']);
  });

  it("aligns every record's data to 64 bytes", () => {
    const bytes = encodeCheckpoint({ a: tensor('float32', [3], new Uint8Array(12)), b: tensor('int8', [5], new Uint8Array(5)) }, 'x');
    const zip = new ZipReader(bytes);
    const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (const e of zip.entries) {
      const o = e.localHeaderOffset;
      const start = o + 30 + v.getUint16(o + 26, true) + v.getUint16(o + 28, true);
      expect(start % 64, e.name).to.equal(0);
    }
  });

  it('refuses to encode invalid tensors and structures', () => {
    const s = new Uint8Array(8);
    expect(() => encodeCheckpoint({ t: tensor('float32', [3], s) })).to.throw(/exceeds its storage/);
    expect(() => encodeCheckpoint({ a: tensor('float32', [2], s), b: tensor('int32', [2], s) })).to.throw(/two dtypes/);
    expect(() => encodeCheckpoint({ t: tensor('float64', [1], new Uint8Array(12)) })).to.throw(/multiple/);
    const loop: { [k: string]: Saved } = {};
    loop.self = loop;
    expect(() => encodeCheckpoint(loop)).to.throw(/recursive/);
  });
});

// Made by Python 3.11's own pickle (protocol 2 and 4) with stand-in torch classes, zipped with
// zipfile.ZIP_DEFLATED: an independent writer of the same structure torch.save emits.
const PY_PROTO2_CKPT =
  'UEsDBBQAAAAIALyYfF0Qf3vutAEAAEMCAAAQAAAAcHlfY2twdC9kYXRhLnBrbD2Sy07bQBSGx3YSwIVe6BVKW3rF7iUlLMoSFqhI' +
  'DLQl3XhTWY4z2JaccX7PmKqLSEgVCHiCvkLfobu+AY/AE8AapDAeR3hjnTP/959/jr1nhmGWpiyUScaF/TXvspx115JQ2iBuG4bj' +
  'GYSQnzBDmeVh3PQLmaTC9nPWKZK060vGRZb7u0s2LMfxxpRYKGUQMdQqxP6cZoH8XjVt1LXhIhqepd5hv8AYbUiMb1NCTWodYIJa' +
  '1DiAfRiXAW5ITLYxVYmzFDdjNSauxfW4EWvw1jY1qLmP29Tax50jDU1L3G3jnp7Ecb9CRmk2Mx5dh3mgJS08VF6mxCPl5bqVx4zE' +
  'bBuPvZoS9JgMMDfAE8czVZnmeLq+8q2zdXL+91ILhGR9PKOWjslZhPmNi+FwqMtOEuH58QQZPasa4GX3xfH4qLmnlUnrE15ujbCk' +
  'tYxXG4QYpAKCHsNrr7QRnM///3f65zfeeHVV76RBJLDwA45zePSFaVoWfbhOuRm1zZrEW61kvb78hXduNYDv4P368KxKUBQDfND2' +
  'fnnbbqBu3NSL+OiV51gcoKU/7y7LhfpZsEQNIUSneQVQSwMEFAAAAAgAvJh8XSTlORkUAAAAGAAAAA4AAABweV9ja3B0L2RhdGEv' +
  'MGNgaLBnYGBwACIgbgDiBUB8wAEAUEsDBBQAAAAIALyYfF25Ck1UDAAAABAAAAAOAAAAcHlfY2twdC9kYXRhLzFjYACC////szNA' +
  'AABQSwMEFAAAAAgAvJh8XdGeZ1UEAAAAAgAAAA8AAABweV9ja3B0L3ZlcnNpb24z5gIAUEsBAhQDFAAAAAgAvJh8XRB/e+60AQAA' +
  'QwIAABAAAAAAAAAAAAAAAIABAAAAAHB5X2NrcHQvZGF0YS5wa2xQSwECFAMUAAAACAC8mHxdJOU5GRQAAAAYAAAADgAAAAAAAAAA' +
  'AAAAgAHiAQAAcHlfY2twdC9kYXRhLzBQSwECFAMUAAAACAC8mHxduQpNVAwAAAAQAAAADgAAAAAAAAAAAAAAgAEiAgAAcHlfY2tw' +
  'dC9kYXRhLzFQSwECFAMUAAAACAC8mHxd0Z5nVQQAAAACAAAADwAAAAAAAAAAAAAAgAFaAgAAcHlfY2twdC92ZXJzaW9uUEsFBgAA' +
  'AAAEAAQA8wAAAIsCAAAAAA==';
const PY_PROTO4_CKPT =
  'UEsDBBQAAAAIALyYfF2MZlbhaAEAANsBAAAQAAAAcHlfY2twdC9kYXRhLnBrbE2RzU7CUBCF+6dAwI1P4LLdEHGhS10YSaj4g2vT' +
  'tOXSNim3pPcW44LExEDAzI4x8RV8B3e+gPERfAJda4LTgpFZzv3OzDlz74zHN1UpCqp+EsfMl1HCBUL1PO2ylHWPI1/iHK0OmqDe' +
  'INRkkvph3clkFBO27aTMy6K460jGRZI6wz2iTRNKgkA3YAgbhYKUJ3HiyqtVe46g7iLo/iBDe1Pipa3Ymq1P0NZtdYLTUKOVEjs5' +
  'ksQYlkwzLIfVsBZuLXHV1sYEj3H2j6r8D6xA9TThwfq2BpJUK6SWtSYy+ky6OKJ8Wpxi8/DCa79/Pf+AISQb0AbQOQuw9b1YLED3' +
  'ogAfKsqqjsDgRae8atyBHjX2sZ2jUeMAW4qiKgS5fTpERXC+8/ry8XRPR+nFbiDwGs3p7IyBLrMBmnkmim9Iemf9gbxFi8bwHjYX' +
  'n8v5WTaiOU7uuOuS6yIFKOQeSkOWCvo7tFUhhFf/BVBLAwQUAAAACAC8mHxdJOU5GRQAAAAYAAAADgAAAHB5X2NrcHQvZGF0YS8w' +
  'Y2BosGdgYHAAIiBuAOIFQHzAAQBQSwMEFAAAAAgAvJh8XbkKTVQMAAAAEAAAAA4AAABweV9ja3B0L2RhdGEvMWNgAIL///+zM0AA' +
  'AFBLAwQUAAAACAC8mHxd0Z5nVQQAAAACAAAADwAAAHB5X2NrcHQvdmVyc2lvbjPmAgBQSwECFAMUAAAACAC8mHxdjGZW4WgBAADb' +
  'AQAAEAAAAAAAAAAAAAAAgAEAAAAAcHlfY2twdC9kYXRhLnBrbFBLAQIUAxQAAAAIALyYfF0k5TkZFAAAABgAAAAOAAAAAAAAAAAA' +
  'AACAAZYBAABweV9ja3B0L2RhdGEvMFBLAQIUAxQAAAAIALyYfF25Ck1UDAAAABAAAAAOAAAAAAAAAAAAAACAAdYBAABweV9ja3B0' +
  'L2RhdGEvMVBLAQIUAxQAAAAIALyYfF3RnmdVBAAAAAIAAAAPAAAAAAAAAAAAAACAAQ4CAABweV9ja3B0L3ZlcnNpb25QSwUGAAAA' +
  'AAQABADzAAAAPwIAAAAA';

describe("checkpoint format: checkpoints written by Python's pickle", () => {
  for (const [proto, b64] of [
    [2, PY_PROTO2_CKPT],
    [4, PY_PROTO4_CKPT],
  ] as const) {
    it(`reads a protocol ${proto} pickle in a deflated zip`, () => {
      const sd = asMap(decodeCheckpoint(new Uint8Array(Buffer.from(b64, 'base64')), 'py.pt'));
      expect([...sd.keys()]).to.deep.equal(['w', 'col', 'n', 'meta']);
      const [w, col, n] = ['w', 'col', 'n'].map((k) => asTensor(sd.get(k)));
      expect(w!.requires_grad).to.equal(true);
      expect(elements(w!)).to.deep.equal([1, 2, 3, 4, 5, 6]);
      expect(col!.storage).to.equal(w!.storage);
      expect(elements(col!)).to.deep.equal([2, 5]);
      expect(n!.dtype).to.equal('int64');
      expect(n!.shape).to.deep.equal([]);
      expect(elements(n!)).to.deep.equal([7]);
      const meta = asMap(sd.get('meta')!);
      expect(Object.fromEntries(meta)).to.deep.equal({
        lr: 0.001,
        step: 3,
        neg: -5,
        big: 2n ** 70n,
        nbig: -(2n ** 63n),
        i16: 65535,
        i17: 65536,
        name: 'snn \u00fc\u2603',
        flags: [true, false, null],
        tup: [1, 2, 3, 4],
        empty: [],
        inf: -Infinity,
      });
    });
  }
});

describe('checkpoint format: errors name the file', () => {
  const pklZip = (pkl: Uint8Array, extra: { name: string; data: Uint8Array }[] = []): Uint8Array =>
    writeZip([{ name: 'bad/data.pkl', data: pkl }, ...extra, { name: 'bad/version', data: latin1('3\n') }]);

  it('rejects truncated files', () => {
    const b = ptBytes();
    expectThrowsNaming(() => decodeCheckpoint(b.subarray(0, b.length >> 1), 'half.pt'), 'half.pt', /truncated/);
    expectThrowsNaming(() => decodeCheckpoint(b.subarray(0, b.length - 10), 'cut.pt'), 'cut.pt', /truncated/);
    expectThrowsNaming(() => decodeCheckpoint(b.subarray(0, 10), 'tiny.pt'), 'tiny.pt', /truncated/);
    expectThrowsNaming(() => decodeCheckpoint(new Uint8Array(0), 'empty.pt'), 'empty.pt', /empty/);
  });

  it('rejects random bytes', () => {
    let x = 12345;
    const rnd = Uint8Array.from({ length: 4096 }, () => ((x = (x * 1103515245 + 12345) >>> 0) >>> 16) & 0xff);
    rnd[0] = 0x13;
    expectThrowsNaming(() => decodeCheckpoint(rnd, 'noise.bin'), 'noise.bin', /not a zip/);
  });

  it('rejects a zip without data.pkl', () => {
    const zip = writeZip([{ name: 'archive/version', data: latin1('3\n') }]);
    expectThrowsNaming(() => decodeCheckpoint(zip, 'nopkl.pt'), 'nopkl.pt', /not a PyTorch checkpoint \(no data\.pkl\)/);
  });

  it('rejects disallowed pickle globals without running them', () => {
    // pickle.dumps(os.system('echo') call) shape: GLOBAL 'os system', ('echo',), REDUCE
    const osSystem = latin1('\x80\x02cos\nsystem\nq\x00X\x04\x00\x00\x00echoq\x01\x85q\x02Rq\x03.');
    expectThrowsNaming(() => decodeCheckpoint(pklZip(osSystem), 'evil.pt'), 'evil.pt', /unsupported pickle global os\.system/);
    const evalG = latin1('\x80\x02cbuiltins\neval\nq\x00.');
    expectThrowsNaming(() => decodeCheckpoint(pklZip(evalG), 'evil2.pt'), 'evil2.pt', /unsupported pickle global builtins\.eval/);
    const proto4 = latin1('\x80\x04\x8c\x02os\x8c\x06system\x93.');
    expectThrowsNaming(() => decodeCheckpoint(pklZip(proto4), 'evil3.pt'), 'evil3.pt', /unsupported pickle global os\.system/);
  });

  it('rejects the legacy (pre-1.6) format clearly', () => {
    const legacy = latin1('\x80\x02\x8a\x0al\xfc\x9cF\xf9 j\xa8P\x19.'); // pickled magic number
    expectThrowsNaming(() => decodeCheckpoint(legacy, 'old.pt'), 'old.pt', /legacy.*unsupported/);
  });

  it('detects corrupted data, missing and short storages, and out-of-range tensors', () => {
    const b = ptBytes().slice();
    b[1764] = b[1764]! ^ 0xff; // inside data/0 (its data starts at byte 1664)
    expectThrowsNaming(() => decodeCheckpoint(b, 'flip.pt'), 'flip.pt', /CRC/);

    const tensorPkl = (numel: number, size: number) =>
      latin1(
        '\x80\x02ctorch._utils\n_rebuild_tensor_v2\n((X\x07\x00\x00\x00storagectorch\nFloatStorage\nX\x01\x00\x00\x000X\x03\x00\x00\x00cpu' +
          `K${String.fromCharCode(numel)}tQK\x00K${String.fromCharCode(size)}\x85K\x01\x85\x89ccollections\nOrderedDict\n)Rt` +
          'R.',
      );
    const store = { name: 'bad/data/0', data: new Uint8Array(8) };
    expect(asTensor(decodeCheckpoint(pklZip(tensorPkl(2, 2), [store]), 'ok.pt')).shape).to.deep.equal([2]);
    expectThrowsNaming(() => decodeCheckpoint(pklZip(tensorPkl(2, 2)), 'nostore.pt'), 'nostore.pt', /missing storage/);
    expectThrowsNaming(() => decodeCheckpoint(pklZip(tensorPkl(3, 2), [store]), 'short.pt'), 'short.pt', /truncated/);
    expectThrowsNaming(() => decodeCheckpoint(pklZip(tensorPkl(2, 3), [store]), 'oob.pt'), 'oob.pt', /exceeds its storage/);
    expectThrowsNaming(() => decodeCheckpoint(pklZip(latin1('\x80\x02X\x01\x00\x00')), 'trunc.pkl'), 'trunc.pkl', /truncated/);
    // int keys (an optimizer's state) load as numbers; float keys are refused.
    expect(decodeCheckpoint(pklZip(latin1('\x80\x02}K\x01K\x02s.')), 'intkey.pt')).to.deep.equal(new Map([[1, 2]]));
    expectThrowsNaming(
      () => decodeCheckpoint(pklZip(latin1('\x80\x02}G?\xf0\x00\x00\x00\x00\x00\x00K\x02s.')), 'floatkey.pt'),
      'floatkey.pt',
      /key/,
    );
  });
});
