// torch.save / torch.load in PyTorch's own file format, so checkpoints move both ways between this
// library and Python. Writes are durable and atomic: a temporary file beside the target, fsync,
// rename, fsync of the folder; a failed save removes its temporary file, and each save removes the
// temporary files that killed writers left beside its target.
import { closeSync, fsyncSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname, basename, join } from 'node:path';
import { native, type NativeTensor } from '../../native.js';
import { invalid } from '../check.js';
import { elementSize } from '../dtype.js';
import { Tensor, wrap } from '../tensor.js';
import { Parameter } from '../../nn/parameter.js';
import { MAX_DEPTH, decodeCheckpoint, encodeCheckpoint, type RawTensor, type Saved } from './checkpoint_format.js';

/** What torch.load returns: tensors (nn.Parameters where the file holds them), numbers, bigints, strings, booleans, null, lists, and dicts as Maps in file order. */
export type Checkpoint =
  Tensor | number | bigint | string | boolean | null | Checkpoint[] | Map<string | number, Checkpoint> | { [k: string]: Checkpoint };

/**
 * What torch.save accepts, checked structurally so that interfaces fit as they are (an optimizer's
 * state_dict(), a module's state_dict(), objects nesting them): tensors, numbers, bigints, strings,
 * booleans, null, arrays, Maps with string or integer keys, and plain objects of these (an
 * `undefined` property is left out, as JSON does). Functions and symbols are refused.
 */
export type Savable<T> = T extends Checkpoint | undefined
  ? T
  : T extends ReadonlyMap<infer K, infer V>
    ? K extends string | number
      ? ReadonlyMap<K, Savable<V>>
      : never
    : T extends readonly unknown[]
      ? { readonly [I in keyof T]: Savable<T[I]> }
      : T extends (...args: never[]) => unknown
        ? never
        : T extends object
          ? { readonly [P in keyof T]: P extends symbol ? never : Savable<T[P]> }
          : never;

/** Converts a JS value to the format's values; views of one storage get one shared byte array. */
function toSavedGraph(root: unknown): Saved {
  const storages = new Map<number, Uint8Array>();
  const done = new Map<object, Saved>();
  const active = new Set<object>();
  const convert = (v: unknown, depth: number): Saved => {
    if (v === null || ['number', 'bigint', 'string', 'boolean'].includes(typeof v)) return v as Saved;
    if (typeof v !== 'object') throw invalid('torch.save object', 'tensors, numbers, strings, arrays, Maps or plain objects', v);
    const seen = done.get(v);
    if (seen !== undefined) return seen;
    if (active.has(v)) throw new TypeError('torch.save: the object contains itself (a cycle), which cannot be saved');
    if (depth > MAX_DEPTH) throw new TypeError(`torch.save: the object nests more than ${MAX_DEPTH} levels deep`);
    active.add(v);
    let out: Saved;
    if (v instanceof Tensor) {
      const h = v.handle;
      const [id, , offset] = native.storage_info(h);
      let bytes = storages.get(id);
      if (!bytes) {
        bytes = native.storage_bytes(h);
        storages.set(id, bytes);
      }
      const raw: RawTensor = {
        kind: 'tensor',
        dtype: v.dtype,
        shape: v.shape,
        strides: v.stride(),
        storage_offset: offset,
        storage: bytes,
        requires_grad: v.requires_grad,
        parameter: v instanceof Parameter,
      };
      out = raw;
    } else if (Array.isArray(v)) {
      out = v.map((x) => convert(x, depth + 1));
    } else if (v instanceof Map) {
      const m = new Map<string | number, Saved>();
      for (const [k, x] of v) {
        if (typeof k !== 'string' && !(typeof k === 'number' && Number.isSafeInteger(k)))
          throw invalid('checkpoint key', 'a string or an integer', k);
        m.set(k, convert(x, depth + 1));
      }
      out = m;
    } else if (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null) {
      const m = new Map<string, Saved>();
      for (const [k, x] of Object.entries(v)) if (x !== undefined) m.set(k, convert(x, depth + 1));
      out = m;
    } else {
      throw invalid('torch.save object', 'tensors, numbers, strings, arrays, Maps or plain objects', v);
    }
    active.delete(v);
    done.set(v, out);
    return out;
  };
  return convert(root, 0);
}

/** Makes tensors of the decoded values; tensors that shared a storage in the file share one here. */
function fromSavedGraph(root: Saved, made: Tensor[]): Checkpoint {
  const bases = new Map<Uint8Array, NativeTensor>();
  const done = new Map<object, Checkpoint>();
  const tensor = (r: RawTensor): Tensor => {
    let base = bases.get(r.storage);
    if (!base) {
      base = native.from_raw_bytes(r.storage, r.dtype, [r.storage.length / elementSize(r.dtype)], [1], 0);
      bases.set(r.storage, base);
    }
    const t = wrap(native.tensor_on_storage(base, r.shape, r.strides, r.storage_offset));
    if (r.parameter) {
      try {
        const p = new Parameter(t, r.requires_grad); // shares t's storage
        made.push(p);
        return p;
      } finally {
        t.dispose();
      }
    }
    made.push(t);
    if (r.requires_grad) t.requires_grad_(true);
    return t;
  };
  const convert = (v: Saved): Checkpoint => {
    if (v === null || typeof v !== 'object') return v;
    const seen = done.get(v);
    if (seen !== undefined) return seen;
    if (v instanceof Map) {
      const m = new Map<string | number, Checkpoint>();
      done.set(v, m);
      for (const [k, x] of v) m.set(k, convert(x));
      return m;
    }
    if (Array.isArray(v)) {
      const a: Checkpoint[] = [];
      done.set(v, a);
      for (const x of v) a.push(convert(x));
      return a;
    }
    if ((v as RawTensor).kind === 'tensor') {
      const t = tensor(v as RawTensor);
      done.set(v, t);
      return t;
    }
    const o: { [k: string]: Checkpoint } = {};
    done.set(v, o);
    for (const [k, x] of Object.entries(v)) o[k] = convert(x as Saved);
    return o;
  };
  try {
    return convert(root);
  } finally {
    for (const b of bases.values()) b.dispose();
  }
}

// ---- durable, atomic writes ----

const PROCESS_START_MS = performance.timeOrigin;
const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** `.<name>.<pid>.<ms>.<hex>.tmp` (older versions wrote `.<name>.<pid>.<ms>.tmp`). */
function tempPattern(name: string): RegExp {
  return new RegExp(`^\\.${escapeRe(name)}\\.(\\d+)\\.(\\d+)(?:\\.[0-9a-f]+)?\\.tmp$`);
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** When a process started (Linux: /proc/<pid>/stat's start time in USER_HZ = 100 ticks after boot), or null. */
function processStartMs(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields from the 3rd on
    const ticks = Number(fields[19]); // the 22nd field: starttime
    const btime = Number(/^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'))?.[1]);
    return Number.isFinite(ticks) && Number.isFinite(btime) ? (btime + ticks / 100) * 1000 : null;
  } catch {
    return null;
  }
}

/**
 * A temporary file of ours is stale when its writer is gone: written by an earlier process with
 * our pid (stamped before we started), by a pid no longer running, or by a pid whose current
 * process started after the file was last written (the pid was reused). Where the start time
 * cannot be known, a file of a running pid is left alone.
 */
function isStale(pid: number, stampMs: number, mtimeMs: number): boolean {
  if (pid === process.pid) return stampMs < PROCESS_START_MS;
  if (!pidAlive(pid)) return true;
  const started = processStartMs(pid);
  return started !== null && started > mtimeMs + 1000;
}

function removeStaleTemps(dir: string, name: string): void {
  const re = tempPattern(name);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const f of names) {
    const m = re.exec(f);
    if (!m) continue;
    const full = join(dir, f);
    try {
      if (isStale(Number(m[1]), Number(m[2]), statSync(full).mtimeMs)) rmSync(full, { force: true });
    } catch {
      // Gone already, or not ours to remove: leave it.
    }
  }
}

function fsyncFolder(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch (e) {
    // Some file systems cannot fsync a folder; the rename itself has happened.
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'EINVAL' && code !== 'ENOTSUP' && code !== 'EISDIR' && code !== 'EPERM' && code !== 'EACCES') throw e;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Writes `bytes` to `path` through a temporary file, fsync, rename and folder fsync. */
export function writeFileDurably(path: string, bytes: Uint8Array): void {
  const dir = dirname(path);
  const name = basename(path);
  removeStaleTemps(dir, name);
  const tmp = join(dir, `.${name}.${process.pid}.${Date.now()}.${randomBytes(4).toString('hex')}.tmp`);
  let fd: number | undefined;
  try {
    fd = openSync(tmp, 'wx', 0o666);
    for (let off = 0; off < bytes.length;) off += writeSync(fd, bytes, off, bytes.length - off);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, path);
  } catch (e) {
    if (fd !== undefined) {
      try {
        closeSync(fd);
      } catch {
        // already failing: the original error is the one to report
      }
    }
    rmSync(tmp, { force: true });
    throw e;
  }
  fsyncFolder(dir);
}

/**
 * Saves tensors, state dicts, optimizer state dicts and nested containers of them to `path` in
 * PyTorch's zip format (a Map or plain object becomes an OrderedDict). Views of one storage are
 * saved as one storage; requires_grad and nn.Parameter are written as PyTorch writes them.
 */
export function save<T>(obj: T & Savable<T>, path: string): void {
  if (typeof path !== 'string' || path === '') throw invalid('path', 'a file path', path);
  const bytes = encodeCheckpoint(toSavedGraph(obj));
  try {
    writeFileDurably(path, bytes);
  } catch (e) {
    throw new Error(`torch.save: cannot write '${path}': ${(e as Error).message}`, { cause: e });
  }
}

/**
 * Loads a checkpoint written by torch.save here or in Python; dicts come back as Maps in file
 * order, nn.Parameters as nn.Parameters, and tensors that shared a storage share one again.
 * Like PyTorch's torch.load, the result is typed by its use (`Checkpoint` when nothing says
 * more), so `net.load_state_dict(torch.load(p))` needs no cast; its consumer checks its contents.
 */
export function load<T = Checkpoint>(path: string): T {
  if (typeof path !== 'string' || path === '') throw invalid('path', 'a file path', path);
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new Error(`torch.load: cannot read '${path}': ${(e as Error).message}`, { cause: e });
  }
  return loadBytes(bytes, path) as T;
}

/** torch.load on the bytes of a file; errors name `pathForErrors`. */
export function loadBytes(bytes: Uint8Array, pathForErrors: string): Checkpoint {
  const saved = decodeCheckpoint(bytes, pathForErrors);
  const made: Tensor[] = [];
  try {
    return fromSavedGraph(saved, made);
  } catch (e) {
    for (const t of made) t.dispose();
    throw new Error(`cannot load PyTorch checkpoint '${pathForErrors}': ${(e as Error).message}`, { cause: e });
  }
}
