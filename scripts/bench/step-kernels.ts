// Fused vs composed neuron steps: forward+backward of one step and of 10 steps (a step loop), for
// Leaky/RLeaky at several state shapes and for Synaptic, RSynaptic (one-to-one), Lapicque and Alpha
// at [128,1024], side by side in one process; `speedup` is composed time over fused time.
import { torch, snn } from '../../lib/index.js';
import { median, timeRuns } from './stats.js';

interface Shape {
  name: string;
  make: () => snn.RLeaky | snn.Leaky;
  input: number[];
}

// Leaky rows time the neuron step alone (elementwise: what fusion changes); RLeaky rows include the
// recurrent Linear/Conv2d, a LibTorch op on both paths.
const SHAPES: Shape[] = [
  { name: 'Leaky [128,128]', make: () => new snn.Leaky({ beta: 0.9 }), input: [128, 128] },
  { name: 'Leaky [128,1024]', make: () => new snn.Leaky({ beta: 0.9 }), input: [128, 1024] },
  { name: 'RLeaky [128,128]', make: () => new snn.RLeaky({ beta: 0.9, linear_features: 128 }), input: [128, 128] },
  { name: 'RLeaky [128,10]', make: () => new snn.RLeaky({ beta: 0.9, linear_features: 10 }), input: [128, 10] },
  { name: 'RLeaky [128,1024]', make: () => new snn.RLeaky({ beta: 0.9, linear_features: 1024 }), input: [128, 1024] },
  { name: 'RLeaky [128,1024] one-to-one', make: () => new snn.RLeaky({ beta: 0.9, all_to_all: false, V: 0.5 }), input: [128, 1024] },
  {
    name: 'RLeaky conv [32,8,16,16] k3',
    make: () => new snn.RLeaky({ beta: 0.9, conv2d_channels: 8, kernel_size: 3 }),
    input: [32, 8, 16, 16],
  },
];

/** Forward through `steps` steps, then backward from fixed upstream gradients on both records. */
function run(n: snn.RLeaky | snn.Leaky, x: torch.Tensor, steps: number, gS: torch.Tensor, gM: torch.Tensor): void {
  torch.tidy(() => {
    let [spk, mem] = n instanceof snn.RLeaky ? n.init_rleaky() : [null, n.init_leaky()];
    const spks: torch.Tensor[] = [];
    const mems: torch.Tensor[] = [];
    for (let t = 0; t < steps; t++) {
      [spk, mem] = (n instanceof snn.RLeaky ? n.forward(x, spk, mem) : n.forward(x, mem)) as [torch.Tensor, torch.Tensor];
      spks.push(spk!);
      mems.push(mem);
    }
    const outs = steps === 1 ? [spks[0]!, mems[0]!] : [torch.stack(spks), torch.stack(mems)];
    torch.autograd.grad(outs, [x], { grad_outputs: steps === 1 ? [gS.select(0, 0), gM.select(0, 0)] : [gS, gM] });
  });
}

/** A neuron with a generic fused kernel: its initial states and one step returning [spk, ...states]. */
type StatesNeuron = snn.Synaptic | snn.RSynaptic | snn.Lapicque | snn.Alpha;
interface StatesCase {
  name: string;
  make: () => StatesNeuron;
  init: (n: StatesNeuron) => torch.Tensor[];
  step: (n: StatesNeuron, x: torch.Tensor, st: torch.Tensor[]) => torch.Tensor[];
  /** How many of the step's outputs (from the front) are the next step's states. */
  carry: 'states' | 'all';
}

const STATE_CASES: StatesCase[] = [
  {
    name: 'Synaptic [128,1024]',
    make: () => new snn.Synaptic({ alpha: 0.8, beta: 0.9 }),
    carry: 'states',
    init: (n) => (n as snn.Synaptic).init_synaptic(),
    step: (n, x, st) => (n as snn.Synaptic).forward(x, st[0], st[1]) as torch.Tensor[],
  },
  {
    name: 'RSynaptic [128,1024] one-to-one',
    make: () => new snn.RSynaptic({ alpha: 0.8, beta: 0.9, all_to_all: false, V: 0.5 }),
    carry: 'all',
    init: (n) => (n as snn.RSynaptic).init_rsynaptic(),
    step: (n, x, st) => (n as snn.RSynaptic).forward(x, st[0], st[1], st[2]) as torch.Tensor[],
  },
  {
    name: 'Lapicque [128,1024]',
    make: () => new snn.Lapicque({ beta: 0.9 }),
    carry: 'states',
    init: (n) => [(n as snn.Lapicque).init_lapicque()],
    step: (n, x, st) => (n as snn.Lapicque).forward(x, st[0]) as torch.Tensor[],
  },
  {
    name: 'Alpha [128,1024]',
    make: () => new snn.Alpha({ alpha: 0.9, beta: 0.8 }),
    carry: 'states',
    init: (n) => (n as snn.Alpha).init_alpha(),
    step: (n, x, st) => (n as snn.Alpha).forward(x, st[0], st[1], st[2]) as torch.Tensor[],
  },
];

/** As run(), for a StatesCase: upstream grads on the spike and the membrane records. */
function runStates(
  c: StatesCase,
  n: ReturnType<StatesCase['make']>,
  x: torch.Tensor,
  steps: number,
  gS: torch.Tensor,
  gM: torch.Tensor,
): void {
  torch.tidy(() => {
    let st = c.init(n);
    const spks: torch.Tensor[] = [];
    const mems: torch.Tensor[] = [];
    for (let t = 0; t < steps; t++) {
      const out = c.step(n, x, st);
      st = c.carry === 'all' ? out : out.slice(1);
      spks.push(out[0]!);
      mems.push(out[out.length - 1]!);
    }
    const outs = steps === 1 ? [spks[0]!, mems[0]!] : [torch.stack(spks), torch.stack(mems)];
    torch.autograd.grad(outs, [x], { grad_outputs: steps === 1 ? [gS.select(0, 0), gM.select(0, 0)] : [gS, gM] });
  });
}

export function benchStepKernels(reps = 30, which: 'all' | 'leaky' = 'all'): Record<string, string | number>[] {
  const rows: Record<string, string | number>[] = [];
  for (const shape of SHAPES) {
    const n = shape.make();
    const x = torch.rand(shape.input).mul(1.5).requires_grad_(true);
    const gS = torch.rand([10, ...shape.input]);
    const gM = torch.rand([10, ...shape.input]);
    for (const steps of [1, 10]) {
      const ms: Record<string, number[]> = { fused: [], composed: [] };
      // Interleave the two implementations so machine noise hits both alike.
      for (let round = 0; round < 3; round++) {
        for (const impl of ['fused', 'composed'] as const) {
          ms[impl]!.push(...snn.with_step_impl(impl, () => timeRuns(() => run(n, x, steps, gS, gM), Math.ceil(reps / 3), 2)));
        }
      }
      const f = median(ms.fused!);
      const c = median(ms.composed!);
      rows.push({ shape: shape.name, steps, fused_ms: f, composed_ms: c, speedup: c / f });
    }
    n.dispose();
    for (const t of [x, gS, gM]) t.dispose();
  }
  if (which === 'leaky') return rows;
  for (const c of STATE_CASES) {
    const n = c.make();
    const shape = [128, 1024];
    const x = torch.rand(shape).mul(1.5).requires_grad_(true);
    const gS = torch.rand([10, ...shape]);
    const gM = torch.rand([10, ...shape]);
    for (const steps of [1, 10]) {
      const ms: Record<string, number[]> = { fused: [], composed: [] };
      for (let round = 0; round < 3; round++) {
        for (const impl of ['fused', 'composed'] as const) {
          ms[impl]!.push(...snn.with_step_impl(impl, () => timeRuns(() => runStates(c, n, x, steps, gS, gM), Math.ceil(reps / 3), 2)));
        }
      }
      const f = median(ms.fused!);
      const co = median(ms.composed!);
      rows.push({ shape: c.name, steps, fused_ms: f, composed_ms: co, speedup: co / f });
    }
    n.dispose();
    for (const t of [x, gS, gM]) t.dispose();
  }
  return rows;
}
