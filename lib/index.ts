// snntorch-node: snnTorch's spiking neural networks for Node.js, on LibTorch.
export * as torch from './torch/index.js';
