// snnTorch tutorial 2, "The Leaky Integrate-and-Fire Neuron": the Lapicque neuron driven by a
// step current, firing and reset, then snn.Leaky and its reset mechanisms. Plots the traces.
// (The tutorial hand-writes leaky_integrate_and_fire first; snn.Lapicque gives the same numbers.)
import { join } from 'node:path';
import { torch, snn, spikeplot } from '../lib/index.js';
import { parseExampleArgs, check, checkFile, result } from './common.js';

const args = parseExampleArgs('tutorial_2');
const num_steps = args.quick ? 100 : 200;

// 3.2 The Lapicque neuron without a stimulus: the membrane decays from U0 = 0.9
const time_step = 1e-3;
const R = 5;
const C = 1e-3;
const lif1 = new snn.Lapicque({ R, C, time_step });
let mem = torch.ones([1]).mul(0.9); // U=0.9 at t=0
const cur_in0 = torch.zeros([num_steps, 1]);
const mem_rec: torch.Tensor[] = [mem];
for (let step = 0; step < num_steps; step++) {
  [, mem] = lif1.forward(cur_in0.select(0, step), mem) as [torch.Tensor, torch.Tensor];
  mem_rec.push(mem);
}
const decay = torch.stack(mem_rec);
// U(t+dt) = U(t) * (1 - dt/(RC)) with dt/(RC) = 0.2
check(Math.abs(decay.select(0, 1).item() - 0.9 * 0.8) < 1e-6, 'one step of decay is U * (1 - dt/RC)');
checkFile(
  await spikeplot.traces(decay.view(-1, 1), { dim: [1, 1], title: 'Lapicque: no input' }).save(join(args.out, 'lapicque_decay.svg')),
);

// 3.3 Step input, 3.5 firing: R=5.1, C=5e-3, threshold 1 (default)
const lif2 = new snn.Lapicque({ R: 5.1, C: 5e-3, time_step: 1e-3 });
const cur_in = torch.cat([torch.zeros([10, 1]), torch.ones([num_steps - 10, 1]).mul(0.4)], 0);
let mem2 = torch.zeros([1]);
const spk_rec: torch.Tensor[] = [];
const mem2_rec: torch.Tensor[] = [];
for (let step = 0; step < num_steps; step++) {
  let spk: torch.Tensor;
  [spk, mem2] = lif2.forward(cur_in.select(0, step), mem2) as [torch.Tensor, torch.Tensor];
  mem2_rec.push(mem2);
  spk_rec.push(spk);
}
const spikes = torch.stack(spk_rec);
const n_spk = spikes.sum().item();
console.log(`Lapicque with a 0.4 step current: ${n_spk} spikes in ${num_steps} steps`);
check(n_spk > 0, 'a 0.4 step current makes the neuron fire');
checkFile(
  await spikeplot
    .traces(torch.stack(mem2_rec).view(-1, 1), { spk: spikes.view(-1, 1), dim: [1, 1], title: 'Lapicque: step input' })
    .save(join(args.out, 'lapicque_step.svg')),
);

// 3.5.2 Reset mechanisms: reset to zero discards the residual above threshold, so with the same
// input it spikes no more often than reset by subtraction.
const lif3 = new snn.Lapicque({ R: 5.1, C: 5e-3, time_step: 1e-3, threshold: 0.5, reset_mechanism: 'zero' });
let mem3 = torch.zeros([1]);
let n_zero = 0;
for (let step = 0; step < num_steps; step++) {
  let spk: torch.Tensor;
  [spk, mem3] = lif3.forward(cur_in.select(0, step).mul(0.5), mem3) as [torch.Tensor, torch.Tensor];
  n_zero += spk.item();
}
const lif4 = new snn.Lapicque({ R: 5.1, C: 5e-3, time_step: 1e-3, threshold: 0.5 });
let mem4 = torch.zeros([1]);
let n_sub = 0;
for (let step = 0; step < num_steps; step++) {
  let spk: torch.Tensor;
  [spk, mem4] = lif4.forward(cur_in.select(0, step).mul(0.5), mem4) as [torch.Tensor, torch.Tensor];
  n_sub += spk.item();
}
console.log(`threshold 0.5: ${n_sub} spikes with reset by subtraction, ${n_zero} with reset to zero`);
check(n_zero <= n_sub && n_sub > 0, 'reset to zero spikes no more often than reset by subtraction');
result({ spikes_step: n_spk, spikes_subtract: n_sub, spikes_zero: n_zero });
