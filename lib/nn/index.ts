// The `nn` namespace.
export { Module, type StateDict, type LoadResult } from './module.js';
export { Parameter } from './parameter.js';
