// snnTorch tutorial "Regression with SNNs, Part I": a leaky-integrator output neuron learns to
// follow a target trajectory (a square-root curve over 50 steps) through two Leaky layers with
// per-neuron random, learnable decay rates and random thresholds. nn.MSELoss, Adam(lr 1e-3),
// 100 iterations; evaluated with nn.L1Loss and the relative error. --quick: 40 iterations.
import { join } from 'node:path';
import { torch, nn, snn, optim, spikeplot } from '../lib/index.js';
import { parseExampleArgs, check, checkFile, result, since } from './common.js';

const args = parseExampleArgs('regression_1');

// 2. Setting up the regression problem
class RegressionDataset {
  readonly features: torch.Tensor;
  readonly labels: torch.Tensor;
  /** Linear relation between input and output. */
  constructor(
    timesteps: number,
    readonly num_samples: number,
    mode: 'linear' | 'sqrt',
  ) {
    const feature_lst: torch.Tensor[] = [];
    // generate linear functions one by one
    for (let idx = 0; idx < num_samples; idx++) {
      const end = torch.rand([1]).item(); // random final point
      const lin_vec = torch.linspace(0.0, end, timesteps); // generate linear function from 0 to end
      feature_lst.push(lin_vec.view(timesteps, 1));
    }
    this.features = torch.stack(feature_lst, 1); // [timesteps, num_samples, 1]
    if (mode === 'linear') this.labels = this.features.mul(1);
    else {
      const slope = torch.rand([1]).item();
      this.labels = this.features.mul(slope).sqrt();
    }
  }
  get length(): number {
    return this.num_samples;
  }
  get(idx: number): [torch.Tensor, torch.Tensor] {
    return [this.features.select(1, idx), this.labels.select(1, idx)];
  }
}
const num_steps = 50;
const dataset = new RegressionDataset(num_steps, 1, 'sqrt');

// 3. Construction of the model
class Net extends nn.Module {
  declare fc_in: nn.Linear;
  declare lif_in: snn.Leaky;
  declare fc_hidden: nn.Linear;
  declare lif_hidden: snn.Leaky;
  declare fc_out: nn.Linear;
  declare li_out: snn.Leaky;
  constructor(
    readonly timesteps: number,
    readonly hidden: number,
  ) {
    super();
    const spike_grad = snn.surrogate.fast_sigmoid(); // surrogate gradient function
    // randomly initialize decay rate and threshold for layer 1
    const beta_in = torch.rand([this.hidden]);
    const thr_in = torch.rand([this.hidden]);
    // layer 1
    this.fc_in = new nn.Linear(1, this.hidden);
    this.lif_in = new snn.Leaky({ beta: beta_in, threshold: thr_in, learn_beta: true, spike_grad });
    // randomly initialize decay rate and threshold for layer 2
    const beta_hidden = torch.rand([this.hidden]);
    const thr_hidden = torch.rand([this.hidden]);
    // layer 2
    this.fc_hidden = new nn.Linear(this.hidden, this.hidden);
    this.lif_hidden = new snn.Leaky({ beta: beta_hidden, threshold: thr_hidden, learn_beta: true, spike_grad });
    // randomly initialize decay rate for output neuron
    const beta_out = torch.rand([1]);
    // layer 3: leaky integrator neuron; the reset mechanism is disabled and output spikes are disregarded
    this.fc_out = new nn.Linear(this.hidden, 1);
    this.li_out = new snn.Leaky({ beta: beta_out, threshold: 1.0, learn_beta: true, spike_grad, reset_mechanism: 'none' });
  }

  /** Forward pass for several time steps. */
  forward(x: torch.Tensor): torch.Tensor {
    let mem_1 = this.lif_in.init_leaky();
    let mem_2 = this.lif_hidden.init_leaky();
    let mem_3 = this.li_out.init_leaky();
    const mem_3_rec: torch.Tensor[] = [];
    for (let step = 0; step < this.timesteps; step++) {
      const x_timestep = x.select(0, step);
      const cur_in = this.fc_in.forward(x_timestep);
      let spk_in: torch.Tensor, spk_hidden: torch.Tensor;
      [spk_in, mem_1] = this.lif_in.forward(cur_in, mem_1) as [torch.Tensor, torch.Tensor];
      const cur_hidden = this.fc_hidden.forward(spk_in);
      [spk_hidden, mem_2] = this.lif_hidden.forward(cur_hidden, mem_2) as [torch.Tensor, torch.Tensor];
      const cur_out = this.fc_out.forward(spk_hidden);
      [, mem_3] = this.li_out.forward(cur_out, mem_3) as [torch.Tensor, torch.Tensor];
      mem_3_rec.push(mem_3);
    }
    return torch.stack(mem_3_rec);
  }
}
const hidden = 128;
const model = new Net(num_steps, hidden);

// 4. Training: batch of the single sample, [timesteps, batch 1, 1]
const num_iter = args.epochs ?? (args.quick ? 40 : 100);
const optimizer = new optim.Adam(model.parameters(), { lr: 1e-3 });
const loss_function = new nn.MSELoss();
const [f0, l0] = dataset.get(0);
const feature = f0.unsqueeze(1);
const label = l0.unsqueeze(1);
const loss_hist: number[] = [];
const t0 = Date.now();
for (let it = 0; it < num_iter; it++) {
  loss_hist.push(
    torch.tidy(() => {
      const mem = model.forward(feature);
      const loss_val = loss_function.forward(mem, label); // calculate loss
      optimizer.zero_grad(); // zero out gradients
      loss_val.backward(); // calculate gradients
      optimizer.step(); // update weights
      return loss_val.item();
    }),
  );
  if (it % 10 === 0) console.log(`iteration ${it}: loss=${loss_hist[it]!.toExponential(3)}`);
}
const train_seconds = since(t0);

// 5. Evaluation with L1 loss and the relative error
const l1 = new nn.L1Loss();
let mean_L1 = 0;
let mean_rel = 0;
let mem_eval: torch.Tensor | null = null;
torch.no_grad(() => {
  model.eval();
  mem_eval = model.forward(feature);
  const rel_err = mem_eval.sub(label).pow(2).sum(-1).sqrt().div(label.pow(2).sum(-1).sqrt());
  mean_rel = rel_err
    .narrow(0, 1, num_steps - 1)
    .mean()
    .item();
  mean_L1 = l1.forward(mem_eval, label).item();
});
console.log(`Mean L1-loss:       ${mean_L1.toExponential(2)}`);
console.log(`Mean rel. err.:     ${mean_rel.toExponential(2)}`);
checkFile(
  await spikeplot
    .traces(torch.cat([mem_eval!.view(-1, 1), label.view(-1, 1)], 1), { dim: [1, 2], titles: ['Output', 'Target'] })
    .save(join(args.out, 'regression_1.svg')),
);
check(
  loss_hist[loss_hist.length - 1]! < loss_hist[0]!,
  `MSE falls (${loss_hist[0]!.toExponential(2)} -> ${loss_hist[loss_hist.length - 1]!.toExponential(2)})`,
);
result({ first_loss: loss_hist[0]!, last_loss: loss_hist[loss_hist.length - 1]!, mean_L1, mean_rel, train_seconds, iterations: num_iter });
