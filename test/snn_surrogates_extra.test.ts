// spike_rate_escape, SFS, SSO, LSO and custom_surrogate. Against snnTorch 0.9.4
// (test/fixtures/neurons/surrogates.json): forward exact, gradient rtol 1e-6 (the gradient is
// upstream · G here and upstream / d or upstream · G in snnTorch: within an ulp or two); the
// gradient of a gradient penalty through each, rtol 1e-5.
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { torch, snn } from '../lib/index.js';
import type { FixtureTensor } from './fixture_tensors.js';
import { expectClose, expectExact, fixtureTensor } from './assert_close.js';

const grid = JSON.parse(readFileSync(new URL('./fixtures/neurons/surrogates.json', import.meta.url), 'utf8')) as {
  x: FixtureTensor;
  upstream: FixtureTensor;
  cases: { surrogate: string; args: number[]; forward: FixtureTensor; grad: FixtureTensor; grad_of_grad_penalty: FixtureTensor }[];
};

function make(name: string, args: number[]): (x: torch.Tensor) => torch.Tensor {
  if (name === 'custom_surrogate:fast_sigmoid_25') {
    // snnTorch's documented example, written in TypeScript.
    return snn.surrogate.custom_surrogate((input, grad_input) => grad_input.div(input.abs().mul(25).add(1).pow(2)));
  }
  const f = (snn.surrogate as unknown as Record<string, (...a: number[]) => (x: torch.Tensor) => torch.Tensor>)[name]!;
  return f(...args);
}

describe('snn.surrogate: surrogates defined by their gradient', () => {
  for (const c of grid.cases) {
    it(`${c.surrogate}(${c.args.join(', ')}) matches snnTorch: forward exact, gradient rtol 1e-6`, () => {
      torch.tidy(() => {
        const x = fixtureTensor(grid.x, { requires_grad: true });
        const out = make(c.surrogate, c.args)(x);
        expectExact(out, c.forward, 'forward');
        out.mul(fixtureTensor(grid.upstream)).sum().backward();
        expectClose(x.grad, c.grad, 'grad', { rtol: 1e-6, atol: 1e-12 });
      });
    });
  }

  for (const c of grid.cases) {
    it(`${c.surrogate}(${c.args.join(', ')}): the gradient of a gradient penalty matches snnTorch (rtol 1e-5)`, () => {
      torch.tidy(() => {
        const x = fixtureTensor(grid.x, { requires_grad: true });
        const [g1] = torch.autograd.grad(make(c.surrogate, c.args)(x).mul(fixtureTensor(grid.upstream)).sum(), x, { create_graph: true });
        g1!.mul(g1!).sum().backward();
        expectClose(x.grad, c.grad_of_grad_penalty, 'second order', { rtol: 1e-5, atol: 1e-9 });
      });
    });
  }

  it('LSO(slope) works (snnTorch 0.9.4 raises on first use): gradient 1 where spiking, slope elsewhere', () => {
    torch.tidy(() => {
      const x = torch.tensor([-1, -0.5, 0, 0.5, 2], { dtype: 'float32', requires_grad: true });
      const out = snn.surrogate.LSO(0.3)(x);
      expect(Array.from(out.data() as Float32Array)).to.deep.equal([0, 0, 0, 1, 1]);
      out.sum().backward();
      expectClose(x.grad, torch.tensor([0.3, 0.3, 0.3, 1, 1], { dtype: 'float32' }), 'grad', { rtol: 1e-6, atol: 0 });
    });
  });

  it('SSO: gradient 1 where spiking, else (U(0,1) - 0.5 + mean) · variance', () => {
    torch.tidy(() => {
      torch.manual_seed(0);
      const x = torch.linspace(-2, 2, 400).requires_grad_(true);
      const out = snn.surrogate.SSO(0.1, 0.2)(x);
      out.sum().backward();
      const g = Array.from(x.grad!.data() as Float32Array);
      const xs = Array.from(x.data() as Float32Array);
      const off = g.filter((_, i) => !(xs[i]! > 0));
      expect(g.filter((_, i) => xs[i]! > 0).every((v) => v === 1)).to.equal(true);
      expect(off.every((v) => v >= (-0.5 + 0.1) * 0.2 - 1e-7 && v <= (0.5 + 0.1) * 0.2 + 1e-7)).to.equal(true);
      expect(new Set(off).size).to.be.greaterThan(100);
    });
  });

  it('a neuron with a TypeScript surrogate runs its composed step on either setting, and learns', () => {
    const sg = snn.surrogate.custom_surrogate((input, grad_input) => grad_input.mul(input.abs().mul(-2).exp()));
    const results = (['fused', 'composed'] as const).map((impl) =>
      snn.with_step_impl(impl, () =>
        torch.tidy(() => {
          torch.manual_seed(1);
          const n = new snn.Leaky({ beta: 0.8, spike_grad: sg, learn_beta: true });
          const x = torch.randn([5, 2, 3]).mul(2).requires_grad_(true);
          const [S, M] = n.sequence(x);
          S.sum().add(M.sum()).backward();
          return [S.sum().item(), x.grad!.sum().item(), n.beta.grad!.item()];
        }),
      ),
    );
    expect(results[0]).to.deep.equal(results[1]);
    expect(results[0]![2]).to.not.equal(0);
  });

  it('custom_surrogate refuses a non-function, and a gradient function returning a non-tensor', () => {
    expect(() => snn.surrogate.custom_surrogate(3 as unknown as () => torch.Tensor)).to.throw(TypeError, /custom_surrogate_function/);
    const bad = snn.surrogate.custom_surrogate(() => 1 as unknown as torch.Tensor);
    expect(() => torch.tidy(() => bad(torch.zeros([2]).requires_grad_(true)))).to.throw(/a Tensor shaped like x/);
  });
});
