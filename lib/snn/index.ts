// The `snn` namespace: snnTorch's neurons and surrogates.
export { Leaky, type LeakyOptions } from './leaky.js';
export { RLeaky, RecurrentOneToOne, type RLeakyOptions } from './rleaky.js';
export { Synaptic, type SynapticOptions } from './synaptic.js';
export { RSynaptic, type RSynapticOptions } from './rsynaptic.js';
export { Alpha, type AlphaOptions } from './alpha.js';
export { Lapicque, type LapicqueOptions } from './lapicque.js';
export { SLSTM, type SLSTMOptions } from './slstm.js';
export { SConv2dLSTM, type SConv2dLSTMOptions } from './sconv2dlstm.js';
export { StateLeaky, LinearLeaky, type StateLeakyOptions, type LinearLeakyOptions } from './stateleaky.js';
export { DeltaLeaky, type DeltaLeakyOptions } from './deltaleaky.js';
export { LeakyParallel, type LeakyParallelOptions } from './leakyparallel.js';
export { SpikingNeuron, LIF, type LIFOptions, type SpikingNeuronOptions, type ResetMechanism } from './neuron.js';
export type { NeuronOutput } from './types.js';
export type { StatesSequenceOptions } from './sequence_states.js';
export * as surrogate from './surrogate.js';
export * as utils from './utils.js';
export { set_step_impl, get_step_impl, with_step_impl, type StepImpl } from './engine.js';
export { GradedSpikes, BatchNormTT1d, BatchNormTT2d } from '../nn/snn_layers.js';
