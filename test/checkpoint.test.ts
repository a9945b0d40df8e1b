// Checkpoints: PyTorch 1.13's regression2_state_dict.pt loads exactly and into a model; models and
// optimizer hyperparameters round-trip through torch.save / torch.load; writes are atomic; bad
// files give errors that name the path.
import { expect } from 'chai';
import fs, { mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { spawn, spawnSync } from 'node:child_process';
import { syncBuiltinESMExports } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as torch from '../lib/torch/index.js';
import { Module } from '../lib/nn/module.js';
import { Linear } from '../lib/nn/linear.js';
import { Conv2d } from '../lib/nn/conv.js';
import { Sequential } from '../lib/nn/container.js';
import { ReLU, Flatten } from '../lib/nn/activation.js';
import { Adam } from '../lib/optim/index.js';
import { Parameter } from '../lib/nn/parameter.js';
import { native } from '../lib/native.js';
import { ZipReader } from '../lib/torch/serialization/zip.js';
import { decodeFixtureTensor, type FixtureTensor } from './fixture_tensors.js';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
const PT = join(FIXTURES, 'regression2_state_dict.pt');
const net = JSON.parse(readFileSync(join(FIXTURES, 'regression2_net.json'), 'utf8')) as {
  state_dict: { name: string; kind: string; dtype: string; shape: number[]; tensor: FixtureTensor }[];
};

/** Stands in for snnTorch's RLeaky: its four buffers, then the recurrent Linear (state_dict order). */
class RLeakyStandIn extends Module {
  recurrent: Linear;
  constructor(n: number) {
    super();
    this.register_buffer('threshold', torch.tensor(0.5, { dtype: 'float32' }));
    this.register_buffer('graded_spikes_factor', torch.tensor(0, { dtype: 'float32' }));
    this.register_buffer('reset_mechanism_val', torch.tensor(7, { dtype: 'int64' }));
    this.register_buffer('beta', torch.tensor(0, { dtype: 'float32' }));
    this.recurrent = new Linear(n, n);
  }
  forward(): void {}
}
class SeedNet extends Module {
  fc1 = new Linear(784, 128);
  rlif1 = new RLeakyStandIn(128);
  fc2 = new Linear(128, 10);
  rlif2 = new RLeakyStandIn(10);
  forward(): void {}
}

const bitsOf = (t: torch.Tensor): number[] =>
  Array.from(
    new Uint8Array(
      (t.data() as ArrayBufferView).buffer,
      (t.data() as ArrayBufferView).byteOffset,
      t.numel() * (t.dtype === 'int64' ? 8 : 4),
    ),
  );
function expectSameValues(t: torch.Tensor, e: { name: string; dtype: string; shape: number[]; tensor: FixtureTensor }): void {
  expect(t.dtype, e.name).to.equal(e.dtype);
  expect(t.shape, e.name).to.deep.equal(e.shape);
  const ref = decodeFixtureTensor(e.tensor);
  if (ref.values instanceof Float32Array) {
    const got = t.data() as Float32Array;
    expect(
      got.every((v, i) => Object.is(v, (ref.values as Float32Array)[i])),
      `${e.name} bits`,
    ).to.equal(true);
  } else {
    expect(Array.from(t.data() as BigInt64Array, Number), e.name).to.deep.equal(ref.values);
  }
}

describe('checkpoints', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'snntorch-ckpt-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  describe("PyTorch 1.13's regression2_state_dict.pt", () => {
    it('torch.load reproduces the JSON state_dict exactly (names, order, dtypes, shapes, bits)', () => {
      const sd = torch.load(PT) as Map<string, torch.Tensor>;
      expect(sd).to.be.instanceOf(Map);
      expect([...sd.keys()]).to.deep.equal(net.state_dict.map((e) => e.name));
      for (const e of net.state_dict) expectSameValues(sd.get(e.name)!, e);
    });

    it('a model with the same names loads it with load_state_dict (strict) and holds exactly those values', () => {
      const model = new SeedNet();
      expect([...model.state_dict().keys()]).to.deep.equal(net.state_dict.map((e) => e.name));
      const res = model.load_state_dict(torch.load(PT) as Map<string, torch.Tensor>);
      expect(res).to.deep.equal({ missing_keys: [], unexpected_keys: [] });
      const mine = model.state_dict();
      for (const e of net.state_dict) expectSameValues(mine.get(e.name)!, e);
      // Parameters stay learnable leaves after loading.
      expect(model.fc1.weight.requires_grad).to.equal(true);
      expect(model.fc1.weight.is_leaf).to.equal(true);
    });

    it('strict loading names missing, unexpected and mis-shaped keys; strict: false reports them', () => {
      const sd = torch.load(PT) as Map<string, torch.Tensor>;
      class Small extends Module {
        fc1 = new Linear(784, 64);
        extra = new Linear(2, 2);
        forward(): void {}
      }
      const m = new Small();
      const before = bitsOf(m.extra.weight);
      expect(() => m.load_state_dict(sd)).to.throw(
        Error,
        /Missing key\(s\) in state_dict: "extra\.weight", "extra\.bias"[\s\S]*Unexpected key\(s\) in state_dict: "rlif1\.threshold"[\s\S]*size mismatch for fc1\.weight: copying a param with shape \[128, 784\] from checkpoint, the shape in current model is \[64, 784\]/,
      );
      expect(bitsOf(m.extra.weight)).to.deep.equal(before);
      class Partial extends Module {
        fc2 = new Linear(128, 10);
        forward(): void {}
      }
      const p = new Partial();
      const res = p.load_state_dict(sd, { strict: false });
      expect(res.missing_keys).to.deep.equal([]);
      expect(res.unexpected_keys).to.include('fc1.weight');
      expectSameValues(
        p.fc2.weight,
        net.state_dict.find((e) => e.name === 'fc2.weight')!,
      );
    });
  });

  describe('torch.save / torch.load round trips', () => {
    it("a Sequential's state_dict saves and loads into a fresh model bit for bit", () => {
      torch.manual_seed(3);
      const make = (): Sequential => new Sequential(new Conv2d(1, 2, 3), new ReLU(), new Flatten(), new Linear(2 * 4 * 4, 3));
      const a = make();
      const path = join(dir, 'model.pt');
      torch.save(a.state_dict(), path);
      const b = make();
      b.load_state_dict(torch.load(path) as Map<string, torch.Tensor>);
      for (const [k, v] of a.state_dict()) expect(bitsOf(b.state_dict().get(k)!), k).to.deep.equal(bitsOf(v));
      const x = torch.randn([1, 1, 6, 6]);
      expect(bitsOf(b.forward(x))).to.deep.equal(bitsOf(a.forward(x)));
    });

    it('the seed net re-saved here loads back identical to the PyTorch file', () => {
      const model = new SeedNet();
      model.load_state_dict(torch.load(PT) as Map<string, torch.Tensor>);
      const path = join(dir, 'again.pt');
      torch.save(model.state_dict(), path);
      const back = torch.load(path) as Map<string, torch.Tensor>;
      expect([...back.keys()]).to.deep.equal(net.state_dict.map((e) => e.name));
      for (const e of net.state_dict) expectSameValues(back.get(e.name)!, e);
    });

    it('a checkpoint object with the model, optimizer hyperparameters and an epoch', () => {
      const model = new Linear(3, 2);
      const opt = new Adam(model.parameters(), { lr: 0.01 });
      const path = join(dir, 'ckpt.pt');
      torch.save({ epoch: 4, model: model.state_dict(), param_groups: opt.state_dict().param_groups }, path);
      const ck = torch.load(path) as Map<string, unknown>;
      expect(ck.get('epoch')).to.equal(4);
      expect([...(ck.get('model') as Map<string, torch.Tensor>).keys()]).to.deep.equal(['weight', 'bias']);
      const g = (ck.get('param_groups') as Map<string, unknown>[])[0]!;
      expect(g.get('lr')).to.equal(0.01);
      expect(g.get('betas')).to.deep.equal([0.9, 0.999]);
      expect(g.get('params')).to.deep.equal([0, 1]);
    });

    // PyTorch's optimizer state is keyed by int parameter index: saved as Python ints.
    it('an optimizer state_dict (int-keyed state) round-trips through torch.save', () => {
      const model = new Linear(3, 2);
      const opt = new Adam(model.parameters(), { lr: 0.01 });
      model
        .forward(torch.ones([1, 3]))
        .sum()
        .backward();
      opt.step();
      const path = join(dir, 'opt.pt');
      torch.save(opt.state_dict(), path);
      const opt2 = new Adam(new Linear(3, 2).parameters());
      opt2.load_state_dict(torch.load(path));
      expect(opt2.state_dict().state.get(1)!.step!.item()).to.equal(1);
    });
  });

  describe('what PyTorch keeps: requires_grad, nn.Parameter, shared storages', () => {
    it('a Parameter comes back a Parameter with its requires_grad; a plain tensor keeps its requires_grad', () => {
      const model = new Linear(3, 2);
      const path = join(dir, 'params.pt');
      const frozen = new Parameter(torch.ones([2]), false);
      torch.save({ params: [...model.parameters()], frozen, leaf: torch.ones([2], { requires_grad: true }), plain: torch.ones([2]) }, path);
      const ck = torch.load<Map<string, unknown>>(path);
      const [w, b] = ck.get('params') as torch.Tensor[];
      for (const p of [w!, b!]) {
        expect(p).to.be.instanceOf(Parameter);
        expect(p.requires_grad).to.equal(true);
        expect(p.is_leaf).to.equal(true);
      }
      expect(bitsOf(w!)).to.deep.equal(bitsOf(model.weight));
      expect(ck.get('frozen')).to.be.instanceOf(Parameter);
      expect((ck.get('frozen') as torch.Tensor).requires_grad).to.equal(false);
      expect(ck.get('leaf')).to.not.be.instanceOf(Parameter);
      expect((ck.get('leaf') as torch.Tensor).requires_grad).to.equal(true);
      expect((ck.get('plain') as torch.Tensor).requires_grad).to.equal(false);
    });

    it('views of one storage are saved once and load sharing one storage', () => {
      const base = torch.arange(0, 6, 1, { dtype: 'float32' }).reshape([2, 3]);
      const path = join(dir, 'views.pt');
      torch.save({ base, t: base.transpose(0, 1), row: base.narrow(0, 1, 1) }, path);
      const names = new ZipReader(new Uint8Array(readFileSync(path))).entries.map((e) => e.name);
      expect(names).to.deep.equal(['archive/data.pkl', 'archive/data/0', 'archive/version']);
      const ck = torch.load<Map<string, torch.Tensor>>(path);
      const id = (k: string): number => native.storage_info(ck.get(k)!.handle)[0];
      expect(id('t')).to.equal(id('base'));
      expect(id('row')).to.equal(id('base'));
      ck.get('base')!.mul_(10);
      expect(Array.from(ck.get('row')!.contiguous().data() as Float32Array)).to.deep.equal([30, 40, 50]);
      expect(ck.get('t')!.stride()).to.deep.equal([1, 3]);
    });
  });

  describe('atomic writes and bad files', () => {
    it('leaves no temporary files, and overwriting replaces the file whole', () => {
      const path = join(dir, 'w.pt');
      torch.save(new Map([['a', torch.ones([3])]]), path);
      torch.save(new Map([['b', torch.zeros([2])]]), path);
      expect(readdirSync(dir)).to.deep.equal(['w.pt']);
      expect([...(torch.load(path) as Map<string, unknown>).keys()]).to.deep.equal(['b']);
    });

    /** Runs fn with the fs functions torch.save uses wrapped to record their calls (and optionally fail). */
    function withFsSpy(fail: ((call: string, args: unknown[]) => boolean) | null, fn: () => void): string[] {
      const calls: string[] = [];
      const names = ['openSync', 'writeSync', 'fsyncSync', 'closeSync', 'renameSync'] as const;
      const saved = names.map((n) => fs[n]);
      const fdNames = new Map<number, string>();
      names.forEach((n, i) => {
        const orig = saved[i] as (...a: unknown[]) => unknown;
        (fs as unknown as Record<string, unknown>)[n] = (...args: unknown[]) => {
          const label =
            n === 'openSync'
              ? `open ${String(args[0]).replace(dir, '<dir>')} ${String(args[1])}`
              : n === 'renameSync'
                ? `rename ${String(args[0]).replace(dir, '<dir>')} -> ${String(args[1]).replace(dir, '<dir>')}`
                : `${n.replace('Sync', '')} ${fdNames.get(args[0] as number) ?? '?'}`;
          if (fail?.(n, args)) {
            calls.push(`${label} FAILED`);
            throw Object.assign(new Error(`injected ${n} failure`), { code: 'EIO' });
          }
          const r = orig(...args);
          if (n === 'openSync') fdNames.set(r as number, String(args[0]).replace(dir, '<dir>'));
          calls.push(label);
          return r;
        };
      });
      syncBuiltinESMExports();
      try {
        fn();
      } finally {
        names.forEach((n, i) => {
          (fs as unknown as Record<string, unknown>)[n] = saved[i];
        });
        syncBuiltinESMExports();
      }
      return calls;
    }

    it('writes a temporary file, fsyncs it, renames it over the target, then fsyncs the folder', () => {
      const path = join(dir, 'durable.pt');
      const calls = withFsSpy(null, () => torch.save({ w: torch.ones([4]) }, path));
      const tmp = calls[0]!.split(' ')[1]!;
      expect(tmp).to.match(/^<dir>\/\.durable\.pt\.\d+\.\d+\.[0-9a-f]+\.tmp$/);
      const order = calls.map((c) => c.replace(tmp, '<tmp>').replace(/^write <tmp>$/, 'write'));
      expect(order.filter((c, i) => c !== 'write' || order[i - 1] !== 'write')).to.deep.equal([
        'open <tmp> wx',
        'write',
        'fsync <tmp>',
        'close <tmp>',
        'rename <tmp> -> <dir>/durable.pt',
        'open <dir> r',
        'fsync <dir>',
        'close <dir>',
      ]);
      expect(readdirSync(dir)).to.deep.equal(['durable.pt']);
    });

    for (const failing of ['writeSync', 'fsyncSync', 'renameSync'] as const) {
      it(`a save whose ${failing.replace('Sync', '')} fails removes its temporary file and keeps the old checkpoint`, () => {
        const path = join(dir, 'keep.pt');
        torch.save({ w: torch.ones([2]) }, path);
        const before = readFileSync(path);
        let err: unknown;
        let failed = false; // the first such call: the temporary file's
        withFsSpy(
          (n) => n === failing && !failed && (failed = true),
          () => {
            try {
              torch.save({ w: torch.zeros([2]) }, path);
            } catch (e) {
              err = e;
            }
          },
        );
        expect(err).to.be.instanceOf(Error);
        expect((err as Error).message).to.contain(path);
        expect((err as Error).message).to.contain(`injected ${failing} failure`);
        expect(readFileSync(path).equals(before)).to.equal(true);
        expect(readdirSync(dir)).to.deep.equal(['keep.pt']);
      });
    }

    it('removes stale temporary files of killed writers beside the target, and nothing else', () => {
      const path = join(dir, 'model.pt');
      // A writer that has exited: its pid is gone.
      const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
      const live = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
      const alive = live.pid!; // a running process, started just now
      const now = Date.now();
      const files = {
        deadWriter: `.model.pt.${dead}.${now}.0a1b2c3d.tmp`,
        deadWriterOldName: `.model.pt.${dead}.${now}.tmp`,
        earlierProcessWithOurPid: `.model.pt.${process.pid}.${Math.floor(performance.timeOrigin) - 60_000}.deadbeef.tmp`,
        liveWriter: `.model.pt.${alive}.${now}.00000000.tmp`,
        reusedPid: `.model.pt.${alive}.${now - 86_400_000}.11111111.tmp`,
        otherTarget: `.other.pt.${dead}.${now}.0a1b2c3d.tmp`,
        notOurs: '.model.pt.notes',
      };
      for (const f of Object.values(files)) writeFileSync(join(dir, f), 'x'.repeat(1000));
      // The live writer's file is recent (written after that process started); the other file of
      // that pid was last written a day ago, before that process started: an earlier process's.
      utimesSync(join(dir, files.liveWriter), new Date(), new Date());
      const dayAgo = new Date(now - 86_400_000);
      utimesSync(join(dir, files.reusedPid), dayAgo, dayAgo);
      try {
        torch.save({ w: torch.ones([1]) }, path);
      } finally {
        live.kill();
      }
      expect(readdirSync(dir).sort()).to.deep.equal([files.liveWriter, files.notOurs, files.otherTarget, 'model.pt'].sort());
    });

    it('a failed save leaves the previous checkpoint intact and no temporary file', () => {
      const path = join(dir, 'keep.pt');
      torch.save(new Map([['w', torch.ones([2])]]), path);
      const before = readFileSync(path);
      expect(() => torch.save({ bad: (() => 1) as never }, path)).to.throw(TypeError);
      expect(() => torch.save(new Map([['w', torch.ones([2])]]), join(dir, 'missing-dir', 'x.pt'))).to.throw(Error, /missing-dir/);
      expect(readFileSync(path).equals(before)).to.equal(true);
      expect(readdirSync(dir)).to.deep.equal(['keep.pt']);
    });

    const bad: [string, (p: string) => void, RegExp][] = [
      ['a truncated checkpoint', (p) => writeFileSync(p, readFileSync(PT).subarray(0, 100000)), /truncated/],
      ['a checkpoint cut inside its header', (p) => writeFileSync(p, readFileSync(PT).subarray(0, 20)), /truncated/],
      [
        'a corrupted checkpoint (bytes flipped in the pickle)',
        (p) => {
          const b = Buffer.from(readFileSync(PT));
          const at = b.indexOf('data.pkl') + 200;
          for (let i = at; i < at + 64; i++) b[i] = 0xff - b[i]!;
          writeFileSync(p, b);
        },
        /corrupt/,
      ],
      ['an empty file', (p) => writeFileSync(p, ''), /empty/],
      ['a JSON file', (p) => writeFileSync(p, JSON.stringify({ weight: [1, 2] })), /cannot load PyTorch checkpoint/],
      [
        'a zip that is not a checkpoint',
        (p) => writeFileSync(p, Buffer.from('504b0506000000000000000000000000000000000000', 'hex')),
        /not a PyTorch checkpoint/,
      ],
    ];
    for (const [what, write, detail] of bad) {
      it(`${what} gives an Error naming the path`, () => {
        const path = join(dir, 'broken.pt');
        write(path);
        let err: unknown;
        try {
          torch.load(path);
        } catch (e) {
          err = e;
        }
        expect(err, 'expected torch.load to throw').to.be.instanceOf(Error);
        expect((err as Error).message).to.contain(path);
        expect((err as Error).message).to.match(detail);
      });
    }

    it('a missing file gives an Error naming the path, and the process carries on', () => {
      const path = join(dir, 'nope.pt');
      expect(() => torch.load(path)).to.throw(Error, new RegExp(`cannot read '${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}'`));
      expect(new Linear(2, 2).forward(torch.ones([1, 2])).shape).to.deep.equal([1, 2]);
    });
  });
});
