// The generic fused step (native/kernels/neuron_traits.h) of Synaptic, RSynaptic, Lapicque and Alpha
// against their composed steps, beyond the golden values of snn_neuron_family.test.ts (which run
// on both step settings): every reset mechanism, the immediate reset, per-neuron (broadcast)
// parameters, every surrogate, learnable parameters, 16-bit states and the typed config's errors.
// Tolerances: spikes exact; states rtol 1e-5 / atol 1e-6 (float32 forward is bit-identical in
// practice); gradients rtol 1e-4 / atol 1e-5.
import { expect } from 'chai';
import { torch, snn } from '../lib/index.js';
import { native } from '../lib/native.js';
import { expectClose } from './assert_close.js';

type Kind = 'Synaptic' | 'RSynaptic' | 'Lapicque' | 'Alpha';
const MEM_TOL = { rtol: 1e-5, atol: 1e-6 };
const GRAD_TOL = { rtol: 1e-4, atol: 1e-5 };

interface Run {
  outs: torch.Tensor[];
  grads: (torch.Tensor | null)[];
  fns: string[];
}

function build(kind: Kind, o: Record<string, unknown>): snn.Synaptic | snn.RSynaptic | snn.Lapicque | snn.Alpha {
  if (kind === 'Synaptic') return new snn.Synaptic(o as unknown as snn.SynapticOptions);
  if (kind === 'Alpha') return new snn.Alpha(o as unknown as snn.AlphaOptions);
  if (kind === 'RSynaptic') return new snn.RSynaptic(o as unknown as snn.RSynapticOptions);
  return new snn.Lapicque(o as unknown as snn.LapicqueOptions);
}

/** T steps from a nonzero state; loss on every spike and state; grads of x, the initial states and the learnable parameters. */
function run(
  kind: Kind,
  impl: 'fused' | 'composed',
  opts: Record<string, unknown>,
  seed: number,
  dtype: 'float32' | 'float64' = 'float32',
): Run {
  return snn.with_step_impl(impl, () => {
    torch.manual_seed(seed);
    const x = torch.randn([5, 4, 6], { dtype }).mul(1.2).requires_grad_(true);
    const n = build(kind, opts);
    n.to(dtype);
    const nstates = kind === 'Lapicque' ? 1 : kind === 'Synaptic' ? 2 : 3;
    const init = Array.from({ length: nstates }, (_, i) =>
      (kind === 'RSynaptic' && i === 0
        ? torch.rand([4, 6], { dtype }).gt(0.5).to(dtype)
        : torch.randn([4, 6], { dtype }).mul(0.8)
      ).requires_grad_(true),
    );
    let st: torch.Tensor[] = init;
    const outs: torch.Tensor[] = [];
    const fns: string[] = [];
    for (let t = 0; t < 5; t++) {
      const out = (
        kind === 'Lapicque'
          ? (n as snn.Lapicque).forward(x.select(0, t), st[0])
          : kind === 'Synaptic'
            ? (n as snn.Synaptic).forward(x.select(0, t), st[0], st[1])
            : kind === 'Alpha'
              ? (n as snn.Alpha).forward(x.select(0, t), st[0], st[1], st[2])
              : (n as snn.RSynaptic).forward(x.select(0, t), st[0], st[1], st[2])
      ) as torch.Tensor[];
      st = kind === 'RSynaptic' ? out : out.slice(1);
      fns.push(out[out.length - 1]!.grad_fn?.name() ?? '');
      outs.push(...out);
    }
    let loss = torch.zeros([], { dtype });
    outs.forEach((o, i) => {
      loss = loss.add(o.mul(1 + 0.1 * i).sum());
    });
    const params = [...n.parameters()].filter((p) => p.requires_grad);
    const grads = torch.autograd.grad(loss, [x, ...init, ...params], { allow_unused: true });
    return { outs, grads, fns };
  });
}

function compare(kind: Kind, opts: Record<string, unknown>, seed = 3, dtype: 'float32' | 'float64' = 'float32'): void {
  const f = run(kind, 'fused', opts, seed, dtype);
  const c = run(kind, 'composed', opts, seed, dtype);
  expect(
    f.fns.every((s) => /StepFn/.test(s)),
    `fused grad_fn: ${f.fns[0]}`,
  ).to.equal(true);
  expect(c.fns.some((s) => /StepFn/.test(s))).to.equal(false);
  const per = f.outs.length / 5;
  f.outs.forEach((o, i) => {
    if (i % per === 0) expect(o.sub(c.outs[i]!).abs().max().item(), `spike ${i}`).to.equal(0);
    else expectClose(o, c.outs[i]!, `state ${i}`, MEM_TOL);
  });
  f.grads.forEach((g, i) => {
    const e = c.grads[i];
    if (!e) return expect(g === null || g.abs().max().item() === 0, `grad ${i} unused on composed`).to.equal(true);
    expectClose(g, e, `grad ${i}`, GRAD_TOL);
  });
}

describe('snn fused Synaptic / RSynaptic / Lapicque / Alpha steps equal the composed steps', () => {
  after(() => snn.set_step_impl('fused'));
  for (const reset_mechanism of ['subtract', 'zero', 'none'] as const) {
    for (const reset_delay of [true, false]) {
      it(`Synaptic reset ${reset_mechanism}, reset_delay ${reset_delay}, learnable alpha/beta/threshold`, () => {
        torch.tidy(() =>
          compare('Synaptic', {
            alpha: 0.85,
            beta: 0.7,
            threshold: 0.6,
            reset_mechanism,
            reset_delay,
            learn_alpha: true,
            learn_beta: true,
            learn_threshold: true,
          }),
        );
      });
      it(`RSynaptic (one-to-one) reset ${reset_mechanism}, reset_delay ${reset_delay}`, () => {
        torch.tidy(() =>
          compare('RSynaptic', {
            alpha: 0.85,
            beta: 0.7,
            threshold: 0.6,
            reset_mechanism,
            reset_delay,
            all_to_all: false,
            V: 0.4,
            learn_beta: true,
            learn_threshold: true,
          }),
        );
      });
    }
    it(`Alpha reset ${reset_mechanism}, learnable alpha/beta/threshold`, () => {
      torch.tidy(() =>
        compare('Alpha', {
          alpha: 0.85,
          beta: 0.6,
          threshold: 0.6,
          reset_mechanism,
          learn_alpha: true,
          learn_beta: true,
          learn_threshold: true,
        }),
      );
      torch.tidy(() => compare('Alpha', { alpha: 0.9, beta: 0.8, threshold: 0.3, reset_mechanism }, 7, 'float64'));
    });
    it(`Lapicque reset ${reset_mechanism} (beta given, and R/C given), learnable threshold`, () => {
      torch.tidy(() => compare('Lapicque', { beta: 0.8, threshold: 0.6, reset_mechanism, learn_threshold: true }));
      torch.tidy(() => compare('Lapicque', { R: 2.0, C: 3.5, time_step: 0.5, threshold: 0.6, reset_mechanism }));
    });
  }

  it('per-neuron (broadcast) alpha, beta and threshold; RSynaptic with linear feedback', () => {
    torch.tidy(() => {
      const alpha = torch.linspace(0.5, 1.1, 6);
      const beta = torch.linspace(-0.1, 0.95, 6);
      const threshold = torch.linspace(0.3, 1.2, 6);
      compare('Synaptic', { alpha, beta, threshold, learn_alpha: true, learn_beta: true, learn_threshold: true, reset_delay: false });
      compare('RSynaptic', { alpha, beta, threshold, linear_features: 6, learn_alpha: true, learn_beta: true });
      compare('Lapicque', { beta: torch.linspace(0.5, 0.9, 6), threshold, learn_threshold: true });
      const aBeta = torch.linspace(0.1, 0.7, 6);
      compare('Alpha', {
        alpha: torch.linspace(0.8, 1.2, 6),
        beta: aBeta,
        threshold,
        learn_alpha: true,
        learn_beta: true,
        learn_threshold: true,
      });
      compare('Alpha', { alpha: 0.95, beta: aBeta, threshold, learn_beta: true, reset_mechanism: 'subtract' });
    });
  });

  for (const sg of ['atan', 'fast_sigmoid', 'sigmoid', 'straight_through_estimator', 'heaviside', 'triangular'] as const) {
    it(`surrogate ${sg} (float64)`, () => {
      torch.tidy(() => {
        const spike_grad = (snn.surrogate[sg] as () => snn.surrogate.SpikeFunction)();
        compare('Synaptic', { alpha: 0.9, beta: 0.8, spike_grad, learn_beta: true }, 5, 'float64');
        compare('Lapicque', { beta: 0.9, spike_grad }, 5, 'float64');
        compare('Alpha', { alpha: 0.9, beta: 0.7, spike_grad, learn_alpha: true, learn_beta: true }, 5, 'float64');
      });
    });
  }

  it('Alpha: the fused forward equals the composed forward bit for bit (float32, every reset mechanism)', () => {
    for (const reset_mechanism of ['subtract', 'zero', 'none'] as const) {
      torch.tidy(() => {
        const f = run('Alpha', 'fused', { alpha: 0.87, beta: 0.61, threshold: 0.4, reset_mechanism }, 9);
        const c = run('Alpha', 'composed', { alpha: 0.87, beta: 0.61, threshold: 0.4, reset_mechanism }, 9);
        f.outs.forEach((o, i) => expect(o.sub(c.outs[i]!).abs().max().item(), `${reset_mechanism} output ${i}`).to.equal(0));
      });
    }
  });

  it('surrogate_disable: spikes carry no gradient; the states still do', () => {
    torch.tidy(() => {
      compare('Synaptic', { alpha: 0.9, beta: 0.8, surrogate_disable: true, learn_alpha: true });
      compare('Lapicque', { beta: 0.9, surrogate_disable: true });
      compare('Alpha', { alpha: 0.9, beta: 0.8, surrogate_disable: true, learn_alpha: true });
    });
  });

  it('16-bit CPU states compute in float32 and come back in their dtype', () => {
    torch.tidy(() => {
      const n = new snn.Synaptic({ alpha: 0.9, beta: 0.8 });
      const x = torch.randn([3, 4]).to('bfloat16');
      const [spk, syn, mem] = n.forward(x) as torch.Tensor[];
      for (const t of [spk!, syn!, mem!]) expect(t.dtype).to.equal('bfloat16');
      n.dispose();
    });
  });

  it('Lapicque with an R that requires grad runs composed (the kernel does not differentiate R, C, time_step)', () => {
    torch.tidy(() => {
      const n = new snn.Lapicque({ R: 2, C: 3 });
      n.R.requires_grad_(true);
      const x = torch.randn([2, 3]).requires_grad_(true);
      const [, mem] = n.forward(x) as torch.Tensor[];
      expect(mem!.grad_fn?.name() ?? '').to.not.match(/StepFn/);
      mem!.sum().backward();
      expect(n.R.grad).to.not.equal(null);
      n.dispose();
    });
  });

  it('the native step takes a named config and refuses bad names and counts with clear errors', () => {
    torch.tidy(() => {
      const x = torch.randn([2, 3]);
      const z = torch.zeros([2, 3]);
      const p = torch.tensor(0.5);
      const cfg = { reset: 'subtract', reset_delay: true, surrogate: 'atan', surrogate_param: 2, surrogate_disable: false } as const;
      expect(
        native.snn_neuron_step('synaptic', [x.handle], [z.handle, z.handle], [p.handle, p.handle, p.handle, p.handle], cfg),
      ).to.have.length(3);
      expect(() =>
        native.snn_neuron_step('synaptic', [x.handle], [z.handle, z.handle], [p.handle, p.handle, p.handle, p.handle], {
          ...cfg,
          reset: 'half' as 'zero',
        }),
      ).to.throw(/config\.reset must be 'subtract', 'zero' or 'none'/);
      expect(() =>
        native.snn_neuron_step('synaptic', [x.handle], [z.handle, z.handle], [p.handle, p.handle, p.handle, p.handle], {
          ...cfg,
          surrogate: 'erf' as 'atan',
        }),
      ).to.throw(/config\.surrogate must be one of/);
      expect(() => native.snn_neuron_step('synaptic', [x.handle], [z.handle], [p.handle, p.handle, p.handle, p.handle], cfg)).to.throw(
        /expected 2 states, got 1/,
      );
      expect(() => native.snn_neuron_step('izhikevich' as 'synaptic', [x.handle], [z.handle], [p.handle], cfg)).to.throw(
        /unknown neuron kind 'izhikevich'/,
      );
      expect(() =>
        native.snn_neuron_step('alpha', [x.handle], [z.handle, z.handle], [p.handle, p.handle, p.handle, p.handle], cfg),
      ).to.throw(/AlphaStepFn: expected 3 states, got 2/);
      expect(() =>
        native.snn_neuron_step(
          'lapicque',
          [x.handle],
          [torch.zeros([3, 2]).handle],
          [p.handle, p.handle, p.handle, p.handle, p.handle],
          cfg,
        ),
      ).to.throw(/mem shape \[3, 2\] differs from input shape \[2, 3\]/);
    });
  });
});
