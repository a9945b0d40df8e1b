// Builders of hostile files for the loaders' tests: a "billion laughs" pickle, zip and gzip bombs.
// Everything is made in memory from a few KB of deflate output, so a 1 GiB bomb costs ~1 MB here.
import { crc32, deflateRawSync, constants } from 'node:zlib';
import { writeZip } from '../lib/torch/serialization/zip.js';

const latin1 = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));

/**
 * A protocol-2 pickle whose level i is a list holding `fanout` references (memo GETs) to level i-1:
 * 2 + 5 + depth * (4 + 2 * fanout) bytes that describe fanout^depth leaves.
 */
export function billionLaughsPickle(depth = 60, fanout = 2): Uint8Array {
  if (depth > 250) throw new Error('depth must be <= 250 (1-byte memo keys)');
  let s = '\x80\x02]q\x00'; // PROTO 2, EMPTY_LIST, BINPUT 0
  for (let i = 1; i <= depth; i++) {
    s += '(' + `h${String.fromCharCode(i - 1)}`.repeat(fanout) + 'l' + `q${String.fromCharCode(i)}`;
  }
  return latin1(s + '.');
}

/** A torch.save-shaped zip (stored records) holding `pkl` as its data.pkl. */
export function checkpointWithPickle(pkl: Uint8Array, extra: { name: string; data: Uint8Array }[] = []): Uint8Array {
  return writeZip([{ name: 'archive/data.pkl', data: pkl }, ...extra, { name: 'archive/version', data: latin1('3\n') }]);
}

/**
 * Raw deflate data that inflates to `prefix` followed by `zeroMiB` MiB of zeros: one sync-flushed
 * 1 MiB chunk of zeros repeated (each ~1 KB), then an empty final block.
 */
export function deflateBomb(zeroMiB: number, prefix: Uint8Array = new Uint8Array(0)): { data: Uint8Array; size: number; crc: number } {
  const MiB = 1 << 20;
  const zeros = new Uint8Array(MiB);
  const flush = { finishFlush: constants.Z_SYNC_FLUSH, level: 9 };
  const parts: Uint8Array[] = [];
  if (prefix.length) parts.push(deflateRawSync(prefix, flush));
  const chunk = deflateRawSync(zeros, flush);
  for (let i = 0; i < zeroMiB; i++) parts.push(chunk);
  parts.push(deflateRawSync(new Uint8Array(0))); // empty final block
  const data = Buffer.concat(parts);
  let crc = crc32(prefix);
  for (let i = 0; i < zeroMiB; i++) crc = crc32(zeros, crc);
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), size: prefix.length + zeroMiB * MiB, crc: crc >>> 0 };
}

/** A gzip file around a deflate bomb (the trailer's size is taken modulo 2^32, as gzip does). */
export function gzipBomb(zeroMiB: number, prefix: Uint8Array = new Uint8Array(0)): Uint8Array {
  const { data, size, crc } = deflateBomb(zeroMiB, prefix);
  const header = Uint8Array.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]);
  const trailer = new Uint8Array(8);
  const v = new DataView(trailer.buffer);
  v.setUint32(0, crc, true);
  v.setUint32(4, size % 2 ** 32, true);
  return Buffer.concat([header, data, trailer]);
}

export interface RawZipEntry {
  name: string;
  /** The bytes as stored (already compressed for method 8). */
  data: Uint8Array;
  method: 0 | 8;
  crc: number;
  /** The uncompressed size the archive declares. */
  size: number;
  /** Point this entry's central record at another entry's local header (overlapping entries). */
  sameDataAs?: number;
}

/** A classic (non-ZIP64) zip archive with the sizes, CRCs and offsets given, true or not. */
export function rawZip(entries: RawZipEntry[]): Uint8Array {
  const enc = new TextEncoder();
  const parts: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  const offsets: number[] = [];
  let offset = 0;
  entries.forEach((e, i) => {
    const name = enc.encode(e.name);
    const at = e.sameDataAs === undefined ? offset : offsets[e.sameDataAs]!;
    offsets.push(at);
    if (e.sameDataAs === undefined) {
      const local = new Uint8Array(30 + name.length);
      const lv = new DataView(local.buffer);
      lv.setUint32(0, 0x04034b50, true);
      lv.setUint16(4, 20, true);
      lv.setUint16(8, e.method, true);
      lv.setUint32(14, e.crc, true);
      lv.setUint32(18, e.data.length, true);
      lv.setUint32(22, e.size % 2 ** 32, true);
      lv.setUint16(26, name.length, true);
      local.set(name, 30);
      parts.push(local, e.data);
      offset += local.length + e.data.length;
    }
    const cd = new Uint8Array(46 + name.length);
    const cv = new DataView(cd.buffer);
    cv.setUint32(0, 0x02014b50, true);
    cv.setUint16(4, 20, true);
    cv.setUint16(6, 20, true);
    cv.setUint16(10, e.method, true);
    cv.setUint32(16, e.crc, true);
    cv.setUint32(20, e.data.length, true);
    cv.setUint32(24, Math.min(e.size, 0xfffffffe), true);
    cv.setUint16(28, name.length, true);
    cv.setUint32(42, at, true);
    cd.set(name, 46);
    central.push(cd);
    void i;
  });
  const cdSize = central.reduce((s, c) => s + c.length, 0);
  const end = new Uint8Array(22);
  const ev = new DataView(end.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, entries.length, true);
  ev.setUint16(10, entries.length, true);
  ev.setUint32(12, cdSize, true);
  ev.setUint32(16, offset, true);
  return Buffer.concat([...parts, ...central, end]);
}

/** A pickle integer: BININT for int32, else LONG1. */
function pickleInt(n: number | bigint): string {
  const v = BigInt(n);
  if (v >= -(2n ** 31n) && v < 2n ** 31n) {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setInt32(0, Number(v), true);
    return 'J' + String.fromCharCode(...b);
  }
  const bytes: number[] = [];
  let x = v;
  for (;;) {
    const byte = Number(x & 0xffn);
    bytes.push(byte);
    x >>= 8n;
    if ((x === 0n && !(byte & 0x80)) || (x === -1n && byte & 0x80)) break;
  }
  return '\x8a' + String.fromCharCode(bytes.length, ...bytes);
}

/**
 * The pickle of `{'w': tensor}` for a float32 tensor on storage key '0' of `numel` elements, with
 * the given shape, strides (contiguous by default) and storage offset, any of them hostile.
 */
export function floatTensorPickle(
  numel: number,
  shape: (number | bigint)[] = [numel],
  strides?: (number | bigint)[],
  offset: number | bigint = 0,
): Uint8Array {
  const st = strides ?? shape.map((_, i) => shape.slice(i + 1).reduce<bigint>((a, b) => a * BigInt(b), 1n));
  return latin1(
    '\x80\x02}X\x01\x00\x00\x00wctorch._utils\n_rebuild_tensor_v2\n((X\x07\x00\x00\x00storagectorch\nFloatStorage\n' +
      `X\x01\x00\x00\x000X\x03\x00\x00\x00cpu${pickleInt(numel)}tQ${pickleInt(offset)}(${shape.map(pickleInt).join('')}t(` +
      `${st.map(pickleInt).join('')}t\x89ccollections\nOrderedDict\n)RtRs.`,
  );
}

/** A torch.save-shaped checkpoint of `{'w': tensor}` over a zero-filled float32 storage of `numel` elements. */
export function floatTensorCheckpoint(
  numel: number,
  shape: (number | bigint)[],
  strides?: (number | bigint)[],
  offset: number | bigint = 0,
): Uint8Array {
  return checkpointWithPickle(floatTensorPickle(numel, shape, strides, offset), [
    { name: 'archive/data/0', data: new Uint8Array(4 * numel) },
  ]);
}

/**
 * A checkpoint whose storage record is a deflate bomb of `zeroMiB` MiB. `declaredSize` is the size
 * the central directory states; the pickle's tensor needs `numel` float32s.
 */
export function zipBombCheckpoint(zeroMiB: number, numel: number, declaredSize: number): Uint8Array {
  const bomb = deflateBomb(zeroMiB);
  return rawZip([
    {
      name: 'archive/data.pkl',
      data: floatTensorPickle(numel),
      method: 0,
      crc: crc32(floatTensorPickle(numel)) >>> 0,
      size: floatTensorPickle(numel).length,
    },
    { name: 'archive/data/0', data: bomb.data, method: 8, crc: bomb.crc, size: declaredSize },
    { name: 'archive/version', data: latin1('3\n'), method: 0, crc: crc32(latin1('3\n')) >>> 0, size: 2 },
  ]);
}

/** An IDX header: uint8 elements of `shape`. */
export function idxHeader(shape: number[], typeCode = 0x08): Uint8Array {
  const h = new Uint8Array(4 + 4 * shape.length);
  const v = new DataView(h.buffer);
  h[2] = typeCode;
  h[3] = shape.length;
  shape.forEach((s, i) => v.setUint32(4 + 4 * i, s, false));
  return h;
}
