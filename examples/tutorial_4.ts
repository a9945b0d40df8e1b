// snnTorch tutorial 4, "2nd Order Spiking Neuron Models": the synaptic conductance-based neuron
// (snn.Synaptic) and the Alpha neuron (snn.Alpha) driven by a periodic spike train.
import { join } from 'node:path';
import { torch, snn, spikeplot } from '../lib/index.js';
import { parseExampleArgs, check, checkFile, result } from './common.js';

const args = parseExampleArgs('tutorial_4');
const num_steps = 200;

// 2.2 Synaptic neuron: temporal dynamics alpha 0.9, beta 0.8
const lif1 = new snn.Synaptic({ alpha: 0.9, beta: 0.8 });
// Periodic spiking input, spk_in = 0.2 V
const w = 0.2;
const spk_period = torch.cat([torch.ones([1]).mul(w), torch.zeros([9])], 0);
const spk_in = spk_period.repeat([20]);
check(spk_in.shape[0] === num_steps, 'the input is 20 periods of 10 steps');
// Initialize hidden states and output
let [syn, mem] = lif1.init_synaptic();
const spk_out: torch.Tensor[] = [];
const syn_rec: torch.Tensor[] = [];
const mem_rec: torch.Tensor[] = [];
// Simulate neurons
for (let step = 0; step < num_steps; step++) {
  let spk: torch.Tensor;
  [spk, syn, mem] = lif1.forward(spk_in.select(0, step), syn, mem) as [torch.Tensor, torch.Tensor, torch.Tensor];
  spk_out.push(spk);
  syn_rec.push(syn);
  mem_rec.push(mem);
}
const syn_s = torch.stack(syn_rec);
const n_syn = torch.stack(spk_out).sum().item();
// The synaptic current after the first input spike is alpha^k * 0.2.
check(Math.abs(syn_s.select(0, 3).item() - 0.2 * 0.9 ** 3) < 1e-6, 'the synaptic current decays by alpha per step');
check(n_syn > 0, `the Synaptic neuron fires (${n_syn} spikes)`);
checkFile(
  await spikeplot
    .traces(torch.stack([syn_s, torch.stack(mem_rec)], 1), {
      spk: torch.stack([torch.zeros([num_steps]), torch.stack(spk_out)], 1),
      dim: [1, 2],
      titles: ['syn', 'mem'],
    })
    .save(join(args.out, 'synaptic.svg')),
);

// 3. Alpha neuron model: alpha 0.8, beta 0.7, threshold 0.5, input spikes of 0.85
const lif2 = new snn.Alpha({ alpha: 0.8, beta: 0.7, threshold: 0.5 });
let [syn_exc, syn_inh, mem2] = lif2.init_alpha();
const a_spk: torch.Tensor[] = [];
const a_mem: torch.Tensor[] = [];
for (let step = 0; step < num_steps; step++) {
  let spk: torch.Tensor;
  [spk, syn_exc, syn_inh, mem2] = lif2.forward(spk_in.select(0, step).mul(0.85 / w), syn_exc, syn_inh, mem2) as [
    torch.Tensor,
    torch.Tensor,
    torch.Tensor,
    torch.Tensor,
  ];
  a_spk.push(spk);
  a_mem.push(mem2);
}
const n_alpha = torch.stack(a_spk).sum().item();
check(n_alpha > 0, `the Alpha neuron fires (${n_alpha} spikes)`);
checkFile(
  await spikeplot
    .traces(torch.stack(a_mem).view(-1, 1), { spk: torch.stack(a_spk).view(-1, 1), dim: [1, 1], title: 'Alpha' })
    .save(join(args.out, 'alpha.svg')),
);
result({ synaptic_spikes: n_syn, alpha_spikes: n_alpha, quick: args.quick });
