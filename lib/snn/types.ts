// What a neuron's forward() returns, from its constructor options: without init_hidden the full
// tuple (the spike, then the states); with init_hidden the spike alone, or the full tuple when
// output is true. Options not known literally give the union.
import type { Tensor } from '../torch/tensor.js';

export type NeuronOutput<O, Full> = O extends { init_hidden: true }
  ? O extends { output: true }
    ? Full
    : O extends { output?: false | undefined }
      ? Tensor
      : Full | Tensor
  : O extends { init_hidden?: false | undefined }
    ? Full
    : Full | Tensor;
