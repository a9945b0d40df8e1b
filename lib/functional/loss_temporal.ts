// snntorch.functional.mse_temporal_loss and ce_temporal_loss: losses on first spike times
// (snnTorch 0.9.4's loss.py, SpikeTime; see spike_time.ts for the time extraction and its gradient).
import { tidy } from '../torch/memory.js';
import { stack, where } from '../torch/functions.js';
import { Tensor } from '../torch/tensor.js';
import { cross_entropy, mse_loss } from '../nn/functional.js';
import { checkNumber, checkString, invalid } from '../torch/check.js';
import {
  checkLabels,
  checkRecord,
  checkWeightBroadcast,
  checkWeightFor,
  optBool,
  optNumber,
  optReduction,
  optWeight,
  parseArgs,
  weightOfLabels,
  type LossFunction,
  type Reduction,
  type WeightArg,
} from './common.js';
import { targets_convert } from './targets.js';
import { apply_tolerance, first_spike_time, multi_spike_times } from './spike_time.js';

/** The shape two shapes broadcast to, or null. */
function broadcastShape(a: number[], b: number[]): number[] | null {
  const n = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = a[a.length - n + i] ?? 1;
    const y = b[b.length - n + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) return null;
    out.push(x === 1 ? y : x);
  }
  return out;
}

// ------------------------------------------------------------------ mse_temporal_loss

export interface MseTemporalLossOptions {
  /** targets are spike times (true) or class indices (false, the default). */
  target_is_time?: boolean;
  /** Spike time for the correct class (labels only); one per spike when multi_spike. Default 0. */
  on_target?: number | readonly number[];
  /** Spike time for the other classes (labels only); negative counts from the end. Default -1. */
  off_target?: number | readonly number[];
  /** A spike time within this many steps of its target reads as the target (default 0: off). */
  tolerance?: number;
  /** Compare the first F spike times (F = number of targets per neuron). Default false. */
  multi_spike?: boolean;
  reduction?: Reduction;
  /** Per-class weight (label targets only); the loss is multiplied by weight[targets] as snnTorch does. */
  weight?: WeightArg;
}

export interface MseTemporalLoss extends LossFunction<'mse_temporal_loss'> {
  readonly target_is_time: boolean;
  readonly on_target: number | readonly number[];
  readonly off_target: number | readonly number[];
  readonly tolerance: number;
  readonly multi_spike: boolean;
}

const MSE_TEMPORAL_KEYS = ['target_is_time', 'on_target', 'off_target', 'tolerance', 'multi_spike', 'reduction', 'weight'] as const;

function timeTarget(name: string, v: unknown, dflt: number, multi: boolean): number | readonly number[] {
  if (v === undefined) {
    if (multi) throw new TypeError(`mse_temporal_loss: multi_spike=true needs ${name} as an array of spike times, one per spike`);
    return dflt;
  }
  if (multi) {
    if (!Array.isArray(v) || v.length === 0 || !v.every((x) => typeof x === 'number' && Number.isFinite(x))) {
      throw invalid(name, 'a non-empty array of finite numbers (multi_spike=true)', v);
    }
    return Object.freeze([...(v as number[])]);
  }
  return checkNumber(name, v, { finite: true });
}

/**
 * Mean square error between first spike times and target times, both divided by T:
 * MSE(t_spk / T, t_target / T). With class-index targets the target time is built by
 * targets_convert(labels, N, on_target, off_target); snnTorch 0.9.4 quirk kept: with the defaults
 * (0, -1) that clamps every target to 0 (see docs/SEMANTICS.md, Loss targets). Negative target times count from
 * the end (T + t). The gradient reaches the record through the sign estimator (-1 at the step
 * each time was read from).
 */
export function mse_temporal_loss(options?: MseTemporalLossOptions): MseTemporalLoss;
export function mse_temporal_loss(
  target_is_time?: boolean,
  on_target?: number | readonly number[],
  off_target?: number | readonly number[],
  tolerance?: number,
  multi_spike?: boolean,
  reduction?: Reduction,
  weight?: WeightArg,
): MseTemporalLoss;
export function mse_temporal_loss(...args: unknown[]): MseTemporalLoss {
  const o = parseArgs<MseTemporalLossOptions>('mse_temporal_loss', args, MSE_TEMPORAL_KEYS);
  const target_is_time = optBool('target_is_time', o.target_is_time, false);
  const multi_spike = optBool('multi_spike', o.multi_spike, false);
  const labelTargets = !target_is_time;
  const on_target = labelTargets ? timeTarget('on_target', o.on_target, 0, multi_spike) : optNumber('on_target', o.on_target, 0);
  const off_target = labelTargets ? timeTarget('off_target', o.off_target, -1, multi_spike) : optNumber('off_target', o.off_target, -1);
  if (Array.isArray(on_target) && Array.isArray(off_target) && on_target.length !== off_target.length) {
    throw new RangeError(
      `mse_temporal_loss: on_target (length ${on_target.length}) must have the same length as off_target (length ${off_target.length})`,
    );
  }
  const tolerance = optNumber('tolerance', o.tolerance, 0);
  const reduction = optReduction('mse_temporal_loss', o.reduction);
  const weight = optWeight('weight', o.weight);
  if (weight !== null && target_is_time) {
    throw new TypeError(
      'mse_temporal_loss: weight indexes by class (weight[targets]), so it needs class-index targets, not target_is_time=true',
    );
  }

  const fn = (spk_rec: Tensor, targets: Tensor): Tensor => {
    const rec = checkRecord('spk_rec', spk_rec);
    const { T, B, C } = rec;
    if (weight !== null) {
      checkWeightFor(weight, rec, C);
      checkWeightBroadcast('mse_temporal_loss', B, C);
    }
    if (target_is_time) {
      if (!(targets instanceof Tensor)) throw invalid('targets', 'a Tensor of spike times (target_is_time=true)', targets);
      if (targets.device !== rec.device) {
        throw new TypeError(`Expected targets on the record's device ${rec.device} but received a Tensor on ${targets.device}`);
      }
      if (targets.dtype === 'bool') throw new TypeError('Expected a numeric Tensor of spike times for targets but received a bool Tensor');
      if (multi_spike && targets.dim() === 0)
        throw new RangeError(
          'Expected a Tensor [F, ...] of F spike times per neuron for targets (multi_spike=true) but received a 0-dim Tensor',
        );
    }
    return tidy(() => {
      let labels: Tensor | null = null;
      let target: Tensor;
      if (!target_is_time) {
        labels = checkLabels('targets', targets, rec, C);
        if (multi_spike) {
          const on = on_target as readonly number[];
          const off = off_target as readonly number[];
          target = stack(on.map((v, i) => targets_convert(labels!, C, v, off[i]!, rec.dtype)));
        } else {
          target = targets_convert(labels, C, on_target as number, off_target as number, rec.dtype);
        }
      } else {
        target = targets.to(rec.dtype);
      }
      // negative spike times count from the end: -1 -> T - 1 (snnTorch does this in place on the
      // caller's tensor; here the caller's tensor is left alone)
      target = where(target.lt(0), target.add(T), target);

      const spk_time = multi_spike ? multi_spike_times(spk_rec, target.size(0)) : first_spike_time(spk_rec);
      const shape = broadcastShape(spk_time.shape, target.shape);
      if (shape === null) {
        throw new RangeError(
          `mse_temporal_loss: target spike times of shape [${target.shape.join(', ')}] do not broadcast against the spike times [${spk_time.shape.join(', ')}]`,
        );
      }
      const timed = tolerance ? apply_tolerance(spk_time, target, tolerance) : spk_time;
      const a = timed.div(T).expand(shape);
      const b = target.div(T).expand(shape);
      let loss = mse_loss(a, b, { reduction: weight !== null ? 'none' : reduction });
      if (weight !== null && labels !== null) {
        loss = loss.mul(weightOfLabels(weight, labels));
        if (reduction === 'mean') loss = loss.mean();
      }
      return loss;
    });
  };
  return Object.freeze(
    Object.assign(fn, {
      __name__: 'mse_temporal_loss' as const,
      target_is_time,
      on_target,
      off_target,
      tolerance,
      multi_spike,
      reduction,
      weight,
    }),
  );
}

// ------------------------------------------------------------------ ce_temporal_loss

export type Inverse = 'negate' | 'reciprocal';

export interface CeTemporalLossOptions {
  /** How first spike times become logits: 'negate' (-t, the default) or 'reciprocal' (1 / (t + 1)). */
  inverse?: Inverse;
  reduction?: Reduction;
  /** Per-class weight of nn.CrossEntropyLoss (a weighted mean for 'mean', as torch does). */
  weight?: WeightArg;
}

export interface CeTemporalLoss extends LossFunction<'ce_temporal_loss'> {
  readonly inverse: Inverse;
}

const CE_TEMPORAL_KEYS = ['inverse', 'reduction', 'weight'] as const;

/**
 * Cross entropy of inverted first spike times: CrossEntropyLoss(-t_spk, y) (or 1/(t_spk+1)), so an
 * earlier spike of the correct class lowers the loss. 0-dim for 'mean' and 'sum', [B] for 'none'.
 */
export function ce_temporal_loss(options?: CeTemporalLossOptions): CeTemporalLoss;
export function ce_temporal_loss(inverse?: Inverse, reduction?: Reduction, weight?: WeightArg): CeTemporalLoss;
export function ce_temporal_loss(...args: unknown[]): CeTemporalLoss {
  const o = parseArgs<CeTemporalLossOptions>('ce_temporal_loss', args, CE_TEMPORAL_KEYS);
  const inverse: Inverse = o.inverse === undefined ? 'negate' : checkString('inverse', o.inverse, ['negate', 'reciprocal'] as const);
  const reduction = optReduction('ce_temporal_loss', o.reduction);
  const weight = optWeight('weight', o.weight);

  const fn = (spk_rec: Tensor, targets: Tensor): Tensor => {
    const rec = checkRecord('spk_rec', spk_rec);
    if (weight !== null) checkWeightFor(weight, rec, rec.C);
    return tidy(() => {
      const labels = checkLabels('targets', targets, rec, rec.C);
      const spk_time = first_spike_time(spk_rec);
      const logits = inverse === 'negate' ? spk_time.neg() : spk_time.add(1).reciprocal();
      return cross_entropy(logits, labels, { weight, reduction });
    });
  };
  return Object.freeze(Object.assign(fn, { __name__: 'ce_temporal_loss' as const, inverse, reduction, weight }));
}
