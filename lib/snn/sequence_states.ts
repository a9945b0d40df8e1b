// sequence() of the neurons with several named states: checks the arguments and loops the per-step
// forward over time, stacking each returned value (where no native sequence node applies). Input is [T, B, ...] (one slice per step), or a static [B, ...]
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

export interface ResolvedStates {
  input: Tensor;
  num_steps: number | null;
  /** The initial states given by name (null: the neuron's current state). */
  init: Record<string, Tensor | null>;
}

/** Checks sequence()'s arguments: the input, the option keys (num_steps and the state names), init_hidden. */
export function resolveSequenceStates(
  neuron: { init_hidden: boolean },
  fname: string,
  input: Tensor,
  opts: StatesSequenceOptions,
  names: readonly string[],
): ResolvedStates {
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
  return { input: x, num_steps, init };
}

/** Loops the per-step function over time and stacks each returned value. */
export function loopSequenceStates(
  r: ResolvedStates,
  step: (x: Tensor, first: boolean, init: Record<string, Tensor | null>) => Tensor[],
): Tensor[] {
  const { input: x, num_steps, init } = r;
  const T = num_steps ?? x.size(0);
  const records: Tensor[][] = [];
  for (let t = 0; t < T; t++) {
    const xt = num_steps === null ? x.select(0, t) : x;
    const outs = step(xt, t === 0, init);
    outs.forEach((v, i) => (records[i] ??= []).push(v));
    if (xt !== x) xt.dispose();
  }
  return records.map((rec) => {
    const s = stack(rec);
    for (const v of rec) v.dispose();
    return s;
  });
}

export function runSequenceStates(
  neuron: { init_hidden: boolean },
  fname: string,
  input: Tensor,
  opts: StatesSequenceOptions,
  names: readonly string[],
  step: (x: Tensor, first: boolean, init: Record<string, Tensor | null>) => Tensor[],
): Tensor[] {
  return loopSequenceStates(resolveSequenceStates(neuron, fname, input, opts, names), step);
}
