// snnTorch tutorial "Regression with SNNs, Part II" (sections 3-6) as a CLI: the RLeaky network
// trained on MNIST by spike-count regression (or, with --loss membrane, on the membrane record).
// Run `npm run train -- --help` for the options.
import { parseArgs } from 'node:util';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import cliProgress from 'cli-progress';
import { torch, optim, SF, data, snn } from '../lib/index.js';
import { Net } from './models/tutorial-net.js';
import { forwardSequence } from './models/tutorial-sequence.js';
import { writeMetrics, renderLossPlot, renderAccuracyPlot, renderRaster, type EpochRecord, type IterationRecord } from './report/index.js';
// Data-parallel training (--nproc N): scripts/train-distributed.ts.
import { fileURLToPath } from 'node:url';
import { distributedEntry, trainDistributed } from './train-distributed.js';

const HELP = `Usage: npm run train -- [options]

Trains the network of snnTorch's tutorial "Regression with SNNs, Part II" on MNIST:
fc1 784->hidden, RLeaky(beta, linear_features=hidden), fc2 hidden->10, RLeaky(beta, linear_features=10),
num_steps steps on the static image, Adam, SF.mse_count_loss(0.8, 0.2), evaluated with SF.accuracy_rate.

Options (defaults are the tutorial's):
  --epochs N           training epochs (5)
  --batch-size N       batch size for training and test, drop_last on both (128)
  --hidden N           hidden RLeaky neurons (128)
  --num-steps N        time steps per image (10)
  --beta X             membrane decay of both layers (0.9)
  --lr X               Adam learning rate (1e-3)
  --seed N             seed for weights and shuffling (0)
  --threads N          LibTorch and BLAS threads (default: the library's, 1 each on <= 2 cores)
  --device D           cpu | cuda (cpu)
  --dataset D          mnist | fashion | <folder of IDX files> (mnist)
  --limit N            train on the first N training and N/6 test images (a quick run)
  --loss L             count: SF.mse_count_loss(0.8, 0.2) on spikes (section 5)
                       membrane: SF.mse_membrane_loss(on_target=1.05, off_target=0.2) on the membrane record (section 6)
  --engine E           step: the tutorial's loop verbatim, one RLeaky call per step
                       sequence: fc1 once per image, each RLeaky layer over all steps in one native call (default)
  --save FILE          save the model's state_dict (PyTorch format) after training
  --resume FILE        load a state_dict before training
  --report DIR         write metrics.json and SVG plots there (default: runs/<date-time>); --report none to skip
  --no-progress        no progress bar (log lines only)
  --nproc N            data-parallel training on N processes (snntorch-node run + DistributedDataParallel;
                       --batch-size stays the global batch; CPU)
  -h, --help           this help
`;

function main(): Promise<void> {
  // --nproc N: relaunch this CLI on N ranks (the launcher's exit code becomes ours); in a rank, train with DDP.
  const distributed = distributedEntry(process.argv.slice(2), fileURLToPath(import.meta.url));
  if (distributed.launch) return distributed.launch.then((code) => void (process.exitCode = code));
  const { values } = parseArgs({
    args: distributed.args,
    options: {
      epochs: { type: 'string', default: '5' },
      'batch-size': { type: 'string', default: '128' },
      hidden: { type: 'string', default: '128' },
      'num-steps': { type: 'string', default: '10' },
      beta: { type: 'string', default: '0.9' },
      lr: { type: 'string', default: '1e-3' },
      seed: { type: 'string', default: '0' },
      threads: { type: 'string' },
      device: { type: 'string', default: 'cpu' },
      dataset: { type: 'string', default: 'mnist' },
      limit: { type: 'string' },
      loss: { type: 'string', default: 'count' },
      engine: { type: 'string', default: 'sequence' },
      save: { type: 'string' },
      resume: { type: 'string' },
      report: { type: 'string' },
      'no-progress': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(HELP);
    return Promise.resolve();
  }
  const int = (name: string, v: string, min: number): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer >= ${min}, got '${v}'`);
    return n;
  };
  const num = (name: string, v: string): number => {
    const n = Number(v);
    if (!Number.isFinite(n)) throw new Error(`--${name} must be a number, got '${v}'`);
    return n;
  };
  const oneOf = <S extends string>(name: string, v: string, allowed: readonly S[]): S => {
    if (!(allowed as readonly string[]).includes(v)) throw new Error(`--${name} must be one of ${allowed.join(', ')}, got '${v}'`);
    return v as S;
  };
  return (distributed.distributed ? trainDistributed : train)({
    epochs: int('epochs', values.epochs!, 0),
    batch_size: int('batch-size', values['batch-size']!, 1),
    hidden: int('hidden', values.hidden!, 1),
    num_steps: int('num-steps', values['num-steps']!, 1),
    beta: num('beta', values.beta!),
    lr: num('lr', values.lr!),
    seed: int('seed', values.seed!, 0),
    threads: values.threads === undefined ? null : int('threads', values.threads, 1),
    device: oneOf('device', values.device!, ['cpu', 'cuda'] as const),
    dataset: values.dataset!,
    limit: values.limit === undefined ? null : int('limit', values.limit, 1),
    loss: oneOf('loss', values.loss!, ['count', 'membrane'] as const),
    engine: oneOf('engine', values.engine!, ['step', 'sequence'] as const),
    save: values.save ?? null,
    resume: values.resume ?? null,
    report: values.report === 'none' ? null : (values.report ?? join('runs', new Date().toISOString().replace(/[:.]/g, '-'))),
    progress: !values['no-progress'] && process.stdout.isTTY === true,
  }).then(() => undefined);
}

export interface TrainConfig {
  epochs: number;
  batch_size: number;
  hidden: number;
  num_steps: number;
  beta: number;
  lr: number;
  seed: number;
  threads: number | null;
  device: 'cpu' | 'cuda';
  dataset: string;
  limit: number | null;
  loss: 'count' | 'membrane';
  engine: 'step' | 'sequence';
  save: string | null;
  resume: string | null;
  report: string | null;
  progress: boolean;
}

type Images = data.BatchDataset<[torch.Tensor, number]>;

function loadDataset(name: string, train: boolean): data.ImageDataset {
  // The tutorial's transform: Resize(28) -> Grayscale -> ToTensor -> Normalize((0,), (1,)).
  const transform = data.transforms.Compose([
    data.transforms.Resize(28),
    data.transforms.Grayscale(),
    data.transforms.ToTensor(),
    data.transforms.Normalize([0], [1]),
  ]);
  if (name === 'mnist') return new data.datasets.MNIST({ train, transform });
  if (name === 'fashion') return new data.datasets.FashionMNIST({ train, transform });
  return new data.datasets.MNIST({ root: name, train, transform });
}

/** The network's forward for the chosen engine: [spike record, membrane record], each [T, B, 10]. */
function forward(net: Net, x: torch.Tensor, engine: 'step' | 'sequence'): [torch.Tensor, torch.Tensor] {
  return engine === 'step' ? net.forward(x) : forwardSequence(net, x);
}

export async function train(cfg: TrainConfig): Promise<{ accuracy: number; seconds: number; epochs: EpochRecord[] }> {
  if (cfg.threads !== null) torch.set_num_threads(cfg.threads);
  torch.manual_seed(cfg.seed);
  const started = Date.now();
  const train_full = loadDataset(cfg.dataset, true);
  const test_full = loadDataset(cfg.dataset, false);
  if (cfg.device === 'cuda') {
    train_full.to('cuda');
    test_full.to('cuda');
  }
  let train_set: Images = train_full;
  let test_set: Images = test_full;
  if (cfg.limit !== null) {
    train_set = train_full.subset(Math.min(cfg.limit, train_full.length));
    test_set = test_full.subset(Math.min(Math.max(Math.floor(cfg.limit / 6), cfg.batch_size), test_full.length));
  }
  const train_loader = new data.DataLoader(train_set, { batch_size: cfg.batch_size, shuffle: true, drop_last: true, seed: cfg.seed });
  const test_loader = new data.DataLoader(test_set, { batch_size: cfg.batch_size, shuffle: true, drop_last: true, seed: cfg.seed + 1 });
  if (train_loader.length === 0) throw new Error(`no full training batch: ${train_set.length} images for batch size ${cfg.batch_size}`);

  const net = new Net({ num_hidden: cfg.hidden, beta: cfg.beta, num_steps: cfg.num_steps });
  if (cfg.resume) net.load_state_dict(torch.load(cfg.resume) as Map<string, torch.Tensor>);
  net.to(cfg.device);
  const optimizer = new optim.Adam(net.parameters(), { lr: cfg.lr, betas: [0.9, 0.999] });
  const loss_fn = cfg.loss === 'count'
    ? SF.mse_count_loss({ correct_rate: 0.8, incorrect_rate: 0.2 })
    : SF.mse_membrane_loss({ on_target: 1.05, off_target: 0.2 });

  const cfgLine = `${cfg.dataset}: ${train_set.length} train / ${test_set.length} test images, batch ${cfg.batch_size}, ` +
    `hidden ${cfg.hidden}, T=${cfg.num_steps}, beta ${cfg.beta}, lr ${cfg.lr}, loss ${cfg.loss}, engine ${cfg.engine}, ` +
    `${cfg.device}, ${torch.get_num_threads()} thread(s), step kernels ${snn.get_step_impl()}, LibTorch ${torch.__config__().libtorch_version}`;
  console.log(cfgLine);

  const iterations: IterationRecord[] = [];
  const epochs: EpochRecord[] = [];
  const rss: number[] = [];
  const bar = cfg.progress
    ? new cliProgress.SingleBar({ format: 'Epoch {epoch} |{bar}| {value}/{total} | loss {loss} | {rate} samples/s', hideCursor: true }, cliProgress.Presets.shades_classic)
    : null;
  let accuracy = 0;
  for (let epoch = 0; epoch < cfg.epochs; epoch++) {
    net.train();
    const t0 = Date.now();
    // Loss is summed on the device and read only when the bar refreshes (no per-batch host sync).
    const lossSum = torch.zeros([], { device: cfg.device });
    let batches = 0;
    let lastRead = 0;
    bar?.start(train_loader.length, 0, { epoch: epoch + 1, loss: '-', rate: '-' });
    for (const [x, y] of train_loader) {
      const loss = torch.tidy(() => {
        const flat = x.view(x.size(0), -1);
        const [spk, mem] = forward(net, flat, cfg.engine);
        const l = cfg.loss === 'count' ? loss_fn(spk, y) : loss_fn(mem, y);
        optimizer.zero_grad();
        l.backward();
        optimizer.step();
        return l.detach();
      });
      lossSum.add_(loss.reshape([]));
      loss.dispose();
      x.dispose();
      y.dispose();
      batches++;
      // Let the event loop turn now and then: native handles' finalizers (and the bar) run there.
      if (batches % 64 === 0) await new Promise((r) => setImmediate(r));
      const now = Date.now();
      if (now - lastRead > 500 || batches === train_loader.length) {
        const mean = lossSum.item() / batches;
        iterations.push({ epoch: epoch + 1, iteration: epoch * train_loader.length + batches, loss: mean });
        const rate = Math.round((batches * cfg.batch_size) / ((now - t0) / 1000));
        bar?.update(batches, { loss: mean.toExponential(3), rate });
        lastRead = now;
      }
    }
    bar?.stop();
    const train_loss = lossSum.item() / batches;
    lossSum.dispose();
    const seconds = (Date.now() - t0) / 1000;
    accuracy = evaluate(net, test_loader, cfg.engine);
    rss.push(process.memoryUsage().rss);
    const samples_per_s = (batches * cfg.batch_size) / seconds;
    epochs.push({ epoch: epoch + 1, train_loss, test_accuracy: accuracy, seconds, samples_per_s, rss_mb: rss[rss.length - 1]! / 2 ** 20 });
    console.log(
      `Epoch ${epoch + 1}/${cfg.epochs}: mean loss ${train_loss.toExponential(3)}, test accuracy ${(accuracy * 100).toFixed(2)}%, ` +
        `${seconds.toFixed(1)} s (${Math.round(samples_per_s)} samples/s), RSS ${(rss[rss.length - 1]! / 2 ** 20).toFixed(0)} MiB`,
    );
  }
  if (cfg.epochs === 0) accuracy = evaluate(net, test_loader, cfg.engine);
  const total = (Date.now() - started) / 1000;
  console.log(`The total accuracy on the test set is: ${(accuracy * 100).toFixed(2)}%`);
  console.log(`Wall time ${total.toFixed(1)} s, peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);

  if (cfg.save) {
    torch.save(net.state_dict(), cfg.save);
    console.log(`Saved the state_dict to ${cfg.save}`);
  }
  if (cfg.report) await writeReport(cfg, net, test_set, { iterations, epochs, accuracy, total });
  optimizer.dispose();
  net.dispose();
  return { accuracy, seconds: total, epochs };
}

function evaluate(net: Net, loader: data.DataLoader, engine: 'step' | 'sequence'): number {
  net.eval();
  let correct = 0;
  let total = 0;
  torch.no_grad(() => {
    for (const [x, y] of loader) {
      torch.tidy(() => {
        const [spk] = forward(net, x.view(x.size(0), -1), engine);
        correct += SF.accuracy_rate(spk, y) * x.size(0);
        total += x.size(0);
      });
      x.dispose();
      y.dispose();
    }
  });
  return total ? correct / total : 0;
}

async function writeReport(
  cfg: TrainConfig,
  net: Net,
  test_set: Images,
  r: { iterations: IterationRecord[]; epochs: EpochRecord[]; accuracy: number; total: number },
): Promise<void> {
  const dir = cfg.report!;
  mkdirSync(dir, { recursive: true });
  const conf = torch.__config__();
  const { report: _r, ...config } = cfg;
  writeMetrics(dir, {
    config: { ...config },
    environment: { node: process.version, libtorch: conf.libtorch_version, cuda_available: conf.cuda_available, threads: conf.num_threads, blas: conf.blas, blas_threads: conf.blas_threads, step_impl: snn.get_step_impl() },
    iterations: r.iterations,
    epochs: r.epochs,
    final: { test_accuracy: r.accuracy, seconds: r.total },
  });
  await renderLossPlot(r.iterations.map((p) => ({ iteration: p.iteration, loss: p.loss })), { file: join(dir, 'loss.svg'), title: 'Training loss (running mean per epoch)' });
  await renderAccuracyPlot(r.epochs.map((e) => ({ epoch: e.epoch, accuracy: e.test_accuracy ?? 0 })), { file: join(dir, 'accuracy.svg'), title: 'Test accuracy' });
  // Output spikes of the first few test digits: the snntorch.spikeplot.raster equivalent.
  const n = Math.min(5, test_set.length);
  const { spikes, labels, preds } = torch.no_grad(() =>
    torch.tidy(() => {
      net.eval();
      const [x, y] = test_set.getBatch(Int32Array.from({ length: n }, (_, i) => i));
      const [spk] = forward(net, x.view(n, -1), cfg.engine);
      const counts = spk.sum(0);
      return { spikes: spk.cpu().tolist() as number[][][], labels: (y.tolist() as number[]), preds: (counts.argmax(1).tolist() as number[]) };
    }),
  );
  await renderRaster(spikes, { file: join(dir, 'raster.svg'), labels, predictions: preds, title: 'Output spikes of test digits' });
  console.log(`Report written to ${dir} (metrics.json, loss.svg, accuracy.svg, raster.svg)`);
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('train-mnist.ts')) {
  main().catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
