// snnTorch tutorial "Regression with SNNs, Part II": RLeaky neurons (one-to-one recurrence, then
// all-to-all linear recurrence), and the classifier fc1 -> RLeaky -> fc2 -> RLeaky trained on MNIST
// by spike-count regression, SF.mse_count_loss(0.8, 0.2), Adam(lr 1e-3), 5 epochs.
// --quick: 4,096 training images, 1 epoch.
import { torch, nn, snn, optim, SF } from '../lib/index.js';
import { parseExampleArgs, mnistLoaders, check, result, breathe, since } from './common.js';

const args = parseExampleArgs('regression_2');

// 2.1 RLeaky with a one-to-one recurrent connection
{
  const beta = 0.9; // membrane potential decay rate
  const num_steps = 10; // 10 time steps
  const rlif = new snn.RLeaky({ beta, all_to_all: false }); // initialize RLeaky Neuron
  let [spk, mem] = rlif.init_rleaky(); // initialize state variables
  const x = torch.rand([1]); // generate random input
  const mem_recording: torch.Tensor[] = [];
  // run simulation
  for (let step = 0; step < num_steps; step++) {
    [spk, mem] = rlif.forward(x, spk, mem) as [torch.Tensor, torch.Tensor];
    mem_recording.push(mem);
  }
  console.log(`The recurrent weight is: ${rlif.V.item().toFixed(4)}`);
  check(torch.stack(mem_recording).shape.join() === '10,1', 'one-to-one RLeaky records [10, 1]');
}
// 2.2 RLeaky with all-to-all linear recurrence
{
  const rlif = new snn.RLeaky({ beta: 0.9, linear_features: 10 });
  let [spk, mem] = rlif.init_rleaky();
  const x = torch.rand([10]);
  for (let step = 0; step < 10; step++) [spk, mem] = rlif.forward(x, spk, mem) as [torch.Tensor, torch.Tensor];
  check(mem.shape.join() === '10', 'linear RLeaky keeps a [10] membrane');
}

// 4. Define the network
class Net extends nn.Module {
  declare fc1: nn.Linear;
  declare rlif1: snn.RLeaky;
  declare fc2: nn.Linear;
  declare rlif2: snn.RLeaky;
  constructor(
    readonly timesteps: number,
    readonly hidden: number,
    readonly beta: number,
  ) {
    super();
    // layer 1
    this.fc1 = new nn.Linear(784, this.hidden);
    this.rlif1 = new snn.RLeaky({ beta: this.beta, linear_features: this.hidden });
    // layer 2
    this.fc2 = new nn.Linear(this.hidden, 10);
    this.rlif2 = new snn.RLeaky({ beta: this.beta, linear_features: 10 });
  }

  /** Forward pass for several time steps. */
  forward(x: torch.Tensor): torch.Tensor {
    // Initalize membrane potential
    let [spk1, mem1] = this.rlif1.init_rleaky();
    let [spk2, mem2] = this.rlif2.init_rleaky();
    // Empty lists to record outputs
    const spk_recording: torch.Tensor[] = [];
    for (let step = 0; step < this.timesteps; step++) {
      [spk1, mem1] = this.rlif1.forward(this.fc1.forward(x), spk1, mem1) as [torch.Tensor, torch.Tensor];
      [spk2, mem2] = this.rlif2.forward(this.fc2.forward(spk1), spk2, mem2) as [torch.Tensor, torch.Tensor];
      spk_recording.push(spk2);
    }
    return torch.stack(spk_recording);
  }
}

const num_steps = 10;
const hidden = 128;
const model = new Net(num_steps, hidden, 0.9);
// 4.2 Loss function
const loss_function = SF.mse_count_loss({ correct_rate: 0.8, incorrect_rate: 0.2 });
// 4.3 DataLoaders
const batch_size = 128;
const { train_loader, test_loader } = mnistLoaders({ batch_size, limit: args.quick ? 4096 : null, seed: args.seed });

// 4.4 Training
const num_epochs = args.epochs ?? (args.quick ? 1 : 5);
const optimizer = new optim.Adam(model.parameters(), { lr: 1e-3 });
const loss_hist: number[] = [];
const t0 = Date.now();
for (let epoch = 0; epoch < num_epochs; epoch++) {
  let minibatch_counter = 0;
  model.train();
  for (const [feature, label] of train_loader) {
    const l = torch.tidy(() => {
      const spk = model.forward(feature.flatten(1)); // forward-pass
      const loss_val = loss_function(spk, label); // apply loss
      optimizer.zero_grad(); // zero out gradients
      loss_val.backward(); // calculate gradients
      optimizer.step(); // update weights
      return loss_val.item();
    });
    feature.dispose();
    label.dispose();
    loss_hist.push(l);
    minibatch_counter++;
    await breathe(minibatch_counter);
  }
  const avg = loss_hist.slice(-minibatch_counter).reduce((a, b) => a + b, 0) / minibatch_counter;
  console.log(`Epoch ${epoch + 1}/${num_epochs}: loss=${avg.toExponential(3)}`);
}
const train_seconds = since(t0);

// 5. Evaluation
model.eval();
let total = 0;
let acc = 0;
torch.no_grad(() => {
  for (const [feature, label] of test_loader) {
    torch.tidy(() => {
      const spk = model.forward(feature.flatten(1)); // forward-pass
      acc += SF.accuracy_rate(spk, label) * spk.size(1);
      total += spk.size(1);
    });
    feature.dispose();
    label.dispose();
  }
});
const accuracy = acc / total;
console.log(`The total accuracy on the test set is: ${(accuracy * 100).toFixed(2)}%`);
console.log(`Training time ${train_seconds.toFixed(1)} s`);

const k = 5;
const first = loss_hist.slice(0, k).reduce((a, b) => a + b, 0) / k;
const last = loss_hist.slice(-k).reduce((a, b) => a + b, 0) / k;
check(last < first, `training loss falls (${first.toFixed(3)} -> ${last.toFixed(3)})`);
check(accuracy > (args.quick ? 0.4 : 0.95), `test accuracy ${(accuracy * 100).toFixed(2)}% is above ${args.quick ? 40 : 95}%`);
result({ accuracy, first_loss: first, last_loss: last, train_seconds, epochs: num_epochs });
