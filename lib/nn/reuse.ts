// Loop-invariant reuse for nn.Linear and nn.Conv2d. A per-step loop written as snnTorch's tutorials
// write it applies fc1 to the same image at every step; the layer keeps its first result and, while
// the input, its parameters and the grad mode are unchanged, returns a copy of that result instead
// of recomputing it. The copies share the layer's autograd node, so the forward runs once and the
// weight gradient is one GEMM over the summed gradients of all steps.
// PyTorch's semantics hold: every call returns a tensor with its own storage (in-place ops on one
// never reach another), an in-place change of the input, a parameter or the first result, a changed
// requires_grad, `.data =` or a different grad mode recomputes, and once backward has run through
// the kept result it is recomputed (its saved tensors are freed by then). The native side holds the
// key (native/binding/reuse_cache.cpp); torch.backends.snntorch.loop_invariant_reuse = false turns
// it off.
import { native, type NativeReuseCache } from '../native.js';
import { backends } from '../torch/backends.js';
import { Tensor, wrap } from '../torch/tensor.js';

// Input identities as numbers from a WeakMap: a WeakRef would keep every input it is made for or
// dereferenced to alive until the current job ends, which in a synchronous training loop is never
// (the loop's step tensors and their graphs would pile up until the event loop turns).
const inputIds = new WeakMap<Tensor, number>();
let nextInputId = 1;

function inputId(t: Tensor): number {
  let id = inputIds.get(t);
  if (id === undefined) inputIds.set(t, (id = nextInputId++));
  return id;
}

export class LayerReuse {
  #cache: NativeReuseCache | null = null;
  // The id of the JS tensor last stored: another object is a different input (or at best an alias
  // of it), so the native lookup is skipped for it.
  #last = 0;

  /** compute() when nothing can be reused (its result is kept), else a copy of the kept result. */
  apply(input: Tensor, weight: Tensor, bias: Tensor | null, compute: () => Tensor): Tensor {
    if (!backends.snntorch.loop_invariant_reuse || !(input instanceof Tensor)) {
      if (this.#cache) this.clear();
      return compute();
    }
    const c = (this.#cache ??= native.reuse_cache_new());
    if (this.#last !== 0 && inputIds.get(input) === this.#last) {
      const hit = native.reuse_lookup(c, input.handle, weight.handle, bias ? bias.handle : null);
      if (hit !== null) return wrap(hit);
    }
    const y = compute();
    native.reuse_store(c, input.handle, weight.handle, bias ? bias.handle : null, y.handle);
    this.#last = inputId(input);
    return y;
  }

  /** Drops the kept result (and the graph it holds). */
  clear(): void {
    this.#last = 0;
    if (this.#cache) native.reuse_clear(this.#cache);
  }

  /** Calls that returned a copy (hits) / computed a result (misses) since this layer was made (for tests and benchmarks). */
  stats(): { hits: number; misses: number } {
    return this.#cache ? native.reuse_stats(this.#cache) : { hits: 0, misses: 0 };
  }
}

const reuses = new WeakMap<object, LayerReuse>();

/** The reuse entry of a layer (made on first use; it lives as long as the layer). */
export function layerReuse(layer: object): LayerReuse {
  let r = reuses.get(layer);
  if (!r) reuses.set(layer, (r = new LayerReuse()));
  return r;
}
