// Synaptic, RSynaptic, Alpha and Lapicque against snnTorch 0.9.4's golden values
// (test/fixtures/neurons, made by generate.py there), on both step implementations.
// Tolerances: spikes exact; every state record and the loss rtol 1e-5 / atol 1e-6; gradients
// rtol 1e-4 / atol 1e-5.
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { torch, snn } from '../lib/index.js';
import type { FixtureTensor } from './fixture_tensors.js';
import { expectClose, expectExact, fixtureTensor } from './assert_close.js';
import { neuronOptions } from './neuron_fixtures.js';

interface FamilyCase {
  name: string;
  neuron: 'Synaptic' | 'RSynaptic' | 'Alpha' | 'Lapicque' | 'SLSTM' | 'SConv2dLSTM';
  ctor: Record<string, unknown>;
  T: number;
  outputs: string[];
  states: string[];
  parameters: Record<string, FixtureTensor>;
  buffers: Record<string, FixtureTensor>;
  x: FixtureTensor;
  initial_state: Record<string, FixtureTensor> | null;
  upstream: Record<string, FixtureTensor>;
  records: Record<string, FixtureTensor>;
  loss: number;
  grad: Record<string, FixtureTensor>;
}

const MEM_TOL = { rtol: 1e-5, atol: 1e-6 };
const GRAD_TOL = { rtol: 1e-4, atol: 1e-5 };
const FILES = ['synaptic.json', 'rsynaptic.json', 'alpha.json', 'lapicque.json', 'slstm.json', 'sconv2dlstm.json'];

export function loadFamily(file: string): FamilyCase[] {
  return (JSON.parse(readFileSync(new URL(`./fixtures/neurons/${file}`, import.meta.url), 'utf8')) as { cases: FamilyCase[] }).cases;
}

type FamilyNeuron = snn.Synaptic | snn.RSynaptic | snn.Alpha | snn.Lapicque | snn.SLSTM | snn.SConv2dLSTM;

/** The fixtures' state quantizer: round to 1/8 in the forward, identity gradient (as generate.py's ste_round_8). */
function steRound8(x: torch.Tensor): torch.Tensor {
  return x.add(x.mul(8).round().div(8).sub(x).detach());
}

export function makeFamily(c: FamilyCase): FamilyNeuron {
  const o = neuronOptions(c.ctor);
  if (o.state_quant === 'ste_round_8') o.state_quant = steRound8;
  for (const [k, v] of Object.entries(o))
    if (Array.isArray(v) && k !== 'spike_grad' && k !== 'kernel_size') o[k] = torch.tensor(v as number[]);
  switch (c.neuron) {
    case 'Synaptic':
      return new snn.Synaptic(o as unknown as snn.SynapticOptions);
    case 'RSynaptic':
      return new snn.RSynaptic(o as unknown as snn.RSynapticOptions);
    case 'Alpha':
      return new snn.Alpha(o as unknown as snn.AlphaOptions);
    case 'Lapicque':
      return new snn.Lapicque(o as unknown as snn.LapicqueOptions);
    case 'SLSTM': {
      const { input_size, hidden_size, ...rest } = o;
      return new snn.SLSTM(input_size as number, hidden_size as number, rest as snn.SLSTMOptions);
    }
    case 'SConv2dLSTM': {
      const { in_channels, out_channels, kernel_size, ...rest } = o;
      return new snn.SConv2dLSTM(in_channels as number, out_channels as number, kernel_size as number, rest as snn.SConv2dLSTMOptions);
    }
  }
}

/** Builds the case's neuron, copies the recorded parameter and buffer values in, and returns the tensors by name. */
function setup(c: FamilyCase): { n: FamilyNeuron; tensors: Map<string, torch.Tensor> } {
  const n = makeFamily(c);
  const tensors = new Map<string, torch.Tensor>();
  for (const [k, p] of n.named_parameters()) tensors.set(k, p);
  for (const [k, b] of n.named_buffers()) tensors.set(k, b);
  // Values the constructor derives (clamped alpha, Lapicque's R/C/beta, thresholds) match snnTorch's
  // before anything is copied in; random initialisations (recurrent, lstm_cell) are copied only.
  for (const [k, v] of Object.entries({ ...c.parameters, ...c.buffers })) {
    if (!k.startsWith('recurrent.') && !k.startsWith('lstm_cell.') && !k.startsWith('conv.') && tensors.has(k))
      expectClose(tensors.get(k)!, v, `${c.name}: constructed ${k}`, { rtol: 1e-6, atol: 0 });
  }
  torch.no_grad(() => {
    for (const [k, v] of Object.entries({ ...c.parameters, ...c.buffers })) {
      const t = tensors.get(k);
      expect(t, `${c.name}: neuron has no ${k}`).to.not.equal(undefined);
      t!.copy_(fixtureTensor(v));
    }
  });
  for (const k of Object.keys(c.parameters)) expect(tensors.get(k)!.requires_grad, `${c.name}: ${k} learnable`).to.equal(true);
  return { n, tensors };
}

/** Runs the case step by step (or through sequence()), checks records, loss and gradients. */
export function runFamily(c: FamilyCase, mode: 'forward' | 'sequence'): void {
  const { n, tensors } = setup(c);
  const x = fixtureTensor(c.x, { requires_grad: true });
  const init: Record<string, torch.Tensor> = {};
  if (c.initial_state) for (const s of c.states) init[s] = fixtureTensor(c.initial_state[s]!, { requires_grad: true });
  let recs: torch.Tensor[];
  if (mode === 'sequence') {
    recs = (n.sequence as (x: torch.Tensor, o: Record<string, torch.Tensor>) => torch.Tensor[])(x, init);
  } else {
    const per: torch.Tensor[][] = c.outputs.map(() => []);
    for (let t = 0; t < c.T; t++) {
      const args = t === 0 && c.initial_state ? c.states.map((s) => init[s]!) : [];
      const out = (n.forward as (x: torch.Tensor, ...s: torch.Tensor[]) => torch.Tensor[])(x.select(0, t), ...args);
      out.forEach((v, i) => per[i]!.push(v));
    }
    recs = per.map((p) => torch.stack(p));
  }
  expect(recs.length, `${c.name}: outputs`).to.equal(c.outputs.length);
  let loss: torch.Tensor | null = null;
  c.outputs.forEach((k, i) => {
    if (k === 'spk') expectExact(recs[i]!, c.records[k]!, `${c.name}: ${k}`);
    else expectClose(recs[i]!, c.records[k]!, `${c.name}: ${k}`, MEM_TOL);
    const term = recs[i]!.mul(fixtureTensor(c.upstream[k]!)).sum();
    loss = loss ? loss.add(term) : term;
  });
  expect(loss!.item(), `${c.name}: loss`).to.be.closeTo(c.loss, 1e-5 * Math.abs(c.loss) + 1e-6);
  loss!.backward();
  for (const [k, g] of Object.entries(c.grad)) {
    const src = k === 'x' ? x : k.startsWith('init_') ? init[k.slice(5)] : tensors.get(k);
    expect(src, `${c.name}: no tensor for grad ${k}`).to.not.equal(undefined);
    expectClose(src!.grad, g, `${c.name}: grad ${k}`, GRAD_TOL);
  }
}

for (const impl of ['fused', 'composed'] as const) {
  describe(`snn neuron family parity with snnTorch 0.9.4 (${impl} step)`, () => {
    before(() => snn.set_step_impl(impl));
    after(() => snn.set_step_impl('fused'));
    for (const file of FILES) {
      for (const c of loadFamily(file)) {
        it(`${file}: ${c.name} (forward per step)`, () => torch.tidy(() => runFamily(c, 'forward')));
        it(`${file}: ${c.name} (sequence)`, () => torch.tidy(() => runFamily(c, 'sequence')));
      }
    }
  });
}
