// Deterministic memory: dispose, `using`, tidy scopes, torch.memory(), external memory reported to
// V8, and a 10,000-iteration training-shaped loop whose live tensors and RSS stay bounded
// (bounded by counts and bytes, never by time).
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { torch, nn, optim } from '../lib/index.js';

const live = (): number => torch.memory().live_tensors;

describe('torch memory: dispose and using', () => {
  it('dispose() frees at once, is idempotent, and a disposed tensor throws on use', () => {
    const before = torch.memory();
    const t = torch.zeros(1000);
    expect(live()).to.equal(before.live_tensors + 1);
    expect(torch.memory().live_bytes).to.equal(before.live_bytes + 4000);
    t.dispose();
    t.dispose();
    expect(t.isDisposed).to.equal(true);
    expect(torch.memory()).to.deep.include({ live_tensors: before.live_tensors, live_bytes: before.live_bytes });
    expect(() => t.add(1)).to.throw(Error, /disposed/);
    expect(() => t.shape).to.throw(Error, /disposed/);
    expect(() => torch.add(torch.ones(1), t)).to.throw(Error, /disposed/);
  });

  it('`using` disposes at the end of the block', () => {
    const before = live();
    let escaped: torch.Tensor;
    {
      using t = torch.ones(3);
      escaped = t;
      expect(live()).to.equal(before + 1);
    }
    expect(escaped.isDisposed).to.equal(true);
    expect(live()).to.equal(before);
  });

  it('external memory is reported to V8 and given back on dispose', () => {
    // V8's external-memory total, read back from V8 (Node 20's process.memoryUsage().external
    // counts only its own buffers).
    const bytes = 16 * 1024 * 1024;
    const base = torch.memory().v8_external_bytes;
    const t = torch.empty(bytes / 4);
    const grown = torch.memory().v8_external_bytes - base;
    t.dispose();
    const after = torch.memory().v8_external_bytes - base;
    expect(grown).to.equal(bytes); // exactly the tensor's 16 MiB
    expect(after).to.equal(0);
  });
});

describe('torch memory: tidy', () => {
  it('frees everything created inside except what it returns (tensor, array, object)', () => {
    const before = live();
    const kept = torch.tidy(() => {
      const a = torch.ones(4);
      const b = a.mul(2);
      return b.add(1);
    });
    expect(live()).to.equal(before + 1);
    expect(kept.tolist()).to.deep.equal([3, 3, 3, 3]);
    const { x, ys } = torch.tidy(() => ({ x: torch.zeros(1).add(1), ys: [torch.ones(1).mul(3), torch.ones(1)] }));
    expect(live()).to.equal(before + 4);
    expect(ys[0]!.item()).to.equal(3);
    for (const t of [kept, x, ...ys]) t.dispose();
    expect(live()).to.equal(before);
  });

  it('leaves tensors created outside untouched, and keep() exempts one inside', () => {
    const outside = torch.ones(2);
    let kept: torch.Tensor | null = null;
    torch.tidy(() => {
      outside.add(1);
      kept = torch.keep(torch.zeros(2));
    });
    expect(outside.isDisposed).to.equal(false);
    expect(kept!.isDisposed).to.equal(false);
  });

  it('nests: an inner result moves to the outer scope and dies with it', () => {
    const before = live();
    let inner: torch.Tensor | null = null;
    const outer = torch.tidy(() => {
      inner = torch.tidy(() => torch.ones(2).mul(5));
      expect(torch.memory().scopes).to.equal(1);
      return inner.add(1);
    });
    expect(inner!.isDisposed).to.equal(true);
    expect(outer.tolist()).to.deep.equal([6, 6]);
    outer.dispose();
    expect(live()).to.equal(before);
    expect(torch.memory().scopes).to.equal(0);
  });

  it('an exception inside frees everything and propagates', () => {
    const before = live();
    expect(() =>
      torch.tidy(() => {
        torch.ones(10).add(1);
        throw new Error('inside');
      }),
    ).to.throw('inside');
    expect(live()).to.equal(before);
    expect(torch.memory().scopes).to.equal(0);
    expect(() => torch.tidy((() => Promise.resolve(1)) as never)).to.throw(TypeError, /synchronous/);
    expect(live()).to.equal(before);
  });
});

describe('torch memory: a long training-shaped loop stays flat', function () {
  this.timeout(300000);

  it('10,000 iterations of a [64, 128] linear layer (forward, backward, SGD) under tidy', () => {
    torch.manual_seed(0);
    const w = torch.randn(64, 128).mul_(0.05).requires_grad_();
    const b = torch.zeros([64], { requires_grad: true });
    const x = torch.randn(32, 128);
    const target = torch.randn(32, 64);
    const lr = 0.05;
    const step = (): number =>
      torch.tidy(() => {
        const loss = x.matmul(w.t()).add(b).sub(target).pow(2).mean();
        loss.backward();
        torch.no_grad(() => {
          w.sub_(w.grad!.mul(lr));
          b.sub_(b.grad!.mul(lr));
        });
        w.grad!.zero_();
        b.grad!.zero_();
        return loss.item();
      });

    const first = step();
    for (let i = 0; i < 500; i++) step(); // warm-up: allocator pools, JIT, grads allocated
    const base = torch.memory();
    const rss0 = process.memoryUsage().rss;
    let last = first;
    let maxLive = 0;
    for (let i = 0; i < 10000; i++) {
      last = step();
      if (i % 100 === 0) maxLive = Math.max(maxLive, live());
    }
    const end = torch.memory();
    const rssGrowth = process.memoryUsage().rss - rss0;

    // At most: garbage left by earlier tests may be collected (and freed by the GC) meanwhile.
    expect(end.live_tensors).to.be.at.most(base.live_tensors);
    expect(end.live_bytes).to.be.at.most(base.live_bytes);
    expect(maxLive).to.be.at.most(base.live_tensors); // nothing piles up between iterations either
    expect(rssGrowth, `RSS grew by ${rssGrowth} bytes`).to.be.below(100 * 1024 * 1024);
    expect(last).to.be.below(first); // it did train
  });
});

/** Runs a TypeScript file or snippet in a child Node (tsx) and parses the JSON its last line prints. */
function child<T>(args: string[], node: string[] = []): T {
  const r = spawnSync(process.execPath, [...node, '--import', 'tsx', ...args], {
    encoding: 'utf8',
    timeout: 240_000,
    env: { ...process.env, SNNTORCH_DEFERRED_FINALIZERS: '' },
  });
  if (r.status !== 0) throw new Error(`child ${args.join(' ')} exited ${r.status ?? r.signal}:\n${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as T;
}

describe('torch memory: the GC fallback frees during the collection', function () {
  this.timeout(300_000);

  it('tensors dropped in a synchronous loop are freed by gc() itself, and V8 external memory goes back down', () => {
    // No await anywhere: before the fix, finalizers waited for an event-loop turn and nothing was freed.
    const snippet = `
      import { torch } from './lib/index.js';
      const m0 = torch.memory();
      for (let i = 0; i < 200; i++) torch.zeros([256, 1024]).add(1); // 1 MiB each, never disposed
      const m1 = torch.memory();
      globalThis.gc(); globalThis.gc();
      const m2 = torch.memory();
      console.log(JSON.stringify({ m0, m1, m2 }));`;
    type M = ReturnType<typeof torch.memory>;
    const { m0, m1, m2 } = child<{ m0: M; m1: M; m2: M }>(['--input-type=module', '-e', snippet], ['--expose-gc']);
    expect(m1.live_tensors - m0.live_tensors).to.be.greaterThan(0);
    expect(m2.live_tensors, 'live tensors after gc()').to.equal(m0.live_tensors);
    expect(m2.live_bytes).to.equal(m0.live_bytes);
    // Every byte added for the tensors was given back on the GC path too (other V8 externals may move a little).
    expect(Math.abs(m2.v8_external_bytes - m0.v8_external_bytes), 'V8 external bytes after gc()').to.be.below(2 ** 20);
  });

  it("optimizer state is counted in torch.memory() and V8's external memory, and given back on dispose", () => {
    const m0 = torch.memory();
    const lin = new nn.Linear(100, 50);
    const opt = new optim.Adam(lin.parameters(), { lr: 1e-3 });
    torch.tidy(() => {
      lin
        .forward(torch.ones([2, 100]))
        .sum()
        .backward();
      opt.step();
    });
    const m1 = torch.memory();
    const stateBytes = 2 * (100 * 50 + 50) * 4; // exp_avg and exp_avg_sq per parameter, float32
    expect(m1.optimizer_tensors - m0.optimizer_tensors).to.equal(4);
    expect(m1.optimizer_bytes - m0.optimizer_bytes).to.equal(stateBytes);
    expect(m1.v8_external_bytes - m0.v8_external_bytes).to.be.at.least(stateBytes);
    opt.dispose();
    lin.dispose();
    const m2 = torch.memory();
    expect(m2.optimizer_tensors).to.equal(m0.optimizer_tensors);
    expect(m2.optimizer_bytes).to.equal(m0.optimizer_bytes);
  });

  // The tutorial's section-4 loop exactly as ported (no tidy, no dispose, a synchronous for-of over
  // the DataLoader) against the same loop under tidy, each in its own process with V8's default GC
  // scheduling: the peak RSS of the first stays within 1.5x of the second's. 150 batches are enough
  // to fail without the fix (the handles' memory was only freed when the event loop turned: +2 to
  // +2.8 GiB per 1000 batches). The JSON is scripts/bench/gc-loop.ts's.
  interface LoopResult {
    peak_rss_mib: number;
    live_tensors: number;
    after_gc: { live_tensors: number; live_bytes_mib: number; v8_external_mib: number; external_mib: number };
  }
  for (const engine of ['step', 'sequence'] as const) {
    it(`the tutorial's literal loop without tidy or dispose (${engine} engine) keeps RSS within 1.5x of the tidy loop's`, () => {
      const tidy = child<LoopResult>(['scripts/bench/gc-loop.ts', 'tidy', engine, '150'], ['--expose-gc']);
      const none = child<LoopResult>(['scripts/bench/gc-loop.ts', 'none', engine, '150'], ['--expose-gc']);
      expect(none.peak_rss_mib, `peak RSS without tidy ${none.peak_rss_mib} MiB, with tidy ${tidy.peak_rss_mib} MiB`).to.be.at.most(
        1.5 * tidy.peak_rss_mib,
      );
      // After a full GC, what is still counted is what the model and optimizer hold, as with tidy.
      expect(none.after_gc.live_tensors).to.be.at.most(tidy.after_gc.live_tensors + 10);
      expect(none.after_gc.live_bytes_mib).to.be.at.most(tidy.after_gc.live_bytes_mib + 1);
      expect(none.after_gc.v8_external_mib).to.be.at.most(tidy.after_gc.v8_external_mib + 8);
      expect(none.after_gc.external_mib).to.be.at.most(tidy.after_gc.external_mib + 8);
    });
  }
});
