// snntorch.functional.ce_rate_loss, ce_count_loss and ce_max_membrane_loss (docs/SEMANTICS.md, Cross-entropy losses):
// log_softmax + NLL with snnTorch's weight handling (a plain mean over the batch, and 'sum' left
// unreduced, when a weight is given).
import { tidy } from '../torch/memory.js';
import { zeros } from '../torch/creation.js';
import type { Tensor } from '../torch/tensor.js';
import { nll_loss } from '../nn/functional.js';
import {
  checkLabels,
  checkPopulation,
  checkRecord,
  checkWeightFor,
  finalReduce,
  intermediateReduction,
  optBool,
  optNumClasses,
  optReduction,
  optWeight,
  parseArgs,
  populationCount,
  type LossFunction,
  type Reduction,
  type WeightArg,
} from './common.js';

/** nn.NLLLoss(reduction, weight)(log_p, labels). */
export function nll(log_p: Tensor, labels: Tensor, weight: Tensor | null, reduction: Reduction): Tensor {
  return nll_loss(log_p, labels, { weight, reduction });
}

// ------------------------------------------------------------------ ce_rate_loss

export interface CeRateLossOptions {
  /**
   * Not supported: snnTorch 0.9.4's population code in ce_rate_loss raises a TypeError without a
   * weight and, with one, does not pool the outputs. Use ce_count_loss or mse_count_loss with
   * population_code instead.
   */
  population_code?: boolean;
  num_classes?: number | false | null;
  reduction?: Reduction;
  /** Per-class weight given to NLLLoss; with it the batch mean is a plain mean. */
  weight?: WeightArg;
}

export interface CeRateLoss extends LossFunction<'ce_rate_loss'> {
  readonly population_code: boolean;
  readonly num_classes: number | false;
}

const CE_RATE_KEYS = ['population_code', 'num_classes', 'reduction', 'weight'] as const;

/**
 * Cross entropy at every step, averaged over time: sum_t NLL(log_softmax(spk[t]), y) / T.
 * Shape [1] for 'mean' and 'sum', [B] for 'none' (and for 'sum' with a weight).
 */
export function ce_rate_loss(options?: CeRateLossOptions): CeRateLoss;
export function ce_rate_loss(
  population_code?: boolean,
  num_classes?: number | false | null,
  reduction?: Reduction,
  weight?: WeightArg,
): CeRateLoss;
export function ce_rate_loss(...args: unknown[]): CeRateLoss {
  const o = parseArgs<CeRateLossOptions>('ce_rate_loss', args, CE_RATE_KEYS);
  const population_code = optBool('population_code', o.population_code, false);
  const num_classes = optNumClasses('num_classes', o.num_classes);
  const reduction = optReduction('ce_rate_loss', o.reduction);
  const weight = optWeight('weight', o.weight);
  if (population_code) {
    throw new TypeError(
      'ce_rate_loss: population_code=true is not supported: snnTorch 0.9.4 raises a TypeError here without a weight, ' +
        'and with a weight it does not pool the outputs. Use ce_count_loss or mse_count_loss with population_code instead.',
    );
  }

  const fn = (spk_out: Tensor, targets: Tensor): Tensor => {
    const rec = checkRecord('spk_out', spk_out);
    const { T, B, C } = rec;
    if (weight !== null) checkWeightFor(weight, rec, C);
    return tidy(() => {
      const labels = checkLabels('targets', targets, rec, C);
      const red = intermediateReduction(reduction, weight);
      const log_p_y = spk_out.log_softmax(-1);
      let loss = zeros(red === 'none' ? [B] : [1], { dtype: rec.dtype, device: rec.device });
      for (let t = 0; t < T; t++) loss = loss.add(nll(log_p_y.select(0, t), labels, weight, red));
      return finalReduce(loss.div(T), reduction, weight);
    });
  };
  return Object.freeze(Object.assign(fn, { __name__: 'ce_rate_loss' as const, population_code, num_classes, reduction, weight }));
}

// ------------------------------------------------------------------ ce_count_loss

export interface CeCountLossOptions {
  population_code?: boolean;
  num_classes?: number | false | null;
  reduction?: Reduction;
  weight?: WeightArg;
}

export interface CeCountLoss extends LossFunction<'ce_count_loss'> {
  readonly population_code: boolean;
  readonly num_classes: number | false;
}

const CE_COUNT_KEYS = ['population_code', 'num_classes', 'reduction', 'weight'] as const;

/**
 * Cross entropy of the spike counts: NLL(log_softmax(sum_t spk[t]), y), or of the population
 * counts. 0-dim for 'mean' and 'sum', [B] for 'none' (and for 'sum' with a weight).
 */
export function ce_count_loss(options?: CeCountLossOptions): CeCountLoss;
export function ce_count_loss(
  population_code?: boolean,
  num_classes?: number | false | null,
  reduction?: Reduction,
  weight?: WeightArg,
): CeCountLoss;
export function ce_count_loss(...args: unknown[]): CeCountLoss {
  const o = parseArgs<CeCountLossOptions>('ce_count_loss', args, CE_COUNT_KEYS);
  const population_code = optBool('population_code', o.population_code, false);
  const num_classes = optNumClasses('num_classes', o.num_classes);
  const reduction = optReduction('ce_count_loss', o.reduction);
  const weight = optWeight('weight', o.weight);

  const fn = (spk_out: Tensor, targets: Tensor): Tensor => {
    const rec = checkRecord('spk_out', spk_out);
    const n = population_code ? checkPopulation('ce_count_loss', num_classes, rec.C) : rec.C;
    if (weight !== null) checkWeightFor(weight, rec, n);
    return tidy(() => {
      const labels = checkLabels('targets', targets, rec, n);
      const count = population_code ? populationCount(spk_out, n) : spk_out.sum(0);
      const loss = nll(count.log_softmax(-1), labels, weight, intermediateReduction(reduction, weight));
      return finalReduce(loss, reduction, weight);
    });
  };
  return Object.freeze(Object.assign(fn, { __name__: 'ce_count_loss' as const, population_code, num_classes, reduction, weight }));
}

// ------------------------------------------------------------------ ce_max_membrane_loss

export interface CeMaxMembraneLossOptions {
  reduction?: Reduction;
  weight?: WeightArg;
}

export type CeMaxMembraneLoss = LossFunction<'ce_max_membrane_loss'>;

const CE_MAX_KEYS = ['reduction', 'weight'] as const;

/**
 * Cross entropy of each output's largest membrane value over time:
 * NLL(log_softmax(max_t mem[t]), y). 0-dim for 'mean' and 'sum', [B] for 'none'.
 */
export function ce_max_membrane_loss(options?: CeMaxMembraneLossOptions): CeMaxMembraneLoss;
export function ce_max_membrane_loss(reduction?: Reduction, weight?: WeightArg): CeMaxMembraneLoss;
export function ce_max_membrane_loss(...args: unknown[]): CeMaxMembraneLoss {
  const o = parseArgs<CeMaxMembraneLossOptions>('ce_max_membrane_loss', args, CE_MAX_KEYS);
  const reduction = optReduction('ce_max_membrane_loss', o.reduction);
  const weight = optWeight('weight', o.weight);

  const fn = (mem_out: Tensor, targets: Tensor): Tensor => {
    const rec = checkRecord('mem_out', mem_out);
    if (weight !== null) checkWeightFor(weight, rec, rec.C);
    return tidy(() => {
      const labels = checkLabels('targets', targets, rec, rec.C);
      const [max_mem_out] = mem_out.max(0);
      const loss = nll(max_mem_out.log_softmax(-1), labels, weight, intermediateReduction(reduction, weight));
      return finalReduce(loss, reduction, weight);
    });
  };
  return Object.freeze(Object.assign(fn, { __name__: 'ce_max_membrane_loss' as const, reduction, weight }));
}
