// The snnTorch neuron fixtures (leaky.json, rleaky_*.json) as typed cases, shared by the parity,
// sequence and CUDA tests.
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { snn, type torch } from '../lib/index.js';
import type { FixtureTensor } from './fixture_tensors.js';
import { expectClose, expectExact, fixtureTensor } from './assert_close.js';

export interface NeuronCase {
  name: string;
  neuron: 'Leaky' | 'RLeaky';
  ctor: Record<string, unknown>;
  T: number;
  parameters: Record<string, FixtureTensor>;
  buffers?: Record<string, FixtureTensor>;
  x: FixtureTensor;
  initial_state: string | { spk?: FixtureTensor; mem: FixtureTensor };
  spk: FixtureTensor;
  mem: FixtureTensor;
  g_spk: FixtureTensor;
  g_mem: FixtureTensor;
  loss: number;
  grad: Record<string, FixtureTensor>;
}

export const NEURON_FIXTURE_FILES = [
  'leaky.json',
  'rleaky_one_to_one.json',
  'rleaky_linear.json',
  'rleaky_conv.json',
  'rleaky_variants.json',
];

export function loadNeuronCases(file: string): NeuronCase[] {
  return (JSON.parse(readFileSync(new URL(`./fixtures/${file}`, import.meta.url), 'utf8')) as { cases: NeuronCase[] }).cases;
}

/** The fixture's constructor kwargs with `spike_grad: ["fast_sigmoid", 25]` turned into the surrogate. */
export function neuronOptions(ctor: Record<string, unknown>): Record<string, unknown> {
  const o: Record<string, unknown> = { ...ctor };
  const sg = o.spike_grad as [string, number] | undefined;
  if (Array.isArray(sg)) o.spike_grad = (snn.surrogate as unknown as Record<string, (p: number) => unknown>)[sg[0]]!(sg[1]);
  return o;
}

/** A neuron's parameters and buffers by snnTorch name (where fixture values are copied in). */
export function tensorsByName(n: snn.Leaky | snn.RLeaky): Map<string, torch.Tensor> {
  const m = new Map<string, torch.Tensor>();
  for (const [k, p] of n.named_parameters()) m.set(k, p);
  for (const [k, b] of n.named_buffers()) m.set(k, b);
  return m;
}

/** The case's neuron, built from its snnTorch constructor kwargs. */
export function makeNeuron(kind: 'Leaky' | 'RLeaky', ctor: Record<string, unknown>): snn.Leaky | snn.RLeaky {
  const o = neuronOptions(ctor);
  return kind === 'Leaky' ? new snn.Leaky(o as unknown as snn.LeakyOptions) : new snn.RLeaky(o as unknown as snn.RLeakyOptions);
}

/** Tolerances of the neuron parity checks: spikes exact, membranes and loss close, gradients looser. */
export const MEM_TOL = { rtol: 1e-5, atol: 1e-6 };
export const GRAD_TOL = { rtol: 1e-4, atol: 1e-5 };

/**
 * Checks a run's spike and membrane records [T, ...] against the case: spikes exactly, membranes
 * and the weighted loss to MEM_TOL; then backpropagates that loss and checks every recorded
 * gradient (x, the parameters by name, init_spk / init_mem) to GRAD_TOL.
 */
export function checkAgainstFixture(
  c: NeuronCase,
  S: torch.Tensor,
  M: torch.Tensor,
  grads: { x: torch.Tensor; init_spk: torch.Tensor | null; init_mem: torch.Tensor | null; tensors: Map<string, torch.Tensor> },
): void {
  expectExact(S, c.spk, `${c.name}: spk`);
  expectClose(M, c.mem, `${c.name}: mem`, MEM_TOL);
  const loss = S.mul(fixtureTensor(c.g_spk))
    .sum()
    .add(M.mul(fixtureTensor(c.g_mem)).sum());
  expect(loss.item(), `${c.name}: loss`).to.be.closeTo(c.loss, 1e-5 * Math.abs(c.loss) + 1e-6);
  loss.backward();
  for (const [k, g] of Object.entries(c.grad)) {
    const src = k === 'x' ? grads.x : k === 'init_spk' ? grads.init_spk : k === 'init_mem' ? grads.init_mem : grads.tensors.get(k)!;
    expectClose(src!.grad, g, `${c.name}: grad ${k}`, GRAD_TOL);
  }
}
