// The `nn` namespace.
export { Module, type StateDict, type LoadResult, type BackwardHook, type BackwardPreHook, type Grads } from './module.js';
export { Parameter } from './parameter.js';
export { Linear, type LinearOptions } from './linear.js';
export { Conv2d, type Conv2dOptions } from './conv.js';
export { Sequential } from './container.js';
export { ReLU, Flatten, Dropout } from './activation.js';
export { MSELoss, CrossEntropyLoss } from './loss.js';
export * as functional from './functional.js';
export * as init from './init.js';
export { LSTMCell, RNN, type RNNCellOptions, type RNNOptions } from './rnn.js';
export { RemovableHandle, type ForwardHook, type ForwardPreHook } from './module.js';
export { ModuleList } from './container.js';
export { Softmax, LogSoftmax, Softplus, Unflatten } from './activation.js';
export { L1Loss } from './loss.js';
export { MaxPool1d, MaxPool2d, MaxUnpool1d, MaxUnpool2d, AvgPool2d } from './pooling.js';
export { BatchNorm1d, BatchNorm2d, type BatchNormModuleOptions } from './batchnorm.js';
export { Conv1d, ConvTranspose2d, type Conv1dModuleOptions, type ConvTranspose2dModuleOptions } from './conv_more.js';
export * as parallel from './parallel/index.js';
