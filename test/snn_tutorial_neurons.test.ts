// The neuron loops of snnTorch's tutorials 2 (Lapicque, unbatched scalar steps) and 4 (Synaptic and
// Alpha on a spike train), written as the tutorials write them, against snnTorch 0.9.4's records
// (test/fixtures/neurons/tutorials.json). Spikes exact; states rtol 1e-5 / atol 1e-6.
import { readFileSync } from 'node:fs';
import { torch, snn } from '../lib/index.js';
import type { FixtureTensor } from './fixture_tensors.js';
import { expectClose, expectExact, fixtureTensor } from './assert_close.js';

const F = JSON.parse(readFileSync(new URL('./fixtures/neurons/tutorials.json', import.meta.url), 'utf8')) as Record<
  string,
  Record<string, FixtureTensor>
>;
const TOL = { rtol: 1e-5, atol: 1e-6 };

describe("snnTorch tutorials' neuron loops", () => {
  it('tutorial 2: Lapicque(R=5.1, C=5e-3, time_step=1e-3, threshold=0.5, reset_mechanism="zero") on a step current', () => {
    torch.tidy(() => {
      const f = F.tutorial2_lapicque!;
      const lif1 = new snn.Lapicque({ R: 5.1, C: 5e-3, time_step: 1e-3, threshold: 0.5, reset_mechanism: 'zero' });
      const cur_in = fixtureTensor(f.cur_in!);
      let mem = torch.zeros([1]);
      const spk_rec: torch.Tensor[] = [];
      const mem_rec: torch.Tensor[] = [];
      for (let step = 0; step < 200; step++) {
        let spk: torch.Tensor;
        [spk, mem] = lif1.forward(cur_in.select(0, step), mem);
        spk_rec.push(spk);
        mem_rec.push(mem);
      }
      expectExact(torch.stack(spk_rec), f.spk!, 'spk');
      expectClose(torch.stack(mem_rec), f.mem!, 'mem', TOL);
    });
  });

  it('tutorial 4: Synaptic(alpha=0.9, beta=0.8) and Alpha(alpha=0.8, beta=0.7) on a spike train', () => {
    torch.tidy(() => {
      const s = F.tutorial4_synaptic!;
      const spk_in = fixtureTensor(s.spk_in!);
      const lif = new snn.Synaptic({ alpha: 0.9, beta: 0.8 });
      let [syn, mem] = lif.init_synaptic();
      const rec: Record<string, torch.Tensor[]> = { spk: [], syn: [], mem: [] };
      for (let step = 0; step < 200; step++) {
        let spk: torch.Tensor;
        [spk, syn, mem] = lif.forward(spk_in.select(0, step).mul(0.5), syn, mem);
        rec.spk!.push(spk);
        rec.syn!.push(syn);
        rec.mem!.push(mem);
      }
      expectExact(torch.stack(rec.spk!), s.spk!, 'synaptic spk');
      expectClose(torch.stack(rec.syn!), s.syn!, 'synaptic syn', TOL);
      expectClose(torch.stack(rec.mem!), s.mem!, 'synaptic mem', TOL);

      const a = F.tutorial4_alpha!;
      const alpha = new snn.Alpha({ alpha: 0.8, beta: 0.7, threshold: 0.5 });
      let [exc, inh, am] = alpha.init_alpha();
      const arec: Record<string, torch.Tensor[]> = { spk: [], syn_exc: [], syn_inh: [], mem: [] };
      for (let step = 0; step < 200; step++) {
        let spk: torch.Tensor;
        [spk, exc, inh, am] = alpha.forward(spk_in.select(0, step).mul(0.85), exc, inh, am);
        arec.spk!.push(spk);
        arec.syn_exc!.push(exc);
        arec.syn_inh!.push(inh);
        arec.mem!.push(am);
      }
      expectExact(torch.stack(arec.spk!), a.spk!, 'alpha spk');
      for (const k of ['syn_exc', 'syn_inh', 'mem']) expectClose(torch.stack(arec[k]!), a[k]!, `alpha ${k}`, TOL);
    });
  });
});
