// Data-parallel training of the tutorial network: `npm run train -- --nproc N [options]` relaunches
// the training CLI on N ranks through `snntorch-node run` (lib/torch/distributed/run.ts); each rank
// runs trainDistributed. --batch-size stays the global batch (each rank takes batch/N images of it,
// drawn by a DistributedSampler), gradients are averaged by DistributedDataParallel, and:
//   - rank 0 alone prints the progress bar and the log, writes the report and the checkpoint
//     (the wrapped module's state_dict, so --resume works with or without --nproc);
//   - evaluation is split across ranks (rank r takes test images r, r+N, ...) and the correct counts
//     are summed with all_reduce: the accuracy is over the whole test set;
//   - the allreduce time per batch and its overlap with backward are measured and logged.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import cliProgress from 'cli-progress';
import { torch, nn, optim, SF, data, snn } from '../index.js';
import { launch } from '../torch/distributed/run.js';
import { Net } from '../../examples/models/tutorial-net.js';
import { forwardSequence } from '../../examples/models/tutorial-sequence.js';
import { writeMetrics, renderLossPlot, renderAccuracyPlot, type EpochRecord, type IterationRecord } from './report/index.js';

const dist = torch.distributed;

/** The training CLI's options that this path uses (the names of scripts/train-mnist.ts's TrainConfig). */
export interface DistributedTrainConfig {
  epochs: number;
  batch_size: number;
  hidden: number;
  num_steps: number;
  beta: number;
  lr: number;
  seed: number;
  dataset: string;
  limit: number | null;
  loss: 'count' | 'membrane';
  engine: 'step' | 'sequence';
  save: string | null;
  resume: string | null;
  report: string | null;
  progress: boolean;
  /** DistributedDataParallel's bucket size (MiB). */
  bucket_cap_mb?: number;
  /** Print nothing (benchmarks read the result). */
  quiet?: boolean;
  /** Ranks train on the CPU (Gloo); 'cuda' is refused. */
  device?: string;
  /** LibTorch threads per rank (default: the launcher's, 1). */
  threads?: number | null;
  /**
   * false: every batch runs inside DDP's no_sync, so ranks train apart with no gradient averaging.
   * Only the benchmark uses it, as the ceiling of data parallelism without any communication.
   */
  sync_gradients?: boolean;
}

export interface DistributedTrainResult {
  world_size: number;
  accuracy: number;
  seconds: number;
  train_seconds: number;
  samples_per_s: number;
  epochs: EpochRecord[];
  /** Per training batch, mean over the run (ms); zeros with one rank. */
  allreduce_ms: number;
  overlap_ms: number;
  exposed_ms: number;
  buckets: number;
}

/**
 * The CLI's entry for --nproc: removes `--nproc N` from argv. With N > 1 outside a rank it returns
 * `launch`, a promise of the launcher's exit code (the ranks rerun `script` with the other
 * arguments); inside a rank (WORLD_SIZE set) `distributed` is true.
 */
export function distributedEntry(
  argv: string[],
  script: string,
  scriptArgs: string[] = [],
): { args: string[]; distributed: boolean; launch: Promise<number> | null } {
  const args: string[] = [];
  let nproc: number | null = null;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--nproc' || a.startsWith('--nproc=')) {
      const v = a === '--nproc' ? argv[++i] : a.slice('--nproc='.length);
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1) throw new Error(`--nproc expects an integer >= 1, got ${JSON.stringify(v)}`);
      nproc = n;
    } else args.push(a);
  }
  const inRank = process.env.WORLD_SIZE !== undefined && process.env.RANK !== undefined;
  if (nproc !== null && nproc > 1 && !inRank) {
    return {
      args,
      distributed: false,
      launch: launch({
        nproc_per_node: nproc,
        nnodes: 1,
        node_rank: 0,
        master_addr: '127.0.0.1',
        master_port: null,
        threads_per_rank: 1,
        script,
        args: [...scriptArgs, ...args],
      }),
    };
  }
  return { args, distributed: inRank && Number(process.env.WORLD_SIZE) > 1, launch: null };
}

function loadDataset(name: string, train: boolean): data.ImageDataset {
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

/** Trains on this rank; call on every rank (init_process_group through env:// when WORLD_SIZE > 1). */
export async function trainDistributed(cfg: DistributedTrainConfig): Promise<DistributedTrainResult> {
  const started = Date.now();
  if (cfg.device !== undefined && cfg.device !== 'cpu')
    throw new Error(`--nproc trains on CPU ranks (Gloo); --device ${cfg.device} is not supported with it`);
  if (cfg.threads) torch.set_num_threads(cfg.threads);
  const world = Number(process.env.WORLD_SIZE ?? 1);
  if (world > 1 && !dist.is_initialized()) dist.init_process_group({ backend: 'gloo' });
  const rank = world > 1 ? dist.get_rank() : 0;
  const lead = rank === 0 && !cfg.quiet;
  if (cfg.batch_size % world !== 0)
    throw new Error(`--batch-size ${cfg.batch_size} is the global batch: it must divide by the ${world} ranks`);
  const local_batch = cfg.batch_size / world;
  torch.manual_seed(cfg.seed);
  const train_full = loadDataset(cfg.dataset, true);
  const test_full = loadDataset(cfg.dataset, false);
  const train_set = cfg.limit !== null ? train_full.subset(Math.min(cfg.limit, train_full.length)) : train_full;
  const test_set =
    cfg.limit !== null ? test_full.subset(Math.min(Math.max(Math.floor(cfg.limit / 6), cfg.batch_size), test_full.length)) : test_full;
  const sampler = new data.DistributedSampler(train_set, { num_replicas: world, rank, shuffle: true, seed: cfg.seed, drop_last: true });
  const train_loader = new data.DataLoader(train_set, { batch_size: local_batch, sampler, drop_last: true });
  // Evaluation shard: test images rank, rank + world, ... (no padding: each image counted once).
  const test_shard = new data.Subset(
    test_set,
    Int32Array.from({ length: Math.ceil((test_set.length - rank) / world) }, (_, i) => rank + i * world),
  );
  const test_loader = new data.DataLoader(test_shard, { batch_size: local_batch });
  if (train_loader.length === 0)
    throw new Error(`no full training batch: ${train_set.length} images for a global batch of ${cfg.batch_size}`);

  const net = new Net({ num_hidden: cfg.hidden, beta: cfg.beta, num_steps: cfg.num_steps });
  if (cfg.resume) net.load_state_dict(torch.load(cfg.resume) as Map<string, torch.Tensor>);
  // The network's buffers (RLeaky's threshold, graded_spikes_factor, reset code) never change in
  // training and DDP made them equal at construction: no per-batch buffer broadcast.
  const ddp =
    world > 1 ? new nn.parallel.DistributedDataParallel(net, { bucket_cap_mb: cfg.bucket_cap_mb ?? 25, broadcast_buffers: false }) : null;
  const run = (m: Net, x: torch.Tensor): [torch.Tensor, torch.Tensor] => (cfg.engine === 'step' ? m.forward(x) : forwardSequence(m, x));
  // The sequence engine is the fast path, so it also takes Adam's one-pass update; the step engine
  // stays the tutorial's code verbatim.
  const optimizer = new optim.Adam(net.parameters(), { lr: cfg.lr, betas: [0.9, 0.999], fused: cfg.engine === 'sequence' });
  const loss_fn =
    cfg.loss === 'count'
      ? SF.mse_count_loss({ correct_rate: 0.8, incorrect_rate: 0.2 })
      : SF.mse_membrane_loss({ on_target: 1.05, off_target: 0.2 });
  if (lead) {
    console.log(
      `${cfg.dataset}: ${train_set.length} train / ${test_set.length} test images, global batch ${cfg.batch_size} = ${world} rank(s) x ${local_batch}, ` +
        `hidden ${cfg.hidden}, T=${cfg.num_steps}, beta ${cfg.beta}, lr ${cfg.lr}, loss ${cfg.loss}, engine ${cfg.engine}, ` +
        `${torch.get_num_threads()} thread(s) per rank, step kernels ${snn.get_step_impl()}, LibTorch ${torch.__config__().libtorch_version}`,
    );
  }
  const bar =
    lead && cfg.progress
      ? new cliProgress.SingleBar(
          { format: 'Epoch {epoch} |{bar}| {value}/{total} | loss (rank 0) {loss} | {rate} samples/s', hideCursor: true },
          cliProgress.Presets.shades_classic,
        )
      : null;
  const iterations: IterationRecord[] = [];
  const epochs: EpochRecord[] = [];
  let accuracy = 0;
  let trainSeconds = 0;
  let comm = { allreduce_ms: 0, overlap_ms: 0, exposed_ms: 0, buckets: 0, n: 0 };
  for (let epoch = 0; epoch < cfg.epochs; epoch++) {
    net.train();
    sampler.set_epoch(epoch);
    const t0 = Date.now();
    const lossSum = torch.zeros([]);
    let batches = 0;
    let lastRead = 0;
    bar?.start(train_loader.length, 0, { epoch: epoch + 1, loss: '-', rate: '-' });
    for (const [x, y] of train_loader) {
      const step = (): torch.Tensor =>
        torch.tidy(() => {
          const flat = x.view(x.size(0), -1);
          const [spk, mem] = ddp ? ddp.forward_with((m) => run(m, flat)) : run(net, flat);
          const l = cfg.loss === 'count' ? loss_fn(spk, y) : loss_fn(mem, y);
          optimizer.zero_grad();
          l.backward();
          optimizer.step();
          return l.detach();
        });
      const loss = ddp && cfg.sync_gradients === false ? ddp.no_sync(step) : step();
      if (ddp) {
        const s = ddp.comm_stats();
        comm = {
          allreduce_ms: comm.allreduce_ms + s.allreduce_ms,
          overlap_ms: comm.overlap_ms + s.overlap_ms,
          exposed_ms: comm.exposed_ms + s.exposed_ms,
          buckets: s.buckets,
          n: comm.n + 1,
        };
      }
      lossSum.add_(loss.reshape([]));
      loss.dispose();
      x.dispose();
      y.dispose();
      batches++;
      if (batches % 64 === 0) await new Promise((r) => setImmediate(r));
      const now = Date.now();
      if (lead && (now - lastRead > 500 || batches === train_loader.length)) {
        const mean = (lossSum.item() as number) / batches;
        iterations.push({ epoch: epoch + 1, iteration: epoch * train_loader.length + batches, loss: mean });
        bar?.update(batches, { loss: mean.toExponential(3), rate: Math.round((batches * cfg.batch_size) / ((now - t0) / 1000)) });
        lastRead = now;
      }
    }
    bar?.stop();
    const seconds = (Date.now() - t0) / 1000;
    trainSeconds += seconds;
    if (ddp) dist.all_reduce(lossSum, dist.ReduceOp.AVG);
    const train_loss = (lossSum.item() as number) / batches;
    lossSum.dispose();
    accuracy = evaluate(net, test_loader, run, world);
    const samples_per_s = (batches * cfg.batch_size) / seconds;
    const rss_mb = process.memoryUsage().rss / 2 ** 20;
    epochs.push({ epoch: epoch + 1, train_loss, test_accuracy: accuracy, seconds, samples_per_s, rss_mb });
    if (lead) {
      const c = comm.n
        ? `, allreduce ${(comm.allreduce_ms / comm.n).toFixed(2)} ms/batch (${((100 * comm.overlap_ms) / Math.max(comm.allreduce_ms, 1e-9)).toFixed(0)}% overlapped with backward)`
        : '';
      console.log(
        `Epoch ${epoch + 1}/${cfg.epochs}: mean loss ${train_loss.toExponential(3)}, test accuracy ${(accuracy * 100).toFixed(2)}%, ${seconds.toFixed(1)} s (${Math.round(samples_per_s)} samples/s)${c}, RSS (rank 0) ${rss_mb.toFixed(0)} MiB`,
      );
    }
  }
  if (cfg.epochs === 0) accuracy = evaluate(net, test_loader, run, world);
  const total = (Date.now() - started) / 1000;
  if (lead)
    console.log(
      `The total accuracy on the test set is: ${(accuracy * 100).toFixed(2)}%\nWall time ${total.toFixed(1)} s on ${world} rank(s)`,
    );
  if (rank === 0 && cfg.save) {
    torch.save(net.state_dict(), cfg.save);
    if (lead) console.log(`Saved the state_dict to ${cfg.save}`);
  }
  if (rank === 0 && cfg.report) {
    mkdirSync(cfg.report, { recursive: true });
    const conf = torch.__config__();
    const { report: _r, quiet: _q, ...config } = cfg;
    writeMetrics(cfg.report, {
      config: { ...config, world_size: world },
      environment: {
        node: process.version,
        libtorch: conf.libtorch_version,
        threads: conf.num_threads,
        blas: conf.blas,
        blas_threads: conf.blas_threads,
        step_impl: snn.get_step_impl(),
        world_size: world,
      },
      iterations,
      epochs,
      final: { test_accuracy: accuracy, seconds: total },
    });
    await renderLossPlot(
      iterations.map((p) => ({ iteration: p.iteration, loss: p.loss })),
      { file: join(cfg.report, 'loss.svg'), title: 'Training loss, rank 0 (running mean per epoch)' },
    );
    await renderAccuracyPlot(
      epochs.map((e) => ({ epoch: e.epoch, accuracy: e.test_accuracy ?? 0 })),
      { file: join(cfg.report, 'accuracy.svg'), title: 'Test accuracy' },
    );
    if (lead) console.log(`Report written to ${cfg.report} (metrics.json, loss.svg, accuracy.svg)`);
  }
  const n = Math.max(comm.n, 1);
  ddp?.detach_reducer();
  optimizer.dispose();
  net.dispose();
  if (world > 1) dist.destroy_process_group();
  return {
    world_size: world,
    accuracy,
    seconds: total,
    train_seconds: trainSeconds,
    samples_per_s: epochs.length ? epochs.reduce((a, e) => a + Number(e.samples_per_s), 0) / epochs.length : 0,
    epochs,
    allreduce_ms: comm.allreduce_ms / n,
    overlap_ms: comm.overlap_ms / n,
    exposed_ms: comm.exposed_ms / n,
    buckets: comm.buckets,
  };
}

/** Accuracy over every rank's shard: correct and total counts summed with all_reduce. */
function evaluate(
  net: Net,
  loader: data.DataLoader,
  run: (m: Net, x: torch.Tensor) => [torch.Tensor, torch.Tensor],
  world: number,
): number {
  net.eval();
  let correct = 0;
  let total = 0;
  torch.no_grad(() => {
    for (const [x, y] of loader) {
      torch.tidy(() => {
        const [spk] = run(net, x.view(x.size(0), -1));
        correct += Math.round(SF.accuracy_rate(spk, y) * x.size(0));
        total += x.size(0);
      });
      x.dispose();
      y.dispose();
    }
  });
  const counts = torch.tensor([correct, total], { dtype: 'int64' });
  if (world > 1) dist.all_reduce(counts);
  const [c, t] = counts.tolist() as number[];
  counts.dispose();
  return t ? c! / t : 0;
}
