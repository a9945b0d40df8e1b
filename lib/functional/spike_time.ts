// snnTorch's SpikeTime (used by the temporal losses and accuracy_temporal): spike record
// [T, B, N] -> first spike time [B, N] (or the first F spike times [F, B, N]), with a "sign
// estimator" gradient: d time / d spk[t] = -1 at the time step the time was read from, 0 elsewhere.
//
// snnTorch writes these as torch.autograd.Functions. Here the forward runs on the record's values
// (float32 arithmetic, step by step, as snnTorch's loop does), and the gradient is attached with
// value.detach() + (lin - lin.detach()), where lin is linear in spk with exactly that derivative:
// forward value unchanged (x - x = 0), backward = d lin / d spk.
import { from_typed_array, ones_like } from '../torch/creation.js';
import { Tensor } from '../torch/tensor.js';
import { where } from '../torch/functions.js';

type Round = (x: number) => number;

interface Values {
  vals: Float64Array;
  /** Rounds to the record's precision: float32 arithmetic for float32 records (as torch does). */
  round: Round;
}

function recordValues(spk: Tensor): Values {
  const d = spk.detach();
  const f = d.to({ dtype: 'float64', device: 'cpu' });
  const vals = Float64Array.from(f.data() as Float64Array);
  d.dispose();
  f.dispose();
  return { vals, round: spk.dtype === 'float64' ? (x) => x : Math.fround };
}

/**
 * One pass of snnTorch's first-spike loop over `vals` ([T, K] flattened, K = B*N), in the record's
 * precision: spk_time = spk * (t + 1); fst += spk_time[t] * !bool(fst); fst += !bool(fst) * T; fst -= 1.
 */
function firstSpikeTimes(vals: Float64Array, T: number, K: number, r: Round): Float64Array {
  const fst = new Float64Array(K);
  for (let t = 0; t < T; t++) {
    for (let k = 0; k < K; k++) {
      const st = r(vals[t * K + k]! * (t + 1));
      const unset = fst[k] === 0 ? 1 : 0; // bool(NaN) is true in torch, and NaN !== 0 here too
      fst[k] = r(fst[k]! + r(st * unset));
    }
  }
  for (let k = 0; k < K; k++) {
    fst[k] = r(fst[k]! + (fst[k] === 0 ? T : 0));
    fst[k] = r(fst[k]! - 1);
  }
  return fst;
}

/** The first spike times as numbers, [B*N] row-major, forward only (accuracy_temporal). */
export function first_spike_time_values(spk: Tensor): Float64Array {
  const [T, B, N] = spk.shape as [number, number, number];
  const { vals, round } = recordValues(spk);
  return firstSpikeTimes(vals, T, B * N, round);
}

/** Python's `long()` index into a dim of size T, negative indices wrapping once. */
function timeIndex(v: number, T: number): number {
  let i = Math.trunc(v);
  if (i < 0) i += T;
  if (!(i >= 0 && i < T)) {
    throw new RangeError(`spike time ${v} cannot index a record of ${T} time steps (is the spike record binary?)`);
  }
  return i;
}

/** value.detach() + (lin - lin.detach()): forward = value, gradient = that of lin. */
function withGradientOf(value: Tensor, lin: Tensor): Tensor {
  if (!lin.requires_grad) return value;
  const d = lin.detach();
  const zero = lin.sub(d);
  const out = value.add(zero);
  d.dispose();
  zero.dispose();
  return out;
}

/** FirstSpike: [T, B, N] -> [B, N] first spike times (T-1 where there is none). */
export function first_spike_time(spk: Tensor): Tensor {
  const [T, B, N] = spk.shape as [number, number, number];
  const K = B * N;
  const { vals, round } = recordValues(spk);
  const fst = firstSpikeTimes(vals, T, K, round);
  const mask = new Float32Array(T * K);
  for (let k = 0; k < K; k++) mask[timeIndex(fst[k]!, T) * K + k] = 1;
  const opts = { dtype: spk.dtype, device: spk.device };
  const value = from_typed_array(fst, [B, N], opts);
  const m = from_typed_array(mask, [T, B, N], opts);
  const prod = spk.mul(m);
  const s = prod.sum(0);
  const lin = s.neg();
  const out = withGradientOf(value, lin);
  for (const t of [m, prod, s, lin]) t.dispose();
  if (out !== value) value.dispose();
  return out;
}

/**
 * MultiSpike: the first F spike times, [F, B, N]. As in snnTorch, after each pass the time steps
 * found anywhere in the batch are zeroed in a working copy of the whole record
 * (`spk_rec_tmp[nth_spike_time.long()] = 0`), and the gradient at (t, b, n) is -grad of the last
 * f whose time (b, n) pointed at t.
 */
export function multi_spike_times(spk: Tensor, F: number): Tensor {
  const [T, B, N] = spk.shape as [number, number, number];
  const K = B * N;
  const { vals: work, round } = recordValues(spk);
  const times = new Float64Array(F * K);
  const owner = new Int32Array(T * K).fill(-1);
  for (let f = 0; f < F; f++) {
    const nth = firstSpikeTimes(work, T, K, round);
    times.set(nth, f * K);
    const zeroRows = new Set<number>();
    for (let k = 0; k < K; k++) {
      const ti = timeIndex(nth[k]!, T);
      owner[ti * K + k] = f;
      zeroRows.add(ti);
    }
    for (const ti of zeroRows) work.fill(0, ti * K, (ti + 1) * K);
  }
  const mask = new Float32Array(F * T * K);
  for (let i = 0; i < T * K; i++) {
    const f = owner[i]!;
    if (f >= 0) mask[f * T * K + i] = 1;
  }
  const opts = { dtype: spk.dtype, device: spk.device };
  const value = from_typed_array(times, [F, B, N], opts);
  const m = from_typed_array(mask, [F, T, B, N], opts);
  const u = spk.unsqueeze(0);
  const prod = u.mul(m);
  const s = prod.sum(1);
  const lin = s.neg();
  const out = withGradientOf(value, lin);
  for (const t of [m, u, prod, s, lin]) t.dispose();
  if (out !== value) value.dispose();
  return out;
}

/**
 * Tolerance: where |time - target| < tolerance the time reads as the target (forward only);
 * the gradient passes straight through.
 */
export function apply_tolerance(spk_time: Tensor, target: Tensor, tolerance: number): Tensor {
  const diff = spk_time.sub(target);
  const dist = diff.abs();
  const close = dist.lt(tolerance);
  const base = spk_time.detach();
  const ones = ones_like(base);
  const tgt = ones.mul(target);
  const adjusted = where(close, tgt, base);
  const out = withGradientOf(adjusted, spk_time);
  for (const t of [diff, dist, close, base, ones, tgt]) t.dispose();
  if (out !== adjusted) adjusted.dispose();
  return out;
}
