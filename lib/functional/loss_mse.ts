// snntorch.functional.mse_count_loss and mse_membrane_loss (docs/SEMANTICS.md, mse_count_loss and mse_membrane_loss).
import { tidy } from '../torch/memory.js';
import { zeros } from '../torch/creation.js';
import type { Tensor } from '../torch/tensor.js';
import { mse_loss } from '../nn/functional.js';
import {
  checkLabels,
  checkPopulation,
  checkRecord,
  checkWeightBroadcast,
  checkWeightFor,
  finalReduce,
  intermediateReduction,
  optBool,
  optNumber,
  optNumClasses,
  optReduction,
  optWeight,
  parseArgs,
  populationCount,
  weightOfLabels,
  type LossFunction,
  type Reduction,
  type WeightArg,
} from './common.js';
import { count_target, population_count_target, targets_convert } from './targets.js';

function mse(a: Tensor, b: Tensor, reduction: Reduction): Tensor {
  return mse_loss(a, b, { reduction });
}

// ------------------------------------------------------------------ mse_count_loss

export interface MseCountLossOptions {
  /** Firing rate asked of the correct class, as a fraction of the T steps (default 1). */
  correct_rate?: number;
  /** Firing rate asked of the other classes (default 0). */
  incorrect_rate?: number;
  /** Outputs are pooled in num_classes groups (default false). */
  population_code?: boolean;
  /** Number of classes when population_code is set; must divide the number of outputs. */
  num_classes?: number | false | null;
  reduction?: Reduction;
  /** Per-class weight; snnTorch multiplies the [B, C] loss by weight[targets] (needs B == C). */
  weight?: WeightArg;
}

export interface MseCountLoss extends LossFunction<'mse_count_loss'> {
  readonly correct_rate: number;
  readonly incorrect_rate: number;
  readonly population_code: boolean;
  readonly num_classes: number | false;
}

const MSE_COUNT_KEYS = ['correct_rate', 'incorrect_rate', 'population_code', 'num_classes', 'reduction', 'weight'] as const;

/**
 * Mean square error of spike counts against integer count targets: int(T*correct_rate) for the
 * label, int(T*incorrect_rate) elsewhere; the MSE is divided by T once. Returns a 0-dim tensor
 * for 'mean' and 'sum', [B, C] for 'none'.
 *
 *   const loss_fn = SF.mse_count_loss({ correct_rate: 0.8, incorrect_rate: 0.2 });  // or (0.8, 0.2)
 *   SF.mse_count_loss(0.8, 0.2, { reduction: 'sum' });   // positional, then keywords
 *   const loss = loss_fn(spk_rec, targets);
 */
export function mse_count_loss(options?: MseCountLossOptions): MseCountLoss;
export function mse_count_loss(
  correct_rate: number,
  incorrect_rate: number,
  options: Omit<MseCountLossOptions, 'correct_rate' | 'incorrect_rate'>,
): MseCountLoss;
export function mse_count_loss(
  correct_rate?: number,
  incorrect_rate?: number,
  population_code?: boolean,
  num_classes?: number | false | null,
  reduction?: Reduction,
  weight?: WeightArg,
): MseCountLoss;
export function mse_count_loss(...args: unknown[]): MseCountLoss {
  const o = parseArgs<MseCountLossOptions>('mse_count_loss', args, MSE_COUNT_KEYS);
  const correct_rate = optNumber('correct_rate', o.correct_rate, 1);
  const incorrect_rate = optNumber('incorrect_rate', o.incorrect_rate, 0);
  const population_code = optBool('population_code', o.population_code, false);
  const num_classes = optNumClasses('num_classes', o.num_classes);
  const reduction = optReduction('mse_count_loss', o.reduction);
  const weight = optWeight('weight', o.weight);

  const fn = (spk_out: Tensor, targets: Tensor): Tensor => {
    const rec = checkRecord('spk_out', spk_out);
    const { T, C } = rec;
    const n = population_code ? checkPopulation('mse_count_loss', num_classes, C) : C;
    if (weight !== null) {
      checkWeightFor(weight, rec, n);
      checkWeightBroadcast('mse_count_loss', rec.B, n);
    }
    return tidy(() => {
      const labels = checkLabels('targets', targets, rec, n);
      let on: number;
      let off: number;
      let count: Tensor;
      if (!population_code) {
        on = count_target(T, correct_rate);
        off = count_target(T, incorrect_rate);
        count = spk_out.sum(0);
      } else {
        on = population_count_target(T, correct_rate, C, n);
        off = population_count_target(T, incorrect_rate, C, n);
        count = populationCount(spk_out, n);
      }
      const target = targets_convert(labels, n, on, off, rec.dtype);
      let loss = mse(count, target, intermediateReduction(reduction, weight));
      if (weight !== null) loss = loss.mul(weightOfLabels(weight, labels));
      return finalReduce(loss.div(T), reduction, weight);
    });
  };
  return Object.freeze(
    Object.assign(fn, {
      __name__: 'mse_count_loss' as const,
      correct_rate,
      incorrect_rate,
      population_code,
      num_classes,
      reduction,
      weight,
    }),
  );
}

// ------------------------------------------------------------------ mse_membrane_loss

export interface MseMembraneLossOptions {
  /** snnTorch's buggy time-varying path: step t uses row t of the [B, C] target (needs T <= B). */
  time_var_targets?: boolean;
  /** Membrane target of the correct class (default 1). */
  on_target?: number;
  /** Membrane target of the other classes (default 0); a negative value below on_target becomes 0, as in snnTorch. */
  off_target?: number;
  reduction?: Reduction;
  /** Per-class weight; snnTorch multiplies the loss by weight[targets] (needs B == C). */
  weight?: WeightArg;
}

export interface MseMembraneLoss extends LossFunction<'mse_membrane_loss'> {
  readonly time_var_targets: boolean;
  readonly on_target: number;
  readonly off_target: number;
}

const MSE_MEMBRANE_KEYS = ['time_var_targets', 'on_target', 'off_target', 'reduction', 'weight'] as const;

/**
 * Mean square error of the membrane record against on/off targets, averaged over time:
 * sum_t MSE(mem[t], target) / T. Returns shape [1] for 'mean' and 'sum' (snnTorch accumulates
 * into zeros(1)), [B, C] for 'none'.
 */
export function mse_membrane_loss(options?: MseMembraneLossOptions): MseMembraneLoss;
export function mse_membrane_loss(
  time_var_targets?: boolean,
  on_target?: number,
  off_target?: number,
  reduction?: Reduction,
  weight?: WeightArg,
): MseMembraneLoss;
export function mse_membrane_loss(...args: unknown[]): MseMembraneLoss {
  const o = parseArgs<MseMembraneLossOptions>('mse_membrane_loss', args, MSE_MEMBRANE_KEYS);
  const time_var_targets = optBool('time_var_targets', o.time_var_targets, false);
  const on_target = optNumber('on_target', o.on_target, 1);
  const off_target = optNumber('off_target', o.off_target, 0);
  const reduction = optReduction('mse_membrane_loss', o.reduction);
  const weight = optWeight('weight', o.weight);

  const fn = (mem_out: Tensor, targets: Tensor): Tensor => {
    const rec = checkRecord('mem_out', mem_out);
    const { T, B, C } = rec;
    if (time_var_targets && T > B) {
      throw new RangeError(
        `mse_membrane_loss: time_var_targets=true indexes the [B, C] target by time step (as snnTorch does), so it needs T <= B; received T=${T}, B=${B}`,
      );
    }
    if (weight !== null) {
      checkWeightFor(weight, rec, C);
      checkWeightBroadcast('mse_membrane_loss', B, C);
    }
    return tidy(() => {
      const labels = checkLabels('targets', targets, rec, C);
      const target = targets_convert(labels, C, on_target, off_target, rec.dtype);
      const red = intermediateReduction(reduction, weight);
      let loss = zeros(red === 'none' ? [B, C] : [1], { dtype: rec.dtype, device: rec.device });
      for (let t = 0; t < T; t++) {
        const tgt = time_var_targets ? target.select(0, t).expand(B, C) : target;
        loss = loss.add(mse(mem_out.select(0, t), tgt, red));
      }
      if (weight !== null) loss = loss.mul(weightOfLabels(weight, labels));
      return finalReduce(loss.div(T), reduction, weight);
    });
  };
  return Object.freeze(
    Object.assign(fn, {
      __name__: 'mse_membrane_loss' as const,
      time_var_targets,
      on_target,
      off_target,
      reduction,
      weight,
    }),
  );
}
