// snntorch.functional (imported as `functional` and `SF`): snnTorch's losses, regularizers and
// accuracy measures, spelled as snnTorch spells them.
export {
  mse_count_loss,
  mse_membrane_loss,
  type MseCountLoss,
  type MseCountLossOptions,
  type MseMembraneLoss,
  type MseMembraneLossOptions,
} from './loss_mse.js';
export {
  ce_rate_loss,
  ce_count_loss,
  ce_max_membrane_loss,
  type CeRateLoss,
  type CeRateLossOptions,
  type CeCountLoss,
  type CeCountLossOptions,
  type CeMaxMembraneLoss,
  type CeMaxMembraneLossOptions,
} from './loss_ce.js';
export {
  mse_temporal_loss,
  ce_temporal_loss,
  type MseTemporalLoss,
  type MseTemporalLossOptions,
  type CeTemporalLoss,
  type CeTemporalLossOptions,
  type Inverse,
} from './loss_temporal.js';
export { l1_rate_sparsity, type L1RateSparsity, type L1RateSparsityOptions } from './regularization.js';
export { accuracy_rate, accuracy_temporal, type AccuracyRateOptions } from './accuracy.js';
export type { LossFunction, Reduction, WeightArg } from './common.js';
export { state_quant, type StateQuant, type StateQuantOptions } from './quant.js';
export * as probe from './probe.js';
export * as quant from './quant.js';
export { OutputMonitor, InputMonitor, AttributeMonitor, GradInputMonitor, GradOutputMonitor, BaseMonitor } from './probe.js';
