// What a neuron's forward() returns, from its constructor options: without init_hidden the full
// tuple (the spike, then the states); with init_hidden the spike alone, or the full tuple when
// output is true. Options not known literally (a plain boolean, an options interface) give the union.
import type { Tensor } from '../torch/tensor.js';

/** Options without key K (an index signature keeps it from being a weak type, so the check is real). */
export type Without<K extends string> = { [P in K]?: undefined } & { [k: string]: unknown };

// Only `O extends ...` checks: the neuron types stay assignable to their plain class types.
export type NeuronOutput<O, Full> = O extends { init_hidden: true }
  ? O extends { output: true }
    ? Full
    : O extends { output: false } | Without<'output'>
      ? Tensor
      : Full | Tensor
  : O extends { init_hidden: false } | Without<'init_hidden'>
    ? Full
    : Full | Tensor;

/** forward() of the whole-sequence neurons (StateLeaky, LinearLeaky): [spk, mem], or mem alone with output: false. */
export type SequenceNeuronOutput<O> = O extends { output: false }
  ? Tensor
  : O extends { output: true } | Without<'output'>
    ? [Tensor, Tensor]
    : Tensor | [Tensor, Tensor];
