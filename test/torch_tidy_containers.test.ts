// torch.tidy and torch.no_grad with async functions, and what tidy keeps: tensors inside Maps,
// Sets, class instances and arbitrarily deep structures come back alive.
import { expect } from 'chai';
import { torch, nn } from '../lib/index.js';
import { describeExit, runChild } from './child_run.js';

describe('tidy / no_grad refuse async functions before running them', function () {
  this.timeout(120000);

  it('an async function is refused before it runs, with a TypeError that says why', () => {
    let ran = false;
    const before = torch.memory().live_tensors;
    expect(() =>
      torch.tidy(async () => {
        ran = true;
      }),
    ).to.throw(TypeError, /tidy\(fn\): fn must be synchronous, but it is an async function/);
    expect(() =>
      torch.no_grad(async () => {
        ran = true;
      }),
    ).to.throw(TypeError, /no_grad\(fn\): fn must be synchronous, but it is an async function/);
    expect(() =>
      torch.enable_grad(async () => {
        ran = true;
      }),
    ).to.throw(TypeError, /enable_grad/);
    expect(ran).to.equal(false);
    expect(torch.is_grad_enabled()).to.equal(true);
    expect(torch.memory().live_tensors).to.equal(before);
    expect(torch.memory().scopes).to.equal(0);
  });

  it('in a child: async bodies inside try/catch never end the process, and a plain function returning a Promise is handled', async () => {
    const r = await runChild(`
const { torch } = await import(LIB);
const x = torch.ones(3);
try { torch.tidy(async () => { const y = x.add(1); await null; y.mul(2); throw new Error('boom'); }); } catch (e) { console.log('tidy:', e.constructor.name); }
try { torch.no_grad(async () => { await null; throw new Error('boom'); }); } catch (e) { console.log('no_grad:', e.constructor.name); }
let late = null;
try {
  torch.tidy(() => {
    const y = torch.ones(2);
    return (async () => { await new Promise((r) => setTimeout(r, 20)); late = y.add(1).tolist(); throw new Error('after await'); })();
  });
} catch (e) { console.log('promise:', e.constructor.name, /returned a Promise/.test(e.message)); }
try { torch.no_grad(() => Promise.reject(new Error('rejected'))); } catch (e) { console.log('no_grad promise:', e.constructor.name); }
await new Promise((r) => setTimeout(r, 100));
console.log('late', JSON.stringify(late), 'scopes', torch.memory().scopes, 'grad', torch.is_grad_enabled());
`);
    expect(r.status, describeExit(r)).to.equal(0);
    expect(r.stdout).to.contain('tidy: TypeError');
    expect(r.stdout).to.contain('no_grad: TypeError');
    expect(r.stdout).to.contain('promise: TypeError true');
    expect(r.stdout).to.contain('no_grad promise: TypeError');
    // The body's tensors stayed alive until its Promise settled: no use after free.
    expect(r.stdout).to.contain('late [2,2] scopes 0 grad true');
    expect(r.stderr).not.to.match(/Unhandled|unhandled/);
  });
});

describe('tidy keeps every tensor its result holds', () => {
  class Holder {
    constructor(
      readonly t: torch.Tensor,
      readonly nested: { list: torch.Tensor[] },
    ) {}
  }

  it('torch.tidy(() => net.state_dict()) returns live tensors (a Map)', () => {
    const net = new nn.Linear(3, 2);
    const sd = torch.tidy(() => net.state_dict());
    expect([...sd.values()].map((t) => t.isDisposed)).to.deep.equal([false, false]);
    expect(sd.get('weight')!.shape).to.deep.equal([2, 3]);
  });

  it('Map keys and values, Sets, class instances, and depth beyond 8 levels', () => {
    const before = torch.memory().live_tensors;
    const out = torch.tidy(() => {
      const freed = torch.ones(5);
      void freed;
      let deep: unknown = torch.full([1], 7);
      for (let i = 0; i < 40; i++) deep = i % 2 ? [deep] : { next: deep };
      const key = torch.zeros(1);
      return {
        map: new Map<unknown, unknown>([
          [key, torch.ones(2)],
          ['s', new Set([torch.ones(3)])],
        ]),
        holder: new Holder(torch.ones(4), { list: [torch.ones(1), torch.ones(1)] }),
        deep,
      };
    });
    const all: torch.Tensor[] = [];
    const walk = (v: unknown): void => {
      if (v instanceof torch.Tensor) all.push(v);
      else if (v instanceof Map) for (const [k, x] of v) (walk(k), walk(x));
      else if (v instanceof Set) for (const x of v) walk(x);
      else if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === 'object') Object.values(v).forEach(walk);
    };
    walk(out);
    expect(all).to.have.length(7);
    expect(all.every((t) => !t.isDisposed)).to.equal(true);
    // Only the unreturned tensor was freed.
    expect(torch.memory().live_tensors - before).to.equal(7);
    all.forEach((t) => t.dispose());
  });

  it('cycles and shared sub-objects are walked once', () => {
    const out = torch.tidy(() => {
      const a: Record<string, unknown> = { t: torch.ones(1) };
      a.self = a;
      const shared = { t: torch.ones(2) };
      return [a, shared, shared, { again: shared }];
    });
    expect((out[0] as { t: torch.Tensor }).t.isDisposed).to.equal(false);
    expect((out[1] as { t: torch.Tensor }).t.isDisposed).to.equal(false);
  });

  it('getters are not called while walking the result', () => {
    let called = 0;
    const out = torch.tidy(() => {
      const t = torch.ones(1);
      return {
        get t() {
          called++;
          return t;
        },
      };
    });
    expect(called).to.equal(0);
    expect(out.t.isDisposed).to.equal(true);
  });
});
