// The `nn` namespace.
export { Module, type StateDict, type LoadResult } from './module.js';
export { Parameter } from './parameter.js';
export { Linear, type LinearOptions } from './linear.js';
export { Conv2d, type Conv2dOptions } from './conv.js';
export { Sequential } from './container.js';
export { ReLU, Flatten, Dropout } from './activation.js';
export { MSELoss, CrossEntropyLoss } from './loss.js';
export * as functional from './functional.js';
export * as init from './init.js';
export * as parallel from './parallel/index.js';
