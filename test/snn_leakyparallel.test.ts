// LeakyParallel against snnTorch 0.9.4 (test/fixtures/neurons/leakyparallel.json). Tolerances:
// spikes exact; loss rtol 1e-5; gradients rtol 1e-4 / atol 1e-5.
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { torch, snn } from '../lib/index.js';
import type { FixtureTensor } from './fixture_tensors.js';
import { expectClose, expectExact, fixtureTensor } from './assert_close.js';
import { neuronOptions } from './neuron_fixtures.js';

interface Case {
  name: string;
  ctor: Record<string, unknown>;
  parameters: Record<string, FixtureTensor>;
  buffers: Record<string, FixtureTensor>;
  x: FixtureTensor;
  upstream: FixtureTensor;
  spk: FixtureTensor;
  loss: number;
  grad: Record<string, FixtureTensor>;
}
const cases = (JSON.parse(readFileSync(new URL('./fixtures/neurons/leakyparallel.json', import.meta.url), 'utf8')) as { cases: Case[] })
  .cases;

describe('snn.LeakyParallel parity with snnTorch 0.9.4', () => {
  for (const c of cases) {
    it(c.name, () => {
      torch.tidy(() => {
        const n = new snn.LeakyParallel(neuronOptions(c.ctor) as unknown as snn.LeakyParallelOptions);
        const tensors = new Map<string, torch.Tensor>([...n.named_parameters(), ...n.named_buffers()]);
        expect([...n.state_dict().keys()].sort()).to.deep.equal(Object.keys({ ...c.parameters, ...c.buffers }).sort());
        for (const [k, v] of Object.entries({ ...c.parameters, ...c.buffers })) {
          // Values the constructor derives (beta, and the beta-filled W_hh) match; random ones are copied.
          if (k === 'beta' || (k === 'rnn.weight_hh_l0' && c.ctor.beta !== undefined))
            expectClose(tensors.get(k)!, v, `constructed ${k}`, { rtol: 1e-6, atol: 0 });
        }
        torch.no_grad(() => {
          for (const [k, v] of Object.entries({ ...c.parameters, ...c.buffers })) tensors.get(k)!.copy_(fixtureTensor(v));
        });
        for (const k of Object.keys(c.parameters)) expect(tensors.get(k)!.requires_grad, `${k} learnable`).to.equal(true);
        const x = fixtureTensor(c.x, { requires_grad: true });
        const spk = n.forward(x);
        expectExact(spk, c.spk, 'spk');
        const loss = spk.mul(fixtureTensor(c.upstream)).sum();
        expect(loss.item()).to.be.closeTo(c.loss, 1e-5 * Math.abs(c.loss) + 1e-6);
        loss.backward();
        for (const [k, g] of Object.entries(c.grad))
          expectClose((k === 'x' ? x : tensors.get(k)!).grad, g, `grad ${k}`, { rtol: 1e-4, atol: 1e-5 });
      });
    });
  }

  it('a per-neuron beta fills W_hh row by row (snnTorch 0.9.4 ignores it)', () => {
    torch.tidy(() => {
      const n = new snn.LeakyParallel({ input_size: 2, hidden_size: 3, beta: [0.5, 0.7, 1.2] });
      const w = Array.from(n.rnn.state_dict().get('weight_hh_l0')!.data() as Float32Array);
      expect(w.map((v) => Math.round(v * 100) / 100)).to.deep.equal([0.5, 0, 0, 0, 0.7, 0, 0, 0, 1]);
      expect(() => new snn.LeakyParallel({ input_size: 2, hidden_size: 3, beta: [0.5, 0.7] })).to.throw(RangeError, /length hidden_size=3/);
    });
  });
});
