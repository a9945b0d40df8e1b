// Property-based fuzzing of torch.load and the IDX reader (run by test/fuzz.test.ts in a child
// process, so that a crash or a hang shows as a failed test). Every input either loads or fails
// with a JS Error that names the file, within a time bound. Runs per property: argv[2], or
// SNNTORCH_FUZZ_RUNS (e.g. 100000 for a nightly run); SNNTORCH_FUZZ_SEED replays a failure.
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateRawSync, crc32 } from 'node:zlib';
import * as torch from '../lib/torch/index.js';
import { loadBytes, type Checkpoint } from '../lib/torch/serialization/index.js';
import { Tensor } from '../lib/torch/tensor.js';
import { ZipReader, writeZip } from '../lib/torch/serialization/zip.js';
import { encodeIdx, parseIdx, type IdxArray } from '../lib/data/idx.js';
import { Parameter } from '../lib/nn/parameter.js';
import { floatTensorCheckpoint, rawZip } from './hostile_files.js';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
const runs = Number(process.argv[2] ?? process.env.SNNTORCH_FUZZ_RUNS ?? 200);
const seed = process.env.SNNTORCH_FUZZ_SEED === undefined ? undefined : Number(process.env.SNNTORCH_FUZZ_SEED);
const MAX_MS = 5000;

// ---- seeds ----

function savedBytes<T>(obj: T & torch.Savable<T>): Uint8Array {
  const path = join(process.env.TMPDIR ?? '/tmp', `fuzz-seed-${process.pid}.pt`);
  torch.save(obj, path);
  return new Uint8Array(readFileSync(path));
}

/** The same records, deflated (torch.save never compresses; Python's zipfile may). */
function deflated(bytes: Uint8Array): Uint8Array {
  const zip = new ZipReader(bytes);
  return rawZip(
    zip.entries.map((e) => {
      const data = zip.read(e.name);
      return { name: e.name, data: deflateRawSync(data), method: 8 as const, crc: crc32(data) >>> 0, size: data.length };
    }),
  );
}

const base = torch.arange(0, 12, 1, { dtype: 'float32' }).reshape([3, 4]);
const small = savedBytes({
  base,
  view: base.transpose(0, 1),
  row: base.narrow(0, 1, 1),
  w: new Parameter(torch.ones([2, 2])),
  ints: torch.tensor([1, -2, 3]),
  half: torch.ones([2], { dtype: 'float16' }),
  flags: torch.ones([3], { dtype: 'bool' }),
  meta: { epoch: 3, lr: 1e-3, name: 'net', big: 2n ** 70n, list: [1, [2, 3], null, true] },
  state: new Map<number, Checkpoint>([
    [0, torch.zeros([1])],
    [1, 'x'],
  ]),
});
const SEEDS: Uint8Array[] = [small, deflated(small), new Uint8Array(readFileSync(join(FIXTURES, 'regression2_state_dict.pt')))];

// ---- mutations ----

type Edit =
  | { kind: 'set'; at: number; value: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'delete'; at: number; len: number }
  | { kind: 'copy'; from: number; at: number; len: number };

const position = fc.nat({ max: 2 ** 30 });
const edit: fc.Arbitrary<Edit> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('set' as const), at: position, value: fc.integer({ min: 0, max: 255 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('truncate' as const), at: position }) },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('insert' as const), at: position, bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete' as const), at: position, len: fc.integer({ min: 1, max: 64 }) }) },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('copy' as const), from: position, at: position, len: fc.integer({ min: 1, max: 256 }) }),
  },
);

/**
 * Applies edits; positions are taken modulo the length, or within the first `focus` bytes (a
 * positive focus: headers) or the last -`focus` bytes (a negative one: a zip's central directory).
 */
function mutate(src: Uint8Array, edits: Edit[], focus?: number): Uint8Array {
  let b = src.slice();
  const pos = (x: number): number => {
    if (b.length === 0) return 0;
    if (focus === undefined) return x % b.length;
    const span = Math.min(Math.abs(focus), b.length);
    return focus > 0 ? x % span : b.length - span + (x % span);
  };
  for (const e of edits) {
    switch (e.kind) {
      case 'set':
        if (b.length) b[pos(e.at)] = e.value;
        break;
      case 'truncate':
        b = b.slice(0, pos(e.at));
        break;
      case 'insert': {
        const at = pos(e.at);
        b = Buffer.concat([b.subarray(0, at), e.bytes, b.subarray(at)]);
        break;
      }
      case 'delete': {
        const at = pos(e.at);
        b = Buffer.concat([b.subarray(0, at), b.subarray(at + e.len)]);
        break;
      }
      case 'copy': {
        const from = pos(e.from);
        const at = pos(e.at);
        const piece = b.slice(from, from + e.len);
        b = Buffer.concat([b.subarray(0, at), piece, b.subarray(at)]);
        break;
      }
    }
  }
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

// ---- the checks ----

const disposeAll = (v: unknown, seen = new Set<unknown>()): void => {
  if (v === null || typeof v !== 'object' || seen.has(v)) return;
  seen.add(v);
  if (v instanceof Tensor) v.dispose();
  else if (v instanceof Map) for (const x of v.values()) disposeAll(x, seen);
  else if (Array.isArray(v)) for (const x of v) disposeAll(x, seen);
};

let caseNo = 0;
/** fn loads or throws an Error naming `name`, within MAX_MS. */
function check(name: string, fn: () => unknown): void {
  const t0 = performance.now();
  try {
    disposeAll(fn());
  } catch (e) {
    if (!(e instanceof Error)) throw new Error(`${name}: threw a non-Error: ${String(e)}`);
    if (!e.message.includes(name)) throw new Error(`${name}: error does not name the file: ${e.constructor.name}: ${e.message}`);
  }
  const ms = performance.now() - t0;
  if (ms > MAX_MS) throw new Error(`${name}: took ${ms.toFixed(0)} ms`);
}

const params = { numRuns: runs, seed, endOnFailure: true };

// 1. Mutated .pt files: anywhere, in the first 200 bytes (a local header) or the last 300 (the
// central directory and end records).
fc.assert(
  fc.property(
    fc.nat({ max: SEEDS.length - 1 }),
    fc.array(edit, { minLength: 1, maxLength: 8 }),
    fc.constantFrom(undefined, 200, -300),
    (s, edits, focus) => {
      const name = `mutated-${caseNo++}.pt`;
      check(name, () => loadBytes(mutate(SEEDS[s]!, edits, focus), name));
    },
  ),
  params,
);

// 2. Mutated pickles in an otherwise valid archive (the zip and its CRCs rebuilt around them).
const pklOf = (bytes: Uint8Array): { pkl: Uint8Array; others: { name: string; data: Uint8Array }[]; pklName: string } => {
  const zip = new ZipReader(bytes);
  const pklName = zip.entries.find((e) => e.name.endsWith('data.pkl'))!.name;
  return {
    pkl: zip.read(pklName),
    pklName,
    others: zip.entries.filter((e) => e.name !== pklName).map((e) => ({ name: e.name, data: zip.read(e.name) })),
  };
};
const PICKLE_SEEDS = [pklOf(small), pklOf(SEEDS[2]!)];
fc.assert(
  fc.property(fc.nat({ max: PICKLE_SEEDS.length - 1 }), fc.array(edit, { minLength: 1, maxLength: 8 }), (s, edits) => {
    const { pkl, pklName, others } = PICKLE_SEEDS[s]!;
    const name = `pickle-${caseNo++}.pt`;
    const bytes = writeZip([{ name: pklName, data: mutate(pkl, edits) }, ...others]);
    check(name, () => loadBytes(bytes, name));
  }),
  params,
);

// 3. Pickles assembled from random opcodes (with valid arguments), beside a 16-byte storage '0'.
const latin1 = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));
const TOKENS = [
  '(',
  ']',
  '}',
  ')',
  'N',
  '\x88',
  '\x89',
  'K\x00',
  'K\x02',
  'K\x10',
  'J\xff\xff\xff\xff',
  '\x8a\x01\x80',
  'G?\xf0\x00\x00\x00\x00\x00\x00',
  'X\x01\x00\x00\x00a',
  'X\x01\x00\x00\x000',
  '\x8c\x07storage',
  '\x8c\x03cpu',
  'q\x00',
  'q\x01',
  'h\x00',
  'h\x01',
  '\x94',
  'a',
  'e',
  's',
  'u',
  't',
  'l',
  'd',
  '\x85',
  '\x86',
  '\x87',
  '2',
  '0',
  '1',
  'R',
  'b',
  'Q',
  '\x81',
  '\x93',
  'ctorch._utils\n_rebuild_tensor_v2\n',
  'ctorch._utils\n_rebuild_parameter\n',
  'ccollections\nOrderedDict\n',
  'ctorch\nFloatStorage\n',
  'ctorch\nLongStorage\n',
  '\x8c\x0bcollections\x8c\x0bOrderedDict\x93',
].map(latin1);
fc.assert(
  fc.property(fc.array(fc.nat({ max: TOKENS.length - 1 }), { minLength: 1, maxLength: 60 }), (tokens) => {
    const pkl = Buffer.concat([latin1('\x80\x02'), ...tokens.map((t) => TOKENS[t]!), latin1('.')]);
    const name = `opcodes-${caseNo++}.pt`;
    const bytes = writeZip([
      { name: 'archive/data.pkl', data: pkl },
      { name: 'archive/data/0', data: new Uint8Array(16) },
      { name: 'archive/version', data: latin1('3\n') },
    ]);
    check(name, () => loadBytes(bytes, name));
  }),
  params,
);

// 4. Tensor records with hostile sizes, strides and offsets over a storage of 0-16 floats.
const interesting = fc.constantFrom<bigint>(
  -(2n ** 63n),
  -2n,
  -1n,
  0n,
  1n,
  2n,
  3n,
  4n,
  7n,
  16n,
  2n ** 31n,
  2n ** 32n,
  2n ** 53n,
  2n ** 62n,
  2n ** 63n - 1n,
);
fc.assert(
  fc.property(
    fc.integer({ min: 0, max: 16 }),
    fc.array(fc.tuple(interesting, interesting), { maxLength: 4 }),
    fc.oneof(interesting, fc.integer({ min: 0, max: 20 }).map(BigInt)),
    (numel, dims, offset) => {
      const name = `tensor-${caseNo++}.pt`;
      const bytes = floatTensorCheckpoint(
        numel,
        dims.map((d) => d[0]),
        dims.map((d) => d[1]),
        offset,
      );
      check(name, () => loadBytes(bytes, name));
    },
  ),
  params,
);

// 5. IDX files: mutated headers (first 16 bytes), anywhere, truncated bodies; raw and gzipped.
const samples: IdxArray[] = [
  { dtype: 'uint8', shape: [4, 3, 2], data: Uint8Array.from({ length: 24 }, (_, i) => i * 7) },
  { dtype: 'int16', shape: [5], data: Int16Array.from([-3, 0, 1, 300, -32768]) },
  { dtype: 'float32', shape: [2, 2], data: Float32Array.from([1.5, -2, 0, 3]) },
  { dtype: 'float64', shape: [3], data: Float64Array.from([Math.PI, -1, 1e300]) },
  { dtype: 'int32', shape: [1, 1, 1, 2], data: Int32Array.from([1, -1]) },
];
const IDX_SEEDS = samples.flatMap((a) => [encodeIdx(a), encodeIdx(a, { gzip: true })]);
fc.assert(
  fc.property(fc.nat({ max: IDX_SEEDS.length - 1 }), fc.array(edit, { minLength: 1, maxLength: 6 }), fc.boolean(), (s, edits, head) => {
    const name = `idx-${caseNo++}`;
    check(name, () => parseIdx(mutate(IDX_SEEDS[s]!, edits, head ? 16 : undefined), name));
  }),
  params,
);

console.log(`OK ${caseNo} cases (${runs} runs per property)`);
