// The `snn` namespace: snnTorch's neurons and surrogates.
export { Leaky, type LeakyOptions } from './leaky.js';
export { RLeaky, RecurrentOneToOne, type RLeakyOptions } from './rleaky.js';
export { LIF, type LIFOptions, type SpikingNeuronOptions, type ResetMechanism } from './neuron.js';
export * as surrogate from './surrogate.js';
export { set_step_impl, get_step_impl, with_step_impl, type StepImpl } from './engine.js';
export { GradedSpikes, BatchNormTT1d, BatchNormTT2d } from '../nn/snn_layers.js';
