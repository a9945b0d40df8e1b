// snnTorch tutorial 6, "Surrogate Gradient Descent in a Convolutional SNN": 12C5-MP2-64C5-MP2-1024FC10
// with Leaky neurons (beta 0.5, fast sigmoid surrogate, slope 25), init_hidden inside
// nn.Sequential, 50 steps, SF.ce_rate_loss, Adam(lr 1e-2), 50 iterations of one epoch, test
// accuracy with SF.accuracy_rate. --quick: 12 iterations, 10 steps, a 512-image test subset.
import { torch, nn, snn, optim, SF } from '../lib/index.js';
import { parseExampleArgs, mnistLoaders, check, result, breathe, since } from './common.js';

const args = parseExampleArgs('tutorial_6');

// dataloader arguments
const batch_size = 128;
const { train_loader, test_loader } = mnistLoaders({ batch_size, limit: args.quick ? 3072 : null, seed: args.seed });

// neuron and simulation parameters
const spike_grad = snn.surrogate.fast_sigmoid(25);
const beta = 0.5;
const num_steps = args.quick ? 10 : 50;

// Initialize Network
const net = new nn.Sequential(
  new nn.Conv2d(1, 12, 5),
  new nn.MaxPool2d(2),
  new snn.Leaky({ beta, spike_grad, init_hidden: true }),
  new nn.Conv2d(12, 64, 5),
  new nn.MaxPool2d(2),
  new snn.Leaky({ beta, spike_grad, init_hidden: true }),
  new nn.Flatten(),
  new nn.Linear(64 * 4 * 4, 10),
  new snn.Leaky({ beta, spike_grad, init_hidden: true, output: true }),
);

function forward_pass(net: nn.Sequential, num_steps: number, data: torch.Tensor): [torch.Tensor, torch.Tensor] {
  const mem_rec: torch.Tensor[] = [];
  const spk_rec: torch.Tensor[] = [];
  snn.utils.reset(net); // resets hidden states for all LIF neurons in net
  for (let step = 0; step < num_steps; step++) {
    const [spk_out, mem_out] = net.forward(data) as unknown as [torch.Tensor, torch.Tensor];
    spk_rec.push(spk_out);
    mem_rec.push(mem_out);
  }
  return [torch.stack(spk_rec), torch.stack(mem_rec)];
}

function batch_accuracy(loader: Iterable<[torch.Tensor, torch.Tensor]>): number {
  let acc = 0;
  let total = 0;
  torch.no_grad(() => {
    net.eval();
    for (const [data, targets] of loader) {
      torch.tidy(() => {
        const [spk_rec] = forward_pass(net, num_steps, data);
        acc += SF.accuracy_rate(spk_rec, targets) * spk_rec.size(1);
        total += spk_rec.size(1);
      });
      data.dispose();
      targets.dispose();
    }
  });
  return acc / total;
}

// 5. Training
const loss_fn = SF.ce_rate_loss();
const optimizer = new optim.Adam(net.parameters(), { lr: 1e-2, betas: [0.9, 0.999] });
const num_epochs = args.epochs ?? 1;
const num_iters = args.quick ? 12 : 50;
const loss_hist: number[] = [];
const t0 = Date.now();
let iters = 0;
for (let epoch = 0; epoch < num_epochs; epoch++) {
  let i = 0;
  for (const [data, targets] of train_loader) {
    if (i === num_iters) {
      data.dispose();
      targets.dispose();
      continue;
    }
    const l = torch.tidy(() => {
      net.train();
      const [spk_rec] = forward_pass(net, num_steps, data);
      const loss_val = loss_fn(spk_rec, targets);
      optimizer.zero_grad();
      loss_val.backward();
      optimizer.step();
      if (i % 5 === 0)
        console.log(
          `Iteration ${i} \nTrain Loss: ${loss_val.item().toFixed(2)}, Accuracy: ${(SF.accuracy_rate(spk_rec, targets) * 100).toFixed(2)}%`,
        );
      return loss_val.item();
    });
    data.dispose();
    targets.dispose();
    loss_hist.push(l);
    i++;
    iters++;
    await breathe(i, 4);
  }
}
const train_seconds = since(t0);
const test_acc = batch_accuracy(test_loader);
console.log(`The total accuracy on the test set is: ${(test_acc * 100).toFixed(2)}%`);
console.log(`Training time ${train_seconds.toFixed(1)} s for ${iters} iterations`);
const k = 3;
const first = loss_hist.slice(0, k).reduce((a, b) => a + b, 0) / k;
const last = loss_hist.slice(-k).reduce((a, b) => a + b, 0) / k;
check(last < first, `training loss falls (${first.toFixed(3)} -> ${last.toFixed(3)})`);
check(test_acc > (args.quick ? 0.2 : 0.85), `test accuracy ${(test_acc * 100).toFixed(2)}% is above ${args.quick ? 20 : 85}%`);
result({ accuracy: test_acc, first_loss: first, last_loss: last, train_seconds, iterations: iters });
