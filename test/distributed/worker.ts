// A rank of the distributed tests, started as its own process by test/distributed_*.test.ts:
//   node --import tsx test/distributed/worker.ts <mode> <rank> <world_size> <init_method> [out.json]
// It prints one JSON line {"ok": true, ...} or exits non-zero with the error's message on stderr.
import { writeFileSync } from 'node:fs';
import { torch, nn, optim, SF, data } from '../../lib/index.js';
import { Net } from '../../examples/models/tutorial-net.js';
import { forwardSequence } from '../../examples/models/tutorial-sequence.js';

const [mode, rankText, worldText, init_method, out] = process.argv.slice(2);
const rank = Number(rankText);
const world_size = Number(worldText);
const dist = torch.distributed;
const timeout = Number(process.env.DIST_TEST_TIMEOUT ?? 20000);

function emit(result: object): void {
  const line = JSON.stringify({ ok: true, rank, ...result });
  if (out) writeFileSync(out, line);
  console.log(line);
}

const list = (t: torch.Tensor): number[] => Array.from(t.data() as ArrayLike<number | bigint>, Number);

async function collectives(): Promise<void> {
  const r = rank + 1;
  const res: Record<string, number[] | number> = {};
  for (const op of ['sum', 'product', 'min', 'max'] as const) {
    const t = torch.tensor([r, 10 * r, -r], { dtype: 'int64' });
    dist.all_reduce(t, op);
    res[`all_reduce_${op}`] = list(t);
  }
  const avg = torch.tensor([r, 2 * r], { dtype: 'float32' });
  dist.all_reduce(avg, dist.ReduceOp.AVG);
  res.all_reduce_avg = list(avg);
  const asyncT = torch.tensor([r], { dtype: 'float64' });
  // Rank 1 joins 300 ms late: rank 0's event loop must keep turning while it waits.
  if (rank === 1) await new Promise((res) => setTimeout(res, 300));
  const w = dist.all_reduce(asyncT, dist.ReduceOp.SUM, { async_op: true });
  // The event loop turns while the collective runs.
  let ticks = 0;
  const timer = setInterval(() => ticks++, 5);
  await w.wait();
  clearInterval(timer);
  res.async_sum = list(asyncT);
  res.async_completed = w.is_completed() ? 1 : 0;
  const b = rank === 1 ? torch.tensor([7, 8, 9], { dtype: 'float32' }) : torch.zeros([3]);
  dist.broadcast(b, 1);
  res.broadcast = list(b);
  const gathered = Array.from({ length: world_size }, () => torch.zeros([2], { dtype: 'int32' }));
  dist.all_gather(gathered, torch.tensor([r, -r], { dtype: 'int32' }));
  res.all_gather = gathered.flatMap(list);
  const outRs = torch.zeros([2], { dtype: 'float32' });
  dist.reduce_scatter(
    outRs,
    Array.from({ length: world_size }, (_, k) => torch.tensor([r * (k + 1), 100], { dtype: 'float32' })),
  );
  res.reduce_scatter = list(outRs);
  const outAvg = torch.zeros([1], { dtype: 'float32' });
  const rsw = dist.reduce_scatter(
    outAvg,
    Array.from({ length: world_size }, (_, k) => torch.tensor([r + k], { dtype: 'float32' })),
    dist.ReduceOp.AVG,
    { async_op: true },
  );
  await rsw.wait();
  res.reduce_scatter_avg = list(outAvg);
  dist.barrier();
  await dist.barrier({ async_op: true }).wait();
  if (rank === 0) {
    dist.send(torch.tensor([3.5, -1], { dtype: 'float32' }), 1, { tag: 4 });
    const back = torch.zeros([1], { dtype: 'int64' });
    await dist.irecv(back, 1).wait();
    res.p2p = list(back);
  } else if (rank === 1) {
    const got = torch.zeros([2], { dtype: 'float32' });
    res.recv_from = dist.recv(got, 0, { tag: 4 });
    res.p2p = list(got);
    await dist.isend(torch.tensor([42], { dtype: 'int64' }), 0).wait();
  }
  res.rank = dist.get_rank();
  res.world_size = dist.get_world_size();
  res.ticks = ticks;
  dist.destroy_process_group();
  emit(res);
}

/** A fixed batch: 2*B images of the tutorial's size, spike-count targets. */
function fixedBatch(B: number): [torch.Tensor, torch.Tensor] {
  torch.manual_seed(1234);
  const x = torch.rand([2 * B, 784]);
  const y = torch.randint(0, 10, [2 * B]);
  return [x, y];
}

function tutorialNet(seed: number): Net {
  torch.manual_seed(seed);
  return new Net({ num_hidden: 64, num_steps: 8 });
}

/** Steps of SGD on the fixed batch: DDP with rank r on half r, or one process on all of it. */
async function ddpStep(engine: 'step' | 'sequence'): Promise<void> {
  const B = 16;
  const [x, y] = fixedBatch(B);
  // Different initial weights on each rank: DDP must broadcast rank 0's.
  const net = tutorialNet(world_size > 1 ? 100 + rank : 100);
  const model = world_size > 1 ? new nn.parallel.DistributedDataParallel(net, { bucket_cap_mb: 0.01 }) : null;
  const xs = world_size > 1 ? x.narrow(0, rank * B, B) : x;
  const ys = world_size > 1 ? y.narrow(0, rank * B, B) : y;
  const optimizer = new optim.SGD(net.parameters(), { lr: 0.5 });
  const loss_fn = SF.mse_count_loss({ correct_rate: 0.8, incorrect_rate: 0.2 });
  const losses: number[] = [];
  const stats = [];
  for (let step = 0; step < 4; step++) {
    const run = (m: Net): [torch.Tensor, torch.Tensor] => (engine === 'step' ? m.forward(xs) : forwardSequence(m, xs));
    const [spk] = model ? model.forward_with(run) : run(net);
    const loss = loss_fn(spk, ys);
    optimizer.zero_grad();
    loss.backward();
    optimizer.step();
    losses.push(loss.item() as number);
    if (model) stats.push(model.comm_stats());
  }
  const params: Record<string, number[]> = {};
  for (const [k, p] of net.named_parameters()) params[k] = list(p);
  const keys = model ? [...model.state_dict().keys()] : [];
  if (model) {
    // Loading the wrapped module's keys (no prefix) and PyTorch's DDP keys both work.
    model.load_state_dict(net.state_dict());
    model.load_state_dict(model.state_dict());
    dist.destroy_process_group();
  }
  emit({ params, losses, keys, stats });
}

/** Gradient accumulation: backward of batch half A inside no_sync, then a synchronized backward of half B, one step. */
async function ddpNoSync(): Promise<void> {
  const B = 8;
  const [x, y] = fixedBatch(2 * B);
  const net = tutorialNet(world_size > 1 ? 200 + rank : 200);
  const model = world_size > 1 ? new nn.parallel.DistributedDataParallel(net) : null;
  const part = (k: number): [torch.Tensor, torch.Tensor] => {
    // Micro-batch k (0 or 1) of this rank: rows [k*2B + rank*B, +B), or all 2B rows of micro-batch k with one process.
    const start = world_size > 1 ? k * 2 * B + rank * B : k * 2 * B;
    const n = world_size > 1 ? B : 2 * B;
    return [x.narrow(0, start, n), y.narrow(0, start, n)];
  };
  const optimizer = new optim.SGD(net.parameters(), { lr: 0.5 });
  const loss_fn = SF.mse_count_loss({ correct_rate: 0.8, incorrect_rate: 0.2 });
  optimizer.zero_grad();
  const micro = (k: number): void => {
    const [xs, ys] = part(k);
    const [spk] = model ? model.forward(xs) : net.forward(xs);
    loss_fn(spk, ys).backward();
  };
  let localAfterNoSync: number[] = [];
  if (model) {
    model.no_sync(() => micro(0));
    localAfterNoSync = list(net.fc2.bias!.grad!);
  } else micro(0);
  micro(1);
  optimizer.step();
  const params: Record<string, number[]> = {};
  for (const [k, p] of net.named_parameters()) params[k] = list(p);
  if (model) dist.destroy_process_group();
  emit({ params, localAfterNoSync });
}

class TwoHeads extends nn.Module {
  used = new nn.Linear(4, 2);
  unused = new nn.Linear(4, 2);
  forward(x: torch.Tensor): torch.Tensor {
    return this.used.forward(x);
  }
}

/** A module with a parameter that gets no gradient, with and without find_unused_parameters. */
async function ddpUnused(): Promise<void> {
  const find_unused_parameters = process.env.DDP_FIND_UNUSED === '1';
  torch.manual_seed(rank);
  const net = new TwoHeads();
  const model = new nn.parallel.DistributedDataParallel(net, { find_unused_parameters });
  const optimizer = new optim.SGD(net.parameters(), { lr: 0.1 });
  for (let step = 0; step < 3; step++) {
    const x = torch.ones([2, 4]).mul(rank + step + 1);
    optimizer.zero_grad();
    model.forward(x).sum().backward();
    optimizer.step();
  }
  emit({ used: list(net.used.weight), unused: list(net.unused.weight) });
}

/** A few dozen batches of the tutorial on MNIST; with world_size 2, DistributedSampler halves. */
async function curve(): Promise<void> {
  const batches = 24;
  const global = 64;
  const transform = data.transforms.Compose([data.transforms.ToTensor()]);
  const full = new data.datasets.MNIST({ train: true, transform });
  const ds = new data.Subset(
    full,
    Array.from({ length: batches * global }, (_, i) => i),
  );
  const sampler = new data.DistributedSampler(ds, { num_replicas: world_size, rank, shuffle: true, seed: 7 });
  const loader = new data.DataLoader(ds, { batch_size: global / world_size, sampler, drop_last: true });
  const net = tutorialNet(5);
  const model = world_size > 1 ? new nn.parallel.DistributedDataParallel(net) : null;
  const optimizer = new optim.Adam(net.parameters(), { lr: 2e-3 });
  const loss_fn = SF.mse_count_loss({ correct_rate: 0.8, incorrect_rate: 0.2 });
  const losses: number[] = [];
  for (const [x, y] of loader) {
    torch.tidy(() => {
      const xf = x.flatten(1);
      const [spk] = model ? model.forward_with((m) => forwardSequence(m, xf)) : forwardSequence(net, xf);
      const loss = loss_fn(spk, y);
      optimizer.zero_grad();
      loss.backward();
      optimizer.step();
      const l = loss.detach();
      if (model) dist.all_reduce(l, dist.ReduceOp.AVG);
      losses.push(l.item() as number);
    });
    x.dispose();
    y.dispose();
  }
  if (model) dist.destroy_process_group();
  emit({ losses });
}

/** all_reduce in a loop until the peer dies; the error must name this rank and the op. */
async function untilPeerDies(): Promise<void> {
  const t = torch.ones([1000]);
  for (let i = 0; ; i++) {
    dist.all_reduce(t);
    if (i === 3) console.log('READY');
    t.fill_(1);
  }
}

/** DDP training steps in a loop until the peer dies: backward's error must name this rank and DDP. */
async function ddpUntilPeerDies(): Promise<void> {
  const [x, y] = fixedBatch(8);
  const net = tutorialNet(1);
  const model = new nn.parallel.DistributedDataParallel(net);
  const optimizer = new optim.SGD(net.parameters(), { lr: 0.1 });
  const loss_fn = SF.mse_count_loss({ correct_rate: 0.8, incorrect_rate: 0.2 });
  for (let i = 0; ; i++) {
    torch.tidy(() => {
      const [spk] = model.forward_with((m) => forwardSequence(m, x));
      optimizer.zero_grad();
      loss_fn(spk, y).backward();
      optimizer.step();
    });
    if (i === 2) console.log('READY');
  }
}

async function main(): Promise<void> {
  if (mode === 'init-only') {
    dist.init_process_group({ backend: 'gloo', init_method, rank, world_size, timeout });
    const t = torch.tensor([rank + 1], { dtype: 'int64' });
    dist.all_reduce(t);
    dist.destroy_process_group();
    emit({ sum: list(t) });
    return;
  }
  dist.init_process_group({ backend: 'gloo', init_method, rank, world_size: world_size, timeout });
  if (mode === 'collectives') return collectives();
  if (mode === 'ddp-step') return ddpStep('step');
  if (mode === 'ddp-sequence') return ddpStep('sequence');
  if (mode === 'curve') return curve();
  if (mode === 'ddp-unused') return ddpUnused();
  if (mode === 'ddp-no-sync') return ddpNoSync();
  if (mode === 'until-peer-dies') return untilPeerDies();
  if (mode === 'ddp-until-peer-dies') return ddpUntilPeerDies();
  if (mode === 'silent-peer') {
    // Rank 1 stays alive but never joins the collective: rank 0's all_reduce must time out.
    if (rank === 1) {
      await new Promise((res) => setTimeout(res, 30_000));
      return;
    }
    dist.all_reduce(torch.ones([4]));
    emit({ unexpected: true });
    return;
  }
  throw new Error(`unknown mode ${mode}`);
}

main().catch((e: Error) => {
  console.error(e.message);
  process.exit(1);
});
