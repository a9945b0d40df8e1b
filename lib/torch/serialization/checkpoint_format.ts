// torch.save / torch.load checkpoint format (zip, PyTorch >= 1.6), in pure TypeScript.
// Layout written mirrors PyTorch 1.13: <name>/data.pkl, <name>/data/<key> (keys sorted as
// strings), <name>/version = "3\n".
import { PyGlobal, PyPersistent, PyReduce, PyTuple, pickle, unpickle, type PickleValue, type PyCallable } from './pickle.js';
import { ZipReader, writeZip } from './zip.js';
import { DTYPES, elementSize, type DType } from '../dtype.js';

export interface RawTensor {
  kind: 'tensor';
  dtype: DType;
  shape: number[];
  strides: number[];
  storage_offset: number;
  /** The whole storage's little-endian bytes; tensors that share a storage share this array. */
  storage: Uint8Array;
  requires_grad: boolean;
  /** An nn.Parameter (pickled through torch._utils._rebuild_parameter). */
  parameter?: boolean;
}

export type Saved = RawTensor | number | bigint | string | boolean | null | Saved[] | Map<string | number, Saved> | { [k: string]: Saved };

const STORAGE_DTYPES: Record<string, DType> = {
  FloatStorage: 'float32',
  DoubleStorage: 'float64',
  HalfStorage: 'float16',
  BFloat16Storage: 'bfloat16',
  IntStorage: 'int32',
  LongStorage: 'int64',
  ByteStorage: 'uint8',
  BoolStorage: 'bool',
  CharStorage: 'int8',
  ShortStorage: 'int16',
};
const STORAGE_NAME_OF = Object.fromEntries(Object.entries(STORAGE_DTYPES).map(([k, v]) => [v, k])) as Record<DType, string>;

// ---- decoding ----

class StorageType {
  constructor(readonly dtype: DType) {}
}
class OrderedDictValue extends Map<unknown, unknown> {}
/** A tensor as the unpickler rebuilds it (the value _rebuild_tensor_v2 returns). */
class PickledTensor {
  constructor(readonly t: RawTensor) {}
}

function toInt(v: unknown, what: string): number {
  if (typeof v !== 'bigint' || v < BigInt(Number.MIN_SAFE_INTEGER) || v > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new Error(`corrupt: ${what} is not an integer`);
  }
  return Number(v);
}
function toIntTuple(v: unknown, what: string): number[] {
  if (!(v instanceof PyTuple)) throw new Error(`corrupt: ${what} is not a tuple`);
  return v.items.map((x) => toInt(x, what));
}

const MAX_NUMEL = 2n ** 63n - 1n;

function checkExtent(t: RawTensor): void {
  const numel = t.storage.length / elementSize(t.dtype);
  if (t.shape.length !== t.strides.length) throw new Error('tensor shape and strides have different lengths');
  if (t.shape.some((d) => !Number.isSafeInteger(d) || d < 0)) throw new Error(`invalid tensor shape [${t.shape}]`);
  if (t.strides.some((s) => !Number.isSafeInteger(s))) throw new Error(`invalid tensor strides [${t.strides}]`);
  // PyTorch refuses negative strides too (as_strided: "Negative strides are not supported").
  if (t.strides.some((s) => s < 0))
    throw new Error(`tensor [${t.shape}] has negative strides [${t.strides}], which PyTorch does not support`);
  if (!Number.isSafeInteger(t.storage_offset) || t.storage_offset < 0) throw new Error('invalid storage offset');
  const count = t.shape.reduce((a, d) => a * BigInt(d), 1n);
  if (count > MAX_NUMEL) throw new Error(`tensor [${t.shape}] has ${count} elements, more than int64 can count`);
  if (count === 0n) return;
  let hi = t.storage_offset;
  t.shape.forEach((d, i) => {
    hi += (d - 1) * t.strides[i]!;
  });
  if (!Number.isSafeInteger(hi) || hi >= numel) {
    throw new Error(`tensor [${t.shape}] (offset ${t.storage_offset}, strides [${t.strides}]) exceeds its storage of ${numel} elements`);
  }
}

function rebuildTensor(args: unknown[]): PickledTensor {
  const [storage, offset, size, stride, requiresGrad] = args;
  if (args.length < 6 || !(storage instanceof LoadedStorage) || typeof requiresGrad !== 'boolean') {
    throw new Error('corrupt: bad _rebuild_tensor_v2 arguments');
  }
  const t: RawTensor = {
    kind: 'tensor',
    dtype: storage.dtype,
    shape: toIntTuple(size, 'tensor size'),
    strides: toIntTuple(stride, 'tensor stride'),
    storage_offset: toInt(offset, 'storage offset'),
    storage: storage.bytes,
    requires_grad: requiresGrad,
  };
  checkExtent(t);
  return new PickledTensor(t);
}

class LoadedStorage {
  constructor(
    readonly dtype: DType,
    readonly bytes: Uint8Array,
  ) {}
}

function fn(qualname: string, call: (args: unknown[]) => unknown): PyCallable {
  return { qualname, call };
}

const ALLOWED: Record<string, () => unknown> = {
  'collections OrderedDict': () =>
    fn('collections.OrderedDict', (args) => {
      const d = new OrderedDictValue();
      if (args.length === 1 && Array.isArray(args[0])) {
        for (const kv of args[0]) {
          if (!(kv instanceof PyTuple) || kv.items.length !== 2) throw new Error('corrupt: bad OrderedDict items');
          d.set(kv.items[0], kv.items[1]);
        }
      } else if (args.length !== 0) throw new Error('corrupt: bad OrderedDict arguments');
      return d;
    }),
  'torch._utils _rebuild_tensor_v2': () => fn('torch._utils._rebuild_tensor_v2', rebuildTensor),
  'torch._utils _rebuild_parameter': () =>
    fn('torch._utils._rebuild_parameter', ([data, requiresGrad]) => {
      if (!(data instanceof PickledTensor) || typeof requiresGrad !== 'boolean') {
        throw new Error('corrupt: bad _rebuild_parameter arguments');
      }
      return new PickledTensor({ ...data.t, requires_grad: requiresGrad, parameter: true });
    }),
  'torch UntypedStorage': () => new StorageType('uint8'),
  'torch.storage UntypedStorage': () => new StorageType('uint8'),
  ...Object.fromEntries(Object.entries(STORAGE_DTYPES).map(([n, d]) => [`torch ${n}`, () => new StorageType(d)])),
};

function byteSwap(b: Uint8Array, size: number): void {
  for (let i = 0; i + size <= b.length; i += size) b.subarray(i, i + size).reverse();
}

/** Deepest nesting torch.load follows (Python's own repr stops near 1000 too). */
export const MAX_DEPTH = 1000;

/**
 * Converts the unpickled objects to Saved values. An object reached twice (a memo GET) converts
 * once and is shared, so a "billion laughs" pickle stays as small as its file; `budget` bounds
 * the references followed (a pickle of n bytes makes fewer than n).
 */
function toSavedGraph(root: unknown, budget: number): Saved {
  const done = new Map<object, Saved>();
  const convert = (v: unknown, depth: number): Saved => {
    if (--budget < 0) throw new Error('the pickle references more objects than its length allows');
    if (v === null || typeof v === 'boolean' || typeof v === 'number' || typeof v === 'string') return v;
    if (typeof v === 'bigint') {
      return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
    }
    if (typeof v !== 'object') throw new Error('unsupported value in checkpoint');
    const seen = done.get(v);
    if (seen !== undefined) return seen;
    if (depth > MAX_DEPTH) throw new Error(`the checkpoint nests more than ${MAX_DEPTH} levels deep`);
    if (v instanceof PickledTensor) {
      done.set(v, v.t);
      return v.t;
    }
    if (Array.isArray(v) || v instanceof PyTuple) {
      const items = Array.isArray(v) ? v : v.items;
      const out: Saved[] = [];
      done.set(v, out); // before the items: a list may contain itself
      for (const x of items) out.push(convert(x, depth + 1));
      return out;
    }
    if (v instanceof Map) {
      const m = new Map<string | number, Saved>();
      done.set(v, m);
      for (const [k, x] of v) {
        // String keys (state dicts) and int keys (an optimizer's state, keyed by parameter index).
        const key =
          typeof k === 'string'
            ? k
            : typeof k === 'bigint' && k >= BigInt(Number.MIN_SAFE_INTEGER) && k <= BigInt(Number.MAX_SAFE_INTEGER)
              ? Number(k)
              : null;
        if (key === null) throw new Error(`unsupported dict key of type ${typeof k} (only string and integer keys are supported)`);
        m.set(key, convert(x, depth + 1));
      }
      return m;
    }
    if (v instanceof Uint8Array) throw new Error('unsupported value: Python bytes');
    if (v instanceof StorageType || v instanceof LoadedStorage) throw new Error('unsupported value: a bare storage');
    throw new Error('unsupported value in checkpoint');
  };
  return convert(root, 0);
}

function decodeArchive(bytes: Uint8Array): Saved {
  if (bytes.length === 0) throw new Error('truncated: empty file');
  if (bytes[0] === 0x80 && bytes[1] !== undefined && bytes[1] <= 5) {
    throw new Error('legacy (pre-1.6, non-zip) torch.save format is unsupported; re-save it with PyTorch >= 1.6 (the default zip format)');
  }
  const zip = new ZipReader(bytes);
  const pkl = zip.entries.find((e) => /^[^/]+\/data\.pkl$/.test(e.name));
  if (!pkl) throw new Error('not a PyTorch checkpoint (no data.pkl)');
  const prefix = pkl.name.slice(0, -'data.pkl'.length);
  const hint = zip.has(prefix + 'constants.pkl') ? ' (this looks like a TorchScript archive from torch.jit.save)' : '';

  let bigEndian = false;
  if (zip.has(prefix + 'byteorder')) {
    const order = new TextDecoder().decode(zip.read(prefix + 'byteorder'));
    if (order !== 'little' && order !== 'big') throw new Error(`corrupt: unknown byteorder '${order}'`);
    bigEndian = order === 'big';
  }

  const storages = new Map<string, LoadedStorage>();
  const persistentLoad = (pid: unknown): unknown => {
    const items = pid instanceof PyTuple ? pid.items : [];
    const [tag, type, key, , numelV] = items;
    if (items.length !== 5 || tag !== 'storage' || !(type instanceof StorageType) || typeof key !== 'string') {
      throw new Error('unsupported persistent id (only tensor storages are supported)');
    }
    const cached = storages.get(key);
    if (cached) {
      if (cached.dtype !== type.dtype) throw new Error(`storage ${key} is used with two dtypes`);
      return cached;
    }
    const numel = toInt(numelV, 'storage size');
    if (numel < 0) throw new Error(`corrupt: storage ${key} has negative size ${numel}`);
    const name = `${prefix}data/${key}`;
    if (!zip.has(name)) throw new Error(`missing storage record '${name}'`);
    const item = elementSize(type.dtype);
    const nbytes = numel * item;
    // The record's declared size is checked against what the tensor needs before anything is
    // inflated; reading then stops at that size (a record may hold a partial trailing element).
    const declared = zip.size(name);
    if (declared < nbytes) throw new Error(`truncated: storage '${name}' has ${declared} bytes, expected ${nbytes}`);
    if (declared >= nbytes + item) throw new Error(`corrupt: storage '${name}' holds ${declared} bytes, but its storage needs ${nbytes}`);
    const record = zip.read(name);
    // Copy: an own, offset-0 buffer keeps typed-array views aligned and frees us from the file buffer.
    const data = record.slice(0, nbytes);
    if (bigEndian) byteSwap(data, elementSize(type.dtype));
    const s = new LoadedStorage(type.dtype, data);
    storages.set(key, s);
    return s;
  };

  const pickleBytes = zip.read(pkl.name);
  const obj = unpickle(pickleBytes, {
    findGlobal(module, name) {
      const make = Object.hasOwn(ALLOWED, `${module} ${name}`) ? ALLOWED[`${module} ${name}`] : undefined;
      if (!make) throw new Error(`unsupported pickle global ${module}.${name}${hint}`);
      return make();
    },
    persistentLoad,
    build(inst, _state) {
      // torch.save puts `_metadata` on state-dict OrderedDicts; we ignore it.
      if (inst instanceof OrderedDictValue) return inst;
      throw new Error('unsupported pickle BUILD on a non-OrderedDict object');
    },
  });
  return toSavedGraph(obj, 4 * pickleBytes.length + 4096);
}

/** Decodes the bytes of a torch.save (zip format) file. Errors name `pathForErrors`. */
export function decodeCheckpoint(bytes: Uint8Array, pathForErrors: string): Saved {
  try {
    return decodeArchive(bytes);
  } catch (e) {
    throw new Error(`cannot load PyTorch checkpoint '${pathForErrors}': ${(e as Error).message}`, { cause: e });
  }
}

// ---- encoding ----

const G_ORDERED_DICT = new PyGlobal('collections', 'OrderedDict');
const G_REBUILD = new PyGlobal('torch._utils', '_rebuild_tensor_v2');
const G_REBUILD_PARAMETER = new PyGlobal('torch._utils', '_rebuild_parameter');

function isTensor(v: unknown): v is RawTensor {
  return (
    typeof v === 'object' &&
    v !== null &&
    (v as { kind?: unknown }).kind === 'tensor' &&
    (v as { storage?: unknown }).storage instanceof Uint8Array
  );
}

/** Encodes `obj` as a torch.save zip archive that torch.load (1.13 and 2.x) reads. */
export function encodeCheckpoint(obj: Saved, archiveName = 'archive'): Uint8Array {
  if (!/^[^/\\\n]+$/.test(archiveName)) throw new Error(`invalid archive name '${archiveName}'`);
  const storages = new Map<Uint8Array, { key: string; dtype: DType }>();
  const active = new Set<object>();
  const done = new Map<object, PickleValue>();

  const tensor = (t: RawTensor): PickleValue => {
    if (!(DTYPES as readonly string[]).includes(t.dtype)) throw new Error(`unsupported tensor dtype '${t.dtype}'`);
    const size = elementSize(t.dtype);
    if (t.storage.length % size !== 0) {
      throw new Error(`tensor storage of ${t.storage.length} bytes is not a multiple of the ${t.dtype} size`);
    }
    checkExtent(t);
    let s = storages.get(t.storage);
    if (!s) {
      s = { key: String(storages.size), dtype: t.dtype };
      storages.set(t.storage, s);
    } else if (s.dtype !== t.dtype) {
      throw new Error(`cannot save one storage viewed as two dtypes (${s.dtype}, ${t.dtype})`);
    }
    const ints = (a: number[]): PyTuple => new PyTuple(a.map((x) => BigInt(x)));
    const pid = new PyTuple(['storage', new PyGlobal('torch', STORAGE_NAME_OF[t.dtype]), s.key, 'cpu', BigInt(t.storage.length / size)]);
    // As PyTorch pickles them: a tensor carries its requires_grad; a Parameter is
    // _rebuild_parameter(<its detached data>, requires_grad, OrderedDict()).
    const data = new PyReduce(
      G_REBUILD,
      new PyTuple([
        new PyPersistent(pid),
        BigInt(t.storage_offset),
        ints(t.shape),
        ints(t.strides),
        t.parameter ? false : t.requires_grad,
        new PyReduce(G_ORDERED_DICT, new PyTuple([])),
      ]),
    );
    if (!t.parameter) return data;
    return new PyReduce(G_REBUILD_PARAMETER, new PyTuple([data, t.requires_grad, new PyReduce(G_ORDERED_DICT, new PyTuple([]))]));
  };

  const convert = (v: Saved): PickleValue => {
    if (v === null || typeof v === 'boolean' || typeof v === 'string' || typeof v === 'bigint') return v;
    if (typeof v === 'number') return Number.isSafeInteger(v) && !Object.is(v, -0) ? BigInt(v) : v;
    if (typeof v !== 'object') throw new Error(`cannot save a value of type ${typeof v}`);
    if (active.has(v)) throw new Error('cannot save a recursive structure');
    // An object reached twice is pickled once and then referenced (a memo GET), as Python's pickler does.
    const seen = done.get(v);
    if (seen !== undefined) return seen;
    active.add(v);
    let out: PickleValue;
    if (isTensor(v)) out = tensor(v);
    else if (Array.isArray(v)) out = v.map(convert);
    else {
      const entries = v instanceof Map ? [...v.entries()] : Object.entries(v);
      out = new PyReduce(
        G_ORDERED_DICT,
        new PyTuple([]),
        entries.map(([k, x]) => {
          if (typeof k === 'number' && Number.isSafeInteger(k)) return [BigInt(k), convert(x)] as [PickleValue, PickleValue];
          if (typeof k !== 'string') throw new Error('only string and integer keys can be saved');
          return [k, convert(x)] as [PickleValue, PickleValue];
        }),
      );
    }
    active.delete(v);
    done.set(v, out);
    return out;
  };

  const data = pickle(convert(obj));
  const records = [{ name: `${archiveName}/data.pkl`, data }];
  const keys = [...storages.entries()].map(([bytes, s]) => ({ key: s.key, bytes }));
  keys.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)); // torch writes sorted(keys)
  for (const { key, bytes } of keys) records.push({ name: `${archiveName}/data/${key}`, data: bytes });
  records.push({ name: `${archiveName}/version`, data: new TextEncoder().encode('3\n') });
  return writeZip(records);
}
