// The fused neuron step on CUDA (native/kernels/fused_neuron_cuda.cu): every Leaky/RLeaky fixture
// case on the GPU's fused kernel against the CPU's fused kernel and against snnTorch 0.9.4's golden
// values, 16-bit smoke tests, the other neurons on the same kernel (Synaptic, RSynaptic, Lapicque,
// Alpha) against the CPU's composed step, state placement, and a short training run on the GPU.
// Skipped, saying why, where CUDA is not available (a CPU LibTorch build, or no GPU).
//
// Tolerances: spikes exact everywhere. GPU fused vs CPU fused: the element maths are the same
// functions compiled without FMA contraction, so Leaky and one-to-one RLeaky forward values are
// bit-identical; with a Linear/Conv2d feedback the recurrent op is cuBLAS/cuDNN (a different
// summation order), so membranes get rtol 1e-5 / atol 1e-6 and grads rtol 1e-4 / atol 1e-5 as in
// snn_parity. cuDNN convolutions default to TF32 (as in PyTorch), so the Conv2d feedback cases get
// TF32's tolerances (rtol 2e-2 / atol 2e-3, grads 5e-2 / 5e-3); their fixtures keep every membrane
// at least 2.8e-3 from the threshold, so spikes must still match exactly.
import { expect } from 'chai';
import { torch, snn, optim, SF, data } from '../lib/index.js';
import { Net } from '../examples/models/tutorial-net.js';
import type { FixtureTensor } from './fixture_tensors.js';
import { expectClose, expectExact, fixtureTensor } from './assert_close.js';
import { loadNeuronCases, makeNeuron, tensorsByName, MEM_TOL, GRAD_TOL, NEURON_FIXTURE_FILES, type NeuronCase } from './neuron_fixtures.js';

const CUDA = torch.cuda.is_available();
const TF32_MEM_TOL = { rtol: 2e-2, atol: 2e-3 };
const TF32_GRAD_TOL = { rtol: 5e-2, atol: 5e-3 };

/** Prints why and skips the suite where this build or machine has no CUDA. */
function requireCuda(ctx: Mocha.Context): void {
  if (CUDA) return;
  const c = torch.__config__();
  const why = c.cuda_compiled
    ? 'this build has CUDA but no CUDA device is available'
    : `this build uses LibTorch ${c.libtorch_version} without CUDA (scripts/gpu-check.sh builds and runs these on a GPU machine)`;
  console.log(`      CUDA tests skipped: ${why}`);
  ctx.skip();
}

interface Outcome {
  spk: torch.Tensor; // [T, ...] on the CPU
  mem: torch.Tensor;
  loss: number;
  grads: Map<string, torch.Tensor>; // on the CPU
}

/** Runs a fixture case with the fused step on `device`; returns CPU copies of everything. */
function runCase(c: NeuronCase, device: 'cpu' | 'cuda'): Outcome {
  const neuron = makeNeuron(c.neuron, c.ctor);
  const tensors = tensorsByName(neuron);
  torch.no_grad(() => {
    for (const [k, v] of Object.entries({ ...c.parameters, ...(c.buffers ?? {}) })) tensors.get(k)!.copy_(fixtureTensor(v));
  });
  neuron.to(device);
  const onDev = (t: FixtureTensor): torch.Tensor => fixtureTensor(t).to(device);
  const leaf = (t: FixtureTensor): torch.Tensor => onDev(t).detach().requires_grad_(true);
  const x = leaf(c.x);
  let spk: torch.Tensor | null = null;
  let mem: torch.Tensor;
  let initSpk: torch.Tensor | null = null;
  let initMem: torch.Tensor | null = null;
  if (typeof c.initial_state === 'string') {
    if (neuron instanceof snn.RLeaky) [spk, mem] = neuron.init_rleaky();
    else mem = neuron.init_leaky();
  } else {
    initMem = leaf(c.initial_state.mem);
    mem = initMem;
    if (c.initial_state.spk) spk = initSpk = leaf(c.initial_state.spk);
  }
  const spks: torch.Tensor[] = [];
  const mems: torch.Tensor[] = [];
  for (let t = 0; t < c.T; t++) {
    const xt = x.select(0, t);
    if (neuron instanceof snn.RLeaky) [spk, mem] = neuron.forward(xt, spk, mem) as [torch.Tensor, torch.Tensor];
    else [spk, mem] = neuron.forward(xt, mem) as [torch.Tensor, torch.Tensor];
    expect(spk!.device, `${c.name}: spk device`).to.match(new RegExp(`^${device}`));
    expect(mem.device, `${c.name}: mem device`).to.match(new RegExp(`^${device}`));
    spks.push(spk!);
    mems.push(mem);
  }
  const S = torch.stack(spks);
  const M = torch.stack(mems);
  const lossT = S.mul(onDev(c.g_spk))
    .sum()
    .add(M.mul(onDev(c.g_mem)).sum());
  lossT.backward();
  const grads = new Map<string, torch.Tensor>();
  for (const k of Object.keys(c.grad)) {
    const src = k === 'x' ? x : k === 'init_spk' ? initSpk : k === 'init_mem' ? initMem : tensors.get(k)!;
    const g = src?.grad ?? null;
    expect(g, `${c.name}: grad ${k} missing on ${device}`).to.not.equal(null);
    expect(g!.device, `${c.name}: grad ${k} device`).to.match(new RegExp(`^${device}`));
    grads.set(k, g!.cpu());
  }
  return { spk: S.cpu(), mem: M.cpu(), loss: lossT.item(), grads };
}

/** Bitwise equality of two float tensors (NaN payloads included), naming the first difference. */
function expectBitEqual(a: torch.Tensor, b: torch.Tensor, what: string): void {
  expect(a.shape, `${what}: shape`).to.deep.equal(b.shape);
  const x = new Uint32Array((a.float().cpu().data() as Float32Array).slice().buffer);
  const y = new Uint32Array((b.float().cpu().data() as Float32Array).slice().buffer);
  for (let i = 0; i < x.length; i++) {
    if (x[i] !== y[i]) {
      const fx = new Float32Array(x.buffer)[i];
      const fy = new Float32Array(y.buffer)[i];
      expect.fail(`${what}: element ${i} differs: ${fx} vs ${fy}`);
    }
  }
}

describe('snn fused step on CUDA: GPU fused vs CPU fused vs snnTorch 0.9.4 fixtures', function () {
  before(function () {
    requireCuda(this);
    snn.set_step_impl('fused');
  });
  for (const file of NEURON_FIXTURE_FILES) {
    for (const c of loadNeuronCases(file)) {
      it(`${file}: ${c.name}`, () => {
        torch.tidy(() => {
          const conv = c.ctor.conv2d_channels != null;
          const elementwise = c.neuron === 'Leaky' || c.ctor.all_to_all === false;
          const memTol = conv ? TF32_MEM_TOL : MEM_TOL;
          const gradTol = conv ? TF32_GRAD_TOL : GRAD_TOL;
          const gpu = runCase(c, 'cuda');
          const cpu = runCase(c, 'cpu');
          // against snnTorch
          expectExact(gpu.spk, c.spk, `${c.name}: GPU spk vs fixture`);
          expectClose(gpu.mem, c.mem, `${c.name}: GPU mem vs fixture`, memTol);
          expect(gpu.loss, `${c.name}: GPU loss`).to.be.closeTo(c.loss, (conv ? 1e-3 : 1e-5) * Math.abs(c.loss) + 1e-5);
          for (const [k, g] of Object.entries(c.grad)) expectClose(gpu.grads.get(k)!, g, `${c.name}: GPU grad ${k} vs fixture`, gradTol);
          // against the CPU's fused kernel
          expectBitEqual(gpu.spk, cpu.spk, `${c.name}: GPU spk vs CPU fused`);
          if (elementwise) expectBitEqual(gpu.mem, cpu.mem, `${c.name}: GPU mem vs CPU fused (bit-identical)`);
          else expectClose(gpu.mem, cpu.mem, `${c.name}: GPU mem vs CPU fused`, memTol);
          for (const [k, g] of gpu.grads) expectClose(g, cpu.grads.get(k)!, `${c.name}: GPU grad ${k} vs CPU fused`, gradTol);
        });
      });
    }
  }
});

describe('snn fused step on CUDA: float16 / bfloat16', function () {
  before(function () {
    requireCuda(this);
  });
  for (const dtype of ['float16', 'bfloat16'] as const) {
    for (const kind of ['Leaky', 'RLeaky'] as const) {
      it(`${kind} in ${dtype}: forward equals the CPU's (float maths, one rounding), backward runs with close grads`, () => {
        torch.tidy(() => {
          torch.manual_seed(7);
          const shape = [64, 300];
          const x32 = torch.rand(shape).mul(1.2);
          const u32 = torch.rand(shape);
          const s32 = torch.rand(shape).gt(0.7).float();
          const gS32 = torch.randn(shape);
          const gM32 = torch.randn(shape);
          const run = (device: 'cpu' | 'cuda') => {
            const n =
              kind === 'Leaky'
                ? new snn.Leaky({ beta: 0.9, learn_beta: true, learn_threshold: true })
                : new snn.RLeaky({ beta: 0.9, all_to_all: false, V: 0.5, learn_beta: true, learn_threshold: true });
            n.to(device);
            const x = x32.to({ device, dtype }).requires_grad_(true);
            const u = u32.to({ device, dtype }).requires_grad_(true);
            const s = s32.to({ device, dtype });
            const [spk, mem] = (n instanceof snn.RLeaky ? n.forward(x, s, u) : n.forward(x, u)) as [torch.Tensor, torch.Tensor];
            expect(spk.dtype).to.equal(dtype);
            expect(mem.dtype).to.equal(dtype);
            expect(spk.device).to.match(new RegExp(`^${device}`));
            torch.autograd.backward([spk, mem], [gS32.to({ device, dtype }), gM32.to({ device, dtype })]);
            const beta = n.beta;
            const th = n.threshold;
            expect(x.grad!.dtype).to.equal(dtype);
            return { spk: spk.cpu(), mem: mem.cpu(), gx: x.grad!.cpu(), gu: u.grad!.cpu(), gbeta: beta.grad!.cpu(), gth: th.grad!.cpu() };
          };
          const g = run('cuda');
          const c = run('cpu');
          expectBitEqual(g.spk, c.spk, `${dtype} spk`);
          expectBitEqual(g.mem, c.mem, `${dtype} mem`);
          // The CPU path keeps the unrounded float membrane for backward; the GPU keeps the 16-bit one.
          const tol = { rtol: 5e-2, atol: 2e-2 };
          expectClose(g.gx.float(), c.gx.float(), `${dtype} grad x`, tol);
          expectClose(g.gu.float(), c.gu.float(), `${dtype} grad mem`, tol);
          const rel = (a: torch.Tensor, b: torch.Tensor) => Math.abs(a.item() - b.item()) / (Math.abs(b.item()) + 1);
          expect(rel(g.gbeta, c.gbeta), `${dtype} grad beta`).to.be.below(5e-2);
          expect(rel(g.gth, c.gth), `${dtype} grad threshold`).to.be.below(5e-2);
        });
      });
    }
  }
});

type GenericKind = 'Synaptic' | 'RSynaptic' | 'Lapicque' | 'Alpha';
type GenericNeuron = snn.Synaptic | snn.RSynaptic | snn.Lapicque | snn.Alpha;

/** 4 steps of a neuron with a generic fused kernel on `device` under step `impl`, from nonzero states;
 * returns CPU copies of every output, the grads of x, the initial states and the learnable
 * parameters, and the grad_fn names of the last state. */
function runGeneric(kind: GenericKind, opts: Record<string, unknown>, device: 'cpu' | 'cuda', impl: 'fused' | 'composed') {
  return snn.with_step_impl(impl, () =>
    torch.tidy(() => {
      torch.manual_seed(11);
      const x = torch.randn([4, 8, 33]).mul(1.2).to(device).requires_grad_(true);
      const n: GenericNeuron =
        kind === 'Synaptic'
          ? new snn.Synaptic(opts as unknown as snn.SynapticOptions)
          : kind === 'RSynaptic'
            ? new snn.RSynaptic(opts as unknown as snn.RSynapticOptions)
            : kind === 'Alpha'
              ? new snn.Alpha(opts as unknown as snn.AlphaOptions)
              : new snn.Lapicque(opts as unknown as snn.LapicqueOptions);
      n.to(device);
      const nstates = kind === 'Lapicque' ? 1 : kind === 'Synaptic' ? 2 : 3;
      const init = Array.from({ length: nstates }, (_, i) =>
        (kind === 'RSynaptic' && i === 0 ? torch.rand([8, 33]).gt(0.5).float() : torch.randn([8, 33]).mul(0.8))
          .to(device)
          .requires_grad_(true),
      );
      let st = init;
      const outs: torch.Tensor[] = [];
      const fns: string[] = [];
      for (let t = 0; t < 4; t++) {
        const xt = x.select(0, t);
        const out = (
          kind === 'Lapicque'
            ? (n as snn.Lapicque).forward(xt, st[0])
            : kind === 'Synaptic'
              ? (n as snn.Synaptic).forward(xt, st[0], st[1])
              : kind === 'Alpha'
                ? (n as snn.Alpha).forward(xt, st[0], st[1], st[2])
                : (n as snn.RSynaptic).forward(xt, st[0], st[1], st[2])
        ) as torch.Tensor[];
        for (const o of out) expect(o.device).to.match(new RegExp(`^${device}`));
        st = kind === 'RSynaptic' ? out : out.slice(1);
        fns.push(out[out.length - 1]!.grad_fn?.name() ?? '');
        outs.push(...out);
      }
      let loss = torch.zeros([], { device });
      outs.forEach((o, i) => {
        loss = loss.add(o.mul(1 + 0.1 * i).sum());
      });
      const params = [...n.parameters()].filter((q) => q.requires_grad);
      const grads = torch.autograd.grad(loss, [x, ...init, ...params], { allow_unused: true });
      return { outs: outs.map((o) => o.cpu()), grads: grads.map((g) => (g ? g.cpu() : null)), fns };
    }),
  );
}

describe('snn generic fused step on CUDA (Synaptic, RSynaptic, Lapicque, Alpha): GPU fused vs CPU composed', function () {
  before(function () {
    requireCuda(this);
  });
  const cases: [GenericKind, Record<string, unknown>][] = [];
  for (const reset_mechanism of ['subtract', 'zero', 'none'] as const) {
    for (const reset_delay of [true, false]) {
      const learn = { learn_alpha: true, learn_beta: true, learn_threshold: true };
      cases.push(['Synaptic', { alpha: 0.85, beta: 0.7, threshold: 0.6, reset_mechanism, reset_delay, ...learn }]);
      cases.push(['RSynaptic', { alpha: 0.85, beta: 0.7, threshold: 0.6, reset_mechanism, reset_delay, all_to_all: false, V: 0.4 }]);
    }
    cases.push(['Lapicque', { beta: 0.8, threshold: 0.6, reset_mechanism, learn_threshold: true }]);
    cases.push([
      'Alpha',
      { alpha: 0.85, beta: 0.6, threshold: 0.6, reset_mechanism, learn_alpha: true, learn_beta: true, learn_threshold: true },
    ]);
  }
  cases.push([
    'Synaptic',
    { alpha: torch.linspace(0.5, 1.1, 33), beta: torch.linspace(-0.1, 0.95, 33), learn_alpha: true, learn_beta: true },
  ]);
  cases.push(['Alpha', { alpha: torch.linspace(0.8, 1.2, 33), beta: torch.linspace(0.1, 0.7, 33), learn_alpha: true, learn_beta: true }]);
  cases.push(['Alpha', { alpha: 0.9, beta: 0.7, spike_grad: snn.surrogate.fast_sigmoid(), learn_beta: true }]);
  for (const [kind, opts] of cases) {
    it(`${kind} ${JSON.stringify(opts, (_k, v: unknown) => (v instanceof torch.Tensor ? `tensor${JSON.stringify(v.shape)}` : v))}`, () => {
      const g = runGeneric(kind, opts, 'cuda', 'fused');
      const c = runGeneric(kind, opts, 'cpu', 'composed');
      expect(
        g.fns.every((f) => /StepFn/.test(f)),
        `GPU fused grad_fn: ${g.fns[0]}`,
      ).to.equal(true);
      const per = g.outs.length / 4;
      g.outs.forEach((o, i) => {
        if (i % per === 0) expect(o.sub(c.outs[i]!).abs().max().item(), `spike ${i}`).to.equal(0);
        else expectClose(o, c.outs[i]!, `state ${i}`, MEM_TOL);
      });
      g.grads.forEach((gr, i) => {
        const e = c.grads[i];
        if (!e) return expect(gr === null || gr.abs().max().item() === 0, `grad ${i} unused on composed`).to.equal(true);
        expectClose(gr!, e, `grad ${i}`, GRAD_TOL);
      });
    });
  }
  for (const dtype of ['float16', 'bfloat16'] as const) {
    it(`Synaptic and Alpha in ${dtype} run the CUDA kernel and keep the dtype`, () => {
      torch.tidy(() => {
        for (const n of [new snn.Synaptic({ alpha: 0.9, beta: 0.8, learn_beta: true }), new snn.Alpha({ alpha: 0.9, beta: 0.8 })]) {
          n.to('cuda');
          const x = torch.rand([16, 40], { device: 'cuda', dtype }).requires_grad_(true);
          const out = n.forward(x) as torch.Tensor[];
          for (const o of out) expect(o.dtype).to.equal(dtype);
          expect(out[out.length - 1]!.grad_fn?.name() ?? '').to.match(/StepFn/);
          out[0]!
            .sum()
            .add(out[out.length - 1]!.sum())
            .backward();
          expect(x.grad!.dtype).to.equal(dtype);
        }
      });
    });
  }
});

describe('snn on CUDA: where state lives', function () {
  before(function () {
    requireCuda(this);
  });
  it('init_rleaky() on a module moved with .to("cuda") gives CUDA state, and forward keeps it there', () => {
    torch.tidy(() => {
      const n = new snn.RLeaky({ beta: 0.9, linear_features: 16 }).to('cuda');
      const [s0, m0] = n.init_rleaky();
      expect(s0.device).to.match(/^cuda/);
      expect(m0.device).to.match(/^cuda/);
      const x = torch.rand([4, 16], { device: 'cuda' });
      let [s, m] = n.forward(x, s0, m0) as [torch.Tensor, torch.Tensor];
      [s, m] = n.forward(x, s, m) as [torch.Tensor, torch.Tensor];
      expect(s.device).to.match(/^cuda/);
      expect(m.device).to.match(/^cuda/);
      expect(n.spk.device).to.match(/^cuda/);
      expect(n.mem.device).to.match(/^cuda/);
    });
  });
  it('state created by init_rleaky()/init_leaky() follows the input to CUDA (module left on the CPU)', () => {
    torch.tidy(() => {
      const x = torch.rand([4, 16], { device: 'cuda' });
      const r = new snn.RLeaky({ beta: 0.9, all_to_all: false, V: 0.5 });
      const [s0, m0] = r.init_rleaky();
      const [s, m] = r.forward(x, s0, m0) as [torch.Tensor, torch.Tensor];
      expect(s.device).to.match(/^cuda/);
      expect(m.device).to.match(/^cuda/);
      const l = new snn.Leaky({ beta: 0.9 });
      const [ls, lm] = l.forward(x, l.init_leaky()) as [torch.Tensor, torch.Tensor];
      expect(ls.device).to.match(/^cuda/);
      expect(lm.device).to.match(/^cuda/);
    });
  });
  it('a module moved back with .to("cpu") runs on the CPU again', () => {
    torch.tidy(() => {
      const n = new snn.RLeaky({ beta: 0.9, linear_features: 8 }).to('cuda');
      n.forward(torch.rand([2, 8], { device: 'cuda' }), null, null);
      n.to('cpu');
      const [s, m] = n.forward(torch.rand([2, 8]), null, null) as [torch.Tensor, torch.Tensor];
      expect(s.device).to.equal('cpu');
      expect(m.device).to.equal('cpu');
    });
  });
});

describe('snn on CUDA: training', function () {
  this.timeout(240000);
  before(function () {
    requireCuda(this);
  });
  it('the tutorial network trained on MNIST with --device cuda lowers the loss (fused step)', async () => {
    torch.manual_seed(0);
    const ds = new data.datasets.MNIST({ train: true, transform: data.transforms.Compose([data.transforms.ToTensor()]) }).to('cuda');
    const sub = ds.subset(128 * 40);
    const loader = new data.DataLoader(sub, { batch_size: 128, shuffle: true, drop_last: true, seed: 0 });
    const net = new Net({ num_hidden: 128, beta: 0.9, num_steps: 10 }).to('cuda');
    const opt = new optim.Adam(net.parameters(), { lr: 2e-3 });
    const loss_fn = SF.mse_count_loss({ correct_rate: 0.8, incorrect_rate: 0.2 });
    const losses: number[] = [];
    for (let epoch = 0; epoch < 2; epoch++) {
      for (const [x, y] of loader) {
        const l = torch.tidy(() => {
          const [spk] = net.forward(x.view(x.size(0), -1));
          expect(spk.device).to.match(/^cuda/);
          const loss = loss_fn(spk, y);
          opt.zero_grad();
          loss.backward();
          opt.step();
          return loss.item();
        });
        losses.push(l);
        x.dispose();
        y.dispose();
      }
    }
    for (const p of net.parameters()) expect(p.device).to.match(/^cuda/);
    const head = losses.slice(0, 5).reduce((a, b) => a + b, 0) / 5;
    const tail = losses.slice(-5).reduce((a, b) => a + b, 0) / 5;
    console.log(`      loss ${head.toFixed(4)} (first 5 batches) -> ${tail.toFixed(4)} (last 5 of ${losses.length})`);
    expect(losses.every(Number.isFinite)).to.equal(true);
    expect(tail).to.be.below(head * 0.9);
    opt.dispose();
    net.dispose();
  });
  it("scripts/train-mnist.ts train() runs with device 'cuda' for both engines", async () => {
    const { train } = await import('../scripts/train-mnist.js');
    for (const engine of ['step', 'sequence'] as const) {
      const r = await train({
        epochs: 1,
        batch_size: 128,
        hidden: 128,
        num_steps: 10,
        beta: 0.9,
        lr: 1e-3,
        seed: 0,
        threads: 1,
        device: 'cuda',
        dataset: 'mnist',
        limit: 128 * 20,
        loss: 'count',
        engine,
        save: null,
        resume: null,
        report: null,
        progress: false,
      });
      expect(r.accuracy, `${engine}: accuracy`).to.be.within(0, 1);
      expect(r.accuracy, `${engine}: accuracy above chance after 20 batches`).to.be.above(0.15);
    }
  });
});
