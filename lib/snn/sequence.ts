// The sequence form of a neuron layer: all time steps of one layer in one call. With the 'fused'
// step implementation and options the fused kernel covers (CPU, float32/float64, no inhibition or
// state_quant, a known surrogate), the whole loop is ONE native call and ONE autograd node with
// BPTT in C++ (native/kernels/sequence_node.h); otherwise the per-step forward is looped here.
import { native, type NativeTensor, type SnnFusedNeuron, type SnnFeedback, type SnnConfigArg } from '../native.js';
import { checkInt, checkOptions, invalid } from '../torch/check.js';
import { stack } from '../torch/functions.js';
import { Tensor, tensorArg, wrap } from '../torch/tensor.js';
import { Linear } from '../nn/linear.js';
import { Conv2d } from '../nn/conv.js';
import type { Module } from '../nn/module.js';
import { sequenceNative } from './impl_config.js';

export interface SequenceOptions {
  /** Repeat a static input [B, ...] for this many steps (without it, input is [T, B, ...]). */
  num_steps?: number;
  /** Initial spike (RLeaky) and membrane; default: the neuron's current state. */
  spk?: Tensor | null;
  mem?: Tensor | null;
}

export interface ResolvedSequence {
  num_steps: number | null;
  spk: Tensor | null;
  mem: Tensor | null;
}

export function checkSequenceOptions(fname: string, input: unknown, opts: SequenceOptions): ResolvedSequence {
  const x = tensorArg('input', input);
  const o = checkOptions<SequenceOptions>(`${fname} options`, opts, ['num_steps', 'spk', 'mem']);
  const num_steps = o.num_steps == null ? null : checkInt('num_steps', o.num_steps, 1);
  if (num_steps === null && x.dim() < 1)
    throw invalid('input', 'a [T, B, ...] tensor (or pass num_steps for a static input)', `a ${x.dim()}-dim tensor`);
  if (num_steps === null && x.size(0) === 0) throw new RangeError(`${fname}: input has 0 time steps`);
  return { num_steps, spk: o.spk == null ? null : tensorArg('spk', o.spk), mem: o.mem == null ? null : tensorArg('mem', o.mem) };
}

/** Steps a per-step function over time and stacks the records (the fallback and the 'composed' path). */
export function runSequence(input: Tensor, o: ResolvedSequence, step: (x: Tensor, first: boolean) => [Tensor, Tensor]): [Tensor, Tensor] {
  const T = o.num_steps ?? input.size(0);
  const spks: Tensor[] = [];
  const mems: Tensor[] = [];
  for (let t = 0; t < T; t++) {
    const x = o.num_steps === null ? input.select(0, t) : input;
    const [s, m] = step(x, t === 0);
    spks.push(s);
    mems.push(m);
    if (x !== input) x.dispose();
  }
  const out: [Tensor, Tensor] = [stack(spks), stack(mems)];
  for (const t of [...spks, ...mems]) t.dispose();
  return out;
}

// ------------------------------------------------------------------ the native sequence node
// (used unless snn.config({ sequence: 'loop' }) asks for the per-step loop)

/** How a neuron lets the sequence runner read and write its state buffers (its protected helpers). */
export interface StateAccess {
  get(name: string): Tensor;
  set(name: string, t: Tensor): void;
  fit(name: string, like: Tensor): void;
}

/** The recurrent operator in the native kernel's terms (tensors as modules hold them), or null when the kernel does not cover it. */
interface Feedback {
  kind: SnnFeedback['kind'];
  weight: Tensor | null;
  bias: Tensor | null;
  V: Tensor | null;
  padding: [number, number];
}

function feedbackOf(rec: Module): Feedback | null {
  if (rec instanceof Linear) return { kind: 'linear', weight: rec.weight, bias: rec.bias, V: null, padding: [0, 0] };
  if (rec instanceof Conv2d) {
    const p = rec.padding;
    if (!Array.isArray(p) || rec.groups !== 1 || rec.stride.some((s) => s !== 1) || rec.dilation.some((d) => d !== 1)) return null;
    const [kh, kw] = rec.weight.shape.slice(2);
    if (2 * p[0] + 1 !== kh || 2 * p[1] + 1 !== kw) return null;
    return { kind: 'conv', weight: rec.weight, bias: rec.bias, V: null, padding: [p[0], p[1]] };
  }
  const V = (rec as unknown as { V?: unknown }).V;
  return V instanceof Tensor ? { kind: 'one_to_one', weight: null, bias: null, V, padding: [0, 0] } : null;
}

/** CPU, one floating dtype (float32/float64) for the input, state and feedback weights; params on the CPU. */
function eligible(input: Tensor, sameDtype: (Tensor | null)[], params: Tensor[]): boolean {
  const dt = input.dtype;
  if ((dt !== 'float32' && dt !== 'float64') || input.device !== 'cpu') return false;
  for (const t of sameDtype) if (t && (t.dtype !== dt || t.device !== 'cpu')) return false;
  for (const t of params) if (t.device !== 'cpu') return false;
  return true;
}

/**
 * Sets/fits the state as the first forward call would (a given initial state is stored, then a
 * wrongly shaped state becomes zeros like one step of the input), runs `call` on the states (in
 * `names` order) when they are eligible, and leaves each state at the last step of its record
 * (with autograd history). `call` returns the records [spk, ...the states other than spk, in
 * order]. Null: not eligible.
 */
function runNative(
  input: Tensor,
  num_steps: number | null,
  init: Record<string, Tensor | null>,
  names: readonly string[],
  st: StateAccess,
  call: (state: Tensor[]) => NativeTensor[],
): Tensor[] | null {
  for (const n of names) {
    const t = init[n];
    if (t) st.set(n, t);
  }
  const step0 = num_steps === null ? input.select(0, 0) : input;
  for (const n of names) st.fit(n, step0);
  if (step0 !== input) step0.dispose();
  const states = names.map((n) => st.get(n));
  if (!eligible(input, states, [])) return null;
  const out = call(states).map((h) => wrap(h));
  const T = out[0]!.size(0);
  const own = names.filter((n) => n !== 'spk');
  for (const n of names) {
    const last = out[n === 'spk' ? 0 : 1 + own.indexOf(n)]!.select(0, T - 1);
    st.set(n, last);
    last.dispose();
  }
  return out;
}

/** Leaky over a whole sequence in one native node; null when the node does not apply (the caller loops). */
export function leakySequenceNative(
  input: Tensor,
  o: ResolvedSequence,
  st: StateAccess,
  p: { beta: Tensor; threshold: Tensor; graded_spikes_factor: Tensor },
  cfg: SnnConfigArg,
): [Tensor, Tensor] | null {
  if (!sequenceNative() || !eligible(input, [o.mem], [p.beta, p.threshold, p.graded_spikes_factor])) return null;
  const out = runNative(input, o.num_steps, { mem: o.mem }, ['mem'], st, ([mem]) =>
    native.snn_leaky_sequence(
      input.handle,
      o.num_steps ?? 0,
      mem!.handle,
      p.beta.handle,
      p.threshold.handle,
      p.graded_spikes_factor.handle,
      cfg,
    ),
  );
  return out as [Tensor, Tensor] | null;
}

/** RLeaky over a whole sequence in one native node; null when the node does not apply (the caller loops). */
export function rleakySequenceNative(
  input: Tensor,
  o: ResolvedSequence,
  st: StateAccess,
  p: { beta: Tensor; threshold: Tensor; recurrent: Module },
  cfg: SnnConfigArg,
): [Tensor, Tensor] | null {
  const fb = feedbackOf(p.recurrent);
  if (!sequenceNative() || !fb || !eligible(input, [o.spk, o.mem, fb.weight, fb.bias, fb.V], [p.beta, p.threshold])) return null;
  const out = runNative(input, o.num_steps, { spk: o.spk, mem: o.mem }, ['spk', 'mem'], st, ([spk, mem]) =>
    native.snn_rleaky_sequence(
      input.handle,
      o.num_steps ?? 0,
      spk!.handle,
      mem!.handle,
      p.beta.handle,
      p.threshold.handle,
      nativeFeedback(fb),
      cfg,
    ),
  );
  return out as [Tensor, Tensor] | null;
}

/** The feedback as the native sequence nodes take it (handles; absent tensors left out). */
function nativeFeedback(fb: Feedback): SnnFeedback {
  const out: SnnFeedback = { kind: fb.kind, padding: fb.padding };
  if (fb.weight) out.weight = fb.weight.handle;
  if (fb.bias) out.bias = fb.bias.handle;
  if (fb.V) out.V = fb.V.handle;
  return out;
}

/**
 * A neuron with a traits kernel (Synaptic, RSynaptic, Lapicque, Alpha) over a whole sequence in one native
 * node; null when the node does not apply (the caller loops its fused steps). `names` are the
 * neuron's state names ('spk' first for a recurrent neuron, whose `recurrent` module gives the
 * feedback), `init` the initial states given by name. Returns [spk_rec, ...records of the states
 * other than spk] and leaves the state at the last step.
 */
export function neuronSequenceNative(
  kind: SnnFusedNeuron,
  input: Tensor,
  num_steps: number | null,
  init: Record<string, Tensor | null>,
  names: readonly string[],
  st: StateAccess,
  params: Tensor[],
  recurrent: Module | null,
  cfg: SnnConfigArg,
): Tensor[] | null {
  if (!sequenceNative()) return null;
  const fb = recurrent ? feedbackOf(recurrent) : null;
  if (recurrent && !fb) return null;
  if (!eligible(input, [...names.map((n) => init[n] ?? null), fb?.weight ?? null, fb?.bias ?? null, fb?.V ?? null], params)) return null;
  return runNative(input, num_steps, init, names, st, (states) =>
    native.snn_neuron_sequence(
      kind,
      input.handle,
      num_steps ?? 0,
      states.filter((_, i) => names[i] !== 'spk').map((t) => t.handle),
      params.map((p) => p.handle),
      fb ? states[names.indexOf('spk')]!.handle : null,
      fb ? nativeFeedback(fb) : null,
      cfg,
    ),
  );
}
