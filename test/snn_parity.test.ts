// Leaky / RLeaky against snnTorch 0.9.4's golden values (test/fixtures, made by real snnTorch), on
// BOTH step implementations. Tolerances: spikes exact; membranes rtol 1e-5 / atol 1e-6; gradients
// rtol 1e-4 / atol 1e-5 (several gradient paths sum in a different order than PyTorch's).
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { torch, snn } from '../lib/index.js';
import type { FixtureTensor } from './fixture_tensors.js';
import { expectExact, fixtureTensor } from './assert_close.js';
import {
  checkAgainstFixture,
  loadNeuronCases,
  makeNeuron,
  tensorsByName,
  NEURON_FIXTURE_FILES,
  type NeuronCase,
} from './neuron_fixtures.js';

function run(c: NeuronCase): void {
  const neuron = makeNeuron(c.neuron, c.ctor);
  const tensors = tensorsByName(neuron);
  torch.no_grad(() => {
    for (const [k, v] of Object.entries({ ...c.parameters, ...(c.buffers ?? {}) })) {
      const target = tensors.get(k);
      expect(target, `${c.name}: neuron has no ${k}`).to.not.equal(undefined);
      target!.copy_(fixtureTensor(v));
    }
  });
  for (const k of Object.keys(c.parameters)) expect(tensors.get(k)!.requires_grad, `${k} learnable`).to.equal(true);

  const x = fixtureTensor(c.x, { requires_grad: true });
  let spk: torch.Tensor | null = null;
  let mem: torch.Tensor;
  let initSpk: torch.Tensor | null = null;
  let initMem: torch.Tensor | null = null;
  if (typeof c.initial_state === 'string') {
    if (neuron instanceof snn.RLeaky) [spk, mem] = neuron.init_rleaky();
    else mem = neuron.init_leaky();
  } else {
    initMem = fixtureTensor(c.initial_state.mem, { requires_grad: true });
    mem = initMem;
    if (c.initial_state.spk) spk = initSpk = fixtureTensor(c.initial_state.spk, { requires_grad: true });
  }
  const spks: torch.Tensor[] = [];
  const mems: torch.Tensor[] = [];
  for (let t = 0; t < c.T; t++) {
    const xt = x.select(0, t);
    if (neuron instanceof snn.RLeaky) [spk, mem] = neuron.forward(xt, spk, mem) as [torch.Tensor, torch.Tensor];
    else [spk, mem] = neuron.forward(xt, mem) as [torch.Tensor, torch.Tensor];
    spks.push(spk!);
    mems.push(mem);
  }
  const S = torch.stack(spks);
  const M = torch.stack(mems);
  checkAgainstFixture(c, S, M, { x, init_spk: initSpk, init_mem: initMem, tensors });
}

for (const impl of ['fused', 'composed'] as const) {
  describe(`snn parity with snnTorch 0.9.4 (${impl} step)`, () => {
    before(() => snn.set_step_impl(impl));
    after(() => snn.set_step_impl('fused'));
    for (const file of NEURON_FIXTURE_FILES) {
      for (const c of loadNeuronCases(file)) it(`${file}: ${c.name}`, () => torch.tidy(() => run(c)));
    }
  });
}

describe('snn.surrogate against snnTorch (surrogate_grid.json)', () => {
  const grid = JSON.parse(readFileSync(new URL('./fixtures/surrogate_grid.json', import.meta.url), 'utf8')) as {
    x: FixtureTensor;
    g_rand: FixtureTensor;
    cases: { surrogate: string; param: number | null; upstream: 'ones' | 'g_rand'; forward: FixtureTensor; grad: FixtureTensor }[];
  };
  for (const c of grid.cases) {
    it(`${c.surrogate}(${c.param ?? ''}) with ${c.upstream} upstream: forward and grad bit-exact`, () => {
      torch.tidy(() => {
        const make = (snn.surrogate as unknown as Record<string, (p?: number) => (x: torch.Tensor) => torch.Tensor>)[c.surrogate]!;
        const fn = c.param === null ? make() : make(c.param);
        const x = fixtureTensor(grid.x, { requires_grad: true });
        const out = fn(x);
        expectExact(out, c.forward, 'forward');
        const up = c.upstream === 'ones' ? torch.ones_like(out) : fixtureTensor(grid.g_rand);
        out.mul(up).sum().backward();
        expectExact(x.grad!, c.grad, 'grad');
      });
    });
  }
});
