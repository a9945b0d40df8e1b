// snnTorch tutorial "Training on ST-MNIST with Tonic + snnTorch": tactile events (10x10 taxels,
// 2 polarities) through ToFrame(time_window=20000), batches padded in time, the network
// 32C4-64C3-MP2-256FC10 of Leaky neurons (beta 0.95), SF.mse_count_loss(0.8, 0.2), Adam(lr 2e-2),
// 640 training / 320 test samples, 30 epochs; then an animated spike-count plot of one sample.
// ST-MNIST cannot be downloaded here (it sits behind a form): the example writes ST-MNIST-format
// MAT files made from MNIST digits (examples/synthetic_events.ts) and reads them with
// data.events.STMNIST. --quick: 192 samples (128 train / 64 test), 3 epochs.
import { join } from 'node:path';
import { rmSync } from 'node:fs';
import { torch, nn, snn, optim, SF, data, spikeplot } from '../lib/index.js';
import { parseExampleArgs, check, checkFile, result, breathe, since, rng } from './common.js';
import { writeSyntheticSTMNIST } from './synthetic_events.js';

const args = parseExampleArgs('stmnist');
const E = data.events;
const root = join(args.out, 'data', 'STMNIST');
rmSync(root, { recursive: true, force: true });
const short_train_size = args.quick ? 128 : 640;
const short_test_size = args.quick ? 64 : 320;
writeSyntheticSTMNIST(root, { n: short_train_size + short_test_size, seed: args.seed });

// 1.3 Define a transform
const sensor_size = E.STMNIST.sensor_size;
const frame_transform = E.ToFrame({ sensor_size, time_window: 20000 });
const dataset = new E.STMNIST({ root, transform: frame_transform });
check(dataset.length === short_train_size + short_test_size, `read ${dataset.length} ST-MNIST-format files`);

// 1.4 shorter_transform_STMNIST: a shuffled subset split into a trainset and a testset
const order = Array.from({ length: dataset.length }, (_, i) => i);
const r = rng(args.seed);
for (let i = order.length - 1; i > 0; i--) {
  const j = Math.floor(r() * (i + 1));
  [order[i], order[j]] = [order[j]!, order[i]!];
}
const samples = order.map((i) => dataset.get(i) as [torch.Tensor, number]);
const trainset = samples.slice(0, short_train_size);
const testset = samples.slice(short_train_size);
check(trainset[0]![0].shape.slice(1).join() === '2,10,10', 'frames are [T, 2, 10, 10]');

// 1.5 DataLoaders with PadTensors(batch_first=False)
const batch_size = 32;
const collate = E.PadTensors({ batch_first: false });
function* loader(set: [torch.Tensor, number][], shuffle: boolean, seed: number): Generator<[torch.Tensor, torch.Tensor]> {
  const idx = set.map((_, i) => i);
  const rr = rng(seed);
  if (shuffle)
    for (let i = idx.length - 1; i > 0; i--) {
      const j = Math.floor(rr() * (i + 1));
      [idx[i], idx[j]] = [idx[j]!, idx[i]!];
    }
  for (let s = 0; s < idx.length; s += batch_size) {
    const b = idx.slice(s, s + batch_size);
    yield [collate(b.map((i) => set[i]![0])), torch.tensor(b.map((i) => set[i]![1]))];
  }
}

// 1.7 Define the network
const beta = 0.95;
const scnn_net = new nn.Sequential(
  new nn.Conv2d(2, 32, 4),
  new snn.Leaky({ beta, init_hidden: true }),
  new nn.Conv2d(32, 64, 3),
  new snn.Leaky({ beta, init_hidden: true }),
  new nn.MaxPool2d(2),
  new nn.Flatten(),
  new nn.Linear(64 * 2 * 2, 10), // Increased size of the linear layer
  new snn.Leaky({ beta, init_hidden: true, output: true }),
);
const optimizer = new optim.Adam(scnn_net.parameters(), { lr: 2e-2, betas: [0.9, 0.999] });
const loss_fn = SF.mse_count_loss({ correct_rate: 0.8, incorrect_rate: 0.2 });

// 1.8 Define the forward pass
function forward_pass(net: nn.Sequential, data: torch.Tensor): torch.Tensor {
  const spk_rec: torch.Tensor[] = [];
  snn.utils.reset(net); // resets hidden states for all LIF neurons in net
  for (let step = 0; step < data.size(0); step++) {
    const [spk_out] = net.forward(data.select(0, step)) as unknown as [torch.Tensor, torch.Tensor];
    spk_rec.push(spk_out);
  }
  return torch.stack(spk_rec);
}

// 1.9 Training loop
const num_epochs = args.epochs ?? (args.quick ? 3 : 30);
const loss_hist: number[] = [];
const acc_hist: number[] = [];
const t0 = Date.now();
for (let epoch = 0; epoch < num_epochs; epoch++) {
  let i = 0;
  for (const [data, targets] of loader(trainset, true, args.seed + epoch)) {
    const [l, acc] = torch.tidy(() => {
      scnn_net.train();
      const spk_rec = forward_pass(scnn_net, data);
      const loss_val = loss_fn(spk_rec, targets);
      optimizer.zero_grad();
      loss_val.backward();
      optimizer.step();
      return [loss_val.item(), SF.accuracy_rate(spk_rec, targets)];
    });
    data.dispose();
    targets.dispose();
    loss_hist.push(l);
    acc_hist.push(acc);
    if (i % 4 === 0) console.log(`Epoch ${epoch}, Iteration ${i} \nTrain Loss: ${l.toFixed(2)}\nAccuracy: ${(acc * 100).toFixed(2)}%`);
    i++;
    await breathe(i, 2);
  }
}
const train_seconds = since(t0);

// 2.2 Test set accuracy
let correct = 0;
let total = 0;
let last_batch: [torch.Tensor, torch.Tensor] | null = null;
torch.no_grad(() => {
  scnn_net.eval();
  for (const [data, targets] of loader(testset, false, 0)) {
    const spk_rec = forward_pass(scnn_net, data);
    correct += SF.accuracy_rate(spk_rec, targets) * targets.size(0);
    total += targets.size(0);
    last_batch?.[0].dispose();
    last_batch?.[1].dispose();
    last_batch = [spk_rec, targets];
    data.dispose();
  }
});
const accuracy = correct / total;
console.log(`Test set accuracy: ${((correct / total) * 100).toFixed(2)}% (${num_epochs} epochs, ${train_seconds.toFixed(1)} s)`);

// 2.3 Spike count histogram of one sample, animated
const [spk_rec, targets] = last_batch!;
console.log(`The target label is: ${targets.select(0, 0).item()}`);
const gif = await spikeplot
  .spike_count(spk_rec.select(1, 0), ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'], { animate: true, interpolate: 1 })
  .save(join(args.out, 'spike_bar.gif'));
checkFile(gif);

const k = Math.min(4, Math.floor(loss_hist.length / 2));
const first = loss_hist.slice(0, k).reduce((a, b) => a + b, 0) / k;
const last = loss_hist.slice(-k).reduce((a, b) => a + b, 0) / k;
check(last < first, `training loss falls (${first.toFixed(3)} -> ${last.toFixed(3)})`);
// A few quick epochs on 128 samples move the loss but not yet the test accuracy; the full run checks it.
if (!args.quick) check(accuracy > 0.2, `test accuracy ${(accuracy * 100).toFixed(2)}% is above 20% (chance 10%)`);
result({ accuracy, first_loss: first, last_loss: last, train_seconds, epochs: num_epochs, synthetic: true });
