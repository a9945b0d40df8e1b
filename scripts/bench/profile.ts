// One training batch of the sequence engine, stage by stage (median ms): what bounds the time.
import { torch, optim, SF } from '../../lib/index.js';
import { Net } from '../../examples/models/tutorial-net.js';
import { median } from './stats.js';

export function profileSequenceBatch(iterations = 150, warmup = 30): Record<string, string | number>[] {
  torch.manual_seed(0);
  const net = new Net();
  const opt = new optim.Adam(net.parameters(), { lr: 1e-3, fused: true }); // as the training CLI's sequence engine
  const plain = new optim.Adam(net.parameters(), { lr: 1e-3 }); // timed apart, for comparison
  const loss_fn = SF.mse_count_loss({ correct_rate: 0.8, incorrect_rate: 0.2 });
  const x = torch.rand(128, 784);
  const y = torch.randint(0, 10, [128]);
  const stages: Record<string, number[]> = {};
  const mark = (k: string, v: number) => (stages[k] ??= []).push(v);
  let cpu0 = process.cpuUsage();
  let plainCpu = 0;
  for (let i = 0; i < warmup + iterations; i++) {
    if (i === warmup) cpu0 = process.cpuUsage();
    torch.tidy(() => {
      const t0 = performance.now();
      net.rlif1.init_rleaky();
      net.rlif2.init_rleaky();
      const cur1 = net.fc1.forward(x);
      const t1 = performance.now();
      const [spk1] = net.rlif1.sequence(cur1, { num_steps: net.num_steps });
      const t2 = performance.now();
      const cur2 = net.fc2.forward(spk1);
      const t3 = performance.now();
      const [spk2] = net.rlif2.sequence(cur2);
      const t4 = performance.now();
      const loss = loss_fn(spk2, y);
      const t5 = performance.now();
      opt.zero_grad();
      loss.backward();
      const t6 = performance.now();
      opt.step();
      const t7 = performance.now();
      // The default (unfused) Adam on the same grads, outside the batch's total and CPU time.
      const c7 = process.cpuUsage();
      plain.step();
      const t8 = performance.now();
      const c8 = process.cpuUsage(c7);
      if (i >= warmup) plainCpu += c8.user + c8.system;
      if (i < warmup) return;
      mark('fc1 (once per image)', t1 - t0);
      mark('rlif1.sequence (10 steps)', t2 - t1);
      mark('fc2 (one matmul over T*B)', t3 - t2);
      mark('rlif2.sequence (10 steps)', t4 - t3);
      mark('mse_count_loss', t5 - t4);
      mark('backward (all layers)', t6 - t5);
      mark('Adam step (fused: true)', t7 - t6);
      mark('total', t7 - t0);
      mark('for comparison, not in total: Adam step (fused: false)', t8 - t7);
    });
  }
  const cpu = process.cpuUsage(cpu0);
  opt.dispose();
  plain.dispose();
  net.dispose();
  const rows: Record<string, string | number>[] = Object.entries(stages).map(([stage, v]) => ({
    stage,
    ms: median(v),
    min_ms: Math.min(...v),
  }));
  // CPU time per batch (user + system of the whole process over all iterations): on a shared
  // machine, preemption inflates wall-clock totals but not the CPU time the batch itself used.
  rows.push({ stage: 'total, CPU time per batch', ms: (cpu.user + cpu.system - plainCpu) / 1000 / iterations, min_ms: '' });
  return rows;
}
