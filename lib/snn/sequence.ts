// The sequence form of a neuron layer: all time steps of one layer in one call.
import { checkInt, checkOptions, invalid } from '../torch/check.js';
import { stack } from '../torch/functions.js';
import { Tensor, tensorArg } from '../torch/tensor.js';

export interface SequenceOptions {
  /** Repeat a static input [B, ...] for this many steps (without it, input is [T, B, ...]). */
  num_steps?: number;
  /** Initial spike (RLeaky) and membrane; default: the neuron's current state. */
  spk?: Tensor | null;
  mem?: Tensor | null;
}

export interface ResolvedSequence {
  num_steps: number | null;
  spk: Tensor | null;
  mem: Tensor | null;
}

export function checkSequenceOptions(fname: string, input: unknown, opts: SequenceOptions): ResolvedSequence {
  const x = tensorArg('input', input);
  const o = checkOptions<SequenceOptions>(`${fname} options`, opts, ['num_steps', 'spk', 'mem']);
  const num_steps = o.num_steps == null ? null : checkInt('num_steps', o.num_steps, 1);
  if (num_steps === null && x.dim() < 1) throw invalid('input', 'a [T, B, ...] tensor (or pass num_steps for a static input)', `a ${x.dim()}-dim tensor`);
  if (num_steps === null && x.size(0) === 0) throw new RangeError(`${fname}: input has 0 time steps`);
  return { num_steps, spk: o.spk == null ? null : tensorArg('spk', o.spk), mem: o.mem == null ? null : tensorArg('mem', o.mem) };
}

/** Steps a per-step function over time and stacks the records. */
export function runSequence(input: Tensor, o: ResolvedSequence, step: (x: Tensor, first: boolean) => [Tensor, Tensor]): [Tensor, Tensor] {
  const T = o.num_steps ?? input.size(0);
  const spks: Tensor[] = [];
  const mems: Tensor[] = [];
  for (let t = 0; t < T; t++) {
    const x = o.num_steps === null ? input.select(0, t) : input;
    const [s, m] = step(x, t === 0);
    spks.push(s);
    mems.push(m);
    if (x !== input) x.dispose();
  }
  const out: [Tensor, Tensor] = [stack(spks), stack(mems)];
  for (const t of [...spks, ...mems]) t.dispose();
  return out;
}
