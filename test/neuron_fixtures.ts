// The snnTorch neuron fixtures (leaky.json, rleaky_*.json) as typed cases, shared by the parity,
// sequence and CUDA tests.
import { readFileSync } from 'node:fs';
import { snn, type torch } from '../lib/index.js';
import type { FixtureTensor } from './fixture_tensors.js';

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

export const NEURON_FIXTURE_FILES = ['leaky.json', 'rleaky_one_to_one.json', 'rleaky_linear.json', 'rleaky_conv.json', 'rleaky_variants.json'];

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
