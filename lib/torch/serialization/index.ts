// torch.save / torch.load in PyTorch's own file format, so checkpoints move both ways between this
// library and Python. Writes are atomic: a temporary file in the same folder, then rename.
import { readFileSync, writeFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, basename, join } from 'node:path';
import { native } from '../../native.js';
import { invalid } from '../check.js';
import { Tensor, wrap } from '../tensor.js';
import { decodeCheckpoint, encodeCheckpoint, type RawTensor, type Saved } from './checkpoint_format.js';

/** What torch.save accepts and torch.load returns: tensors, numbers, strings, and maps / plain objects / arrays of them. */
export type Checkpoint = Tensor | number | bigint | string | boolean | null | Checkpoint[] | Map<string | number, Checkpoint> | { [k: string]: Checkpoint };

function toSaved(v: Checkpoint, depth = 0): Saved {
  if (depth > 64) throw new TypeError('torch.save: object nests too deeply (a cycle?)');
  if (v instanceof Tensor) {
    const shape = v.shape;
    const strides: number[] = [];
    for (let d = shape.length - 1, s = 1; d >= 0; d--) {
      strides[d] = s;
      s *= shape[d]!;
    }
    const raw: RawTensor = { kind: 'tensor', dtype: v.dtype, shape, strides, storage_offset: 0, storage: native.raw_bytes(v.handle), requires_grad: false };
    return raw;
  }
  if (v === null || ['number', 'bigint', 'string', 'boolean'].includes(typeof v)) return v as Saved;
  if (Array.isArray(v)) return v.map((x) => toSaved(x, depth + 1));
  if (v instanceof Map) {
    const m = new Map<string | number, Saved>();
    for (const [k, x] of v) {
      if (typeof k !== 'string' && !(typeof k === 'number' && Number.isSafeInteger(k))) throw invalid('checkpoint key', 'a string or an integer', k);
      m.set(k, toSaved(x, depth + 1));
    }
    return m;
  }
  if (typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    const m = new Map<string, Saved>();
    for (const [k, x] of Object.entries(v)) m.set(k, toSaved(x, depth + 1));
    return m;
  }
  throw invalid('torch.save object', 'tensors, numbers, strings, arrays, Maps or plain objects', v);
}

function fromSaved(v: Saved): Checkpoint {
  if (v instanceof Map) {
    const m = new Map<string | number, Checkpoint>();
    for (const [k, x] of v) m.set(k, fromSaved(x));
    return m;
  }
  if (Array.isArray(v)) return v.map(fromSaved);
  if (v !== null && typeof v === 'object' && (v as RawTensor).kind === 'tensor') {
    const r = v as RawTensor;
    const t = wrap(native.from_raw_bytes(r.storage, r.dtype, r.shape, r.strides, r.storage_offset));
    if (r.requires_grad) t.requires_grad_(true);
    return t;
  }
  if (v !== null && typeof v === 'object') {
    const o: { [k: string]: Checkpoint } = {};
    for (const [k, x] of Object.entries(v)) o[k] = fromSaved(x as Saved);
    return o;
  }
  return v as Checkpoint;
}

/** Saves tensors / state dicts to `path` in PyTorch's zip format (a Map or plain object becomes an OrderedDict). */
export function save(obj: Checkpoint, path: string): void {
  if (typeof path !== 'string' || path === '') throw invalid('path', 'a file path', path);
  const bytes = encodeCheckpoint(toSaved(obj));
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  try {
    writeFileSync(tmp, bytes);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw new Error(`torch.save: cannot write '${path}': ${(e as Error).message}`);
  }
}

/** Loads a checkpoint written by torch.save here or in Python; dicts come back as Maps in file order. */
export function load(path: string): Checkpoint {
  if (typeof path !== 'string' || path === '') throw invalid('path', 'a file path', path);
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new Error(`torch.load: cannot read '${path}': ${(e as Error).message}`);
  }
  return fromSaved(decodeCheckpoint(bytes, path));
}
