// snnTorch tutorial "Spiking Autoencoder (SAE)": a convolutional spiking encoder (3 x Conv2d +
// BatchNorm2d + Leaky, then Linear to a 32-dim spiking latent), a Linear + Leaky back to
// 128x4x4, and a ConvTranspose2d decoder whose last Leaky (threshold 20000) never fires, so its
// membrane at the last step is the reconstruction. MNIST padded to 32x32, F.mse_loss, AdamW(lr 1e-4,
// weight_decay 1e-3), batch 250, 5 steps, 10 epochs. --quick: 1,500 training images, 1 epoch, lr 1e-3 (so the loss moves within 6 batches).
import { join } from 'node:path';
import { torch, nn, snn, optim, data, spikeplot } from '../lib/index.js';
import { parseExampleArgs, check, checkFile, result, breathe, since } from './common.js';

const args = parseExampleArgs('sae');

// dataloader arguments
const batch_size = 250;
const input_size = 32; // resize of mnist data
// transforms.Resize only checks sizes here (the library has no interpolation): the 28x28 digits are
// zero-padded by 2 pixels on each side to 32x32 instead of being stretched.
const pad = (x: torch.Tensor): torch.Tensor => {
  const [b, c, h, w] = x.shape as [number, number, number, number];
  const p = (input_size - h) / 2;
  const rows = torch.cat([torch.zeros([b, c, p, w]), x, torch.zeros([b, c, p, w])], 2);
  return torch.cat([torch.zeros([b, c, input_size, p]), rows, torch.zeros([b, c, input_size, p])], 3);
};
const transform = data.transforms.Compose([
  data.transforms.Grayscale(),
  data.transforms.ToTensor(),
  data.transforms.Normalize([0], [1]),
  data.transforms.Lambda(pad),
]);
let train_set: data.BatchDataset<[torch.Tensor, number]> = new data.datasets.MNIST({ train: true, transform });
let test_set: data.BatchDataset<[torch.Tensor, number]> = new data.datasets.MNIST({ train: false, transform });
if (args.quick) {
  train_set = (train_set as data.datasets.MNIST).subset(1500);
  test_set = (test_set as data.datasets.MNIST).subset(250);
}
const train_loader = new data.DataLoader(train_set, { batch_size, shuffle: true, seed: args.seed });
const test_loader = new data.DataLoader(test_set, { batch_size, shuffle: true, seed: args.seed + 1 });

// neuron and simulation parameters
const spike_grad = snn.surrogate.atan(2.0); // alternate surrogate gradient fast_sigmoid(slope=25)
const beta = 0.5; // decay rate of neurons
const num_steps = 5;
const latent_dim = 32; // dimension of latent layer (how compressed we want the information)
const thresh = 1; // spiking threshold (lower = more spikes are let through)
const epochs = args.epochs ?? (args.quick ? 1 : 10);
const lif = (o: { output?: true; threshold?: number } = {}): snn.Leaky =>
  new snn.Leaky({ beta, spike_grad, init_hidden: true, threshold: o.threshold ?? thresh, ...(o.output ? { output: true } : {}) });

class SAE extends nn.Module {
  declare encoder: nn.Sequential;
  declare linearNet: nn.Sequential;
  declare decoder: nn.Sequential;
  constructor() {
    super();
    // Encoder
    this.encoder = new nn.Sequential(
      new nn.Conv2d(1, 32, 3, { padding: 1, stride: 2 }), // Conv Layer 1
      new nn.BatchNorm2d(32),
      lif(), // SNN TORCH LIF NEURON
      new nn.Conv2d(32, 64, 3, { padding: 1, stride: 2 }), // Conv Layer 2
      new nn.BatchNorm2d(64),
      lif(),
      new nn.Conv2d(64, 128, 3, { padding: 1, stride: 2 }), // Conv Layer 3
      new nn.BatchNorm2d(128),
      lif(),
      new nn.Flatten(1, 3), // Flatten convolutional output
      new nn.Linear(2048, latent_dim), // the final layer output size (channels * pixels * pixels)
      lif({ output: true }),
    );
    // From latent back to tensor for convolution
    this.linearNet = new nn.Sequential(new nn.Linear(latent_dim, 128 * 4 * 4), lif({ output: true }));
    // Decoder
    this.decoder = new nn.Sequential(
      new nn.Unflatten(1, [128, 4, 4]),
      lif(),
      new nn.ConvTranspose2d(128, 64, 3, { padding: 1, stride: [2, 2], output_padding: 1 }),
      new nn.BatchNorm2d(64),
      lif(),
      new nn.ConvTranspose2d(64, 32, 3, { padding: 1, stride: [2, 2], output_padding: 1 }),
      new nn.BatchNorm2d(32),
      lif(),
      new nn.ConvTranspose2d(32, 1, 3, { padding: 1, stride: [2, 2], output_padding: 1 }),
      lif({ output: true, threshold: 20000 }), // make large so membrane can be trained
    );
  }

  forward(x: torch.Tensor): torch.Tensor {
    snn.utils.reset(this.encoder); // need to reset the hidden states of LIF
    snn.utils.reset(this.decoder);
    snn.utils.reset(this.linearNet);
    // encode
    const spk_rec: torch.Tensor[] = [];
    for (let step = 0; step < num_steps; step++) spk_rec.push(this.encode(x)[0]);
    const spk = torch.stack(spk_rec, 2); // stack spikes in second tensor dimension
    // decode
    const spk_mem2: torch.Tensor[] = [];
    for (let step = 0; step < num_steps; step++) spk_mem2.push(this.decode(spk.select(2, step))[1]);
    // the membrane potential of the output neuron at the last step
    return spk_mem2[spk_mem2.length - 1]!;
  }
  encode(x: torch.Tensor): [torch.Tensor, torch.Tensor] {
    return this.encoder.forward(x) as unknown as [torch.Tensor, torch.Tensor];
  }
  decode(x: torch.Tensor): [torch.Tensor, torch.Tensor] {
    const [spk_x] = this.linearNet.forward(x) as unknown as [torch.Tensor, torch.Tensor]; // latent -> encoder's final feature size
    return this.decoder.forward(spk_x) as unknown as [torch.Tensor, torch.Tensor];
  }
}

const net = new SAE();
const optimizer = new optim.AdamW(net.parameters(), { lr: args.quick ? 0.001 : 0.0001, betas: [0.9, 0.999], weight_decay: 0.001 });

async function train(network: SAE, epoch: number): Promise<number[]> {
  network.train();
  const hist: number[] = [];
  let batch_idx = 0;
  for (const [real_img, labels] of train_loader) {
    hist.push(
      torch.tidy(() => {
        const x_recon = network.forward(real_img);
        const loss_val = nn.functional.mse_loss(x_recon, real_img); // Calculate loss
        optimizer.zero_grad();
        loss_val.backward();
        optimizer.step();
        return loss_val.item();
      }),
    );
    if (batch_idx % 10 === 0) console.log(`Train[${epoch}/${epochs}][${batch_idx}/${train_loader.length}] Loss: ${hist[hist.length - 1]}`);
    real_img.dispose();
    labels.dispose();
    batch_idx++;
    await breathe(batch_idx, 2);
  }
  return hist;
}

function test(network: SAE): number {
  network.eval();
  let sum = 0;
  let n = 0;
  torch.no_grad(() => {
    for (const [real_img, labels] of test_loader) {
      sum += torch.tidy(() => nn.functional.mse_loss(network.forward(real_img), real_img).item());
      n++;
      real_img.dispose();
      labels.dispose();
    }
  });
  return sum / n;
}

const t0 = Date.now();
const train_hist: number[] = [];
let test_loss = 0;
for (let e = 0; e < epochs; e++) {
  train_hist.push(...(await train(net, e)));
  test_loss = test(net);
  console.log(`Test[${e}/${epochs}] Loss: ${test_loss.toFixed(4)}`);
}
const seconds = since(t0);

// Inputs and reconstructions of 8 test images side by side, as two frames of a GIF
const [imgs, lbl] = test_loader[Symbol.iterator]().next().value as [torch.Tensor, torch.Tensor];
const recon = torch.no_grad(() => net.forward(imgs));
const row = (t: torch.Tensor): torch.Tensor =>
  torch.cat(
    Array.from({ length: 8 }, (_, i) => t.select(0, i).select(0, 0)),
    1,
  );
checkFile(
  await spikeplot
    .animator(torch.stack([row(imgs), row(recon).clamp(0, 1)]), { interval: 800, cmap: 'greys', pixel: 3 })
    .save(join(args.out, 'reconstruction.gif')),
);
lbl.dispose();

const first = train_hist.slice(0, 3).reduce((a, b) => a + b, 0) / 3;
const last = train_hist.slice(-3).reduce((a, b) => a + b, 0) / 3;
console.log(`train MSE ${first.toFixed(4)} -> ${last.toFixed(4)}, test MSE ${test_loss.toFixed(4)} (${seconds.toFixed(1)} s)`);
check(last < first, 'the reconstruction loss falls');
check(test_loss < first, `test MSE ${test_loss.toFixed(4)} is below the first training batches' ${first.toFixed(4)}`);
result({ first_loss: first, last_loss: last, test_loss, seconds, epochs });
