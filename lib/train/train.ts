// snnTorch tutorial "Regression with SNNs, Part II" (sections 3-6) as a training run: the RLeaky
// network trained on MNIST by spike-count regression (or, with loss 'membrane', on the membrane
// record). cli.ts turns command-line options into a TrainConfig; this file runs it.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import cliProgress from 'cli-progress';
import { torch, optim, SF, data, snn } from '../index.js';
import { blasFacts, judgeBlas, type BlasVerdict } from './blas.js';
import { Net } from '../../examples/models/tutorial-net.js';
import { forwardSequence } from '../../examples/models/tutorial-sequence.js';
import {
  writeMetrics,
  renderLossPlot,
  renderAccuracyPlot,
  renderRaster,
  lossHistoryPoints,
  plotsAvailable,
  type EpochRecord,
  type IterationRecord,
} from './report/index.js';

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

/** Set `requested` (e.g. from a SIGINT handler) to stop the run after the batch in progress. */
export interface StopSignal {
  requested: boolean;
  /** What asked for the stop ('SIGINT', ...), for the log and the report. */
  reason?: string;
}

export interface TrainResult {
  accuracy: number;
  seconds: number;
  epochs: EpochRecord[];
  /** The tutorial's loss_hist: the training loss of every iteration (batch), in order. */
  loss_hist: number[];
  /** Set when a StopSignal ended the run early: where it stopped. */
  stopped: { reason: string; epoch: number; batch: number } | null;
  blas: BlasVerdict;
}

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

export async function train(cfg: TrainConfig, stop: StopSignal = { requested: false }): Promise<TrainResult> {
  if (cfg.threads !== null) torch.set_num_threads(cfg.threads);
  const blas = judgeBlas(blasFacts());
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
  // The sequence engine is the fast path, so it also takes Adam's one-pass update; the step engine
  // stays the tutorial's code verbatim.
  const optimizer = new optim.Adam(net.parameters(), { lr: cfg.lr, betas: [0.9, 0.999], fused: cfg.engine === 'sequence' });
  const loss_fn =
    cfg.loss === 'count'
      ? SF.mse_count_loss({ correct_rate: 0.8, incorrect_rate: 0.2 })
      : SF.mse_membrane_loss({ on_target: 1.05, off_target: 0.2 });

  const cfgLine =
    `${cfg.dataset}: ${train_set.length} train / ${test_set.length} test images, batch ${cfg.batch_size}, ` +
    `hidden ${cfg.hidden}, T=${cfg.num_steps}, beta ${cfg.beta}, lr ${cfg.lr}, loss ${cfg.loss}, engine ${cfg.engine}, ` +
    `${cfg.device}, ${torch.get_num_threads()} thread(s), step kernels ${snn.get_step_impl()}, LibTorch ${torch.__config__().libtorch_version}`;
  console.log(cfgLine);
  console.log(`BLAS: ${blas.summary}`);
  if (!blas.ok) console.warn(`warning: slow BLAS: ${blas.problem}`);

  const iterations: IterationRecord[] = [];
  const loss_hist: number[] = [];
  const epochs: EpochRecord[] = [];
  const rss: number[] = [];
  const bar = cfg.progress
    ? new cliProgress.SingleBar(
        { format: 'Epoch {epoch} |{bar}| {value}/{total} | loss {loss} | {rate} samples/s', hideCursor: true },
        cliProgress.Presets.shades_classic,
      )
    : null;
  let accuracy = 0;
  let stopped: TrainResult['stopped'] = null;
  for (let epoch = 0; epoch < cfg.epochs && !stopped; epoch++) {
    net.train();
    const t0 = Date.now();
    // loss_hist of this epoch stays on the device, one detached scalar per batch, and is read once
    // when the epoch ends (no per-batch host sync); the progress bar reads the running sum only
    // when it refreshes.
    const epochLosses: torch.Tensor[] = [];
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
        return l.detach().reshape([]);
      });
      lossSum.add_(loss);
      epochLosses.push(loss);
      x.dispose();
      y.dispose();
      batches++;
      // Let the event loop turn after every batch: a stop request (SIGINT, SIGTERM) is delivered
      // there, so the run stops at the next batch; the bar draws there too.
      await new Promise((r) => setImmediate(r));
      if (stop.requested) {
        stopped = { reason: stop.reason ?? 'stop requested', epoch: epoch + 1, batch: batches };
        break;
      }
      const now = Date.now();
      if (bar && (now - lastRead > 500 || batches === train_loader.length)) {
        const mean = lossSum.item() / batches;
        const rate = Math.round((batches * cfg.batch_size) / ((now - t0) / 1000));
        bar.update(batches, { loss: mean.toExponential(3), rate });
        lastRead = now;
      } else if (!bar && (batches === 1 || now - lastRead > 10_000) && batches < train_loader.length) {
        // Without a bar (not a terminal, or --no-progress): a line after the first batch and every 10 s.
        const rate = Math.round((batches * cfg.batch_size) / (Math.max(now - t0, 1) / 1000));
        console.log(`Epoch ${epoch + 1}: batch ${batches}/${train_loader.length}, ${rate} samples/s`);
        lastRead = now;
      }
    }
    bar?.stop();
    const seconds = (Date.now() - t0) / 1000;
    const hist = epochLosses.length ? torch.tidy(() => torch.stack(epochLosses).cpu().tolist() as number[]) : [];
    for (const t of epochLosses) t.dispose();
    lossSum.dispose();
    for (let i = 0; i < hist.length; i++) {
      loss_hist.push(hist[i]!);
      iterations.push({
        epoch: epoch + 1,
        iteration: epoch * train_loader.length + i + 1,
        loss: Number.isFinite(hist[i]) ? hist[i]! : null,
      });
    }
    const train_loss = hist.length ? hist.reduce((a, b) => a + b, 0) / hist.length : null;
    const samples_per_s = (batches * cfg.batch_size) / seconds;
    if (stopped) {
      rss.push(process.memoryUsage().rss);
      epochs.push({
        epoch: epoch + 1,
        train_loss,
        test_accuracy: null,
        seconds,
        samples_per_s,
        rss_mb: rss[rss.length - 1]! / 2 ** 20,
        batches,
        partial: true,
      });
      console.log(
        `Stopped by ${stopped.reason} in epoch ${epoch + 1} after ${batches}/${train_loader.length} batches: mean loss ${train_loss?.toExponential(3) ?? '-'}, ` +
          `${Math.round(samples_per_s)} samples/s (no test evaluation)`,
      );
      break;
    }
    accuracy = evaluate(net, test_loader, cfg.engine);
    rss.push(process.memoryUsage().rss);
    epochs.push({ epoch: epoch + 1, train_loss, test_accuracy: accuracy, seconds, samples_per_s, rss_mb: rss[rss.length - 1]! / 2 ** 20 });
    console.log(
      `Epoch ${epoch + 1}/${cfg.epochs}: mean loss ${train_loss?.toExponential(3) ?? '-'}, test accuracy ${(accuracy * 100).toFixed(2)}%, ` +
        `${seconds.toFixed(1)} s (${Math.round(samples_per_s)} samples/s), RSS ${(rss[rss.length - 1]! / 2 ** 20).toFixed(0)} MiB`,
    );
    if (stop.requested) stopped = { reason: stop.reason ?? 'stop requested', epoch: epoch + 1, batch: batches };
  }
  if (cfg.epochs === 0) accuracy = evaluate(net, test_loader, cfg.engine);
  const total = (Date.now() - started) / 1000;
  if (!stopped) console.log(`The total accuracy on the test set is: ${(accuracy * 100).toFixed(2)}%`);
  else if (epochs.some((e) => !e.partial)) console.log(`Test accuracy after the last full epoch: ${(accuracy * 100).toFixed(2)}%`);
  console.log(`Wall time ${total.toFixed(1)} s, peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);

  if (cfg.save) {
    torch.save(net.state_dict(), cfg.save);
    console.log(`Saved the state_dict to ${cfg.save}`);
  }
  if (cfg.report) await writeReport(cfg, net, test_set, { iterations, loss_hist, epochs, accuracy, total, stopped, blas });
  optimizer.dispose();
  net.dispose();
  return { accuracy, seconds: total, epochs, loss_hist, stopped, blas };
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
  r: {
    iterations: IterationRecord[];
    loss_hist: number[];
    epochs: EpochRecord[];
    accuracy: number;
    total: number;
    stopped: TrainResult['stopped'];
    blas: BlasVerdict;
  },
): Promise<void> {
  const dir = cfg.report!;
  mkdirSync(dir, { recursive: true });
  const conf = torch.__config__();
  const { report: _r, ...config } = cfg;
  writeMetrics(dir, {
    config: { ...config },
    environment: {
      node: process.version,
      libtorch: conf.libtorch_version,
      cuda_available: conf.cuda_available,
      threads: conf.num_threads,
      blas: conf.blas,
      blas_threads: conf.blas_threads,
      blas_summary: r.blas.summary,
      blas_ok: r.blas.ok,
      step_impl: snn.get_step_impl(),
    },
    iterations: r.iterations,
    loss_hist: r.loss_hist,
    epochs: r.epochs,
    final: { test_accuracy: r.stopped ? null : r.accuracy, seconds: r.total, stopped: r.stopped },
  });
  if (!(await plotsAvailable())) {
    console.log(`Report written to ${dir} (metrics.json; no plots: they need vega and vega-lite, npm install vega vega-lite)`);
    return;
  }
  await renderLossPlot(lossHistoryPoints(r.loss_hist), {
    file: join(dir, 'loss.svg'),
    title: 'Training loss per iteration (loss_hist) and its running mean',
  });
  await renderAccuracyPlot(
    r.epochs.filter((e) => typeof e.test_accuracy === 'number').map((e) => ({ epoch: e.epoch, accuracy: e.test_accuracy as number })),
    { file: join(dir, 'accuracy.svg'), title: 'Test accuracy' },
  );
  // Output spikes of the first few test digits: the snntorch.spikeplot.raster equivalent.
  const n = Math.min(5, test_set.length);
  const { spikes, labels, preds } = torch.no_grad(() =>
    torch.tidy(() => {
      net.eval();
      const [x, y] = test_set.getBatch(Int32Array.from({ length: n }, (_, i) => i));
      const [spk] = forward(net, x.view(n, -1), cfg.engine);
      const counts = spk.sum(0);
      return { spikes: spk.cpu().tolist() as number[][][], labels: y.tolist() as number[], preds: counts.argmax(1).tolist() as number[] };
    }),
  );
  await renderRaster(spikes, { file: join(dir, 'raster.svg'), labels, predictions: preds, title: 'Output spikes of test digits' });
  console.log(`Report written to ${dir} (metrics.json, loss.svg, accuracy.svg, raster.svg)`);
}
