// Deterministic memory: dispose, `using`, tidy scopes, torch.memory(), external memory reported to
// V8, and a 10,000-iteration training-shaped loop whose live tensors and RSS stay bounded
// (bounded by counts and bytes, never by time).
import { expect } from 'chai';
import { torch } from '../lib/index.js';

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

    expect(end.live_tensors).to.equal(base.live_tensors);
    expect(end.live_bytes).to.equal(base.live_bytes);
    expect(maxLive).to.equal(base.live_tensors); // nothing piles up between iterations either
    expect(rssGrowth, `RSS grew by ${rssGrowth} bytes`).to.be.below(100 * 1024 * 1024);
    expect(last).to.be.below(first); // it did train
  });
});
