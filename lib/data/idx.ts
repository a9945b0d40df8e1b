// The IDX file format of MNIST and its kin (http://yann.lecun.com/exdb/mnist/, "THE IDX FILE FORMAT"):
//   bytes 0-1  zero
//   byte  2    element type: 0x08 uint8, 0x09 int8, 0x0B int16, 0x0C int32, 0x0D float32, 0x0E float64
//   byte  3    number of dimensions
//   then one big-endian uint32 per dimension, then the elements, big-endian, row-major.
// Files may be gzipped (recognised by the 1f 8b header, whatever their name): the header is
// inflated first, and the whole file then inflates with the size it declares as the limit; output
// past that size stops the inflation there. Every error names the file.
import { constants as bufferConstants } from 'node:buffer';
import { readFileSync, writeFileSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
import { Gunzip } from 'fflate';
import { checkShape, invalid } from '../torch/check.js';
import { from_typed_array } from '../torch/creation.js';
import type { Tensor } from '../torch/tensor.js';

export type IdxDType = 'uint8' | 'int8' | 'int16' | 'int32' | 'float32' | 'float64';
export type IdxTypedArray = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

/** The contents of one IDX file: its element type, its dimensions, and its elements in row-major order (native byte order). */
export interface IdxArray {
  dtype: IdxDType;
  shape: number[];
  data: IdxTypedArray;
}

interface TypeInfo {
  code: number;
  dtype: IdxDType;
  bytes: number;
}
const TYPES: readonly TypeInfo[] = [
  { code: 0x08, dtype: 'uint8', bytes: 1 },
  { code: 0x09, dtype: 'int8', bytes: 1 },
  { code: 0x0b, dtype: 'int16', bytes: 2 },
  { code: 0x0c, dtype: 'int32', bytes: 4 },
  { code: 0x0d, dtype: 'float32', bytes: 4 },
  { code: 0x0e, dtype: 'float64', bytes: 8 },
];

/** A file that is not a well-formed IDX file (or not readable as one). `file` names it. */
export class IdxError extends Error {
  readonly file: string;
  constructor(file: string, message: string, options?: { cause?: unknown }) {
    super(`IDX file ${file}: ${message}`, options);
    this.name = 'IdxError';
    this.file = file;
  }
}

const hex = (n: number, width: number): string => '0x' + n.toString(16).padStart(width, '0');

export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** The shape the header declares, its element count and byte count (exact: BigInt past 2^53). */
function declaredSize(view: DataView, type: TypeInfo, ndim: number): { shape: number[]; count: number; expected: number | bigint } {
  const shape: number[] = [];
  let count = 1n;
  for (let d = 0; d < ndim; d++) {
    const s = view.getUint32(4 + 4 * d, false);
    shape.push(s);
    count *= BigInt(s);
  }
  const bytes = count * BigInt(type.bytes);
  return bytes <= BigInt(Number.MAX_SAFE_INTEGER)
    ? { shape, count: Number(count), expected: Number(bytes) }
    : { shape, count: Infinity, expected: bytes };
}

/** Deflate's best case, ~1032 output bytes per input byte: a gzip file cannot hold more than this. */
const MAX_DEFLATE_RATIO = 1032;
/** The largest header: 255 dimensions. */
const MAX_HEADER = 4 + 4 * 255;

/**
 * The first inflated bytes of a gzip file, up to the largest IDX header: a streaming inflater
 * (fflate) fed small pieces, stopped as soon as it has them, so a bomb inflates little here.
 */
function gunzipHead(input: Uint8Array): Uint8Array {
  let head = new Uint8Array(0);
  const gunzip = new Gunzip((chunk) => {
    const take = chunk.subarray(0, MAX_HEADER - head.length);
    if (!take.length) return;
    const joined = new Uint8Array(head.length + take.length);
    joined.set(head);
    joined.set(take, head.length);
    head = joined;
  });
  for (let at = 0; at < input.length && head.length < MAX_HEADER; at += 256) {
    const end = Math.min(at + 256, input.length);
    gunzip.push(input.subarray(at, end), end === input.length);
  }
  return head;
}

/**
 * Inflates a gzipped IDX file with an output limit from its header: the header is read first
 * (gunzipHead); a header declaring more than the compressed bytes can hold, or more than a Buffer
 * can hold, is refused before anything is allocated; then zlib inflates the whole file and stops
 * as soon as its output passes the declared size. Returns the inflated bytes (possibly short, or
 * only the head of a foreign file: the caller reports those).
 */
function gunzipIdx(input: Uint8Array, name: string): Uint8Array {
  const unzipError = (e: unknown): IdxError =>
    new IdxError(
      name,
      `starts with the gzip header but cannot be unzipped (${e instanceof Error ? e.message : String(e)}): the file is truncated or corrupt`,
      { cause: e },
    );
  let head: Uint8Array;
  try {
    head = gunzipHead(input);
  } catch (e) {
    throw unzipError(e);
  }
  const type = TYPES.find((t) => t.code === head[2]);
  const ndim = head[3] ?? 0;
  const headerBytes = 4 + 4 * ndim;
  if (head.length < 4 || head[0] !== 0 || head[1] !== 0 || type === undefined || ndim === 0 || head.length < headerBytes) return head;
  const { shape, expected } = declaredSize(new DataView(head.buffer, head.byteOffset, head.byteLength), type, ndim);
  const total = BigInt(expected) + BigInt(headerBytes);
  const what = `its header announces ${type.dtype} data of shape [${shape.join(', ')}], ${expected} bytes after the ${headerBytes}-byte header`;
  if (total > BigInt(input.length) * BigInt(MAX_DEFLATE_RATIO) + 1024n) {
    throw new IdxError(name, `is truncated or corrupt: ${what}, more than its ${input.length} gzipped bytes can hold`);
  }
  if (total > BigInt(bufferConstants.MAX_LENGTH)) {
    throw new IdxError(name, `is too large: ${what}, more than the ${bufferConstants.MAX_LENGTH} bytes a Buffer can hold`);
  }
  try {
    // maxOutputLength stops zlib as soon as its output passes the limit (checked chunk by chunk).
    const out = gunzipSync(input, { maxOutputLength: Number(total) });
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new IdxError(name, `has unexpected trailing bytes: ${what}, but more follow (inflation stopped there)`);
    }
    throw unzipError(e);
  }
}

/**
 * Parses the bytes of an IDX file (gunzipping them first when they start with the gzip header).
 * `name` is the file name used in error messages. uint8 and int8 data are views into the
 * (unzipped) bytes; wider types are decoded from big-endian into new arrays.
 */
export function parseIdx(input: Uint8Array, name = '<buffer>'): IdxArray {
  const bytes = isGzip(input) ? gunzipIdx(input, name) : input;
  if (bytes.length === 0) throw new IdxError(name, 'is empty (0 bytes)');
  if (bytes.length < 4) throw new IdxError(name, `is truncated: ${bytes.length} bytes, shorter than the 4-byte magic number`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0, false);
  const type = TYPES.find((t) => t.code === bytes[2]);
  const ndim = bytes[3]!;
  if (bytes[0] !== 0 || bytes[1] !== 0 || type === undefined || ndim === 0) {
    throw new IdxError(
      name,
      `is not an IDX file: its magic number is ${hex(magic, 8)}, expected 0x0000TTDD with element type TT one of ` +
        `${TYPES.map((t) => `${hex(t.code, 2)} (${t.dtype})`).join(', ')} and DD >= 1 dimensions (MNIST images are 0x00000803, labels 0x00000801)`,
    );
  }
  const headerBytes = 4 + 4 * ndim;
  if (bytes.length < headerBytes) {
    throw new IdxError(
      name,
      `is truncated: its magic number ${hex(magic, 8)} announces ${ndim} dimensions, a ${headerBytes}-byte header, but the file has only ${bytes.length} bytes`,
    );
  }
  const { shape, count, expected } = declaredSize(view, type, ndim);
  const actual = bytes.length - headerBytes;
  const what = `its header announces ${type.dtype} data of shape [${shape.join(', ')}], ${expected} bytes after the ${headerBytes}-byte header`;
  if (actual < expected) throw new IdxError(name, `is truncated: ${what}, but only ${actual} bytes follow`);
  if (actual > expected)
    throw new IdxError(name, `has ${actual - Number(expected)} unexpected trailing bytes: ${what}, but ${actual} bytes follow`);
  const off = bytes.byteOffset + headerBytes;
  let data: IdxTypedArray;
  switch (type.dtype) {
    case 'uint8':
      data = new Uint8Array(bytes.buffer, off, count);
      break;
    case 'int8':
      data = new Int8Array(bytes.buffer, off, count);
      break;
    case 'int16': {
      const a = new Int16Array(count);
      for (let i = 0; i < count; i++) a[i] = view.getInt16(headerBytes + 2 * i, false);
      data = a;
      break;
    }
    case 'int32': {
      const a = new Int32Array(count);
      for (let i = 0; i < count; i++) a[i] = view.getInt32(headerBytes + 4 * i, false);
      data = a;
      break;
    }
    case 'float32': {
      const a = new Float32Array(count);
      for (let i = 0; i < count; i++) a[i] = view.getFloat32(headerBytes + 4 * i, false);
      data = a;
      break;
    }
    case 'float64': {
      const a = new Float64Array(count);
      for (let i = 0; i < count; i++) a[i] = view.getFloat64(headerBytes + 8 * i, false);
      data = a;
      break;
    }
  }
  return { dtype: type.dtype, shape, data };
}

/** Reads an IDX file, raw or gzipped. Errors (missing file, truncated, foreign format) name the file. */
export function readIdx(path: string): IdxArray {
  if (typeof path !== 'string' || path === '') throw invalid('path', 'a file path', path);
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new IdxError(path, `cannot be read${code ? ` (${code})` : ''}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
  return parseIdx(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), path);
}

/** Reads an IDX file straight into a tensor of the file's dtype and shape. */
export function readIdxTensor(path: string): Tensor {
  const { shape, data } = readIdx(path);
  return from_typed_array(data, shape);
}

const CTORS: Record<IdxDType, new (n: number) => IdxTypedArray> = {
  uint8: Uint8Array,
  int8: Int8Array,
  int16: Int16Array,
  int32: Int32Array,
  float32: Float32Array,
  float64: Float64Array,
};

/** The bytes of an IDX file holding `array` (gzipped if opts.gzip). */
export function encodeIdx(array: IdxArray, opts: { gzip?: boolean } = {}): Uint8Array {
  const type = TYPES.find((t) => t.dtype === array.dtype);
  if (!type) throw invalid('dtype', `one of ${TYPES.map((t) => `'${t.dtype}'`).join(', ')}`, array.dtype);
  const shape = checkShape('shape', array.shape);
  if (shape.length < 1 || shape.length > 255) throw invalid('shape', 'between 1 and 255 dimensions', shape);
  for (const s of shape) if (s > 0xffffffff) throw invalid('shape', 'dimensions below 2^32', shape);
  const count = shape.reduce((a, b) => a * b, 1);
  if (!(array.data instanceof CTORS[type.dtype])) throw invalid('data', `a ${CTORS[type.dtype].name} for dtype ${type.dtype}`, array.data);
  if (array.data.length !== count)
    throw new RangeError(`encodeIdx: shape [${shape.join(', ')}] has ${count} elements but data has ${array.data.length}`);
  const header = 4 + 4 * shape.length;
  const out = new Uint8Array(header + count * type.bytes);
  const view = new DataView(out.buffer);
  out[2] = type.code;
  out[3] = shape.length;
  shape.forEach((s, d) => view.setUint32(4 + 4 * d, s, false));
  const d = array.data;
  switch (type.dtype) {
    case 'uint8':
      out.set(d as Uint8Array, header);
      break;
    case 'int8':
      out.set(new Uint8Array(d.buffer, d.byteOffset, d.length), header);
      break;
    case 'int16':
      for (let i = 0; i < count; i++) view.setInt16(header + 2 * i, d[i]!, false);
      break;
    case 'int32':
      for (let i = 0; i < count; i++) view.setInt32(header + 4 * i, d[i]!, false);
      break;
    case 'float32':
      for (let i = 0; i < count; i++) view.setFloat32(header + 4 * i, d[i]!, false);
      break;
    case 'float64':
      for (let i = 0; i < count; i++) view.setFloat64(header + 8 * i, d[i]!, false);
      break;
  }
  return opts.gzip ? new Uint8Array(gzipSync(out)) : out;
}

/** Writes an IDX file (gzipped if opts.gzip). */
export function writeIdx(path: string, array: IdxArray, opts: { gzip?: boolean } = {}): void {
  writeFileSync(path, encodeIdx(array, opts));
}
