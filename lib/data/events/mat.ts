// MATLAB level-5 MAT files (the format scipy.io.loadmat reads; MATLAB's default before v7.3):
// a 128-byte header, then data elements (8-byte tag: type, byte count; or the 4-byte "small
// element" form), miCOMPRESSED elements holding a zlib stream of further elements. Numeric
// full matrices (real) are read; their data arrive column-major, as MATLAB stores them.
import { inflateSync, deflateSync } from 'node:zlib';

export interface MatArray {
  name: string;
  /** MATLAB's dims: [rows, cols, ...]. */
  dims: number[];
  /** Values in column-major order. */
  data: Float64Array;
}

const mi = {
  INT8: 1,
  UINT8: 2,
  INT16: 3,
  UINT16: 4,
  INT32: 5,
  UINT32: 6,
  SINGLE: 7,
  DOUBLE: 9,
  INT64: 12,
  UINT64: 13,
  MATRIX: 14,
  COMPRESSED: 15,
} as const;
const NUMERIC_CLASSES = new Set([6, 7, 8, 9, 10, 11, 12, 13, 14, 15]);

interface Element {
  type: number;
  body: DataView;
  next: number;
}

function readElement(view: DataView, at: number, file: string): Element {
  if (at + 8 > view.byteLength && !(at + 4 <= view.byteLength && view.getUint16(at + 2, true) !== 0)) {
    throw new RangeError(`${file}: truncated MAT element at byte ${at}`);
  }
  const first = view.getUint32(at, true);
  if (first >>> 16 !== 0) {
    // Small data element: type and size share the first word, data in the next 4 bytes.
    const type = first & 0xffff;
    const n = first >>> 16;
    return { type, body: new DataView(view.buffer, view.byteOffset + at + 4, n), next: at + 8 };
  }
  const n = view.getUint32(at + 4, true);
  if (at + 8 + n > view.byteLength)
    throw new RangeError(`${file}: MAT element at byte ${at} claims ${n} bytes but the data end at ${view.byteLength}`);
  const body = new DataView(view.buffer, view.byteOffset + at + 8, n);
  const next = first === mi.COMPRESSED ? at + 8 + n : at + 8 + Math.ceil(n / 8) * 8;
  return { type: first, body, next };
}

function numbers(el: Element, file: string): Float64Array {
  const v = el.body;
  const size: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 2, 5: 4, 6: 4, 7: 4, 9: 8, 12: 8, 13: 8 };
  const s = size[el.type];
  if (s === undefined) throw new TypeError(`${file}: unsupported MAT numeric data type ${el.type}`);
  const n = v.byteLength / s;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const o = i * s;
    switch (el.type) {
      case mi.INT8:
        out[i] = v.getInt8(o);
        break;
      case mi.UINT8:
        out[i] = v.getUint8(o);
        break;
      case mi.INT16:
        out[i] = v.getInt16(o, true);
        break;
      case mi.UINT16:
        out[i] = v.getUint16(o, true);
        break;
      case mi.INT32:
        out[i] = v.getInt32(o, true);
        break;
      case mi.UINT32:
        out[i] = v.getUint32(o, true);
        break;
      case mi.SINGLE:
        out[i] = v.getFloat32(o, true);
        break;
      case mi.DOUBLE:
        out[i] = v.getFloat64(o, true);
        break;
      case mi.INT64:
        out[i] = Number(v.getBigInt64(o, true));
        break;
      default:
        out[i] = Number(v.getBigUint64(o, true));
        break;
    }
  }
  return out;
}

function readMatrix(body: DataView, file: string): MatArray | null {
  const flags = readElement(body, 0, file);
  const cls = flags.body.getUint32(0, true) & 0xff;
  const complex = (flags.body.getUint32(0, true) & 0x0800) !== 0;
  const dimsEl = readElement(body, flags.next, file);
  const dims = Array.from(numbers(dimsEl, file));
  const nameEl = readElement(body, dimsEl.next, file);
  const name = new TextDecoder().decode(new Uint8Array(nameEl.body.buffer, nameEl.body.byteOffset, nameEl.body.byteLength));
  if (!NUMERIC_CLASSES.has(cls) || complex) return null; // cells, structs, chars, sparse and complex arrays are skipped
  const real = readElement(body, nameEl.next, file);
  const data = numbers(real, file);
  const count = dims.reduce((a, b) => a * b, 1);
  if (data.length !== count)
    throw new RangeError(`${file}: MAT variable '${name}' has dims [${dims.join(', ')}] but ${data.length} values`);
  return { name, dims, data };
}

function readElements(view: DataView, start: number, file: string, out: Map<string, MatArray>): void {
  let at = start;
  while (at + 8 <= view.byteLength) {
    const el = readElement(view, at, file);
    if (el.type === mi.COMPRESSED) {
      const inner = inflateSync(new Uint8Array(el.body.buffer, el.body.byteOffset, el.body.byteLength));
      readElements(new DataView(inner.buffer, inner.byteOffset, inner.byteLength), 0, file, out);
    } else if (el.type === mi.MATRIX) {
      const m = readMatrix(el.body, file);
      if (m) out.set(m.name, m);
    }
    at = el.next;
  }
}

/** The real numeric matrices of a level-5 MAT file, by variable name. */
export function parseMat(bytes: Uint8Array, file = 'MAT data'): Map<string, MatArray> {
  if (bytes.length < 128) throw new RangeError(`${file}: ${bytes.length} bytes is too short for a MAT file (128-byte header)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const endian = String.fromCharCode(bytes[126]!, bytes[127]!);
  if (endian !== 'IM') {
    const text = new TextDecoder().decode(bytes.subarray(0, 20));
    if (text.startsWith('MATLAB 7.3') || bytes[0] === 0x89)
      throw new TypeError(`${file}: a v7.3 (HDF5) MAT file; save it with -v7 or read it with an HDF5 reader`);
    throw new TypeError(`${file}: not a little-endian level-5 MAT file (endian mark '${endian}')`);
  }
  const out = new Map<string, MatArray>();
  readElements(view, 128, file, out);
  return out;
}

function tag(type: number, n: number): Uint8Array {
  const b = new Uint8Array(8);
  const v = new DataView(b.buffer);
  v.setUint32(0, type, true);
  v.setUint32(4, n, true);
  return b;
}

function padded(type: number, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + Math.ceil(body.length / 8) * 8);
  out.set(tag(type, body.length));
  out.set(body, 8);
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** A level-5 MAT file of double matrices (column-major data), compressed as MATLAB -v7 saves or not. */
export function encodeMat(vars: readonly MatArray[], { compress = true }: { compress?: boolean } = {}): Uint8Array {
  const header = new Uint8Array(128).fill(0x20);
  header.set(new TextEncoder().encode('MATLAB 5.0 MAT-file, written by snntorch-node'));
  header.fill(0, 116, 124);
  new DataView(header.buffer).setUint16(124, 0x0100, true);
  header[126] = 'I'.charCodeAt(0);
  header[127] = 'M'.charCodeAt(0);
  const parts: Uint8Array[] = [header];
  for (const m of vars) {
    const flags = new Uint8Array(8);
    new DataView(flags.buffer).setUint32(0, 6, true); // mxDOUBLE_CLASS
    const dims = new Uint8Array(new Int32Array(m.dims).buffer);
    const name = new TextEncoder().encode(m.name);
    const data = new Uint8Array(Float64Array.from(m.data).buffer);
    const body = concat([padded(mi.UINT32, flags), padded(mi.INT32, dims), padded(mi.INT8, name), padded(mi.DOUBLE, data)]);
    const matrix = concat([tag(mi.MATRIX, body.length), body]);
    if (compress) {
      const z = deflateSync(matrix);
      parts.push(concat([tag(mi.COMPRESSED, z.length), z]));
    } else {
      parts.push(matrix);
    }
  }
  return concat(parts);
}
