// snnTorch tutorial 5, "Training Spiking Neural Networks with snnTorch": a fully connected
// Leaky network (784-1000-10, beta 0.95, 25 steps) trained on MNIST with cross-entropy on the
// membrane potential at every step, Adam(lr 5e-4), one epoch, then the test set accuracy.
// --quick: 6,144 training images, 6 steps, a 1,024-image test subset, 100 hidden neurons.
import { torch, nn, snn, optim } from '../lib/index.js';
import { parseExampleArgs, mnistLoaders, check, result, breathe, since } from './common.js';

const args = parseExampleArgs('tutorial_5');

// Network Architecture
const batch_size = 128;
const num_inputs = 28 * 28;
const num_hidden = args.quick ? 100 : 1000;
const num_outputs = 10;
// Temporal Dynamics
const num_steps = args.quick ? 6 : 25;
const beta = 0.95;

const { train_loader, test_loader } = mnistLoaders({ batch_size, limit: args.quick ? 6144 : null, seed: args.seed });

// Define Network
class Net extends nn.Module {
  declare fc1: nn.Linear;
  declare lif1: snn.Leaky;
  declare fc2: nn.Linear;
  declare lif2: snn.Leaky;
  constructor() {
    super();
    // Initialize layers
    this.fc1 = new nn.Linear(num_inputs, num_hidden);
    this.lif1 = new snn.Leaky({ beta });
    this.fc2 = new nn.Linear(num_hidden, num_outputs);
    this.lif2 = new snn.Leaky({ beta });
  }

  forward(x: torch.Tensor): [torch.Tensor, torch.Tensor] {
    // Initialize hidden states at t=0
    let mem1 = this.lif1.init_leaky();
    let mem2 = this.lif2.init_leaky();
    // Record the final layer
    const spk2_rec: torch.Tensor[] = [];
    const mem2_rec: torch.Tensor[] = [];
    for (let step = 0; step < num_steps; step++) {
      const cur1 = this.fc1.forward(x);
      let spk1: torch.Tensor, spk2: torch.Tensor;
      [spk1, mem1] = this.lif1.forward(cur1, mem1) as [torch.Tensor, torch.Tensor];
      const cur2 = this.fc2.forward(spk1);
      [spk2, mem2] = this.lif2.forward(cur2, mem2) as [torch.Tensor, torch.Tensor];
      spk2_rec.push(spk2);
      mem2_rec.push(mem2);
    }
    return [torch.stack(spk2_rec, 0), torch.stack(mem2_rec, 0)];
  }
}

// Load the network onto CUDA if available
const net = new Net();
const loss = new nn.CrossEntropyLoss();
const optimizer = new optim.Adam(net.parameters(), { lr: 5e-4, betas: [0.9, 0.999] });

function batchAccuracy(spk_rec: torch.Tensor, targets: torch.Tensor): number {
  return torch.tidy(() => {
    const [, idx] = spk_rec.sum(0).max(1);
    return idx.eq(targets).float().mean().item();
  });
}

const num_epochs = args.epochs ?? 1;
const loss_hist: number[] = [];
const t0 = Date.now();
let counter = 0;
// Outer training loop
for (let epoch = 0; epoch < num_epochs; epoch++) {
  let iter_counter = 0;
  // Minibatch training loop
  for (const [data, targets] of train_loader) {
    const loss_val = torch.tidy(() => {
      // forward pass
      net.train();
      const [spk_rec, mem_rec] = net.forward(data.view(batch_size, -1));
      // initialize the loss & sum over time
      let loss_val = torch.zeros([1]);
      for (let step = 0; step < num_steps; step++) loss_val = loss_val.add(loss.forward(mem_rec.select(0, step), targets));
      // Gradient calculation + weight update
      optimizer.zero_grad();
      loss_val.backward();
      optimizer.step();
      if (counter % 50 === 0)
        console.log(
          `Epoch ${epoch}, Iteration ${iter_counter}: train loss ${loss_val.item().toFixed(2)}, train accuracy ${(batchAccuracy(spk_rec, targets) * 100).toFixed(2)}%`,
        );
      return loss_val.item();
    });
    // Store loss history for future plotting
    loss_hist.push(loss_val);
    data.dispose();
    targets.dispose();
    counter++;
    iter_counter++;
    await breathe(counter);
  }
}
const train_seconds = since(t0);

// Test Set Accuracy
let total = 0;
let correct = 0;
net.eval();
torch.no_grad(() => {
  for (const [data, targets] of test_loader) {
    torch.tidy(() => {
      const [test_spk] = net.forward(data.view(data.size(0), -1));
      // calculate total accuracy
      const [, predicted] = test_spk.sum(0).max(1);
      total += targets.size(0);
      correct += predicted.eq(targets).sum().item();
    });
    data.dispose();
    targets.dispose();
  }
});
const accuracy = correct / total;
console.log(`Total correctly classified test set images: ${correct}/${total}`);
console.log(`Test Set Accuracy: ${(100 * accuracy).toFixed(2)}%`);
console.log(`Training time ${train_seconds.toFixed(1)} s for ${counter} iterations`);

const k = Math.min(5, Math.floor(loss_hist.length / 2));
const first = loss_hist.slice(0, k).reduce((a, b) => a + b, 0) / k;
const last = loss_hist.slice(-k).reduce((a, b) => a + b, 0) / k;
check(last < first, `training loss falls (${first.toFixed(2)} -> ${last.toFixed(2)})`);
check(accuracy > (args.quick ? 0.4 : 0.9), `test accuracy ${(accuracy * 100).toFixed(2)}% is above ${args.quick ? 40 : 90}%`);
result({ accuracy, first_loss: first, last_loss: last, train_seconds, iterations: counter });
