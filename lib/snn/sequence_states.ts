// sequence() for the neurons without a native sequence node: loops the per-step forward over time
// and stacks each returned value. Input is [T, B, ...] (one slice per step), or a static [B, ...]
// repeated for num_steps; initial states may be passed by name, else the neuron's current state.
import { checkInt, checkOptions, invalid } from '../torch/check.js';
import { stack } from '../torch/functions.js';
import { Tensor, tensorArg } from '../torch/tensor.js';

export interface StatesSequenceOptions {
  num_steps?: number;
  spk?: Tensor | null;
  syn?: Tensor | null;
  syn_exc?: Tensor | null;
  syn_inh?: Tensor | null;
  mem?: Tensor | null;
}

export function runSequenceStates(
  neuron: { init_hidden: boolean },
  fname: string,
  input: Tensor,
  opts: StatesSequenceOptions,
  names: readonly string[],
  step: (x: Tensor, first: boolean, init: Record<string, Tensor | null>) => Tensor[],
): Tensor[] {
  const x = tensorArg('input', input);
  const o = checkOptions<StatesSequenceOptions>(`${fname} options`, opts, ['num_steps', ...names]);
  if (neuron.init_hidden) throw new TypeError(`${fname}: not available with init_hidden=true (call forward per step)`);
  const num_steps = o.num_steps == null ? null : checkInt('num_steps', o.num_steps, 1);
  if (num_steps === null && (x.dim() < 1 || x.size(0) === 0))
    throw invalid('input', 'a [T, B, ...] tensor with T >= 1 (or pass num_steps for a static input)', `shape [${x.shape.join(', ')}]`);
  const init: Record<string, Tensor | null> = {};
  for (const n of names) {
    const v = (o as Record<string, unknown>)[n];
    init[n] = v == null ? null : tensorArg(n, v);
  }
  const T = num_steps ?? x.size(0);
  const records: Tensor[][] = [];
  for (let t = 0; t < T; t++) {
    const xt = num_steps === null ? x.select(0, t) : x;
    const outs = step(xt, t === 0, init);
    outs.forEach((v, i) => (records[i] ??= []).push(v));
    if (xt !== x) xt.dispose();
  }
  return records.map((r) => {
    const s = stack(r);
    for (const v of r) v.dispose();
    return s;
  });
}
