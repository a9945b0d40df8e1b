// StateLeaky and LinearLeaky against snnTorch 0.9.4 (test/fixtures/neurons/stateleaky.json).
// Tolerances: spikes exact; mem and loss rtol 1e-5 / atol 1e-6; gradients rtol 1e-4 / atol 1e-5.
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { torch, snn } from '../lib/index.js';
import type { FixtureTensor } from './fixture_tensors.js';
import { expectClose, expectExact, fixtureTensor } from './assert_close.js';
import { neuronOptions } from './neuron_fixtures.js';

interface Case {
  name: string;
  neuron: 'StateLeaky' | 'LinearLeaky';
  ctor: Record<string, unknown>;
  outputs: string[];
  parameters: Record<string, FixtureTensor>;
  buffers: Record<string, FixtureTensor>;
  x: FixtureTensor;
  upstream: Record<string, FixtureTensor>;
  records: Record<string, FixtureTensor>;
  loss: number;
  grad: Record<string, FixtureTensor>;
}
const cases = (JSON.parse(readFileSync(new URL('./fixtures/neurons/stateleaky.json', import.meta.url), 'utf8')) as { cases: Case[] }).cases;

describe('snn.StateLeaky / LinearLeaky parity with snnTorch 0.9.4', () => {
  for (const c of cases) {
    it(c.name, () => {
      torch.tidy(() => {
        const o = neuronOptions(c.ctor);
        for (const [k, v] of Object.entries(o)) if (Array.isArray(v) && k !== 'spike_grad') o[k] = torch.tensor(v as number[]);
        const n =
          c.neuron === 'StateLeaky'
            ? new snn.StateLeaky(o as unknown as snn.StateLeakyOptions)
            : new snn.LinearLeaky(o as unknown as snn.LinearLeakyOptions);
        const tensors = new Map<string, torch.Tensor>([...n.named_parameters(), ...n.named_buffers()]);
        for (const [k, v] of Object.entries({ ...c.parameters, ...c.buffers })) {
          expect(tensors.has(k), `${c.name}: has ${k}`).to.equal(true);
          if (!k.startsWith('linear.')) expectClose(tensors.get(k)!, v, `${c.name}: constructed ${k}`, { rtol: 1e-6, atol: 0 });
        }
        torch.no_grad(() => {
          for (const [k, v] of Object.entries({ ...c.parameters, ...c.buffers })) tensors.get(k)!.copy_(fixtureTensor(v));
        });
        const x = fixtureTensor(c.x, { requires_grad: true });
        const res = n.forward(x);
        const outs = res instanceof torch.Tensor ? [res] : res;
        expect(outs.length).to.equal(c.outputs.length);
        let loss: torch.Tensor | null = null;
        c.outputs.forEach((k, i) => {
          if (k === 'spk') expectExact(outs[i]!, c.records[k]!, `${c.name}: spk`);
          else expectClose(outs[i]!, c.records[k]!, `${c.name}: ${k}`, { rtol: 1e-5, atol: 1e-6 });
          const term = outs[i]!.mul(fixtureTensor(c.upstream[k]!)).sum();
          loss = loss ? loss.add(term) : term;
        });
        expect(loss!.item()).to.be.closeTo(c.loss, 1e-5 * Math.abs(c.loss) + 1e-6);
        loss!.backward();
        for (const [k, g] of Object.entries(c.grad))
          expectClose((k === 'x' ? x : tensors.get(k)!).grad, g, `${c.name}: grad ${k}`, { rtol: 1e-4, atol: 1e-5 });
      });
    });
  }

  it('checks beta against channels and the input shape', () => {
    expect(() => new snn.StateLeaky({ beta: [0.5, 0.6], channels: 3 })).to.throw(RangeError, /beta has shape \[2\]/);
    const n = new snn.StateLeaky({ beta: 0.9, channels: 3 });
    expect(() => torch.tidy(() => n.forward(torch.zeros([4, 2, 5])))).to.throw(/\[T, B, 3\]/);
    const mem: torch.Tensor = new snn.StateLeaky({ beta: 0.9, channels: 3, output: false }).forward(torch.zeros([4, 2, 3]));
    expect(mem.shape).to.deep.equal([4, 2, 3]);
  });
});
