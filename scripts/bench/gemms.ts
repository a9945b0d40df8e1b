// The GEMMs of one sequence-engine training batch of the tutorial network, timed alone (no_grad,
// same shapes and transposes as the engine's forward and backward): the floor the batch is measured
// against. B=128, T=10, 784 -> 128 (RLeaky, 128x128 recurrent) -> 10 (RLeaky, 10x10 recurrent).
import { torch } from '../../lib/index.js';
import { median } from './stats.js';

interface Gemm {
  name: string;
  a: torch.Tensor;
  b: torch.Tensor;
  times: number;
}

export function gemmsAlone(
  iterations = 150,
  warmup = 30,
): { ms: number; min_ms: number; cpu_ms: number; mflop: number; gflops: number; rows: Record<string, string | number>[] } {
  const B = 128,
    T = 10,
    I = 784,
    H = 128,
    O = 10;
  return torch.no_grad(() => {
    const r = (...s: number[]) => torch.rand(s);
    const list: Gemm[] = [
      { name: 'fc1 forward  [B,I]x[I,H]', a: r(B, I), b: r(H, I).t(), times: 1 },
      { name: 'fc1 dW       [H,B]x[B,I]', a: r(B, H).t(), b: r(B, I), times: 1 },
      { name: 'rlif1 V fwd  [B,H]x[H,H] per step', a: r(B, H), b: r(H, H).t(), times: T },
      { name: 'rlif1 V dX   [B,H]x[H,H] per step', a: r(B, H), b: r(H, H), times: T },
      { name: 'rlif1 dV     [H,TB]x[TB,H]', a: r(T * B, H).t(), b: r(T * B, H), times: 1 },
      { name: 'fc2 forward  [TB,H]x[H,O]', a: r(T * B, H), b: r(O, H).t(), times: 1 },
      { name: 'fc2 dX       [TB,O]x[O,H]', a: r(T * B, O), b: r(O, H), times: 1 },
      { name: 'fc2 dW       [O,TB]x[TB,H]', a: r(T * B, O).t(), b: r(T * B, H), times: 1 },
      { name: 'rlif2 V fwd+dX [B,O]x[O,O] per step', a: r(B, O), b: r(O, O), times: 2 * T },
      { name: 'rlif2 dV     [O,TB]x[TB,O]', a: r(T * B, O).t(), b: r(T * B, O), times: 1 },
    ];
    const per: number[][] = list.map(() => []);
    const total: number[] = [];
    let cpu0 = process.cpuUsage();
    for (let i = 0; i < warmup + iterations; i++) {
      if (i === warmup) cpu0 = process.cpuUsage();
      const t0 = performance.now();
      list.forEach((g, k) => {
        const s = performance.now();
        for (let j = 0; j < g.times; j++) g.a.mm(g.b).dispose();
        if (i >= warmup) per[k]!.push(performance.now() - s);
      });
      if (i >= warmup) total.push(performance.now() - t0);
    }
    const cpu = process.cpuUsage(cpu0);
    let flop = 0;
    const rows = list.map((g, k) => {
      const f = 2 * g.a.shape[0]! * g.a.shape[1]! * g.b.shape[1]! * g.times;
      flop += f;
      return { gemm: g.name, calls: g.times, mflop: f / 1e6, ms: median(per[k]!), min_ms: Math.min(...per[k]!) };
    });
    for (const g of list) {
      g.a.dispose();
      g.b.dispose();
    }
    const ms = median(total);
    return {
      ms,
      min_ms: Math.min(...total),
      cpu_ms: (cpu.user + cpu.system) / 1000 / iterations,
      mflop: flop / 1e6,
      gflops: flop / 1e6 / ms,
      rows,
    };
  });
}
