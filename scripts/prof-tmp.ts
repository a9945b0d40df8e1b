import { torch, optim, SF, snn } from '../lib/index.js';
import { Net } from './models/tutorial-net.js';
torch.set_num_threads(Number(process.env.TH ?? 1));
if (process.env.BLAS) (await import('../lib/native.js')).native.set_blas_threads(Number(process.env.BLAS));
const net = new Net();
const opt = new optim.Adam(net.parameters(), { lr: 1e-3 });
const loss_fn = SF.mse_count_loss({ correct_rate: 0.8, incorrect_rate: 0.2 });
const x = torch.rand(128, 784); const y = torch.randint(0, 10, [128]);
const T: Record<string, number[]> = {};
const mark = (k: string, v: number) => (T[k] ??= []).push(v);
for (let i = 0; i < 150; i++) {
  torch.tidy(() => {
    const t0 = performance.now();
    net.rlif1.init_rleaky(); net.rlif2.init_rleaky();
    const cur1 = net.fc1.forward(x);
    const t1 = performance.now();
    const [spk1] = net.rlif1.sequence(cur1, { num_steps: 10 });
    const t2 = performance.now();
    const cur2 = net.fc2.forward(spk1);
    const t3 = performance.now();
    const [spk2] = net.rlif2.sequence(cur2);
    const t4 = performance.now();
    const l = loss_fn(spk2, y);
    const t5 = performance.now();
    opt.zero_grad(); l.backward();
    const t6 = performance.now();
    opt.step();
    const t7 = performance.now();
    if (i >= 30) { mark('fc1', t1 - t0); mark('rlif1', t2 - t1); mark('fc2', t3 - t2); mark('rlif2', t4 - t3); mark('loss', t5 - t4); mark('backward', t6 - t5); mark('adam', t7 - t6); mark('total', t7 - t0); }
  });
}
const med = (a: number[]) => a.sort((p, q) => p - q)[a.length >> 1]!;
console.log(Object.entries(T).map(([k, v]) => `${k} ${med(v).toFixed(3)}`).join(' | '));
