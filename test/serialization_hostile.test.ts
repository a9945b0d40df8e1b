// Hostile files given to torch.load and the IDX reader: a "billion laughs" pickle, zip and gzip
// bombs, overlapping zip entries, impossible sizes, negative strides, element counts past int64.
// Each loads quickly (as PyTorch loads the pickle) or fails with a clear error naming the file,
// within 1 s and 300 MiB of RSS; the bombs run in a child process so that RSS can be measured and
// a runaway load fails the test instead of the test run.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32 } from 'node:zlib';
import * as torch from '../lib/torch/index.js';
import {
  billionLaughsPickle,
  checkpointWithPickle,
  deflateBomb,
  floatTensorCheckpoint,
  floatTensorPickle,
  gzipBomb,
  idxHeader,
  rawZip,
  zipBombCheckpoint,
} from './hostile_files.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const MAX_MS = 1000;
const MAX_EXTRA_MIB = 300;

interface ChildResult {
  path: string;
  ms: number;
  error: string | null;
  summary: string;
  peakExtraMiB: number;
}

/** Loads each `kind:path` in one child process; its results by path. */
function loadInChild(items: string[]): Map<string, ChildResult> {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'test', 'hostile_load_child.ts'), ...items], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 120_000,
    maxBuffer: 1 << 24,
  });
  const lines = r.stdout.split('\n').filter((l) => l.startsWith('{'));
  expect(r.status, `child exit status ${r.status} signal ${r.signal}\n${r.stderr.slice(-2000)}\n${r.stdout.slice(-2000)}`).to.equal(0);
  const out = new Map<string, ChildResult>();
  for (const l of lines) {
    const res = JSON.parse(l) as ChildResult;
    out.set(res.path, res);
  }
  expect(out.size, 'one result per file').to.equal(items.length);
  return out;
}

function expectQuickError(res: ChildResult | undefined, path: string, pattern: RegExp): void {
  expect(res, path).to.not.equal(undefined);
  const r = res!;
  expect(r.error, `${path} should fail`).to.be.a('string');
  expect(r.error).to.contain(path);
  expect(r.error).to.match(pattern);
  expect(r.ms, `${path}: ms`).to.be.below(MAX_MS);
  expect(r.peakExtraMiB, `${path}: extra RSS (MiB)`).to.be.below(MAX_EXTRA_MIB);
}

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    expect(e).to.be.instanceOf(Error);
    return e as Error;
  }
  throw new Error('expected an error');
}

describe('hostile files', function () {
  this.timeout(180_000);
  let dir: string;
  const file = (name: string, bytes: Uint8Array): string => {
    const p = join(dir, name);
    writeFileSync(p, bytes);
    return p;
  };
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'snn-hostile-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  describe('torch.load', () => {
    it('a billion-laughs pickle (60 levels of 2 memo references) loads at once, sharing as Python does', () => {
      const laughs = file('laughs.pt', checkpointWithPickle(billionLaughsPickle(60, 2)));
      const wide = file('laughs10.pt', checkpointWithPickle(billionLaughsPickle(60, 10)));
      const res = loadInChild([`load:${laughs}`, `load:${wide}`]);
      for (const p of [laughs, wide]) {
        const r = res.get(p)!;
        expect(r.error, p).to.equal(null);
        expect(r.summary).to.match(/\[0\] === \[1\]: true/);
        expect(r.ms, 'ms').to.be.below(MAX_MS);
        expect(r.peakExtraMiB, 'extra RSS (MiB)').to.be.below(MAX_EXTRA_MIB);
      }
      // In this process too: each level holds the very same list twice.
      let v = torch.load<unknown[]>(laughs);
      for (let depth = 60; depth > 0; depth--) {
        expect(v.length).to.equal(2);
        expect(v[0]).to.equal(v[1]);
        v = v[0] as unknown[];
      }
      expect(v).to.deep.equal([]);
    });

    it('a memo reference to one tensor gives the same Tensor object, and a list may contain itself', () => {
      const t = torch.arange(0, 4, 1, { dtype: 'float32' });
      const p = join(dir, 'twice.pt');
      torch.save([t, t, { again: t }], p);
      const [a, b, m] = torch.load<[torch.Tensor, torch.Tensor, Map<string, torch.Tensor>]>(p);
      expect(a).to.equal(b);
      expect(m.get('again')).to.equal(a);
      // ']q\x00h\x00a.' : a list appended to itself.
      const self = file('self.pt', checkpointWithPickle(Uint8Array.from([0x80, 2, 0x5d, 0x71, 0, 0x68, 0, 0x61, 0x2e])));
      const s = torch.load<unknown[]>(self);
      expect(s[0]).to.equal(s);
    });

    it('a zip bomb (1 MB inflating to 1 GiB) declaring a small record stops at the declared size', () => {
      const small = file('bomb-small.pt', zipBombCheckpoint(1024, 16, 64));
      const big = file('bomb-declared.pt', zipBombCheckpoint(1024, 16, 2 ** 30));
      const huge = file('bomb-huge.pt', zipBombCheckpoint(1024, 2 ** 30 - 1, 2 ** 32 - 4));
      const res = loadInChild([`load:${small}`, `load:${big}`, `load:${huge}`]);
      expectQuickError(res.get(small), small, /inflates to more than the 64 bytes it declares/);
      expectQuickError(res.get(big), big, /holds 1073741824 bytes, but its storage needs 64/);
      expectQuickError(res.get(huge), huge, /declares \d+ bytes from \d+ compressed bytes, more than deflate can produce/);
    });

    it('zip entries that overlap (one deflate stream read as many records) are refused', () => {
      const bomb = deflateBomb(64);
      const pkl = floatTensorPickle(2 ** 24);
      const zip = rawZip([
        { name: 'archive/data.pkl', data: pkl, method: 0, crc: crc32(pkl) >>> 0, size: pkl.length },
        { name: 'archive/data/0', data: bomb.data, method: 8, crc: bomb.crc, size: bomb.size },
        { name: 'archive/data/1', data: bomb.data, method: 8, crc: bomb.crc, size: bomb.size, sameDataAs: 1 },
      ]);
      const p = file('overlap.pt', zip);
      const err = thrown(() => torch.load(p));
      expect(err.message).to.contain(p);
      expect(err.message).to.match(/zip entries 'archive\/data\/0' and 'archive\/data\/1' overlap/);
    });

    it('negative strides and element counts past int64 give errors naming the file', () => {
      const neg = file('negative-stride.pt', floatTensorCheckpoint(4, [2], [-1], 1));
      const over = file('numel-overflow.pt', floatTensorCheckpoint(4, [2n ** 32n, 2n ** 32n, 2n ** 32n], [0, 0, 0]));
      const e1 = thrown(() => torch.load(neg));
      expect(e1.message).to.contain(neg);
      expect(e1.message).to.match(/negative strides \[-1\]/);
      const e2 = thrown(() => torch.load(over));
      expect(e2.message).to.contain(over);
      expect(e2.message).to.match(/more than int64 can count/);
    });

    it('deeply nested pickles give an error, not a stack overflow', () => {
      // An empty list wrapped in 5000 one-item tuples: EMPTY_LIST, then TUPLE1 5000 times.
      const n = 5000;
      const bytes = new Uint8Array(3 + n + 1).fill(0x85);
      bytes.set([0x80, 2, 0x5d]);
      bytes[bytes.length - 1] = 0x2e;
      const p = file('deep.pt', checkpointWithPickle(bytes));
      const err = thrown(() => torch.load(p));
      expect(err.message).to.contain(p);
      expect(err.message).to.match(/nests more than 1000 levels deep/);
    });
  });

  describe('IDX reader', () => {
    it('gzip bombs (1 MB inflating to 1 GiB) fail at once: zeros, and a header declaring 16 bytes', () => {
      const zeros = file('zeros.gz', gzipBomb(1024));
      const small = file('idx16.gz', gzipBomb(1024, idxHeader([16])));
      const impossible = file('impossible.gz', gzipBomb(1, idxHeader([65536, 65536, 65536])));
      const res = loadInChild([`idx:${zeros}`, `idx:${small}`, `idx:${impossible}`]);
      expectQuickError(res.get(zeros), zeros, /is not an IDX file/);
      expectQuickError(res.get(small), small, /unexpected trailing bytes: .*shape \[16\], 16 bytes .* \(inflation stopped there\)/);
      expectQuickError(
        res.get(impossible),
        impossible,
        /truncated or corrupt: .*shape \[65536, 65536, 65536\].*more than its \d+ gzipped bytes can hold/,
      );
    });
  });
});
