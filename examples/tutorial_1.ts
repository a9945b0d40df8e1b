// snnTorch tutorial 1, "Spike Encoding": MNIST digits turned into spike trains by rate coding,
// latency coding and delta modulation, visualised with spikeplot (animator, raster).
// --quick: the same steps on fewer samples.
import { join } from 'node:path';
import { torch, data, spikegen, spikeplot } from '../lib/index.js';
import { parseExampleArgs, check, checkFile, result } from './common.js';

const args = parseExampleArgs('tutorial_1');

// Training Parameters
const batch_size = 128;
const num_classes = 10; // MNIST has 10 output classes
// 1.3 Define a transform; 1.4 create a DataLoader on a subset of the data
const transform = data.transforms.Compose([
  data.transforms.Resize([28, 28]),
  data.transforms.Grayscale(),
  data.transforms.ToTensor(),
  data.transforms.Normalize([0], [1]),
]);
let mnist_train: data.BatchDataset<[torch.Tensor, number]> = new data.datasets.MNIST({ train: true, transform });
const subset = args.quick ? 60 : 10;
mnist_train = mnist_train instanceof data.datasets.MNIST ? mnist_train.subset(Math.floor(mnist_train.length / subset)) : mnist_train;
console.log(`The size of mnist_train is ${mnist_train.length}`);
check(num_classes === 10 && mnist_train.length === Math.floor(60000 / subset), `data_subset keeps 1/${subset} of the training set`);
const train_loader = new data.DataLoader(mnist_train, { batch_size, shuffle: true, seed: args.seed });

// 2.1 Rate coding of MNIST
const num_steps = 100;
const [data_it, targets_it] = train_loader[Symbol.iterator]().next().value as [torch.Tensor, torch.Tensor];
const spike_data = spikegen.rate(data_it, { num_steps });
console.log(`spike_data shape [${spike_data.shape.join(', ')}]`);
check(spike_data.shape.join() === `100,${batch_size},1,28,28`, 'rate code has shape [num_steps, batch, 1, 28, 28]');
// The spike rate approaches the pixel intensity.
const rate_err = torch.tidy(() => spike_data.mean(0).sub(data_it).abs().mean().item());
check(rate_err < 0.05, `mean |rate - intensity| = ${rate_err.toFixed(4)} < 0.05`);

// 2.2 Visualization: animator of one digit and the average over time
const spike_data_sample = spike_data.select(1, 0).select(1, 0); // [100, 28, 28]
const gif = await spikeplot.animator(spike_data_sample, { interval: 10, cmap: 'greys' }).save(join(args.out, 'spike_mnist.gif'));
checkFile(gif);
console.log(`The corresponding target is: ${targets_it.select(0, 0).item()}`);
// gain 0.25: a quarter of the rate
const spike_data_sample2 = spikegen.rate(data_it, { num_steps, gain: 0.25 }).select(1, 0).select(1, 0);
const ratio = torch.tidy(() => spike_data_sample2.sum().item() / spike_data_sample.sum().item());
check(ratio > 0.18 && ratio < 0.32, `gain=0.25 gives ${ratio.toFixed(3)} of the spikes (about 0.25)`);

// 2.2.2 Raster plots: reshape to [num_steps, 784]
const flat = spike_data_sample.reshape(num_steps, -1);
checkFile(
  await spikeplot
    .raster(flat, { s: 1.5, c: 'black', title: 'Input Layer', xlabel: 'Time step', ylabel: 'Neuron Number' })
    .save(join(args.out, 'raster_rate.svg')),
);

// 3. Latency coding: tau=5, threshold=0.01, linear and normalised, clipped
const spike_lat = spikegen.latency(data_it, { num_steps, tau: 5, threshold: 0.01, clip: true, normalize: true, linear: true });
const lat_sample = spike_lat.select(1, 0).reshape(num_steps, -1);
checkFile(
  await spikeplot
    .raster(lat_sample, { s: 25, c: 'black', title: 'Input Layer', xlabel: 'Time step', ylabel: 'Neuron Number' })
    .save(join(args.out, 'raster_latency.svg')),
);
// Each pixel fires at most once; pixels above the threshold fire exactly once.
const per_pixel_max = torch.tidy(() => spike_lat.sum(0).max().item());
check(per_pixel_max <= 1, 'latency code: at most one spike per pixel');
checkFile(await spikeplot.animator(spike_lat.select(1, 0).select(1, 0), { interval: 10 }).save(join(args.out, 'spike_latency.html')));

// 4. Delta modulation on a time series
const series = torch
  .tensor(
    [0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0].map(
      (v, i) => v + 0.1 * Math.sin(i),
    ),
  )
  .float();
const spike_delta = spikegen.delta(series, { threshold: 0.5, off_spike: true });
const on = torch.tidy(() => spike_delta.eq(1).sum().item());
const off = torch.tidy(() => spike_delta.eq(-1).sum().item());
console.log(`delta: ${on} on-spikes, ${off} off-spikes`);
check(on >= 3 && off >= 3, 'delta modulation emits on- and off-spikes where the series jumps');
checkFile(await spikeplot.raster(spike_delta.unsqueeze(1), { c: 'black' }).save(join(args.out, 'delta.png')));
result({ rate_err, gain_ratio: ratio, delta_on: on, delta_off: off });
