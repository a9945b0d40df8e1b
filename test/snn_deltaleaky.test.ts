// DeltaLeaky against snnTorch 0.9.4 (test/fixtures/neurons/deltaleaky.json). Tolerances: spikes
// exact; mem, mem_prev and loss rtol 1e-5 / atol 1e-6; gradients rtol 1e-4 / atol 1e-5.
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { torch, snn } from '../lib/index.js';
import type { FixtureTensor } from './fixture_tensors.js';
import { expectClose, expectExact, fixtureTensor } from './assert_close.js';
import { neuronOptions } from './neuron_fixtures.js';

interface Case {
  name: string;
  ctor: Record<string, unknown>;
  T: number;
  parameters: Record<string, FixtureTensor>;
  x: FixtureTensor;
  initial_state: { mem: FixtureTensor; mem_prev: FixtureTensor } | null;
  upstream: Record<string, FixtureTensor>;
  records: Record<string, FixtureTensor>;
  loss: number;
  grad: Record<string, FixtureTensor>;
}
const cases = (JSON.parse(readFileSync(new URL('./fixtures/neurons/deltaleaky.json', import.meta.url), 'utf8')) as { cases: Case[] }).cases;

describe('snn.DeltaLeaky parity with snnTorch 0.9.4', () => {
  for (const c of cases) {
    it(c.name, () => {
      torch.tidy(() => {
        const n = new snn.DeltaLeaky(neuronOptions(c.ctor) as unknown as snn.DeltaLeakyOptions);
        const params = new Map(n.named_parameters());
        torch.no_grad(() => {
          for (const [k, v] of Object.entries(c.parameters)) params.get(k)!.copy_(fixtureTensor(v));
        });
        const x = fixtureTensor(c.x, { requires_grad: true });
        const init = c.initial_state
          ? {
              mem: fixtureTensor(c.initial_state.mem, { requires_grad: true }),
              mem_prev: fixtureTensor(c.initial_state.mem_prev, { requires_grad: true }),
            }
          : null;
        let state: [torch.Tensor | null, torch.Tensor | null] = init ? [init.mem, init.mem_prev] : [null, null];
        const rec: Record<string, torch.Tensor[]> = { spk: [], mem: [], mem_prev: [] };
        for (let t = 0; t < c.T; t++) {
          const [spk, st] = n.init_hidden ? n.forward(x.select(0, t)) : n.forward(x.select(0, t), state);
          state = st;
          rec.spk!.push(spk);
          rec.mem!.push(st[0]);
          rec.mem_prev!.push(st[1]);
        }
        let loss: torch.Tensor | null = null;
        for (const k of ['spk', 'mem', 'mem_prev']) {
          const R = torch.stack(rec[k]!);
          if (k === 'spk') expectExact(R, c.records[k]!, `${c.name}: spk`);
          else expectClose(R, c.records[k]!, `${c.name}: ${k}`, { rtol: 1e-5, atol: 1e-6 });
          const term = R.mul(fixtureTensor(c.upstream[k]!)).sum();
          loss = loss ? loss.add(term) : term;
        }
        expect(loss!.item()).to.be.closeTo(c.loss, 1e-5 * Math.abs(c.loss) + 1e-6);
        loss!.backward();
        for (const [k, g] of Object.entries(c.grad)) {
          const t = k === 'x' ? x : k === 'init_mem' ? init!.mem : k === 'init_mem_prev' ? init!.mem_prev : params.get(k)!;
          expectClose(t.grad, g, `${c.name}: grad ${k}`, { rtol: 1e-4, atol: 1e-5 });
        }
      });
    });
  }

  it('needs the state pair without init_hidden, and forgets it on reset_mem()', () => {
    torch.tidy(() => {
      const n = new snn.DeltaLeaky({ beta: 0.9, delta_threshold: 0.5 });
      expect(() => n.forward(torch.ones([2]))).to.throw(TypeError, /mem` must be provided/);
      const [, [m]] = n.forward(torch.ones([2]), [null, null]);
      expect(Array.from(m.data() as Float32Array)).to.deep.equal([1, 1]);
      expect(n.reset_mem()).to.deep.equal([null, null]);
      expect(n.mem).to.equal(null);
    });
  });
});
