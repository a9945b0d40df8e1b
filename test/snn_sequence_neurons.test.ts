// Synaptic / RSynaptic / Lapicque / Alpha .sequence(): the whole time loop as ONE native
// autograd node (native/kernels/sequence_node.h) against the TypeScript loop of the same fused steps
// (snn.config({ sequence: 'loop' })), on random inputs for every reset, feedback kind and option.
// Tolerances: spikes, states and the step after the sequence exact (the forward runs the same
// element maths and the same recurrent op, in the same order). Gradients: |a - b| <= rtol * (|b| +
// max|b|) with rtol 1e-5 for the input and initial states, 1e-4 for the parameters (float32), 1e-12
// for all (float64): BPTT sums the same terms in another order (single-value parameter grads in
// double over all steps where the loop adds T float32 partial sums, the recurrent weight grad as
// one GEMM, a static input's grad summed over T at the end), so elements that cancel to near zero
// get the tensor's scale as their bound.
import { expect } from 'chai';
import { torch, snn, nn } from '../lib/index.js';
import { native } from '../lib/native.js';
import { expectClose } from './assert_close.js';
import { neuronOptions } from './neuron_fixtures.js';

const EXACT = { rtol: 0, atol: 0 };

type Kind = 'Synaptic' | 'RSynaptic' | 'Lapicque' | 'Alpha';
type AnyNeuron = snn.Synaptic | snn.RSynaptic | snn.Lapicque | snn.Alpha;

interface Case {
  name: string;
  neuron: Kind;
  ctor: Record<string, unknown>;
  step: number[]; // one step's shape
  T?: number;
  static?: boolean; // a static [B, ...] input with num_steps
  init?: boolean; // initial states given, with grads
  up?: 'all' | 'spk' | 'mem';
  dtype?: 'float32' | 'float64';
  scale?: number;
  graded?: number; // graded_spikes_factor's value (a buffer in snnTorch)
  learnGraded?: boolean; // the graded factor requires grad
}

const STATES: Record<Kind, string[]> = {
  Synaptic: ['syn', 'mem'],
  RSynaptic: ['spk', 'syn', 'mem'],
  Lapicque: ['mem'],
  Alpha: ['syn_exc', 'syn_inh', 'mem'],
};

const SYN = { alpha: 0.8, beta: 0.7, learn_alpha: true, learn_beta: true, learn_threshold: true };
const RLIN = { ...SYN, linear_features: 5 };
const RO2O = { ...SYN, alpha: [0.9, 0.5, 1, 1.05, 0.3], V: [0.5, -0.4, 0.25, 1, 0.8], all_to_all: false };
const RCONV = { ...SYN, conv2d_channels: 2, kernel_size: 3 };
const LAP = { beta: 0.9, learn_threshold: true };
const LAP_RC = { R: 2, C: 3, time_step: 0.5, learn_threshold: true };
// Alpha needs alpha > beta; its backward reads the step's input (kSavesInputs).
const ALPHA = { alpha: 0.85, beta: 0.6, threshold: 0.5, learn_alpha: true, learn_beta: true, learn_threshold: true };

const RESETS = ['subtract', 'zero', 'none'] as const;

const CASES: Case[] = [
  ...RESETS.flatMap((r) => [
    { name: `synaptic ${r}`, neuron: 'Synaptic' as const, ctor: { ...SYN, reset_mechanism: r }, step: [3, 5] },
    { name: `rsynaptic linear ${r}`, neuron: 'RSynaptic' as const, ctor: { ...RLIN, reset_mechanism: r }, step: [3, 5] },
    { name: `rsynaptic one-to-one ${r}`, neuron: 'RSynaptic' as const, ctor: { ...RO2O, reset_mechanism: r }, step: [3, 5] },
    { name: `rsynaptic conv k3 ${r}`, neuron: 'RSynaptic' as const, ctor: { ...RCONV, reset_mechanism: r }, step: [2, 2, 4, 4] },
    { name: `lapicque ${r}`, neuron: 'Lapicque' as const, ctor: { ...LAP, reset_mechanism: r }, step: [3, 5], scale: 6 },
    { name: `alpha ${r}`, neuron: 'Alpha' as const, ctor: { ...ALPHA, reset_mechanism: r }, step: [3, 5], scale: 2 },
  ]),
  ...(['subtract', 'zero'] as const).flatMap((r) => [
    {
      name: `synaptic ${r} reset_delay=false`,
      neuron: 'Synaptic' as const,
      ctor: { ...SYN, reset_mechanism: r, reset_delay: false },
      step: [3, 5],
    },
    {
      name: `synaptic graded ${r} reset_delay=false`,
      neuron: 'Synaptic' as const,
      ctor: { ...SYN, reset_mechanism: r, reset_delay: false },
      step: [3, 5],
      graded: 0.7,
      learnGraded: true,
    },
    {
      name: `rsynaptic linear ${r} reset_delay=false`,
      neuron: 'RSynaptic' as const,
      ctor: { ...RLIN, reset_mechanism: r, reset_delay: false },
      step: [3, 5],
    },
    {
      name: `rsynaptic conv ${r} reset_delay=false`,
      neuron: 'RSynaptic' as const,
      ctor: { ...RCONV, reset_mechanism: r, reset_delay: false },
      step: [2, 2, 4, 4],
    },
  ]),
  { name: 'synaptic, static input with num_steps', neuron: 'Synaptic', ctor: SYN, step: [4, 5], static: true },
  { name: 'rsynaptic linear, static input with num_steps', neuron: 'RSynaptic', ctor: RLIN, step: [4, 5], static: true },
  { name: 'rsynaptic one-to-one, static input', neuron: 'RSynaptic', ctor: RO2O, step: [4, 5], static: true },
  {
    name: 'rsynaptic conv k3x5 zero, static input',
    neuron: 'RSynaptic',
    ctor: { ...RCONV, kernel_size: [3, 5], reset_mechanism: 'zero' },
    step: [2, 2, 4, 5],
    static: true,
  },
  { name: 'lapicque R/C, static input with num_steps', neuron: 'Lapicque', ctor: LAP_RC, step: [4, 5], static: true, scale: 6 },
  { name: 'synaptic, initial syn/mem given (with grads)', neuron: 'Synaptic', ctor: SYN, step: [3, 5], init: true },
  { name: 'rsynaptic linear, initial spk/syn/mem given', neuron: 'RSynaptic', ctor: RLIN, step: [3, 5], init: true },
  {
    name: 'rsynaptic one-to-one, initial state given, reset_delay=false',
    neuron: 'RSynaptic',
    ctor: { ...RO2O, reset_delay: false },
    step: [3, 5],
    init: true,
  },
  { name: 'rsynaptic conv, initial state given', neuron: 'RSynaptic', ctor: RCONV, step: [2, 2, 4, 4], init: true },
  { name: 'lapicque, initial mem given', neuron: 'Lapicque', ctor: LAP, step: [3, 5], init: true, scale: 6 },
  {
    name: 'synaptic, per-neuron learnable alpha/beta/threshold',
    neuron: 'Synaptic',
    ctor: { ...SYN, alpha: [0.9, 0.5, 1, 1.1, 0.7], beta: [0.8, 0.95, 1, 0.3, 0.5], threshold: [1, 0.8, 1.2, 1, 0.9] },
    step: [3, 5],
  },
  {
    name: 'rsynaptic conv, per-channel alpha [C,1,1]',
    neuron: 'RSynaptic',
    ctor: { ...RCONV, alpha: torch.tensor([[[0.8]], [[0.6]]]) },
    step: [2, 2, 4, 4],
  },
  {
    name: 'lapicque, per-neuron threshold, graded spikes',
    neuron: 'Lapicque',
    ctor: { ...LAP, threshold: [1, 0.5, 1.5, 1, 0.7] },
    step: [3, 5],
    graded: 0.5,
    scale: 6,
  },
  {
    name: 'rsynaptic linear, fixed params, learn_recurrent=false',
    neuron: 'RSynaptic',
    ctor: { alpha: 0.8, beta: 0.85, linear_features: 5, learn_recurrent: false },
    step: [3, 5],
  },
  {
    name: 'rsynaptic one-to-one scalar V, learn_recurrent=false',
    neuron: 'RSynaptic',
    ctor: { alpha: 0.8, beta: 0.9, V: 0.5, all_to_all: false, learn_recurrent: false, learn_beta: true },
    step: [3, 5],
  },
  { name: 'synaptic, grads on spikes only', neuron: 'Synaptic', ctor: SYN, step: [3, 5], up: 'spk' },
  { name: 'synaptic, grads on membranes only', neuron: 'Synaptic', ctor: SYN, step: [3, 5], up: 'mem' },
  {
    name: 'synaptic sigmoid, grads on membranes only',
    neuron: 'Synaptic',
    ctor: { ...SYN, spike_grad: ['sigmoid', 5] },
    step: [3, 5],
    up: 'mem',
  },
  { name: 'rsynaptic linear, grads on spikes only', neuron: 'RSynaptic', ctor: RLIN, step: [3, 5], up: 'spk' },
  { name: 'rsynaptic linear, grads on membranes only', neuron: 'RSynaptic', ctor: RLIN, step: [3, 5], up: 'mem' },
  { name: 'lapicque, grads on membranes only', neuron: 'Lapicque', ctor: LAP, step: [3, 5], up: 'mem', scale: 6 },
  { name: 'synaptic fast_sigmoid(25)', neuron: 'Synaptic', ctor: { ...SYN, spike_grad: ['fast_sigmoid', 25] }, step: [3, 5] },
  { name: 'rsynaptic linear sigmoid(5)', neuron: 'RSynaptic', ctor: { ...RLIN, spike_grad: ['sigmoid', 5] }, step: [3, 5] },
  { name: 'rsynaptic one-to-one triangular(0.5)', neuron: 'RSynaptic', ctor: { ...RO2O, spike_grad: ['triangular', 0.5] }, step: [3, 5] },
  {
    name: 'rsynaptic conv straight_through_estimator',
    neuron: 'RSynaptic',
    ctor: { ...RCONV, spike_grad: ['straight_through_estimator', 0] },
    step: [2, 2, 4, 4],
  },
  { name: 'lapicque heaviside', neuron: 'Lapicque', ctor: { ...LAP, spike_grad: ['heaviside', 0] }, step: [3, 5], scale: 6 },
  { name: 'synaptic surrogate_disable', neuron: 'Synaptic', ctor: { ...SYN, surrogate_disable: true }, step: [3, 5] },
  {
    name: 'rsynaptic linear surrogate_disable, learnable graded spikes',
    neuron: 'RSynaptic',
    ctor: { ...RLIN, surrogate_disable: true },
    step: [3, 5],
    graded: 0.5,
    learnGraded: true,
  },
  { name: 'synaptic float64', neuron: 'Synaptic', ctor: SYN, step: [3, 5], dtype: 'float64', init: true },
  { name: 'rsynaptic linear float64', neuron: 'RSynaptic', ctor: RLIN, step: [3, 5], dtype: 'float64', init: true },
  { name: 'rsynaptic conv float64', neuron: 'RSynaptic', ctor: RCONV, step: [2, 2, 4, 4], dtype: 'float64' },
  { name: 'lapicque float64', neuron: 'Lapicque', ctor: LAP_RC, step: [3, 5], dtype: 'float64', init: true, scale: 6 },
  { name: 'rsynaptic linear, long sequence T=40', neuron: 'RSynaptic', ctor: RLIN, step: [6, 5], T: 40 },
  { name: 'synaptic T=1', neuron: 'Synaptic', ctor: SYN, step: [3, 5], T: 1 },
  { name: 'alpha, static input with num_steps', neuron: 'Alpha', ctor: ALPHA, step: [4, 5], static: true, scale: 2 },
  {
    name: 'alpha subtract, initial states given (with grads)',
    neuron: 'Alpha',
    ctor: { ...ALPHA, reset_mechanism: 'subtract' },
    step: [3, 5],
    init: true,
    scale: 2,
  },
  {
    name: 'alpha, per-neuron learnable alpha/beta/threshold, graded spikes',
    neuron: 'Alpha',
    ctor: { ...ALPHA, alpha: [0.9, 0.85, 0.95, 0.7, 0.8], beta: [0.5, 0.6, 0.3, 0.65, 0.1], threshold: [0.5, 0.4, 0.6, 0.5, 0.45] },
    step: [3, 5],
    graded: 0.7,
    learnGraded: true,
    scale: 2,
  },
  {
    name: 'alpha fast_sigmoid(25), grads on membranes only',
    neuron: 'Alpha',
    ctor: { ...ALPHA, spike_grad: ['fast_sigmoid', 25] },
    step: [3, 5],
    up: 'mem',
    scale: 2,
  },
  { name: 'alpha float64', neuron: 'Alpha', ctor: ALPHA, step: [3, 5], dtype: 'float64', init: true, scale: 2 },
];

/** A feedback module the native node does not know. */
class Twice extends nn.Module {
  forward(x: torch.Tensor): torch.Tensor {
    return x.mul(2);
  }
}

function make(kind: Kind, ctor: Record<string, unknown>): AnyNeuron {
  const o = neuronOptions(ctor);
  if (kind === 'Synaptic') return new snn.Synaptic(o as unknown as snn.SynapticOptions);
  if (kind === 'RSynaptic') return new snn.RSynaptic(o as unknown as snn.RSynapticOptions);
  if (kind === 'Alpha') return new snn.Alpha(o as unknown as snn.AlphaOptions);
  return new snn.Lapicque(o as unknown as snn.LapicqueOptions);
}

function isNative(records: torch.Tensor[]): boolean {
  const f = records[records.length - 1]!.grad_fn ?? records[0]!.grad_fn;
  return f !== null && f.name().includes('SeqFn');
}

interface RunOut {
  records: torch.Tensor[];
  next: torch.Tensor[];
  grads: Map<string, torch.Tensor | null>;
  native: boolean;
}

function run(c: Case, impl: 'native' | 'loop'): RunOut {
  const T = c.T ?? 8;
  const dtype = c.dtype ?? 'float32';
  torch.manual_seed(7); // same recurrent weights in both runs
  const n = make(c.neuron, c.ctor);
  if (dtype === 'float64') n.to({ dtype: 'float64' } as never);
  const g = n.graded_spikes_factor;
  if (c.graded !== undefined) torch.no_grad(() => g.fill_(c.graded!));
  if (c.learnGraded) g.requires_grad_(true);
  torch.manual_seed(11); // same data in both runs
  const x = torch
    .randn(c.static ? c.step : [T, ...c.step], { dtype })
    .mul(c.scale ?? 0.8)
    .add(0.3)
    .requires_grad_(true);
  const init: Record<string, torch.Tensor> = {
    spk: torch.rand(c.step, { dtype }).gt(0.5).to(dtype).requires_grad_(true),
    syn: torch.randn(c.step, { dtype }).mul(0.5).requires_grad_(true),
    mem: torch.randn(c.step, { dtype }).requires_grad_(true),
    syn_exc: torch.randn(c.step, { dtype }).mul(0.5).requires_grad_(true),
    syn_inh: torch.randn(c.step, { dtype }).mul(0.5).requires_grad_(true),
  };
  const names = STATES[c.neuron];
  const weights = [0, ...names.filter((s) => s !== 'spk')].map(() => torch.randn([T, ...c.step], { dtype }));
  const xNext = torch.randn(c.step, { dtype });
  const gNext = torch.randn(c.step, { dtype });
  n.reset_mem();
  const opts: Record<string, unknown> = {};
  if (c.static) opts.num_steps = T;
  if (c.init) for (const s of names) opts[s] = init[s];
  const prev = snn.config();
  snn.config({ step: 'fused', sequence: impl });
  let records: torch.Tensor[];
  try {
    records = (n as snn.Synaptic).sequence(x, opts);
  } finally {
    snn.config(prev);
  }
  // One more step from the state the sequence left: it must continue the graph.
  const next = n.forward(xNext) as torch.Tensor[];
  const up = c.up ?? 'all';
  let loss = next[next.length - 1]!.mul(gNext).sum();
  records.forEach((r, i) => {
    const isSpk = i === 0;
    const isMem = i === records.length - 1;
    if (up === 'all' || (up === 'spk' && isSpk) || (up === 'mem' && isMem)) loss = loss.add(r.mul(weights[i]!).sum());
  });
  loss.backward();
  const grads = new Map<string, torch.Tensor | null>([['x', x.grad]]);
  if (c.init) for (const s of names) grads.set(`${s}0`, init[s]!.grad);
  for (const [k, p] of n.named_parameters()) grads.set(k, p.grad);
  if (c.learnGraded) grads.set('graded_spikes_factor', g.grad);
  return { records, next, grads, native: isNative(records) };
}

function expectGradClose(a: torch.Tensor | null, b: torch.Tensor, what: string, rtol: number): void {
  const scale = b.abs().max().item() as number;
  expectClose(a, b, what, { rtol, atol: rtol * scale });
}

describe('snn Synaptic / RSynaptic / Lapicque / Alpha sequence: one native node vs the loop of fused steps', () => {
  for (const c of CASES) {
    it(c.name, () => {
      torch.tidy(() => {
        const ref = run(c, 'loop');
        const seq = run(c, 'native');
        expect(ref.native, 'the reference loops').to.equal(false);
        expect(seq.native, 'ran as one native node').to.equal(true);
        expect(seq.records.length).to.equal(ref.records.length);
        seq.records.forEach((r, i) => expectClose(r, ref.records[i]!, `record ${i}`, EXACT));
        seq.next.forEach((r, i) => expectClose(r, ref.next[i]!, `next step output ${i}`, EXACT));
        if (c.ctor.surrogate_disable !== true) expect((ref.records[0]!.sum().item() as number) > 0, 'some spikes').to.equal(true);
        expect([...seq.grads.keys()]).to.deep.equal([...ref.grads.keys()]);
        const f64 = c.dtype === 'float64';
        for (const [k, g] of ref.grads) {
          // A parameter's grad sums every step's partial sum: float32 rounding over T steps.
          const rtol = f64 ? 1e-12 : k === 'x' || k.endsWith('0') ? 1e-5 : 1e-4;
          const s = seq.grads.get(k)!;
          if (g === null) {
            expect(s, `grad ${k}`).to.equal(null);
            continue;
          }
          expectGradClose(s, g, `grad ${k}`, rtol);
        }
      });
    });
  }
});

describe('snn Synaptic / RSynaptic / Lapicque sequence: state, fallbacks and refusals', () => {
  it('leaves the state at the last step; reset_mem() resets it', () => {
    torch.tidy(() => {
      const n = new snn.RSynaptic({ alpha: 0.8, beta: 0.9, linear_features: 4 });
      const x = torch.randn([5, 2, 4]).mul(2);
      const [S, syn, M] = n.sequence(x);
      expect(isNative([S, syn, M]) || S.grad_fn === null).to.equal(true);
      expectClose(n.spk, S.select(0, 4), 'spk state', EXACT);
      expectClose(n.syn, syn.select(0, 4), 'syn state', EXACT);
      expectClose(n.mem, M.select(0, 4), 'mem state', EXACT);
      n.reset_mem();
      expect(n.mem.abs().sum().item()).to.equal(0);
    });
  });

  it('runs without an autograd node under no_grad, with the same values', () => {
    torch.tidy(() => {
      const n = new snn.Synaptic({ alpha: 0.8, beta: 0.9, learn_beta: true });
      const x = torch.randn([6, 3, 4]).mul(2);
      const [S, , M] = torch.no_grad(() => n.sequence(x));
      expect(M.grad_fn).to.equal(null);
      n.reset_mem();
      const [S2, , M2] = n.sequence(x);
      expect(isNative([S2, M2])).to.equal(true);
      expectClose(S, S2, 'spk', EXACT);
      expectClose(M, M2, 'mem', EXACT);
    });
  });

  it('falls back to the loop for options the node does not cover', () => {
    torch.tidy(() => {
      const x = torch.randn([4, 3, 4]).requires_grad_(true);
      const a = new snn.Synaptic({ alpha: 0.8, beta: 0.9, state_quant: (t: torch.Tensor) => t, learn_beta: true });
      expect(isNative(a.sequence(x))).to.equal(false);
      const b = new snn.Synaptic({ alpha: 0.8, beta: 0.9, inhibition: true, learn_beta: true });
      expect(isNative(b.sequence(x))).to.equal(false);
      const c = new snn.Synaptic({ alpha: 0.8, beta: 0.9, learn_beta: true });
      expect(isNative(snn.with_step_impl('composed', () => c.sequence(x)))).to.equal(false);
      // Lapicque's R, C and time_step are not differentiated by the kernel: with a grad they loop.
      const d = new snn.Lapicque({ beta: 0.9 });
      d.R.requires_grad_(true);
      const outD = d.sequence(x.mul(5));
      expect(isNative(outD)).to.equal(false);
      outD[1].sum().backward();
      expect(d.R.grad).to.not.equal(null);
      // A feedback module the node does not know runs the loop.
      const e = new snn.RSynaptic({ alpha: 0.8, beta: 0.9, V: 0.5, all_to_all: false });
      (e as unknown as { recurrent: nn.Module }).recurrent = new Twice();
      expect(isNative(e.sequence(x))).to.equal(false);
      const f = new snn.Synaptic({ alpha: 0.8, beta: 0.9, learn_beta: true });
      const prev = snn.config();
      snn.config({ sequence: 'loop' });
      try {
        expect(isNative(f.sequence(x))).to.equal(false);
      } finally {
        snn.config(prev);
      }
    });
  });

  it('refuses bad native calls with a clear error (a Lapicque R that requires grad, counts, kinds, feedback)', () => {
    torch.tidy(() => {
      const x = torch.randn([3, 2, 4]);
      const f = (v: number): torch.Tensor => torch.tensor(v, { dtype: 'float32' });
      const R = f(1).requires_grad_(true);
      const p = [R, f(2), f(1), f(1), f(1)];
      const m = torch.zeros([2, 4]);
      const cfg = { reset: 'subtract', reset_delay: true, surrogate: 'atan', surrogate_param: 2, surrogate_disable: false } as const;
      expect(() =>
        native.snn_neuron_sequence(
          'lapicque',
          x.handle,
          0,
          [m.handle],
          p.map((t) => t.handle),
          null,
          null,
          cfg,
        ),
      ).to.throw(/lapicque_sequence: R requires grad/);
      expect(() => native.snn_neuron_sequence('izhikevich' as 'lapicque', x.handle, 0, [m.handle], [], null, null, cfg)).to.throw(
        /unknown neuron kind 'izhikevich' \(synaptic, rsynaptic, lapicque or alpha\)/,
      );
      expect(() => native.snn_neuron_sequence('alpha', x.handle, 0, [m.handle], [], null, null, cfg)).to.throw(
        /alpha_sequence: expected 3 states/,
      );
      expect(() =>
        native.snn_neuron_sequence(
          'synaptic',
          x.handle,
          0,
          [m.handle],
          p.slice(0, 4).map((t) => t.handle),
          null,
          null,
          cfg,
        ),
      ).to.throw(/synaptic_sequence: expected 2 states, got 1/);
      expect(() =>
        native.snn_neuron_sequence(
          'rsynaptic',
          x.handle,
          0,
          [m.handle, m.handle],
          p.slice(0, 4).map((t) => t.handle),
          null,
          null,
          cfg,
        ),
      ).to.throw(/rsynaptic_sequence: spk and the feedback must be given/);
      expect(() =>
        native.snn_neuron_sequence(
          'rsynaptic',
          x.handle,
          0,
          [m.handle, m.handle],
          p.slice(0, 4).map((t) => t.handle),
          m.handle,
          { kind: 'dense' as 'linear' },
          cfg,
        ),
      ).to.throw(/feedback.kind must be 'one_to_one', 'linear' or 'conv'/);
    });
  });

  for (const kind of ['Synaptic', 'RSynaptic', 'Lapicque'] as const) {
    it(`${kind}: double backward through the sequence node is refused with the fix named`, () => {
      torch.tidy(() => {
        const n = kind === 'Lapicque' ? make(kind, LAP) : make(kind, kind === 'RSynaptic' ? RLIN : SYN);
        const x = torch.randn([4, 3, 5]).mul(3).requires_grad_(true);
        const out = (n as snn.Synaptic).sequence(x);
        expect(isNative(out)).to.equal(true);
        const last = out[out.length - 1]!;
        const loss = out[0]!.sum().add(last.mul(last).sum());
        expect(() => torch.autograd.grad(loss, x, { create_graph: true })).to.throw(
          new RegExp(`${kind}SeqFn[\\s\\S]*double backward[\\s\\S]*snn\\.config\\(\\{ step: 'composed' \\}\\)`),
        );
      });
    });
  }
});
