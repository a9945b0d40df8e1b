// snnTorch tutorial 3, "A Feedforward Spiking Neural Network": the simplified LIF (snn.Leaky),
// a single neuron on a step input, then a 784-1000-10 network of Leaky layers with random weights
// driven by Poisson spikes (spikegen.rate) and its output spikes plotted.
import { join } from 'node:path';
import { torch, nn, snn, spikegen, spikeplot } from '../lib/index.js';
import { parseExampleArgs, check, checkFile, result } from './common.js';

const args = parseExampleArgs('tutorial_3');
const num_steps = args.quick ? 100 : 200;

// 2.2 Leaky on a step current
const lif1 = new snn.Leaky({ beta: 0.8 });
const cur_in = torch.cat([torch.zeros([10]), torch.ones([num_steps - 10]).mul(0.21)], 0);
let mem = torch.zeros([1]);
const mem_rec: torch.Tensor[] = [];
const spk_rec: torch.Tensor[] = [];
for (let step = 0; step < num_steps; step++) {
  let spk: torch.Tensor;
  [spk, mem] = lif1.forward(cur_in.select(0, step), mem) as [torch.Tensor, torch.Tensor];
  mem_rec.push(mem);
  spk_rec.push(spk);
}
const n1 = torch.stack(spk_rec).sum().item();
check(n1 > 0, `Leaky(beta 0.8) on a 0.21 step fires (${n1} spikes)`);
checkFile(
  await spikeplot
    .traces(torch.stack(mem_rec).view(-1, 1), { spk: torch.stack(spk_rec).view(-1, 1), dim: [1, 1] })
    .save(join(args.out, 'leaky_step.svg')),
);

// 3. A feed forward SNN: layer parameters
const num_inputs = 784;
const num_hidden = 1000;
const num_outputs = 10;
const beta = 0.99;
// initialize layers
const fc1 = new nn.Linear(num_inputs, num_hidden);
const lif_1 = new snn.Leaky({ beta });
const fc2 = new nn.Linear(num_hidden, num_outputs);
const lif_2 = new snn.Leaky({ beta });
// Initialize hidden states
let mem1 = lif_1.init_leaky();
let mem2 = lif_2.init_leaky();
// record outputs
const mem2_rec: torch.Tensor[] = [];
const spk1_rec: torch.Tensor[] = [];
const spk2_rec: torch.Tensor[] = [];
const spk_in = spikegen.rate(torch.rand([num_inputs]).mul(0.2), { num_steps }); // input spike train [num_steps, 784]
torch.no_grad(() => {
  for (let step = 0; step < num_steps; step++) {
    const cur1 = fc1.forward(spk_in.select(0, step)); // post-synaptic current <-- spk_in x weight
    let spk1: torch.Tensor, spk2: torch.Tensor;
    [spk1, mem1] = lif_1.forward(cur1, mem1) as [torch.Tensor, torch.Tensor]; // mem[t+1] <--post-syn current + decayed membrane
    const cur2 = fc2.forward(spk1);
    [spk2, mem2] = lif_2.forward(cur2, mem2) as [torch.Tensor, torch.Tensor];
    mem2_rec.push(mem2);
    spk1_rec.push(spk1);
    spk2_rec.push(spk2);
  }
});
// convert lists to tensors
const spk1 = torch.stack(spk1_rec);
const spk2 = torch.stack(spk2_rec);
check(
  spk1.shape.join() === `${num_steps},${num_hidden}` && spk2.shape.join() === `${num_steps},${num_outputs}`,
  'spike records are [num_steps, neurons]',
);
const hidden_rate = spk1.mean().item();
console.log(`hidden layer fires on ${(hidden_rate * 100).toFixed(2)}% of (step, neuron) pairs`);
check(hidden_rate > 0, 'the hidden layer fires');
checkFile(await spikeplot.raster(spk_in, { s: 1.5, c: 'black', title: 'Input Layer' }).save(join(args.out, 'raster_input.svg')));
checkFile(await spikeplot.raster(spk1, { s: 1.5, c: 'black', title: 'Hidden Layer' }).save(join(args.out, 'raster_hidden.svg')));
checkFile(await spikeplot.traces(torch.stack(mem2_rec), { spk: spk2, dim: [2, 5] }).save(join(args.out, 'output_traces.svg')));
result({ hidden_rate, output_spikes: spk2.sum().item() });
