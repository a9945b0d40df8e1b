// The tutorial's network with snnTorch's state_dict loaded reproduces snnTorch's forward record,
// loss and every gradient (regression2_net.json). Tolerances: spikes exact; membranes rtol 1e-5 /
// atol 1e-6; loss rtol 1e-6; gradients rtol 1e-4 / atol 1e-5 (the fixture README saw 7e-7 abs
// between two plain-torch implementations).
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { torch, snn, SF } from '../lib/index.js';
import { Net } from '../examples/models/tutorial-net.js';
import type { FixtureTensor } from './fixture_tensors.js';
import { expectClose, expectExact, fixtureTensor } from './assert_close.js';

interface SeedFixture {
  state_dict: { name: string; tensor: FixtureTensor }[];
  parameters_order: string[];
  input: { x: FixtureTensor; labels: FixtureTensor };
  forward: { spk_out: FixtureTensor; mem_out: FixtureTensor };
  loss: number;
  grads: Record<string, FixtureTensor>;
}

const fx = JSON.parse(readFileSync(new URL('./fixtures/regression2_net.json', import.meta.url), 'utf8')) as SeedFixture;

for (const impl of ['fused', 'composed'] as const) {
  describe(`the tutorial network against snnTorch (${impl} step)`, () => {
    before(() => snn.set_step_impl(impl));
    after(() => snn.set_step_impl('fused'));

    it("has snnTorch's state_dict names and parameter order", () => {
      const net = new Net();
      expect([...net.state_dict().keys()]).to.deep.equal(fx.state_dict.map((e) => e.name));
      expect([...net.named_parameters()].map(([k]) => k)).to.deep.equal(fx.parameters_order);
      net.dispose();
    });

    it('reproduces the spike record exactly, the membrane record, the loss and every gradient', () => {
      torch.tidy(() => {
        const net = new Net();
        net.load_state_dict(new Map(fx.state_dict.map((e) => [e.name, fixtureTensor(e.tensor)])));
        const [spk, mem] = net.forward(fixtureTensor(fx.input.x));
        expectExact(spk, fx.forward.spk_out, 'spk_out');
        expectClose(mem, fx.forward.mem_out, 'mem_out', { rtol: 1e-5, atol: 1e-6 });
        const loss = SF.mse_count_loss({ correct_rate: 0.8, incorrect_rate: 0.2 })(spk, fixtureTensor(fx.input.labels));
        expect(loss.shape).to.deep.equal([]);
        expect(loss.item()).to.be.closeTo(fx.loss, 1e-6 * fx.loss);
        loss.backward();
        for (const [name, p] of net.named_parameters()) expectClose(p.grad, fx.grads[name]!, `grad ${name}`, { rtol: 1e-4, atol: 1e-5 });
        net.dispose();
      });
    });
  });
}
