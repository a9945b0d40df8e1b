// Fused vs composed neuron steps: forward+backward of one RLeaky step and of a 10-step sequence,
// for several state shapes, side by side in one process (issue: fused >= 3x composed on [128,1024]).
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
  { name: 'RLeaky conv [32,8,16,16] k3', make: () => new snn.RLeaky({ beta: 0.9, conv2d_channels: 8, kernel_size: 3 }), input: [32, 8, 16, 16] },
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

export function benchStepKernels(reps = 30): Record<string, string | number>[] {
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
  return rows;
}
