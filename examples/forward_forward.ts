// snnTorch tutorial "The Forward-Forward Algorithm with a Spiking Neural Network": Hinton's
// forward-forward training, layer by layer, of a 784-500-500 network of bias-free linear layers
// followed by a Leaky neuron (one time step, beta 0.8) or ReLU. Positive data carry the right
// label in their first 10 pixels, negative data a shuffled one; each layer's own Adam(lr 0.03)
// pushes the goodness (mean squared potential) above 5 for positive and below 5 for negative
// data over 1000 epochs on one batch of 128. Prediction: the label with the largest total
// goodness. The tutorial's test_loader reads mnist_train (a slip); here it reads the test set.
// --quick: 300 epochs per layer.
import { join } from 'node:path';
import { torch, nn, snn, optim, data, spikeplot } from '../lib/index.js';
import { parseExampleArgs, check, checkFile, result, since } from './common.js';

const args = parseExampleArgs('forward_forward');

const transform = data.transforms.Compose([
  data.transforms.Grayscale(),
  data.transforms.ToTensor(),
  data.transforms.Normalize([0], [1]),
  data.transforms.Lambda((x) => torch.flatten(x, 1)),
]);
const mnist_train = new data.datasets.MNIST({ train: true, transform });
const train_loader = new data.DataLoader(mnist_train, { batch_size: 128, shuffle: true, seed: args.seed });
const mnist_test = new data.datasets.MNIST({ train: false, transform });
const test_loader = new data.DataLoader(mnist_test, { batch_size: 128, shuffle: false });

const num_epochs = args.epochs ?? (args.quick ? 300 : 1000);

// 3.1 The LeakyLayer: a bias-free linear layer on the normalised input, then Leaky (or ReLU)
class LeakyLayer extends nn.Linear {
  declare activation: snn.Leaky | nn.ReLU;
  readonly lif: boolean;
  readonly opt: optim.Adam;
  readonly threshold = 5.0;
  constructor(in_features: number, out_features: number, activation: 'lif' | 'relu') {
    super(in_features, out_features, { bias: false });
    this.lif = activation === 'lif';
    this.activation = this.lif ? new snn.Leaky({ beta: 0.8 }) : new nn.ReLU();
    this.opt = new optim.Adam(this.parameters(), { lr: 0.03 });
  }

  override forward(x: torch.Tensor): torch.Tensor {
    const x_direction = x.div(x.norm(2, 1, true).add(1e-4)); // normalize the input
    const weighted_input = torch.mm(x_direction, this.weight.t()); // MatMul between normalized input and weight matrix
    if (this.activation instanceof snn.Leaky) {
      const mem = this.activation.init_leaky(); // initialize membrane potential
      const [, potential] = this.activation.forward(weighted_input, mem) as [torch.Tensor, torch.Tensor]; // one step in time
      return potential;
    }
    return this.activation.forward(weighted_input);
  }

  train_ff(x_pos: torch.Tensor, x_neg: torch.Tensor): [[torch.Tensor, torch.Tensor], number[]] {
    const tot_loss: number[] = [];
    for (let e = 0; e < num_epochs; e++) {
      tot_loss.push(
        torch.tidy(() => {
          const g_pos = this.forward(x_pos).pow(2).mean(1); // positive data
          const g_neg = this.forward(x_neg).pow(2).mean(1); // negative data
          // the mean of the differences between goodness and threshold across pos and neg samples
          const loss = nn.functional.softplus(torch.cat([g_pos.neg().add(this.threshold), g_neg.sub(this.threshold)])).mean();
          this.opt.zero_grad();
          loss.backward(); // local backward-pass
          this.opt.step(); // update weights
          return loss.item();
        }),
      );
    }
    const output: [torch.Tensor, torch.Tensor] = torch.no_grad(() => [this.forward(x_pos).detach(), this.forward(x_neg).detach()]);
    return [output, tot_loss];
  }
}

// 3.2 The network
class Net extends nn.Module {
  declare layers: nn.ModuleList;
  constructor(dims: number[], activation: 'lif' | 'relu') {
    super();
    this.layers = new nn.ModuleList(Array.from({ length: dims.length - 1 }, (_, d) => new LeakyLayer(dims[d]!, dims[d + 1]!, activation)));
  }
  predict(x: torch.Tensor): torch.Tensor {
    return torch.no_grad(() => {
      const goodness_per_label: torch.Tensor[] = [];
      for (let label = 0; label < 10; label++) {
        let h = overlay_y_on_x(x, label); // overlay label information on top of the input data
        let goodness: torch.Tensor | null = null;
        for (const layer of this.layers as Iterable<LeakyLayer>) {
          h = layer.forward(h);
          const g = h.pow(2).mean(1);
          goodness = goodness === null ? g : goodness.add(g); // sum goodness over the layers
        }
        goodness_per_label.push(goodness!.unsqueeze(1));
      }
      return torch.cat(goodness_per_label, 1).argmax(1); // the label with the maximum goodness
    });
  }
  forward(x: torch.Tensor): torch.Tensor {
    return this.predict(x);
  }
  train_ff(x_pos: torch.Tensor, x_neg: torch.Tensor): number[][] {
    let [h_pos, h_neg] = [x_pos, x_neg];
    const layer_losses: number[][] = [];
    let i = 0;
    for (const layer of this.layers as Iterable<LeakyLayer>) {
      console.log(`Training layer ${i++} ...`);
      const [outputs, loss] = layer.train_ff(h_pos, h_neg);
      [h_pos, h_neg] = outputs;
      layer_losses.push(loss);
    }
    return layer_losses;
  }
}

/** Replaces the first 10 pixels of x with the one-hot label y (set to x.max()). */
function overlay_y_on_x(x: torch.Tensor, y: torch.Tensor | number): torch.Tensor {
  const [B, D] = x.shape as [number, number];
  const labels = typeof y === 'number' ? new Array<number>(B).fill(y) : Array.from(y.data() as BigInt64Array, Number);
  const keep = new Float32Array(B * D).fill(1);
  const hot = new Float32Array(B * D);
  for (let i = 0; i < B; i++) {
    keep.fill(0, i * D, i * D + 10); // zero out the first 10 pixels of input data
    hot[i * D + labels[i]!] = 1; // the y-label 'activates' the corresponding pixel
  }
  return x.mul(torch.from_typed_array(keep, [B, D])).add(torch.from_typed_array(hot, [B, D]).mul(x.max()));
}

function run(activation: 'lif' | 'relu'): { train_error: number; test_error: number; losses: number[][] } {
  const net = new Net([784, 500, 500], activation);
  const [x, y] = train_loader[Symbol.iterator]().next().value as [torch.Tensor, torch.Tensor];
  const x_pos = overlay_y_on_x(x, y); // positive samples: correct labels
  const rnd = torch.randperm(x.size(0));
  const x_neg = overlay_y_on_x(x, y.index_select(0, rnd)); // negative samples: shuffled labels
  const losses = net.train_ff(x_pos, x_neg);
  const train_error = 100 * (1.0 - net.predict(x).eq(y).float().mean().item());
  const [x_te, y_te] = test_loader[Symbol.iterator]().next().value as [torch.Tensor, torch.Tensor];
  const test_error = 100 * (1.0 - net.predict(x_te).eq(y_te).float().mean().item());
  console.log(`${activation}: train error ${train_error.toFixed(2)} %, test error ${test_error.toFixed(2)} %`);
  return { train_error, test_error, losses };
}

const t0 = Date.now();
const lif = run('lif');
const relu = run('relu');
const seconds = since(t0);
// 4.3 Layer losses
checkFile(
  await spikeplot
    .traces(torch.tensor(lif.losses).t().float(), { dim: [1, 2], titles: ['Layer 1 Loss', 'Layer 2 Loss'] })
    .save(join(args.out, 'layer_losses.svg')),
);
for (const [name, r] of [
  ['lif', lif],
  ['relu', relu],
] as const) {
  for (let l = 0; l < 2; l++) {
    const ls = r.losses[l]!;
    check(
      ls[ls.length - 1]! < ls[0]!,
      `${name} layer ${l + 1}: the forward-forward loss falls (${ls[0]!.toFixed(3)} -> ${ls[ls.length - 1]!.toFixed(3)})`,
    );
  }
  const bound = name === 'lif' ? 80 : 88;
  check(r.train_error < bound, `${name}: train error ${r.train_error.toFixed(1)}% is below ${bound}% (chance 90%)`);
}
result({
  lif_train_error: lif.train_error,
  lif_test_error: lif.test_error,
  relu_train_error: relu.train_error,
  relu_test_error: relu.test_error,
  seconds,
  epochs: num_epochs,
});
