// snntorch.functional.accuracy_rate and accuracy_temporal (docs/SEMANTICS.md, accuracy_rate): plain JS numbers,
// like the numpy.float64 snnTorch returns.
import { no_grad } from '../torch/autograd.js';
import { checkBool, checkOptions } from '../torch/check.js';
import { tidy } from '../torch/memory.js';
import type { Tensor } from '../torch/tensor.js';
import { checkLabels, checkPopulation, checkRecord, optNumClasses, populationCount } from './common.js';
import { first_spike_time_values } from './spike_time.js';

export interface AccuracyRateOptions {
  /** Outputs are pooled in num_classes groups (default false). */
  population_code?: boolean;
  /** Number of classes when population_code is set; must divide the number of outputs. */
  num_classes?: number | false | null;
}

/**
 * The class each sample predicts by spike count (or population count): the index of the largest
 * count, the lowest index on ties (torch's max(dim)), so a silent sample predicts class 0.
 * Returns the counts [B, n] and the predicted classes [B] as int64.
 */
export function predict_rate(spk_out: Tensor, options?: AccuracyRateOptions): { counts: Tensor; predicted: Tensor } {
  const { n } = rateSetup(spk_out, options);
  return no_grad(() =>
    tidy(() => {
      const counts = n === null ? spk_out.sum(0) : populationCount(spk_out, n);
      const [, predicted] = counts.max(1);
      return { counts, predicted };
    }),
  );
}

function rateSetup(spk_out: Tensor, options: AccuracyRateOptions | undefined): { n: number | null; C: number } {
  const rec = checkRecord('spk_out', spk_out, true);
  const o = checkOptions<AccuracyRateOptions>('accuracy_rate options', options, ['population_code', 'num_classes']);
  const population_code = o.population_code === undefined ? false : checkBool('population_code', o.population_code);
  const num_classes = optNumClasses('num_classes', o.num_classes);
  return { n: population_code ? checkPopulation('accuracy_rate', num_classes, rec.C) : null, C: rec.C };
}

function fractionEqual(predicted: ArrayLike<number | bigint>, labels: ArrayLike<number | bigint>): number {
  let hits = 0;
  for (let i = 0; i < labels.length; i++) if (Number(predicted[i]) === Number(labels[i])) hits++;
  return hits / labels.length;
}

/**
 * Fraction of samples whose spike count is largest at the label: mean(argmax_c sum_t spk[t,:,c] == y),
 * ties to the lowest index. Also accepts snnTorch's positional form
 * accuracy_rate(spk_out, targets, population_code, num_classes).
 */
export function accuracy_rate(spk_out: Tensor, targets: Tensor, options?: AccuracyRateOptions): number;
export function accuracy_rate(spk_out: Tensor, targets: Tensor, population_code?: boolean, num_classes?: number | false | null): number;
export function accuracy_rate(spk_out: Tensor, targets: Tensor, a?: AccuracyRateOptions | boolean, b?: number | false | null): number {
  const options: AccuracyRateOptions | undefined =
    typeof a === 'boolean' || b !== undefined ? { population_code: a as boolean | undefined, num_classes: b } : a;
  const rec = checkRecord('spk_out', spk_out, true);
  const { n, C } = rateSetup(spk_out, options);
  return no_grad(() =>
    tidy(() => {
      const labels = checkLabels('targets', targets, rec, n ?? C);
      const { predicted } = predict_rate(spk_out, options);
      return fractionEqual(predicted.data() as BigInt64Array, labels.data() as BigInt64Array);
    }),
  );
}

/**
 * Fraction of samples whose earliest-spiking output is the label: first spike times as the
 * temporal losses compute them (T-1 for a silent output), argmin over outputs, ties to the
 * lowest index.
 */
export function accuracy_temporal(spk_out: Tensor, targets: Tensor): number {
  const rec = checkRecord('spk_out', spk_out, true);
  return tidy(() => {
    const labels = checkLabels('targets', targets, rec, rec.C);
    const fst = first_spike_time_values(spk_out);
    const predicted = new Array<number>(rec.B);
    for (let b = 0; b < rec.B; b++) {
      let best = 0;
      let bestV = fst[b * rec.C]!;
      for (let c = 1; c < rec.C; c++) {
        const v = fst[b * rec.C + c]!;
        if (Number.isNaN(bestV)) break; // torch's min propagates the first NaN
        if (Number.isNaN(v) || v < bestV) {
          best = c;
          bestV = v;
        }
      }
      predicted[b] = best;
    }
    return fractionEqual(predicted, labels.data() as BigInt64Array);
  });
}
