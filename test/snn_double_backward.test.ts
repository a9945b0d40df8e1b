// Higher-order gradients through neurons. The fused nodes (one step, one sequence) compute their
// backward in a kernel that autograd cannot differentiate again, so a backward with
// create_graph=true through them is refused with an error naming the fix; the composed step gives
// the gradient of a gradient penalty, checked against central differences in float64 (rtol 1e-6).
import { expect } from 'chai';
import { torch, snn } from '../lib/index.js';

/** penalty(beta) = sum((d sum(mem records) / dx)^2), through T steps of a Leaky (threshold high: no spikes). */
function penalty(
  impl: 'fused' | 'composed',
  betaValue: number,
  mode: 'forward' | 'sequence',
  kind: 'Leaky' | 'RLeaky',
): { value: number; dbeta: number } {
  return snn.with_step_impl(impl, () =>
    torch.tidy(() => {
      torch.manual_seed(5);
      const x = torch.randn([4, 2, 3], { dtype: 'float64' }).requires_grad_(true);
      const beta = torch.tensor(betaValue, { dtype: 'float64' });
      const n =
        kind === 'Leaky'
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
    }),
  );
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

      it(`${kind} ${mode}: the fused step refuses create_graph with an error naming snn.config({ step: 'composed' })`, () => {
        expect(() => penalty('fused', 0.7, mode, kind)).to.throw(/double backward[\s\S]*snn\.config\(\{ step: 'composed' \}\)/);
      });
    }
  }
});

describe('snn higher-order gradients: Synaptic, RSynaptic and Lapicque', () => {
  /** The same gradient penalty through Synaptic, with spikes. */
  function synPenalty(impl: 'fused' | 'composed', alphaValue: number): { value: number; dalpha: number } {
    return snn.with_step_impl(impl, () =>
      torch.tidy(() => {
        torch.manual_seed(6);
        const x = torch.randn([6, 2, 3], { dtype: 'float64' }).mul(1.5).requires_grad_(true);
        const n = new snn.Synaptic({
          alpha: torch.tensor(alphaValue, { dtype: 'float64' }),
          beta: 0.8,
          learn_alpha: true,
          spike_grad: snn.surrogate.fast_sigmoid(5),
        });
        n.to('float64');
        const [S, , M] = n.sequence(x);
        const out = S.sum().add(M.mul(M).sum());
        const [g] = torch.autograd.grad(out, x, { create_graph: true });
        const p = g!.mul(g!).sum();
        p.backward();
        return { value: p.item(), dalpha: n.alpha.grad!.item() };
      }),
    );
  }

  it('Synaptic (composed step): the gradient-penalty gradient equals central differences (float64)', () => {
    const a = 0.7;
    const h = 1e-6;
    const got = synPenalty('composed', a).dalpha;
    const fd = (synPenalty('composed', a + h).value - synPenalty('composed', a - h).value) / (2 * h);
    expect(got).to.be.closeTo(fd, 1e-5 * Math.abs(fd) + 1e-7);
  });

  it("Synaptic (fused step): create_graph is refused with an error naming snn.config({ step: 'composed' })", () => {
    // sequence() runs the fused steps as one native node (SynapticSeqFn), which refuses it alike.
    expect(() => synPenalty('fused', 0.7)).to.throw(/SynapticSeqFn[\s\S]*double backward[\s\S]*snn\.config\(\{ step: 'composed' \}\)/);
    const prev = snn.config();
    snn.config({ sequence: 'loop' });
    try {
      expect(() => synPenalty('fused', 0.7)).to.throw(/SynapticStepFn[\s\S]*double backward[\s\S]*snn\.config\(\{ step: 'composed' \}\)/);
    } finally {
      snn.config(prev);
    }
  });

  for (const kind of ['RSynaptic', 'Lapicque', 'Alpha'] as const) {
    it(`${kind} (fused step): create_graph is refused with an error naming snn.config({ step: 'composed' })`, () => {
      snn.with_step_impl('fused', () =>
        torch.tidy(() => {
          const x = torch.randn([3, 4]).requires_grad_(true);
          const n =
            kind === 'RSynaptic'
              ? new snn.RSynaptic({ alpha: 0.9, beta: 0.8, linear_features: 4 })
              : kind === 'Alpha'
                ? new snn.Alpha({ alpha: 0.9, beta: 0.8 })
                : new snn.Lapicque({ beta: 0.9 });
          const out = n.forward(x) as torch.Tensor[];
          const loss = out[0]!.sum().add(out[out.length - 1]!.mul(out[out.length - 1]!).sum());
          expect(() => torch.autograd.grad(loss, x, { create_graph: true })).to.throw(
            new RegExp(String.raw`${kind}StepFn[\s\S]*double backward[\s\S]*snn\.config\(\{ step: 'composed' \}\)`),
          );
          // sequence() is one native node, which refuses it alike.
          n.reset_mem();
          const xs = torch.randn([4, 3, 4]).requires_grad_(true);
          const rec = n.sequence(xs) as torch.Tensor[];
          const seqLoss = rec[0]!.sum().add(rec[rec.length - 1]!.mul(rec[rec.length - 1]!).sum());
          expect(() => torch.autograd.grad(seqLoss, xs, { create_graph: true })).to.throw(
            new RegExp(String.raw`${kind}SeqFn[\s\S]*double backward[\s\S]*snn\.config\(\{ step: 'composed' \}\)`),
          );
          n.dispose();
        }),
      );
    });
  }
});
