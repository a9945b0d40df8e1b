// Higher-order gradients through neurons. The fused nodes (one step, one sequence) compute their
// backward in a kernel that autograd cannot differentiate again, so a backward with
// create_graph=true through them is refused with an error naming the fix; the composed step gives
// the gradient of a gradient penalty, checked against central differences in float64 (rtol 1e-6).
import { expect } from 'chai';
import { torch, snn } from '../lib/index.js';

/** penalty(beta) = sum((d sum(mem records) / dx)^2), through T steps of a Leaky (threshold high: no spikes). */
function penalty(impl: 'fused' | 'composed', betaValue: number, mode: 'forward' | 'sequence', kind: 'Leaky' | 'RLeaky'): { value: number; dbeta: number } {
  return snn.with_step_impl(impl, () => torch.tidy(() => {
    torch.manual_seed(5);
    const x = torch.randn([4, 2, 3], { dtype: 'float64' }).requires_grad_(true);
    const beta = torch.tensor(betaValue, { dtype: 'float64' });
    const n = kind === 'Leaky'
      ? new snn.Leaky({ beta, learn_beta: true, threshold: 100 })
      : new snn.RLeaky({ beta, learn_beta: true, threshold: 100, all_to_all: false, V: 0.5 });
    n.to('float64');
    let M: torch.Tensor;
    if (mode === 'sequence') M = n.sequence(x)[1];
    else {
      const mems: torch.Tensor[] = [];
      for (let t = 0; t < 4; t++) mems.push((n.forward as (x: torch.Tensor) => torch.Tensor[])(x.select(0, t))[1]!);
      M = torch.stack(mems);
    }
    const m2 = M.mul(M).sum();
    const [g] = torch.autograd.grad(m2, x, { create_graph: true });
    const p = g!.mul(g!).sum();
    p.backward();
    return { value: p.item(), dbeta: n.beta.grad!.item() };
  }));
}

describe('snn higher-order gradients', () => {
  for (const kind of ['Leaky', 'RLeaky'] as const) {
    for (const mode of ['forward', 'sequence'] as const) {
      it(`${kind} ${mode}: the composed step's gradient-penalty gradient equals central differences (float64)`, () => {
        const b = 0.7;
        const h = 1e-5;
        const got = penalty('composed', b, mode, kind).dbeta;
        const fd = (penalty('composed', b + h, mode, kind).value - penalty('composed', b - h, mode, kind).value) / (2 * h);
        expect(got).to.be.closeTo(fd, 1e-6 * Math.abs(fd) + 1e-8);
      });

      it(`${kind} ${mode}: the fused step refuses create_graph with an error naming snn.set_step_impl('composed')`, () => {
        expect(() => penalty('fused', 0.7, mode, kind)).to.throw(/double backward[\s\S]*snn\.set_step_impl\('composed'\)/);
      });
    }
  }
});

describe('snn higher-order gradients: neurons without a fused node', () => {
  /** The same gradient penalty through Synaptic (composed ops on either step setting), with spikes. */
  function synPenalty(impl: 'fused' | 'composed', alphaValue: number): { value: number; dalpha: number } {
    return snn.with_step_impl(impl, () => torch.tidy(() => {
      torch.manual_seed(6);
      const x = torch.randn([6, 2, 3], { dtype: 'float64' }).mul(1.5).requires_grad_(true);
      const n = new snn.Synaptic({ alpha: torch.tensor(alphaValue, { dtype: 'float64' }), beta: 0.8, learn_alpha: true, spike_grad: snn.surrogate.fast_sigmoid(5) });
      n.to('float64');
      const [S, , M] = n.sequence(x);
      const out = S.sum().add(M.mul(M).sum());
      const [g] = torch.autograd.grad(out, x, { create_graph: true });
      const p = g!.mul(g!).sum();
      p.backward();
      return { value: p.item(), dalpha: n.alpha.grad!.item() };
    }));
  }

  for (const impl of ['fused', 'composed'] as const) {
    it(`Synaptic (${impl} setting): the gradient-penalty gradient equals central differences (float64)`, () => {
      const a = 0.7;
      const h = 1e-6;
      const got = synPenalty(impl, a).dalpha;
      const fd = (synPenalty(impl, a + h).value - synPenalty(impl, a - h).value) / (2 * h);
      expect(got).to.be.closeTo(fd, 1e-5 * Math.abs(fd) + 1e-7);
    });
  }
});
