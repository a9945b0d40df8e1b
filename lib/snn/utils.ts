// snn.utils: snnTorch's utils the tutorials use.
import { checkInt, invalid } from '../torch/check.js';
import { keep } from '../torch/memory.js';
import { Tensor } from '../torch/tensor.js';
import { Module } from '../nn/module.js';
import { SpikingNeuron } from './neuron.js';

/**
 * Zeroes the hidden state of every spiking neuron inside `net` (net itself included) and cuts its
 * autograd history. Only this network's neurons are touched: snnTorch 0.9.4's reset(net) resets
 * every instance ever created of each neuron class it finds in net (snnTorch issue #438), so two
 * networks trained side by side reset each other.
 */
export function reset(net: Module): Module {
  if (!(net instanceof Module)) throw invalid('net', 'an nn.Module', net);
  for (const m of net.modules()) {
    if (m instanceof SpikingNeuron) {
      m.reset_hidden();
      m.detach_hidden();
    }
  }
  return net;
}

/** A dataset holding its samples as two tensors (datasets.MNIST, FashionMNIST, ImageDataset). */
export interface TensorHoldingDataset {
  data: Tensor;
  targets: Tensor;
}

/**
 * snnTorch's data_subset: keeps the idx-th of `subset` equal consecutive parts of the dataset
 * (N // subset samples), replacing dataset.data and dataset.targets with views; subset <= 1 keeps
 * everything. Returns the dataset.
 */
export function data_subset<D extends TensorHoldingDataset>(dataset: D, subset: number, idx = 0): D {
  if (dataset === null || typeof dataset !== 'object' || !(dataset.data instanceof Tensor) || !(dataset.targets instanceof Tensor)) {
    throw invalid('dataset', 'a dataset with data and targets tensors (e.g. datasets.MNIST)', dataset);
  }
  const s = checkInt('subset', subset, 0);
  const i = checkInt('idx', idx, 0);
  if (s > 1) {
    const N = dataset.data.size(0);
    const step = Math.floor(N / s);
    if (i >= s) throw new RangeError(`data_subset: idx must be below subset (${s}), got ${i}`);
    dataset.data = keep(dataset.data.narrow(0, step * i, step));
    dataset.targets = keep(dataset.targets.narrow(0, step * i, step));
  }
  return dataset;
}
