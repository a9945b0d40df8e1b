// Leaky.sequence / RLeaky.sequence: the whole time loop as ONE native autograd node with BPTT in
// C++ (native/kernels/neuron_sequence.cpp), checked (1) against snnTorch 0.9.4's fixtures, (2)
// against the per-step loop on random inputs for every feedback kind, reset and option, and (3) on
// the tutorial network (Net.forward vs forwardSequence) with SF.mse_count_loss.
// Tolerances: spikes exact everywhere. Membranes: fixtures rtol 1e-5 / atol 1e-6; against the
// per-step loop bit-exact (the forward runs the same ops in the same order). Gradients: rtol 1e-4 /
// atol 1e-5 (BPTT sums the same terms in another order: upstream + recurrent grads, the recurrent
// weight grad as one GEMM over all steps, a static input's grad summed over T at the end).
import { expect } from 'chai';
import { torch, snn, SF } from '../lib/index.js';
import { Net } from '../examples/models/tutorial-net.js';
import { forwardSequence } from '../examples/models/tutorial-sequence.js';
import { expectClose, fixtureTensor } from './assert_close.js';
import { checkAgainstFixture, loadNeuronCases, makeNeuron, tensorsByName, GRAD_TOL, type NeuronCase } from './neuron_fixtures.js';

const EXACT = { rtol: 0, atol: 0 };

function isNative(S: torch.Tensor, M: torch.Tensor): boolean {
  const f = M.grad_fn ?? S.grad_fn;
  return f !== null && f.name().includes('SeqFn');
}

// ------------------------------------------------------------------ (1) snnTorch fixtures

function runFixture(c: NeuronCase): void {
  const neuron = makeNeuron(c.neuron, c.ctor);
  const tensors = tensorsByName(neuron);
  torch.no_grad(() => {
    for (const [k, v] of Object.entries({ ...c.parameters, ...(c.buffers ?? {}) })) tensors.get(k)!.copy_(fixtureTensor(v));
  });
  const x = fixtureTensor(c.x, { requires_grad: true });
  let initSpk: torch.Tensor | null = null;
  let initMem: torch.Tensor | null = null;
  let S: torch.Tensor;
  let M: torch.Tensor;
  if (typeof c.initial_state === 'string') {
    if (neuron instanceof snn.RLeaky) neuron.init_rleaky();
    else neuron.init_leaky();
    [S, M] = neuron.sequence(x);
  } else {
    initMem = fixtureTensor(c.initial_state.mem, { requires_grad: true });
    if (c.initial_state.spk) initSpk = fixtureTensor(c.initial_state.spk, { requires_grad: true });
    [S, M] = neuron instanceof snn.RLeaky ? neuron.sequence(x, { spk: initSpk, mem: initMem }) : neuron.sequence(x, { mem: initMem });
  }
  expect(isNative(S, M), 'ran as one native node').to.equal(true);
  checkAgainstFixture(c, S, M, { x, init_spk: initSpk, init_mem: initMem, tensors });
}

describe('snn sequence form against snnTorch 0.9.4 fixtures (one native node)', () => {
  for (const file of ['leaky.json', 'rleaky_one_to_one.json', 'rleaky_linear.json', 'rleaky_conv.json', 'rleaky_variants.json']) {
    for (const c of loadNeuronCases(file)) it(`${file}: ${c.name}`, () => torch.tidy(() => runFixture(c)));
  }
});

// ------------------------------------------------------------------ (2) sequence vs per-step loop

interface RandCase {
  name: string;
  neuron: 'Leaky' | 'RLeaky';
  ctor: Record<string, unknown>;
  step: number[]; // one step's shape
  T?: number;
  static?: boolean; // a static [B, ...] input with num_steps
  init?: boolean; // an initial spk/mem given, with grads
  up?: 'both' | 'spk' | 'mem';
  dtype?: 'float32' | 'float64';
  scale?: number;
}

const LIN = { beta: 0.85, linear_features: 5, learn_beta: true, learn_threshold: true };
const O2O = { beta: [0.9, 0.6, 1, 1.05, 0.3], V: [0.5, -0.4, 0.25, 1, 0.8], all_to_all: false, learn_beta: true, learn_threshold: true };
const CONV = { beta: 0.8, conv2d_channels: 2, kernel_size: 3, learn_beta: true, learn_threshold: true };
const LK = { beta: 0.8, learn_beta: true, learn_threshold: true };

const RAND: RandCase[] = [
  ...(['subtract', 'zero', 'none'] as const).flatMap((r) => [
    { name: `linear ${r}`, neuron: 'RLeaky' as const, ctor: { ...LIN, reset_mechanism: r }, step: [3, 5] },
    { name: `one-to-one ${r}`, neuron: 'RLeaky' as const, ctor: { ...O2O, reset_mechanism: r }, step: [3, 5] },
    { name: `conv k3 ${r}`, neuron: 'RLeaky' as const, ctor: { ...CONV, reset_mechanism: r }, step: [2, 2, 4, 4] },
    { name: `leaky ${r}`, neuron: 'Leaky' as const, ctor: { ...LK, reset_mechanism: r }, step: [3, 5] },
  ]),
  ...(['subtract', 'zero'] as const).flatMap((r) => [
    {
      name: `linear ${r} reset_delay=false`,
      neuron: 'RLeaky' as const,
      ctor: { ...LIN, reset_mechanism: r, reset_delay: false },
      step: [3, 5],
    },
    {
      name: `one-to-one ${r} reset_delay=false`,
      neuron: 'RLeaky' as const,
      ctor: { ...O2O, reset_mechanism: r, reset_delay: false },
      step: [3, 5],
    },
    {
      name: `conv ${r} reset_delay=false`,
      neuron: 'RLeaky' as const,
      ctor: { ...CONV, reset_mechanism: r, reset_delay: false },
      step: [2, 2, 4, 4],
    },
    {
      name: `leaky ${r} reset_delay=false`,
      neuron: 'Leaky' as const,
      ctor: { ...LK, reset_mechanism: r, reset_delay: false },
      step: [3, 5],
    },
    {
      name: `leaky graded ${r} reset_delay=false`,
      neuron: 'Leaky' as const,
      ctor: { ...LK, reset_mechanism: r, reset_delay: false, graded_spikes_factor: 0.7, learn_graded_spikes_factor: true },
      step: [3, 5],
    },
  ]),
  { name: 'linear, static input with num_steps', neuron: 'RLeaky', ctor: LIN, step: [4, 5], static: true },
  { name: 'one-to-one, static input with num_steps', neuron: 'RLeaky', ctor: O2O, step: [4, 5], static: true },
  {
    name: 'conv k3x5 zero, static input',
    neuron: 'RLeaky',
    ctor: { ...CONV, kernel_size: [3, 5], reset_mechanism: 'zero' },
    step: [2, 2, 4, 5],
    static: true,
  },
  { name: 'conv, unbatched [C, H, W] state', neuron: 'RLeaky', ctor: CONV, step: [2, 4, 4] },
  { name: 'leaky, static input with num_steps', neuron: 'Leaky', ctor: LK, step: [4, 5], static: true },
  { name: 'linear, initial spk/mem given (with grads)', neuron: 'RLeaky', ctor: LIN, step: [3, 5], init: true },
  {
    name: 'one-to-one, initial state given, reset_delay=false',
    neuron: 'RLeaky',
    ctor: { ...O2O, reset_delay: false },
    step: [3, 5],
    init: true,
  },
  { name: 'conv, initial state given', neuron: 'RLeaky', ctor: CONV, step: [2, 2, 4, 4], init: true },
  { name: 'leaky, initial mem given', neuron: 'Leaky', ctor: LK, step: [3, 5], init: true },
  {
    name: 'linear, per-neuron learnable beta/threshold',
    neuron: 'RLeaky',
    ctor: { ...LIN, beta: [0.9, 0.5, 1, 1.1, 0.7], threshold: [1, 0.8, 1.2, 1, 0.9] },
    step: [3, 5],
  },
  {
    name: 'conv, per-channel beta [C,1,1]',
    neuron: 'RLeaky',
    ctor: { ...CONV, beta: torch.tensor([[[0.8]], [[0.6]]]) },
    step: [2, 2, 4, 4],
  },
  {
    name: 'leaky, per-neuron beta/threshold, learnable graded spikes',
    neuron: 'Leaky',
    ctor: {
      ...LK,
      beta: [0.8, 0.95, 1, 1.1, 0.5],
      threshold: [1, 0.5, 1.5, 1, 0.7],
      graded_spikes_factor: 0.5,
      learn_graded_spikes_factor: true,
    },
    step: [3, 5],
  },
  {
    name: 'linear, fixed beta/threshold, learn_recurrent=false',
    neuron: 'RLeaky',
    ctor: { beta: 0.85, linear_features: 5, learn_recurrent: false },
    step: [3, 5],
  },
  {
    name: 'one-to-one scalar V, learn_recurrent=false',
    neuron: 'RLeaky',
    ctor: { beta: 0.9, V: 0.5, all_to_all: false, learn_recurrent: false, learn_beta: true },
    step: [3, 5],
  },
  { name: 'linear, grads on spikes only', neuron: 'RLeaky', ctor: LIN, step: [3, 5], up: 'spk' },
  { name: 'linear, grads on membranes only', neuron: 'RLeaky', ctor: LIN, step: [3, 5], up: 'mem' },
  { name: 'leaky, grads on membranes only', neuron: 'Leaky', ctor: LK, step: [3, 5], up: 'mem' },
  { name: 'leaky sigmoid, grads on membranes only', neuron: 'Leaky', ctor: { ...LK, spike_grad: ['sigmoid', 5] }, step: [3, 5], up: 'mem' },
  { name: 'leaky, grads on spikes only, reset_delay=false', neuron: 'Leaky', ctor: { ...LK, reset_delay: false }, step: [3, 5], up: 'spk' },
  { name: 'linear fast_sigmoid(25)', neuron: 'RLeaky', ctor: { ...LIN, spike_grad: ['fast_sigmoid', 25] }, step: [3, 5] },
  { name: 'linear sigmoid(5)', neuron: 'RLeaky', ctor: { ...LIN, spike_grad: ['sigmoid', 5] }, step: [3, 5] },
  { name: 'one-to-one triangular(0.5)', neuron: 'RLeaky', ctor: { ...O2O, spike_grad: ['triangular', 0.5] }, step: [3, 5] },
  {
    name: 'conv straight_through_estimator',
    neuron: 'RLeaky',
    ctor: { ...CONV, spike_grad: ['straight_through_estimator', 0] },
    step: [2, 2, 4, 4],
  },
  { name: 'leaky heaviside', neuron: 'Leaky', ctor: { ...LK, spike_grad: ['heaviside', 0] }, step: [3, 5] },
  { name: 'linear surrogate_disable', neuron: 'RLeaky', ctor: { ...LIN, surrogate_disable: true }, step: [3, 5] },
  {
    name: 'leaky surrogate_disable, learnable graded spikes',
    neuron: 'Leaky',
    ctor: { ...LK, surrogate_disable: true, graded_spikes_factor: 0.5, learn_graded_spikes_factor: true },
    step: [3, 5],
  },
  { name: 'linear float64', neuron: 'RLeaky', ctor: LIN, step: [3, 5], dtype: 'float64' },
  { name: 'linear, long sequence T=40', neuron: 'RLeaky', ctor: LIN, step: [6, 5], T: 40 },
  { name: 'linear T=1', neuron: 'RLeaky', ctor: LIN, step: [3, 5], T: 1 },
];

interface RunOut {
  S: torch.Tensor;
  M: torch.Tensor;
  next: [torch.Tensor, torch.Tensor];
  grads: Map<string, torch.Tensor | null>;
  native: boolean;
}

function runRand(c: RandCase, seq: boolean): RunOut {
  const T = c.T ?? 8;
  const dtype = c.dtype ?? 'float32';
  torch.manual_seed(7); // same recurrent weights in both runs
  const n = makeNeuron(c.neuron, c.ctor);
  if (dtype === 'float64') n.to({ dtype: 'float64' } as never);
  torch.manual_seed(11); // same data in both runs
  const xShape = c.static ? c.step : [T, ...c.step];
  const x = torch
    .randn(xShape, { dtype })
    .mul(c.scale ?? 0.8)
    .add(0.3)
    .requires_grad_(true);
  const spk0 = torch.rand(c.step, { dtype }).gt(0.5).to(dtype).requires_grad_(true);
  const mem0 = torch.randn(c.step, { dtype }).requires_grad_(true);
  const gS = torch.randn([T, ...c.step], { dtype });
  const gM = torch.randn([T, ...c.step], { dtype });
  const xNext = torch.randn(c.step, { dtype });
  const gNext = torch.randn(c.step, { dtype });
  const rl = n instanceof snn.RLeaky ? n : null;
  if (rl) rl.init_rleaky();
  else (n as snn.Leaky).init_leaky();
  let S: torch.Tensor;
  let M: torch.Tensor;
  let native = false;
  if (seq) {
    const o: { num_steps?: number; spk?: torch.Tensor; mem?: torch.Tensor } = {};
    if (c.static) o.num_steps = T;
    if (c.init) {
      o.mem = mem0;
      if (rl) o.spk = spk0;
    }
    [S, M] = rl ? rl.sequence(x, o) : (n as snn.Leaky).sequence(x, o);
    native = isNative(S, M);
  } else {
    const spks: torch.Tensor[] = [];
    const mems: torch.Tensor[] = [];
    for (let t = 0; t < T; t++) {
      const xt = c.static ? x : x.select(0, t);
      const first = t === 0 && c.init;
      const [s, m] = (
        rl ? rl.forward(xt, first ? spk0 : null, first ? mem0 : null) : (n as snn.Leaky).forward(xt, first ? mem0 : null)
      ) as [torch.Tensor, torch.Tensor];
      spks.push(s);
      mems.push(m);
    }
    S = torch.stack(spks);
    M = torch.stack(mems);
  }
  // One more step from the state the sequence left: it must continue the graph.
  const next = n.forward(xNext) as [torch.Tensor, torch.Tensor];
  const up = c.up ?? 'both';
  let loss = next[1].mul(gNext).sum();
  if (up !== 'mem') loss = loss.add(S.mul(gS).sum());
  if (up !== 'spk') loss = loss.add(M.mul(gM).sum());
  loss.backward();
  const grads = new Map<string, torch.Tensor | null>([['x', x.grad]]);
  if (c.init) {
    grads.set('mem0', mem0.grad);
    if (rl) grads.set('spk0', spk0.grad);
  }
  for (const [k, p] of n.named_parameters()) grads.set(k, p.grad);
  return { S, M, next, grads, native };
}

describe('snn sequence form vs the per-step loop (random inputs)', () => {
  for (const c of RAND) {
    it(c.name, () => {
      torch.tidy(() => {
        const ref = runRand(c, false);
        const seq = runRand(c, true);
        expect(seq.native, 'ran as one native node').to.equal(true);
        expectClose(seq.S, ref.S, 'spk record', EXACT);
        expectClose(seq.M, ref.M, 'mem record', EXACT);
        expectClose(seq.next[0], ref.next[0], 'next step spk', EXACT);
        expectClose(seq.next[1], ref.next[1], 'next step mem', EXACT);
        const spiking = (ref.S.sum().item() as number) > 0;
        if (c.neuron === 'RLeaky' || c.ctor.surrogate_disable !== true) expect(spiking, 'some spikes').to.equal(true);
        expect([...seq.grads.keys()]).to.deep.equal([...ref.grads.keys()]);
        for (const [k, g] of ref.grads) {
          const s = seq.grads.get(k)!;
          if (g === null) {
            expect(s, `grad ${k}`).to.equal(null);
            continue;
          }
          expectClose(s, g, `grad ${k}`, GRAD_TOL);
        }
      });
    });
  }

  it('leaves the state at the last step; init_rleaky() resets it', () => {
    torch.tidy(() => {
      const n = new snn.RLeaky({ beta: 0.9, linear_features: 4 });
      const x = torch.randn([5, 2, 4]);
      const [S, M] = n.sequence(x);
      expectClose(n.spk, S.select(0, 4), 'spk state', EXACT);
      expectClose(n.mem, M.select(0, 4), 'mem state', EXACT);
      const [s0, m0] = n.init_rleaky();
      expect(s0.abs().sum().item()).to.equal(0);
      expect(m0.abs().sum().item()).to.equal(0);
      expect(m0.shape).to.deep.equal([2, 4]);
    });
  });

  it('runs without an autograd node under no_grad', () => {
    torch.tidy(() => {
      const n = new snn.RLeaky({ beta: 0.9, linear_features: 4, learn_beta: true });
      const x = torch.randn([5, 2, 4], { requires_grad: true });
      const [S, M] = torch.no_grad(() => n.sequence(x));
      expect(S.requires_grad).to.equal(false);
      expect(M.grad_fn).to.equal(null);
      const ref = torch.no_grad(() => {
        n.init_rleaky();
        return n.sequence(x);
      });
      expectClose(M, ref[1], 'deterministic', EXACT);
    });
  });

  it('falls back to the loop for options the node does not cover (inhibition, state_quant, composed)', () => {
    torch.tidy(() => {
      const x = torch.randn([4, 2, 3]);
      const a = new snn.Leaky({ beta: 0.9, state_quant: (t: torch.Tensor) => t.clone() });
      const [, Ma] = a.sequence(x.requires_grad_(true));
      expect(Ma.grad_fn!.name()).to.not.include('SeqFn');
      const b = new snn.RLeaky({ beta: 0.9, linear_features: 3 });
      const [, Mb] = snn.with_step_impl('composed', () => b.sequence(x));
      expect(Mb.grad_fn!.name()).to.not.include('SeqFn');
      const prev = snn.config();
      snn.config({ sequence: 'loop' });
      try {
        const [, Mc] = b.sequence(x);
        expect(Mc.grad_fn!.name()).to.not.include('SeqFn');
      } finally {
        snn.config(prev);
      }
    });
  });
});

// ------------------------------------------------------------------ (3) the tutorial network

describe('tutorial network: Net.forward vs forwardSequence (native node and TS loop)', () => {
  // Same loss (rtol 1e-6) and gradients (rtol 1e-4 / atol 1e-6) with SF.mse_count_loss; spikes exact.
  function run(mode: 'step' | 'native' | 'loop'): { spk: torch.Tensor; loss: number; grads: Map<string, torch.Tensor> } {
    torch.manual_seed(3);
    const net = new Net({ num_steps: 10 });
    torch.manual_seed(4);
    const x = torch.rand([32, 784]);
    const labels = torch.randint(0, 10, [32]);
    const prev = snn.config();
    snn.config({ sequence: mode === 'native' ? 'native' : 'loop' });
    try {
      const [spk] = mode === 'step' ? net.forward(x) : forwardSequence(net, x);
      const loss = SF.mse_count_loss({ correct_rate: 0.8, incorrect_rate: 0.2 })(spk, labels);
      loss.backward();
      const grads = new Map<string, torch.Tensor>();
      for (const [k, p] of net.named_parameters()) grads.set(k, p.grad!.clone());
      return { spk, loss: loss.item() as number, grads };
    } finally {
      snn.config(prev);
    }
  }

  it('gives the same spikes, loss and gradients', () => {
    torch.tidy(() => {
      const ref = run('step');
      for (const mode of ['native', 'loop'] as const) {
        const r = run(mode);
        expectClose(r.spk, ref.spk, `${mode}: spk_rec`, EXACT);
        expect(r.loss, `${mode}: loss`).to.be.closeTo(ref.loss, 1e-6 * Math.abs(ref.loss));
        for (const [k, g] of ref.grads) expectClose(r.grads.get(k)!, g, `${mode}: grad ${k}`, { rtol: 1e-4, atol: 1e-6 });
      }
      expect(ref.spk.sum().item() as number).to.be.greaterThan(0);
    });
  });
});
