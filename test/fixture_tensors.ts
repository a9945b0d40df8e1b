// Decodes tensors stored in the reference fixtures' JSON (see the fixtures README):
// `data` (flat list; non-finite floats as strings), `b64` (float32 LE bytes) or
// `b64z` (base64 of zlib of byte-shuffled float32 LE bytes).
import { inflateSync } from 'node:zlib';

export interface FixtureTensor {
  dtype: string;
  shape: number[];
  data?: (number | string | boolean)[];
  b64?: string;
  b64z?: string;
}

export interface DecodedFixtureTensor {
  dtype: string;
  shape: number[];
  /** Float32Array for float32; plain numbers (ints, booleans as 0/1, float64) otherwise. */
  values: Float32Array | number[];
}

function toNumber(v: number | string | boolean): number {
  if (typeof v === 'boolean') return v ? 1 : 0;
  return typeof v === 'string' ? Number(v) : v;
}

function float32FromLE(bytes: Uint8Array): Float32Array {
  if (bytes.length % 4 !== 0) throw new Error(`fixture tensor has ${bytes.length} bytes, not a multiple of 4`);
  const out = new Float32Array(bytes.length / 4);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(4 * i, true);
  return out;
}

export function decodeFixtureTensor(t: FixtureTensor): DecodedFixtureTensor {
  const { dtype, shape } = t;
  const numel = shape.reduce((a, b) => a * b, 1);
  let values: Float32Array | number[];
  if (t.data !== undefined) {
    const nums = t.data.map(toNumber);
    values = dtype === 'float32' ? Float32Array.from(nums) : nums;
  } else if (t.b64 !== undefined || t.b64z !== undefined) {
    if (dtype !== 'float32') throw new Error(`base64 fixture tensors must be float32, got ${dtype}`);
    let bytes: Uint8Array = Buffer.from((t.b64 ?? t.b64z)!, 'base64');
    if (t.b64z !== undefined) {
      const s = inflateSync(bytes);
      const n = s.length / 4;
      const u = new Uint8Array(s.length);
      for (let i = 0; i < n; i++) for (let j = 0; j < 4; j++) u[4 * i + j] = s[j * n + i]!;
      bytes = u;
    }
    values = float32FromLE(bytes);
  } else {
    throw new Error('fixture tensor has none of data, b64, b64z');
  }
  if (values.length !== numel) throw new Error(`fixture tensor has ${values.length} values for shape [${shape}]`);
  return { dtype, shape: [...shape], values };
}
