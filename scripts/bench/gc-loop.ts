// The tutorial's section-4 training loop as a user ports it, measured in its own process:
// a synchronous for-of over the DataLoader, and either every step in torch.tidy with the batch
// disposed ('tidy'), or nothing freed by hand at all ('none': no tidy, no dispose; only the GC).
// Prints one JSON line: peak RSS, RSS after the loop, samples/s, and after the loop (and after a
// forced GC when --expose-gc is on) torch.memory() and process.memoryUsage().external.
// argv: <mode tidy|none> <engine step|sequence> <batches> [threads]
import { torch, optim, SF, data } from '../../lib/index.js';
import { Net } from '../../examples/models/tutorial-net.js';
import { forwardSequence } from '../../examples/models/tutorial-sequence.js';

const [mode = 'none', engine = 'step', batchesArg = '300', threadsArg = '1'] = process.argv.slice(2);
if (mode !== 'tidy' && mode !== 'none') throw new Error(`mode must be tidy or none, got ${mode}`);
if (engine !== 'step' && engine !== 'sequence') throw new Error(`engine must be step or sequence, got ${engine}`);
const batches = Number(batchesArg);
torch.set_num_threads(Number(threadsArg));
torch.manual_seed(0);

const train_set = new data.datasets.MNIST({ train: true, transform: data.transforms.ToTensor() });
const loader = new data.DataLoader(train_set, { batch_size: 128, shuffle: true, drop_last: true, seed: 0 });
const net = new Net();
const optimizer = new optim.Adam(net.parameters(), { lr: 1e-3 });
const loss_fn = SF.mse_count_loss({ correct_rate: 0.8, incorrect_rate: 0.2 });
const forward = (x: torch.Tensor): torch.Tensor => (engine === 'step' ? net.forward(x)[0] : forwardSequence(net, x)[0]);

let peak = process.memoryUsage().rss;
const rssStart = peak;
let done = 0;
const t0 = performance.now();
const cpu0 = process.cpuUsage();
// The tutorial's loop: loss_hist.append(loss_val.item()) each iteration.
const loss_hist: number[] = [];
while (done < batches) {
  for (const [x, y] of loader) {
    if (mode === 'tidy') {
      loss_hist.push(
        torch.tidy(() => {
          const spk_rec = forward(x.view(x.size(0), -1));
          const loss_val = loss_fn(spk_rec, y);
          optimizer.zero_grad();
          loss_val.backward();
          optimizer.step();
          return loss_val.item();
        }),
      );
      x.dispose();
      y.dispose();
    } else {
      const spk_rec = forward(x.view(x.size(0), -1));
      const loss_val = loss_fn(spk_rec, y);
      optimizer.zero_grad();
      loss_val.backward();
      optimizer.step();
      loss_hist.push(loss_val.item());
    }
    done++;
    if (done % 25 === 0) peak = Math.max(peak, process.memoryUsage().rss);
    if (done >= batches) break;
  }
}
const seconds = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
// CPU time (user + system) per batch: steadier than wall time on a machine shared with other work.
const cpu_ms_per_batch = Math.round(((cpu.user + cpu.system) / 1000 / done) * 1000) / 1000;
peak = Math.max(peak, process.memoryUsage().rss);
const mib = (b: number): number => Math.round((b / 2 ** 20) * 10) / 10;
const after = torch.memory();
const externalAfter = process.memoryUsage().external;
const gc = (globalThis as { gc?: () => void }).gc;
let afterGc: { live_tensors: number; live_bytes_mib: number; v8_external_mib: number; external_mib: number } | null = null;
if (gc) {
  gc();
  gc();
  const m = torch.memory();
  afterGc = {
    live_tensors: m.live_tensors,
    live_bytes_mib: mib(m.live_bytes),
    v8_external_mib: mib(m.v8_external_bytes),
    external_mib: mib(process.memoryUsage().external),
  };
}
console.log(
  JSON.stringify({
    mode,
    engine,
    batches: done,
    samples_per_s: Math.round((done * 128) / seconds),
    cpu_ms_per_batch,
    rss_start_mib: mib(rssStart),
    peak_rss_mib: mib(peak),
    rss_end_mib: mib(process.memoryUsage().rss),
    live_tensors: after.live_tensors,
    live_bytes_mib: mib(after.live_bytes),
    v8_external_mib: mib(after.v8_external_bytes),
    external_mib: mib(externalAfter),
    after_gc: afterGc,
    last_loss: loss_hist[loss_hist.length - 1],
  }),
);
