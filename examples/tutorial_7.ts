// snnTorch tutorial 7, "Neuromorphic Datasets with Tonic + snnTorch": N-MNIST events through
// Denoise(filter_time=10000) and ToFrame(sensor_size, time_window=1000), batches padded in time
// (PadTensors, batch_first=False), a CSNN 12C5-MP2-32C5-MP2-800FC10 of Leaky neurons (beta 0.5,
// atan surrogate), SF.mse_count_loss(0.8, 0.2), Adam(lr 2e-2), 50 iterations.
// N-MNIST cannot be downloaded here: the example writes N-MNIST-format files made from MNIST
// digits (examples/synthetic_events.ts) and reads them with data.events.NMNIST. Full run: 6,400
// training recordings (50 iterations of 128, snnTorch's cap) and 1,024 test recordings of 3 x 100 ms
// saccades. --quick: 256 training and 128 test recordings of 3 x 5 ms saccades (15 frames),
// batches of 32, 24 iterations.
import { join } from 'node:path';
import { rmSync } from 'node:fs';
import { torch, nn, snn, optim, SF, data } from '../lib/index.js';
import { parseExampleArgs, check, result, breathe, since, rng } from './common.js';
import { writeSyntheticNMNIST } from './synthetic_events.js';

const args = parseExampleArgs('tutorial_7');
const E = data.events;
const root = join(args.out, 'data');
rmSync(root, { recursive: true, force: true });
writeSyntheticNMNIST(root, {
  n_train: args.quick ? 256 : 6400,
  n_test: args.quick ? 128 : 1024,
  saccade_us: args.quick ? 5_000 : 100_000,
  seed: args.seed,
  // --quick's saccades are 20x shorter, so at the full run's contrast each 1 ms frame would hold
  // 20x the events, and Adam at lr 2e-2 drives the net silent within a few iterations; a coarser
  // contrast keeps its frames nearer the full run's density.
  contrast: args.quick ? 0.5 : 0.15,
});

// 1.2 Transformations
const sensor_size = E.NMNIST.sensor_size;
const frame_transform = (ev: data.events.Events): torch.Tensor =>
  E.ToFrame({ sensor_size, time_window: 1000 })(E.Denoise({ filter_time: 10000 })(ev));
const trainset = new E.NMNIST({ save_to: root, transform: frame_transform, train: true });
const testset = new E.NMNIST({ save_to: root, transform: frame_transform, train: false });
const [frames0, target0] = trainset.get(0) as [torch.Tensor, number];
console.log(`frames of sample 0: [${frames0.shape.join(', ')}], target ${target0}`);
check(frames0.ndim === 4 && frames0.shape.slice(1).join() === '2,34,34', 'ToFrame gives [T, 2, 34, 34]');

// 1.3 Caching and DataLoader: snnTorch caches the frames on disk (DiskCachedDataset); here each
// batch's frames are computed when the batch is drawn, since holding the whole set's frames in
// memory would take ~14 GB at the full settings (5,120 recordings of [291, 2, 34, 34] float32).
// Shuffled batches, padded in time.
const collate = E.PadTensors({ batch_first: false });
const batch_size = args.quick ? 32 : 128;
function* loader(ds: data.events.EventFolder, shuffle: boolean, seed: number): Generator<[torch.Tensor, torch.Tensor]> {
  const order = Array.from({ length: ds.length }, (_, i) => i);
  const r = rng(seed);
  if (shuffle)
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(r() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
  for (let s = 0; s < order.length; s += batch_size) {
    const idx = order.slice(s, s + batch_size);
    const frames = idx.map((i) => ds.get(i)[0] as torch.Tensor);
    const batch = collate(frames);
    for (const f of frames) f.dispose();
    yield [batch, torch.tensor(idx.map((i) => ds.targets[i]!))];
  }
}

// 2. Defining our network
const spike_grad = snn.surrogate.atan();
const beta = 0.5;
const net = new nn.Sequential(
  new nn.Conv2d(2, 12, 5),
  new nn.MaxPool2d(2),
  new snn.Leaky({ beta, spike_grad, init_hidden: true }),
  new nn.Conv2d(12, 32, 5),
  new nn.MaxPool2d(2),
  new snn.Leaky({ beta, spike_grad, init_hidden: true }),
  new nn.Flatten(),
  new nn.Linear(32 * 5 * 5, 10),
  new snn.Leaky({ beta, spike_grad, init_hidden: true, output: true }),
);

function forward_pass(net: nn.Sequential, data: torch.Tensor): torch.Tensor {
  const spk_rec: torch.Tensor[] = [];
  snn.utils.reset(net); // resets hidden states for all LIF neurons in net
  for (let step = 0; step < data.size(0); step++) {
    // data.size(0) = number of time steps
    const [spk_out] = net.forward(data.select(0, step)) as unknown as [torch.Tensor, torch.Tensor];
    spk_rec.push(spk_out);
  }
  return torch.stack(spk_rec);
}

// 3. Training
const optimizer = new optim.Adam(net.parameters(), { lr: 2e-2, betas: [0.9, 0.999] });
const loss_fn = SF.mse_count_loss({ correct_rate: 0.8, incorrect_rate: 0.2 });
const num_epochs = args.epochs ?? (args.quick ? 3 : 1);
const num_iters = 50;
const loss_hist: number[] = [];
const acc_hist: number[] = [];
const t0 = Date.now();
let iters = 0;
for (let epoch = 0; epoch < num_epochs && iters < num_iters; epoch++) {
  for (const [data, targets] of loader(trainset, true, args.seed + epoch)) {
    if (iters === num_iters) break;
    const [l, acc] = torch.tidy(() => {
      net.train();
      const spk_rec = forward_pass(net, data);
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
    console.log(`Epoch ${epoch}, Iteration ${iters} \nTrain Loss: ${l.toFixed(2)}\nAccuracy: ${(acc * 100).toFixed(2)}%`);
    iters++;
    await breathe(iters, 2);
  }
}
const train_seconds = since(t0);
let correct = 0;
let total = 0;
torch.no_grad(() => {
  net.eval();
  for (const [data, targets] of loader(testset, false, 0)) {
    torch.tidy(() => {
      correct += SF.accuracy_rate(forward_pass(net, data), targets) * targets.size(0);
      total += targets.size(0);
    });
    data.dispose();
    targets.dispose();
  }
});
const accuracy = correct / total;
console.log(
  `Test accuracy on the synthetic N-MNIST-format set: ${(accuracy * 100).toFixed(2)}% (${iters} iterations, ${train_seconds.toFixed(1)} s)`,
);
const first = loss_hist[0]!;
const last = loss_hist.slice(-2).reduce((a, b) => a + b, 0) / 2;
check(last < first, `training loss falls (${first.toFixed(3)} -> ${last.toFixed(3)})`);
check(accuracy > 0.25, `test accuracy ${(accuracy * 100).toFixed(2)}% is above 25% (chance 10%)`);
result({ accuracy, first_loss: first, last_loss: last, train_seconds, iterations: iters, synthetic: true });
