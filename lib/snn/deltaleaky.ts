// snn.DeltaLeaky: a leaky neuron that fires when its membrane *changes* by more than
// delta_threshold in one step, snnTorch 0.9.4 semantics:
//   mem' = β·mem + X   (β not clamped);  spk = sg(|mem' - mem| - delta_threshold)
// No reset and no graded spikes; threshold and reset_mechanism are accepted (as Leaky's) and unused.
// forward(X, [mem, mem_prev]) returns [spk, [mem', mem]]; without init_hidden the state pair must
// be passed every step (null entries start at zeros); with init_hidden the neuron keeps it.
import { checkNumber, checkOptions, invalid } from '../torch/check.js';
import { keep, tidy } from '../torch/memory.js';
import { native } from '../native.js';
import { Tensor, tensorArg, wrap } from '../torch/tensor.js';
import { zeros_like } from '../torch/creation.js';
import { LIF, LIF_KEYS, type LIFOptions, type TensorInit } from './neuron.js';

export interface DeltaLeakyOptions extends LIFOptions {
  delta_threshold?: number;
  graded_spikes_factor?: TensorInit;
  learn_graded_spikes_factor?: boolean;
}
const DELTA_KEYS = ['delta_threshold', ...LIF_KEYS, 'graded_spikes_factor', 'learn_graded_spikes_factor'] as const;

export class DeltaLeaky extends LIF {
  readonly delta_threshold: number;
  /** The membrane and the one before it (null until the first step, or after reset_mem()). */
  mem: Tensor | null = null;
  mem_prev: Tensor | null = null;

  constructor(opts: DeltaLeakyOptions) {
    const o = checkOptions<DeltaLeakyOptions>('DeltaLeaky options', opts, DELTA_KEYS);
    super(o, DELTA_KEYS, { value: o.graded_spikes_factor ?? 1.0, learn: o.learn_graded_spikes_factor ?? false });
    this.delta_threshold = checkNumber('delta_threshold', o.delta_threshold ?? 1.0, { finite: true });
  }

  forward(input: Tensor, mem?: readonly [Tensor | null, Tensor | null] | null): [Tensor, [Tensor, Tensor]] {
    const x = tensorArg('input', input);
    let U: Tensor;
    if (this.init_hidden) {
      if (mem != null) throw new TypeError('DeltaLeaky: with init_hidden=true the state lives in the neuron; pass only the input');
      if (this.mem === null || this.mem_prev === null) {
        const z = zeros_like(x);
        this.#store(z, z);
        z.dispose();
      }
      // A handle of the caller's own: the module's handle is replaced below.
      U = wrap(native.alias(this.mem!.handle));
    } else {
      if (mem == null)
        throw new TypeError(
          'DeltaLeaky: `mem` must be provided when init_hidden=false: pass [mem, mem_prev] (null entries start at zeros)',
        );
      if (!Array.isArray(mem) || mem.length !== 2) throw invalid('mem', 'a pair [mem, mem_prev] of tensors or nulls', mem);
      U = mem[0] == null ? zeros_like(x) : tensorArg('mem[0]', mem[0]);
      // mem_prev only travels along: the step needs the current membrane alone.
      if (mem[1] != null) tensorArg('mem[1]', mem[1]);
    }
    const [spk, next] = tidy(() => {
      const n = this.beta.mul(U).add(x);
      const dv = n.sub(U);
      return [this.spike_grad(dv.abs().sub(this.delta_threshold)), n] as [Tensor, Tensor];
    });
    this.#store(next, U);
    return [spk, [next, U]];
  }

  #store(mem: Tensor, prev: Tensor): void {
    const oldM = this.mem;
    const oldP = this.mem_prev;
    this.mem = keep(wrap(native.alias(mem.handle)));
    this.mem_prev = keep(wrap(native.alias(prev.handle)));
    oldM?.dispose();
    oldP?.dispose();
  }

  /** Forgets the state (snnTorch sets both to None) and returns [null, null]. */
  reset_mem(): [null, null] {
    this.mem?.dispose();
    this.mem_prev?.dispose();
    this.mem = null;
    this.mem_prev = null;
    return [null, null];
  }
  detach_hidden(): void {
    if (!this.mem || !this.mem_prev) return;
    const m = this.mem.detach();
    const p = this.mem_prev.detach();
    this.#store(m, p);
    m.dispose();
    p.dispose();
  }
  reset_hidden(): void {
    this.reset_mem();
  }
}
