// snntorch-node: snnTorch's spiking neural networks for Node.js, on LibTorch.
export * as torch from './torch/index.js';
export * as nn from './nn/index.js';
export * as snn from './snn/index.js';
