// One training configuration, measured in its own process (so its peak RSS is its own):
// tutorial network, real MNIST batches, Adam, mse_count_loss. Prints one JSON line.
// argv: <engine step|sequence> <impl fused|composed> <batches> <threads> [reuse on|off]
import { torch, optim, SF, snn, data } from '../../lib/index.js';
import { Net } from '../../examples/models/tutorial-net.js';
import { forwardSequence } from '../../examples/models/tutorial-sequence.js';
import { median } from './stats.js';

const [engine = 'sequence', impl = 'fused', batchesArg = '60', threadsArg = '1', reuse = 'on'] = process.argv.slice(2);
torch.backends.snntorch.loop_invariant_reuse = reuse !== 'off';
const batches = Number(batchesArg);
torch.set_num_threads(Number(threadsArg));
snn.set_step_impl(impl as snn.StepImpl);
torch.manual_seed(0);

const transform = data.transforms.Compose([data.transforms.ToTensor()]);
const train_set = new data.datasets.MNIST({ train: true, transform });
const test_set = new data.datasets.MNIST({ train: false, transform });
const loader = new data.DataLoader(train_set, { batch_size: 128, shuffle: true, drop_last: true, seed: 0 });
const test_loader = new data.DataLoader(test_set, { batch_size: 128, shuffle: false, drop_last: true });
const net = new Net();
const opt = new optim.Adam(net.parameters(), { lr: 1e-3, fused: engine === 'sequence' }); // as the training CLI
const loss_fn = SF.mse_count_loss({ correct_rate: 0.8, incorrect_rate: 0.2 });
const fwd = (x: torch.Tensor) => (engine === 'step' ? net.forward(x) : forwardSequence(net, x));

const warmup = 10;
const t = { data: [] as number[], fwd: [] as number[], bwd: [] as number[], step: [] as number[], total: [] as number[] };
let i = 0;
let last = performance.now();
for (const [x, y] of loader) {
  const a = performance.now();
  torch.tidy(() => {
    const [spk] = fwd(x.view(x.size(0), -1));
    const loss = loss_fn(spk, y);
    const b = performance.now();
    opt.zero_grad();
    loss.backward();
    const c = performance.now();
    opt.step();
    const d = performance.now();
    if (i >= warmup) {
      t.data.push(a - last);
      t.fwd.push(b - a);
      t.bwd.push(c - b);
      t.step.push(d - c);
      t.total.push(d - last);
    }
  });
  x.dispose();
  y.dispose();
  last = performance.now();
  if (++i >= warmup + batches) break;
}
const trainSamplesPerS = (128 * t.total.length) / (t.total.reduce((p, q) => p + q, 0) / 1000);

// Evaluation: no_grad over up to 40 test batches.
net.eval();
let evalBatches = 0;
const e0 = performance.now();
torch.no_grad(() => {
  for (const [x, y] of test_loader) {
    torch.tidy(() => SF.accuracy_rate(fwd(x.view(x.size(0), -1))[0], y));
    x.dispose();
    y.dispose();
    if (++evalBatches >= 40) break;
  }
});
const evalSamplesPerS = (128 * evalBatches) / ((performance.now() - e0) / 1000);

console.log(
  JSON.stringify({
    engine,
    impl,
    reuse,
    threads: torch.get_num_threads(),
    batches: t.total.length,
    train_samples_per_s: trainSamplesPerS,
    eval_samples_per_s: evalSamplesPerS,
    data_ms: median(t.data),
    forward_ms: median(t.fwd),
    backward_ms: median(t.bwd),
    adam_ms: median(t.step),
    batch_ms: median(t.total),
    peak_rss_mib: process.resourceUsage().maxRSS / 1024,
  }),
);
