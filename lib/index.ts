// snntorch-node: snnTorch's spiking neural networks for Node.js, on LibTorch.
export * as torch from './torch/index.js';
export * as nn from './nn/index.js';
export * as optim from './optim/index.js';
export * as snn from './snn/index.js';
export * as functional from './functional/index.js';
export * as SF from './functional/index.js';
export * as data from './data/index.js';
export * as spikegen from './spikegen/index.js';
export * as spikeplot from './spikeplot/index.js';
export * as nir from './nir/index.js';
