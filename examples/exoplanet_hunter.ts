// snnTorch tutorial "Exoplanet Hunter: Finding Planets Using Light Intensity": Kepler light
// curves (exoTrain.csv / exoTest.csv: LABEL 1 = no planet, 2 = planet, then FLUX.1..FLUX.3197),
// classes balanced with SMOTE (sampling_strategy='all'), a 3197-128-64-2 network with
// max_pool1d and Leaky neurons (beta 0.5, fast sigmoid), CrossEntropyLoss, SGD(lr 1e-3),
// batch 64, 100 epochs; accuracy, sensitivity, specificity and AUC-ROC on the test set.
// The Kepler CSVs (Kaggle) cannot be downloaded here: the example writes synthetic CSVs of the
// same schema (noisy, drifting flux; planet stars get periodic transit dips, about 1% of rows as
// in the real set) and reads them back. SMOTE (imblearn) is written out below.
// --quick: 600 training / 200 test rows, 5 epochs.
import { join } from 'node:path';
import { writeFileSync, readFileSync } from 'node:fs';
import { torch, nn, snn, optim, spikeplot } from '../lib/index.js';
import { parseExampleArgs, check, checkFile, result, since, rng } from './common.js';

const args = parseExampleArgs('exoplanet_hunter');
const N_FLUX = 3197;

/** Writes a CSV with the Kaggle Kepler schema: LABEL,FLUX.1,...,FLUX.3197. */
function writeSyntheticKepler(path: string, rows: number, planets: number, seed: number): void {
  const r = rng(seed);
  const gauss = (): number => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
  const lines = ['LABEL,' + Array.from({ length: N_FLUX }, (_, i) => `FLUX.${i + 1}`).join(',')];
  for (let i = 0; i < rows; i++) {
    const planet = i < planets;
    const noise = 20 + 60 * r();
    const drift = (r() - 0.5) * 200;
    const period = 150 + Math.floor(r() * 400);
    const phase = Math.floor(r() * period);
    const depth = 150 + 250 * r();
    const flux: string[] = [];
    for (let t = 0; t < N_FLUX; t++) {
      let f = drift * Math.sin((2 * Math.PI * t) / N_FLUX) + noise * gauss();
      if (planet && (t + phase) % period < 12) f -= depth;
      flux.push(f.toFixed(2));
    }
    lines.push(`${planet ? 2 : 1},${flux.join(',')}`);
  }
  writeFileSync(path, lines.join('\n') + '\n');
}

class CustomDataset {
  labels: number[];
  features: Float32Array[];
  constructor(csv_file: string) {
    const [header, ...rows] = readFileSync(csv_file, 'utf8').trim().split('\n');
    if (!header!.startsWith('LABEL,FLUX.1,')) throw new Error(`${csv_file}: expected the Kepler header LABEL,FLUX.1,...`);
    this.labels = [];
    this.features = [];
    for (const row of rows) {
      const v = row.split(',').map(Number);
      this.labels.push(v[0]! - 1); // originally 1 or 2; -1 makes them 0 or 1
      this.features.push(Float32Array.from(v.slice(1)));
    }
  }
  get length(): number {
    return this.labels.length;
  }
}

const n_train = args.quick ? 600 : 5087;
const n_test = args.quick ? 200 : 570;
writeSyntheticKepler(join(args.out, 'exoTrain.csv'), n_train, Math.max(6, Math.round(n_train * 0.0073)), args.seed);
writeSyntheticKepler(join(args.out, 'exoTest.csv'), n_test, Math.max(5, Math.round(n_test * 0.0088)), args.seed + 1);
const train_dataset = new CustomDataset(join(args.out, 'exoTrain.csv'));
const test_dataset = new CustomDataset(join(args.out, 'exoTest.csv'));
const count = (ls: number[], c: number): number => ls.filter((l) => l === c).length;
console.log(`training set: ${count(train_dataset.labels, 0)} without / ${count(train_dataset.labels, 1)} with a planet`);

/** SMOTE(sampling_strategy='all', k_neighbors=5): synthetic minority rows on segments to near neighbours until the classes are equal. */
function smote(features: Float32Array[], labels: number[], seed: number): [Float32Array[], number[]] {
  const r = rng(seed);
  const minority = labels.filter((l) => l === 1).length < labels.filter((l) => l === 0).length ? 1 : 0;
  const idx = labels.map((l, i) => (l === minority ? i : -1)).filter((i) => i >= 0);
  const need = labels.length - 2 * idx.length;
  const dist = (a: Float32Array, b: Float32Array): number => {
    let s = 0;
    for (let i = 0; i < a.length; i++) s += (a[i]! - b[i]!) ** 2;
    return s;
  };
  const neighbours = idx.map((i) =>
    idx
      .filter((j) => j !== i)
      .sort((a, b) => dist(features[i]!, features[a]!) - dist(features[i]!, features[b]!))
      .slice(0, 5),
  );
  const f = [...features];
  const l = [...labels];
  for (let n = 0; n < need; n++) {
    const k = Math.floor(r() * idx.length);
    const a = features[idx[k]!]!;
    const b = features[neighbours[k]![Math.floor(r() * neighbours[k]!.length)]!]!;
    const gap = r();
    f.push(a.map((v, i) => v + gap * (b[i]! - v)));
    l.push(minority);
  }
  return [f, l];
}
[train_dataset.features, train_dataset.labels] = smote(train_dataset.features, train_dataset.labels, args.seed);
console.log(`after SMOTE: ${count(train_dataset.labels, 0)} / ${count(train_dataset.labels, 1)}`);
check(count(train_dataset.labels, 0) === count(train_dataset.labels, 1), 'SMOTE balances the classes');

const batch_size = 64;
const spike_grad = snn.surrogate.fast_sigmoid(25);
const beta = 0.5;
function* loader(ds: CustomDataset, shuffle: boolean, seed: number): Generator<[torch.Tensor, torch.Tensor]> {
  const order = ds.labels.map((_, i) => i);
  const r = rng(seed);
  if (shuffle)
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(r() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
  for (let s = 0; s + batch_size <= order.length; s += batch_size) {
    // drop_last
    const b = order.slice(s, s + batch_size);
    const x = new Float32Array(batch_size * N_FLUX);
    b.forEach((i, k) => x.set(ds.features[i]!, k * N_FLUX));
    yield [torch.from_typed_array(x, [batch_size, N_FLUX]), torch.tensor(b.map((i) => ds.labels[i]!))];
  }
}

class Net extends nn.Module {
  declare fc1: nn.Linear;
  declare lif1: snn.Leaky;
  declare fc2: nn.Linear;
  declare lif2: snn.Leaky;
  declare fc3: nn.Linear;
  declare lif3: snn.Leaky;
  constructor() {
    super();
    this.fc1 = new nn.Linear(3197, 128); // takes an input of 3197 and outputs 128
    this.lif1 = new snn.Leaky({ beta, spike_grad });
    this.fc2 = new nn.Linear(64, 64);
    this.lif2 = new snn.Leaky({ beta, spike_grad });
    this.fc3 = new nn.Linear(32, 2); // two outputs: with / without an exoplanet
    this.lif3 = new snn.Leaky({ beta, spike_grad });
  }
  forward(x: torch.Tensor): torch.Tensor {
    // Initialize hidden states at t=0
    let mem1 = this.lif1.init_leaky();
    let mem2 = this.lif2.init_leaky();
    const cur1 = nn.functional.max_pool1d(this.fc1.forward(x), 2);
    let spk1: torch.Tensor, spk2: torch.Tensor;
    [spk1, mem1] = this.lif1.forward(cur1, mem1) as [torch.Tensor, torch.Tensor];
    const cur2 = nn.functional.max_pool1d(this.fc2.forward(spk1), 2);
    [spk2, mem2] = this.lif2.forward(cur2, mem2) as [torch.Tensor, torch.Tensor];
    return this.fc3.forward(spk2.view(batch_size, -1));
  }
}

/** The area under the ROC curve from scores and 0/1 labels (the Mann-Whitney statistic; ties count half). */
function roc_auc_score(labels: number[], scores: number[]): number {
  let pos = 0,
    neg = 0,
    wins = 0;
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] !== 1) continue;
    pos++;
    for (let j = 0; j < labels.length; j++) {
      if (labels[j] !== 0) continue;
      wins += scores[i]! > scores[j]! ? 1 : scores[i] === scores[j] ? 0.5 : 0;
    }
  }
  for (const l of labels) if (l === 0) neg++;
  return pos === 0 || neg === 0 ? NaN : wins / (pos * neg);
}

const model = new Net();
const criterion = new nn.CrossEntropyLoss();
const optimizer = new optim.SGD(model.parameters(), { lr: 0.001 });
const num_epochs = args.epochs ?? (args.quick ? 5 : 100);
const softmax = new nn.Softmax(1);
const train_loss: number[] = [];
let metrics = { accuracy: 0, sensitivity: 0, specificity: 0, auc_roc: 0, test_loss: 0 };
const aucs: number[] = [];
const t0 = Date.now();
for (let epoch = 0; epoch < num_epochs; epoch++) {
  model.train();
  let sum = 0,
    nb = 0;
  for (const [inputs, labels] of loader(train_dataset, true, args.seed + epoch)) {
    sum += torch.tidy(() => {
      optimizer.zero_grad();
      const outputs = model.forward(inputs);
      const loss = criterion.forward(outputs, labels);
      loss.backward();
      optimizer.step();
      return loss.item();
    });
    nb++;
    inputs.dispose();
    labels.dispose();
  }
  train_loss.push(sum / nb);
  // Test set, every epoch
  model.eval();
  const all_labels: number[] = [],
    all_predicted: number[] = [],
    all_probs: number[] = [];
  let test_loss = 0,
    correct = 0,
    total = 0,
    batches = 0;
  torch.no_grad(() => {
    for (const [inputs, labels] of loader(test_dataset, false, 0)) {
      torch.tidy(() => {
        const outputs = model.forward(inputs);
        test_loss += criterion.forward(outputs, labels).item();
        const predicted = outputs.argmax(1);
        total += labels.size(0);
        correct += predicted.eq(labels).sum().item();
        all_labels.push(...Array.from(labels.data() as BigInt64Array, Number));
        all_predicted.push(...Array.from(predicted.data() as BigInt64Array, Number));
        all_probs.push(...Array.from(softmax.forward(outputs).select(1, 1).data() as Float32Array)); // 1 = the positive class
      });
      batches++;
      inputs.dispose();
      labels.dispose();
    }
  });
  let tp = 0,
    tn = 0,
    fp = 0,
    fn = 0;
  all_labels.forEach((l, i) => {
    const p = all_predicted[i];
    if (l === 1) {
      if (p === 1) tp++;
      else fn++;
    } else if (p === 1) fp++;
    else tn++;
  });
  metrics = {
    accuracy: (100 * correct) / total,
    sensitivity: tp + fn > 0 ? (100 * tp) / (tp + fn) : 0,
    specificity: tn + fp > 0 ? (100 * tn) / (tn + fp) : 0,
    auc_roc: 100 * roc_auc_score(all_labels, all_probs),
    test_loss: test_loss / batches,
  };
  aucs.push(metrics.auc_roc);
  console.log(
    `Epoch [${epoch + 1}/${num_epochs}] Train Loss: ${train_loss[epoch]!.toFixed(3)} Test Loss: ${metrics.test_loss.toFixed(2)} Test Accuracy: ${metrics.accuracy.toFixed(2)}% Sensitivity: ${metrics.sensitivity.toFixed(2)}% Specificity: ${metrics.specificity.toFixed(2)}% AUC-ROC: ${metrics.auc_roc.toFixed(4)}%`,
  );
}
const seconds = since(t0);
checkFile(
  await spikeplot
    .traces(torch.tensor(aucs).view(-1, 1).float(), { dim: [1, 1], title: 'AUC-ROC (%) per epoch' })
    .save(join(args.out, 'auc_roc.svg')),
);
check(
  train_loss[train_loss.length - 1]! < train_loss[0]!,
  `training loss falls (${train_loss[0]!.toFixed(3)} -> ${train_loss[train_loss.length - 1]!.toFixed(3)})`,
);
result({
  ...metrics,
  first_loss: train_loss[0]!,
  last_loss: train_loss[train_loss.length - 1]!,
  seconds,
  epochs: num_epochs,
  synthetic: true,
});
