// snnTorch tutorial "Population Coding": Fashion-MNIST classified in a single time step, first by
// 10 output neurons, then by a population of 500 (50 per class) with
// SF.mse_count_loss(1.0, 0.0, population_code=True, num_classes=10) and
// SF.accuracy_rate(..., population_code=True). Adam(lr 2e-3), 5 epochs each.
// snnTorch's backprop.BPTT is written out here (bptt below). --quick: 6,144 training images, 1 epoch each.
import { torch, nn, snn, optim, SF } from '../lib/index.js';
import { parseExampleArgs, mnistLoaders, check, result, breathe, since } from './common.js';

const args = parseExampleArgs('pop');

// 1. Fashion-MNIST from Debian's dataset-fashion-mnist
const batch_size = 128;
const { train_loader, test_loader } = mnistLoaders({ batch_size, limit: args.quick ? 6144 : null, fashion: true, seed: args.seed });

// 2. Define the network
const num_inputs = 28 * 28;
const num_hidden = 128;
const num_outputs = 10;
const num_steps = 1;
const beta = 0.9; // neuron decay rate
const grad = snn.surrogate.fast_sigmoid();

const net = new nn.Sequential(
  new nn.Flatten(),
  new nn.Linear(num_inputs, num_hidden),
  new snn.Leaky({ beta, spike_grad: grad, init_hidden: true }),
  new nn.Linear(num_hidden, num_outputs),
  new snn.Leaky({ beta, spike_grad: grad, init_hidden: true, output: true }),
);
const pop_outputs = 500;
const net_pop = new nn.Sequential(
  new nn.Flatten(),
  new nn.Linear(num_inputs, num_hidden),
  new snn.Leaky({ beta, spike_grad: grad, init_hidden: true }),
  new nn.Linear(num_hidden, pop_outputs),
  new snn.Leaky({ beta, spike_grad: grad, init_hidden: true, output: true }),
);

/** snntorch.backprop.BPTT for static data (time_var=False): one optimizer step per batch; returns the mean loss. */
async function bptt(
  net: nn.Sequential,
  loader: Iterable<[torch.Tensor, torch.Tensor]>,
  optimizer: optim.Adam,
  criterion: (spk: torch.Tensor, y: torch.Tensor) => torch.Tensor,
): Promise<number> {
  let sum = 0;
  let n = 0;
  net.train();
  for (const [data, targets] of loader) {
    sum += torch.tidy(() => {
      snn.utils.reset(net);
      const spk_rec: torch.Tensor[] = [];
      for (let step = 0; step < num_steps; step++) spk_rec.push((net.forward(data) as unknown as [torch.Tensor, torch.Tensor])[0]);
      const loss = criterion(torch.stack(spk_rec), targets);
      optimizer.zero_grad();
      loss.backward();
      optimizer.step();
      return loss.item();
    });
    data.dispose();
    targets.dispose();
    n++;
    await breathe(n);
  }
  return sum / n;
}

// 4. Test accuracy: the neuron (or population) with the highest spike count
function test_accuracy(data_loader: Iterable<[torch.Tensor, torch.Tensor]>, net: nn.Sequential, population_code = false): number {
  let total = 0;
  let acc = 0;
  torch.no_grad(() => {
    net.eval();
    for (const [data, targets] of data_loader) {
      torch.tidy(() => {
        snn.utils.reset(net);
        const [spk_rec] = net.forward(data) as unknown as [torch.Tensor, torch.Tensor];
        if (population_code)
          acc += SF.accuracy_rate(spk_rec.unsqueeze(0), targets, { population_code: true, num_classes: 10 }) * spk_rec.size(1);
        else acc += SF.accuracy_rate(spk_rec.unsqueeze(0), targets) * spk_rec.size(1);
        total += spk_rec.size(1);
      });
      data.dispose();
      targets.dispose();
    }
  });
  return acc / total;
}

const num_epochs = args.epochs ?? (args.quick ? 1 : 5);
const t0 = Date.now();
// 3. Without population coding
let optimizer = new optim.Adam(net.parameters(), { lr: 2e-3, betas: [0.9, 0.999] });
let loss_fn = SF.mse_count_loss({ correct_rate: 1.0, incorrect_rate: 0.0 });
const losses: number[] = [];
let acc_plain = 0;
for (let epoch = 0; epoch < num_epochs; epoch++) {
  losses.push(await bptt(net, train_loader, optimizer, loss_fn));
  acc_plain = test_accuracy(test_loader, net);
  console.log(`Epoch: ${epoch}\nTest set accuracy: ${(acc_plain * 100).toFixed(3)}%\n`);
}
// 5. With population coding: 500 output neurons, 50 per class
loss_fn = SF.mse_count_loss({ correct_rate: 1.0, incorrect_rate: 0.0, population_code: true, num_classes: 10 });
optimizer = new optim.Adam(net_pop.parameters(), { lr: 2e-3, betas: [0.9, 0.999] });
const pop_losses: number[] = [];
let acc_pop = 0;
for (let epoch = 0; epoch < num_epochs; epoch++) {
  pop_losses.push(await bptt(net_pop, train_loader, optimizer, loss_fn));
  acc_pop = test_accuracy(test_loader, net_pop, true);
  console.log(`Epoch: ${epoch}\nTest set accuracy (population code): ${(acc_pop * 100).toFixed(3)}%\n`);
}
const seconds = since(t0);
console.log(
  `single step, 10 outputs: ${(acc_plain * 100).toFixed(2)}%; population of 500: ${(acc_pop * 100).toFixed(2)}% (${seconds.toFixed(1)} s)`,
);
check(acc_plain > 0.2, `10-output accuracy ${(acc_plain * 100).toFixed(2)}% is above chance`);
check(acc_pop > 0.5, `population-coded accuracy ${(acc_pop * 100).toFixed(2)}% is above 50%`);
check(acc_pop > acc_plain, 'the population code beats 10 outputs in a single step');
result({ accuracy_plain: acc_plain, accuracy_pop: acc_pop, seconds, epochs: num_epochs });
