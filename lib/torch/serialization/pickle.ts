// Restricted pickle reader and protocol-2 writer, enough for torch.save checkpoints.
// The reader's memo shares objects as Python's does (GET pushes the very object PUT stored), and
// each opcode does work proportional to the bytes it reads or the items it consumes, so the
// whole read is linear in the pickle's length.
// The reader never resolves globals itself: every GLOBAL goes through hooks.findGlobal,
// which must throw for anything not allow-listed. Python int <-> bigint, float <-> number.

/** A Python tuple (lists are plain JS arrays). */
export class PyTuple {
  constructor(readonly items: unknown[]) {}
}

/** A Python dict read from a pickle; OrderedDict instances come from the hooks. */
export class PyDict extends Map<unknown, unknown> {}

/** A resolved, allow-listed global: REDUCE calls `call`, NEWOBJ calls `newobj`. */
export interface PyCallable {
  readonly qualname: string;
  call?(args: unknown[]): unknown;
  newobj?(args: unknown[]): unknown;
}

export interface UnpickleHooks {
  /** Must throw for globals that are not allowed. */
  findGlobal(module: string, name: string): unknown;
  persistentLoad(pid: unknown): unknown;
  /** BUILD: set state on inst; returns the (possibly replaced) object. */
  build(inst: unknown, state: unknown): unknown;
}

// Like torch.load: GLOBAL names and py2 byte strings are decoded as UTF-8.
const utf8Loose = new TextDecoder('utf-8');
const utf8 = new TextDecoder('utf-8', { fatal: true });

function readLong(b: Uint8Array): bigint {
  if (b.length === 0) return 0n;
  // One BigInt parse of the little-endian bytes reversed to hex: linear in the length, where
  // shifting byte by byte is quadratic (a LONG4 may be megabytes long).
  let hex = '';
  for (let i = b.length - 1; i >= 0; i--) hex += HEX[b[i]!];
  const v = BigInt('0x' + hex);
  return b[b.length - 1]! & 0x80 ? v - (1n << BigInt(8 * b.length)) : v;
}
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

export function unpickle(input: Uint8Array, hooks: UnpickleHooks): unknown {
  const data = new Uint8Array(input.buffer, input.byteOffset, input.byteLength); // not a Buffer: .slice() must copy
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let pos = 0;
  let stack: unknown[] = [];
  const metastack: unknown[][] = [];
  const memo = new Map<number, unknown>();

  const need = (n: number): number => {
    if (pos + n > data.length) throw new Error(`truncated: pickle data ends at byte ${data.length}, needed ${pos + n}`);
    const at = pos;
    pos += n;
    return at;
  };
  const bytes = (n: number): Uint8Array => data.subarray(need(n), pos);
  const u8 = (): number => data[need(1)]!;
  const u16 = (): number => view.getUint16(need(2), true);
  const u32 = (): number => view.getUint32(need(4), true);
  const u64 = (): number => {
    const v = view.getBigUint64(need(8), true);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error('corrupt: pickle length too large');
    return Number(v);
  };
  const line = (): string => {
    const end = data.indexOf(0x0a, pos);
    if (end < 0) throw new Error('truncated: pickle data ends inside a GLOBAL name');
    const s = utf8Loose.decode(data.subarray(pos, end));
    pos = end + 1;
    return s;
  };
  const str = (n: number): string => {
    try {
      return utf8.decode(bytes(n));
    } catch (e) {
      if ((e as Error).message.startsWith('truncated')) throw e;
      throw new Error('corrupt: invalid UTF-8 in pickle string');
    }
  };
  const pop = (): unknown => {
    if (stack.length === 0) throw new Error(`corrupt: pickle stack underflow at byte ${pos - 1}`);
    return stack.pop();
  };
  const top = (): unknown => {
    if (stack.length === 0) throw new Error(`corrupt: pickle stack underflow at byte ${pos - 1}`);
    return stack[stack.length - 1];
  };
  const popMark = (): unknown[] => {
    const items = stack;
    const prev = metastack.pop();
    if (!prev) throw new Error(`corrupt: pickle MARK missing at byte ${pos - 1}`);
    stack = prev;
    return items;
  };
  const get = (i: number): unknown => {
    if (!memo.has(i)) throw new Error(`corrupt: pickle memo key ${i} missing`);
    return memo.get(i);
  };
  const callable = (f: unknown, op: 'call' | 'newobj'): ((args: unknown[]) => unknown) => {
    const c = f as PyCallable | null;
    const fn = c && typeof c === 'object' ? c[op] : undefined;
    if (!fn) throw new Error(`corrupt: pickle ${op === 'call' ? 'REDUCE' : 'NEWOBJ'} on a non-callable value`);
    return fn.bind(c);
  };
  const argsOf = (a: unknown): unknown[] => {
    if (!(a instanceof PyTuple)) throw new Error('corrupt: pickle call arguments are not a tuple');
    return a.items;
  };
  const setItems = (target: unknown, items: unknown[]): void => {
    if (!(target instanceof Map)) throw new Error('corrupt: pickle SETITEM(S) target is not a dict');
    for (let i = 0; i + 1 < items.length; i += 2) target.set(items[i], items[i + 1]);
  };
  const appendItems = (target: unknown, items: unknown[]): void => {
    if (!Array.isArray(target)) throw new Error('corrupt: pickle APPEND(S) target is not a list');
    target.push(...items);
  };

  for (;;) {
    const op = u8();
    switch (op) {
      case 0x80:
        u8();
        break; // PROTO
      case 0x95:
        u64();
        break; // FRAME (we already have all the bytes)
      case 0x2e: {
        // STOP
        const v = pop();
        return v;
      }
      case 0x28:
        metastack.push(stack);
        stack = [];
        break; // MARK
      case 0x30:
        pop();
        break; // POP
      case 0x31:
        popMark();
        break; // POP_MARK
      case 0x32:
        stack.push(top());
        break; // DUP
      case 0x7d:
        stack.push(new PyDict());
        break; // EMPTY_DICT
      case 0x5d:
        stack.push([]);
        break; // EMPTY_LIST
      case 0x29:
        stack.push(new PyTuple([]));
        break; // EMPTY_TUPLE
      case 0x64: {
        // DICT
        const d = new PyDict();
        setItems(d, popMark());
        stack.push(d);
        break;
      }
      case 0x6c: {
        const items = popMark();
        stack.push(items);
        break;
      } // LIST (pop before reading `stack`)
      case 0x74: {
        const items = popMark();
        stack.push(new PyTuple(items));
        break;
      } // TUPLE
      case 0x85:
        stack.push(new PyTuple([pop()]));
        break; // TUPLE1
      case 0x86: {
        const b = pop();
        const a = pop();
        stack.push(new PyTuple([a, b]));
        break;
      } // TUPLE2
      case 0x87: {
        const c = pop();
        const b = pop();
        const a = pop();
        stack.push(new PyTuple([a, b, c]));
        break;
      } // TUPLE3
      case 0x58:
        stack.push(str(u32()));
        break; // BINUNICODE
      case 0x8c:
        stack.push(str(u8()));
        break; // SHORT_BINUNICODE
      case 0x8d:
        stack.push(str(u64()));
        break; // BINUNICODE8
      case 0x54:
        stack.push(utf8Loose.decode(bytes(u32())));
        break; // BINSTRING (py2 str)
      case 0x55:
        stack.push(utf8Loose.decode(bytes(u8())));
        break; // SHORT_BINSTRING
      case 0x42:
        stack.push(bytes(u32()).slice());
        break; // BINBYTES
      case 0x43:
        stack.push(bytes(u8()).slice());
        break; // SHORT_BINBYTES
      case 0x8e:
        stack.push(bytes(u64()).slice());
        break; // BINBYTES8
      case 0x71:
        memo.set(u8(), top());
        break; // BINPUT
      case 0x72:
        memo.set(u32(), top());
        break; // LONG_BINPUT
      case 0x94:
        memo.set(memo.size, top());
        break; // MEMOIZE
      case 0x68:
        stack.push(get(u8()));
        break; // BINGET
      case 0x6a:
        stack.push(get(u32()));
        break; // LONG_BINGET
      case 0x4a:
        stack.push(BigInt(view.getInt32(need(4), true)));
        break; // BININT
      case 0x4b:
        stack.push(BigInt(u8()));
        break; // BININT1
      case 0x4d:
        stack.push(BigInt(u16()));
        break; // BININT2
      case 0x8a:
        stack.push(readLong(bytes(u8())));
        break; // LONG1
      case 0x8b:
        stack.push(readLong(bytes(u32())));
        break; // LONG4
      case 0x47:
        stack.push(view.getFloat64(need(8), false));
        break; // BINFLOAT (big-endian)
      case 0x88:
        stack.push(true);
        break; // NEWTRUE
      case 0x89:
        stack.push(false);
        break; // NEWFALSE
      case 0x4e:
        stack.push(null);
        break; // NONE
      case 0x73: {
        const v = pop();
        const k = pop();
        setItems(top(), [k, v]);
        break;
      } // SETITEM
      case 0x75: {
        const items = popMark();
        setItems(top(), items);
        break;
      } // SETITEMS
      case 0x61: {
        const v = pop();
        appendItems(top(), [v]);
        break;
      } // APPEND
      case 0x65: {
        const items = popMark();
        appendItems(top(), items);
        break;
      } // APPENDS
      case 0x63: {
        const module = line();
        const name = line();
        stack.push(hooks.findGlobal(module, name));
        break;
      } // GLOBAL
      case 0x93: {
        // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string') throw new Error('corrupt: STACK_GLOBAL needs two strings');
        stack.push(hooks.findGlobal(module, name));
        break;
      }
      case 0x52: {
        const args = argsOf(pop());
        const f = pop();
        stack.push(callable(f, 'call')(args));
        break;
      } // REDUCE
      case 0x81: {
        const args = argsOf(pop());
        const cls = pop();
        stack.push(callable(cls, 'newobj')(args));
        break;
      } // NEWOBJ
      case 0x62: {
        const state = pop();
        const inst = pop();
        stack.push(hooks.build(inst, state));
        break;
      } // BUILD
      case 0x51:
        stack.push(hooks.persistentLoad(pop()));
        break; // BINPERSID
      default:
        throw new Error(`unsupported pickle opcode 0x${op.toString(16).padStart(2, '0')} at byte ${pos - 1}`);
    }
  }
}

// ---- writer ----

/** Python dict literal written as EMPTY_DICT + SETITEM(S). */
export class PyDictLiteral {
  constructor(readonly entries: [PickleValue, PickleValue][]) {}
}
/** A global reference (module, qualified name), written with GLOBAL. */
export class PyGlobal {
  constructor(
    readonly module: string,
    readonly name: string,
  ) {}
}
/** `func(*args)` followed by optional dict items and BUILD state, as pickle's save_reduce does. */
export class PyReduce {
  constructor(
    readonly func: PyGlobal,
    readonly args: PyTuple,
    readonly dictItems: [PickleValue, PickleValue][] = [],
    readonly state: PickleValue | undefined = undefined,
  ) {}
}
/** An object saved by persistent id (torch storages). */
export class PyPersistent {
  constructor(readonly pid: PickleValue) {}
}
export type PickleValue =
  null | boolean | number | bigint | string | PickleValue[] | PyTuple | PyDictLiteral | PyGlobal | PyReduce | PyPersistent;

const BATCH = 1000; // pickle's _BATCHSIZE

function encodeLong(x: bigint): number[] {
  const out: number[] = [];
  let v = x;
  for (;;) {
    const byte = Number(v & 0xffn);
    out.push(byte);
    v >>= 8n;
    if ((v === 0n && !(byte & 0x80)) || (v === -1n && byte & 0x80)) return out;
  }
}

/** Protocol-2 pickle, memoizing like CPython's Pickler so the output matches torch.save's. */
export function pickle(value: PickleValue): Uint8Array {
  let buf = new Uint8Array(1 << 16);
  let len = 0;
  const ensure = (n: number): void => {
    if (len + n <= buf.length) return;
    let cap = buf.length * 2;
    while (cap < len + n) cap *= 2;
    const nb = new Uint8Array(cap);
    nb.set(buf.subarray(0, len));
    buf = nb;
  };
  const byte = (...bs: number[]): void => {
    ensure(bs.length);
    for (const b of bs) buf[len++] = b;
  };
  const raw = (b: Uint8Array): void => {
    ensure(b.length);
    buf.set(b, len);
    len += b.length;
  };
  const u32 = (n: number): void => byte(n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff);
  const enc = new TextEncoder();
  const memo = new Map<unknown, number>();
  const inProgress = new Set<unknown>();

  const put = (key: unknown): void => {
    const i = memo.size;
    memo.set(key, i);
    if (i < 256) byte(0x71, i);
    else {
      byte(0x72);
      u32(i);
    }
  };
  const memoGet = (key: unknown): boolean => {
    const i = memo.get(key);
    if (i === undefined) return false;
    if (i < 256) byte(0x68, i);
    else {
      byte(0x6a);
      u32(i);
    }
    return true;
  };
  const enter = (o: object): void => {
    if (inProgress.has(o)) throw new Error('cannot pickle a recursive structure');
    inProgress.add(o);
  };
  const setItems = (items: [PickleValue, PickleValue][]): void => {
    for (let i = 0; i < items.length; i += BATCH) {
      const batch = items.slice(i, i + BATCH);
      if (batch.length > 1) {
        byte(0x28);
        for (const [k, v] of batch) {
          save(k);
          save(v);
        }
        byte(0x75);
      } else {
        save(batch[0]![0]);
        save(batch[0]![1]);
        byte(0x73);
      }
    }
  };

  function save(v: PickleValue): void {
    if (v === null) return byte(0x4e);
    if (v === true) return byte(0x88);
    if (v === false) return byte(0x89);
    if (typeof v === 'number') {
      ensure(9);
      buf[len++] = 0x47;
      new DataView(buf.buffer).setFloat64(len, v, false);
      len += 8;
      return;
    }
    if (typeof v === 'bigint') {
      if (v >= 0n && v <= 0xffn) return byte(0x4b, Number(v));
      if (v >= 0n && v <= 0xffffn) return byte(0x4d, Number(v) & 0xff, Number(v) >> 8);
      if (v >= -(2n ** 31n) && v < 2n ** 31n) {
        byte(0x4a);
        u32(Number(v));
        return;
      }
      const b = encodeLong(v);
      if (b.length < 256) byte(0x8a, b.length);
      else {
        byte(0x8b);
        u32(b.length);
      }
      return byte(...b);
    }
    if (typeof v === 'string') {
      const key = 's:' + v; // strings are immutable, so memoizing by value is safe
      if (memoGet(key)) return;
      const b = enc.encode(v);
      byte(0x58);
      u32(b.length);
      raw(b);
      return put(key);
    }
    if (v instanceof PyGlobal) {
      const key = `g:${v.module}\n${v.name}`;
      if (memoGet(key)) return;
      if (/[\n]/.test(v.module + v.name)) throw new Error('invalid global name');
      byte(0x63);
      raw(enc.encode(`${v.module}\n${v.name}\n`));
      return put(key);
    }
    if (memoGet(v)) return;
    if (v instanceof PyPersistent) {
      save(v.pid);
      return byte(0x51); // the loaded object is not memoized, as in CPython
    }
    enter(v);
    if (Array.isArray(v)) {
      byte(0x5d);
      put(v);
      for (let i = 0; i < v.length; i += BATCH) {
        const batch = v.slice(i, i + BATCH);
        if (batch.length > 1) {
          byte(0x28);
          batch.forEach(save);
          byte(0x65);
        } else {
          save(batch[0]!);
          byte(0x61);
        }
      }
    } else if (v instanceof PyTuple) {
      const items = v.items as PickleValue[];
      if (items.length === 0)
        byte(0x29); // the empty tuple is not memoized
      else {
        if (items.length > 3) byte(0x28);
        items.forEach(save);
        byte(items.length > 3 ? 0x74 : 0x84 + items.length);
        put(v);
      }
    } else if (v instanceof PyDictLiteral) {
      byte(0x7d);
      put(v);
      setItems(v.entries);
    } else if (v instanceof PyReduce) {
      save(v.func);
      save(v.args);
      byte(0x52);
      put(v);
      setItems(v.dictItems);
      if (v.state !== undefined) {
        save(v.state);
        byte(0x62);
      }
    } else {
      throw new Error(`cannot pickle value of type ${typeof v}`);
    }
    inProgress.delete(v);
  }

  byte(0x80, 2);
  save(value);
  byte(0x2e);
  return buf.slice(0, len);
}
