// Whole-sequence neuron runs, forward+backward: sequence() as one native node (BPTT in C++) vs the
// TypeScript loop of fused steps (snn.config({ sequence: 'loop' })), for Synaptic, RSynaptic,
// Lapicque and Alpha at [128,1024] over T = 10 and 25 steps, interleaved in one process; `speedup`
// is loop time over native time.
import { torch, snn } from '../../lib/index.js';
import { median, timeRuns } from './stats.js';

type SeqNeuron = snn.Synaptic | snn.RSynaptic | snn.Lapicque | snn.Alpha;

const CASES: { name: string; make: () => SeqNeuron }[] = [
  { name: 'Synaptic [128,1024]', make: () => new snn.Synaptic({ alpha: 0.8, beta: 0.9 }) },
  { name: 'RSynaptic [128,1024] one-to-one', make: () => new snn.RSynaptic({ alpha: 0.8, beta: 0.9, all_to_all: false, V: 0.5 }) },
  { name: 'RSynaptic [128,1024] linear', make: () => new snn.RSynaptic({ alpha: 0.8, beta: 0.9, linear_features: 1024 }) },
  { name: 'Lapicque [128,1024]', make: () => new snn.Lapicque({ beta: 0.9 }) },
  { name: 'Alpha [128,1024]', make: () => new snn.Alpha({ alpha: 0.9, beta: 0.8 }) },
];

/** sequence() from zero state, then backward from fixed upstream grads on the spike and membrane records. */
function run(n: SeqNeuron, x: torch.Tensor, gS: torch.Tensor, gM: torch.Tensor): void {
  torch.tidy(() => {
    n.reset_mem();
    const out = (n as snn.Synaptic).sequence(x);
    torch.autograd.grad([out[0]!, out[out.length - 1]!], [x], { grad_outputs: [gS, gM] });
  });
}

export function benchSequenceKernels(reps = 30): Record<string, string | number>[] {
  const rows: Record<string, string | number>[] = [];
  const prev = snn.config();
  try {
    for (const c of CASES) {
      const n = c.make();
      for (const T of [10, 25]) {
        const shape = [T, 128, 1024];
        const x = torch.rand(shape).mul(1.5).requires_grad_(true);
        const gS = torch.rand(shape);
        const gM = torch.rand(shape);
        const ms: Record<string, number[]> = { native: [], loop: [] };
        // Interleave the two implementations so machine noise hits both alike.
        for (let round = 0; round < 3; round++) {
          for (const impl of ['native', 'loop'] as const) {
            snn.config({ step: 'fused', sequence: impl });
            ms[impl]!.push(...timeRuns(() => run(n, x, gS, gM), Math.ceil(reps / 3), 1));
          }
        }
        const nat = median(ms.native!);
        const loop = median(ms.loop!);
        rows.push({ shape: c.name, steps: T, native_ms: nat, loop_ms: loop, speedup: loop / nat });
        for (const t of [x, gS, gM]) t.dispose();
      }
      n.dispose();
    }
  } finally {
    snn.config(prev);
  }
  return rows;
}
