// The `optim` namespace: thin wrappers over torch::optim, and learning-rate schedulers.
export {
  Optimizer,
  type ParamGroup,
  type ParamGroupSpec,
  type Params,
  type ParamState,
  type OptimizerStateDict,
  type GroupState,
} from './optimizer.js';
export { Adam, type AdamOptions, type AdamHyperparameters, type AdamImplementation } from './adam.js';
export { AdamW } from './adamw.js';
export { SGD, type SGDOptions, type SGDHyperparameters } from './sgd.js';
export * as lr_scheduler from './lr_scheduler.js';
