// Deterministic freeing of native tensor memory. Every Tensor created while a scope is open is
// recorded in it; tidy(fn) frees all of them except what fn returns. Outside scopes, dispose()
// (or `using`) frees at once, and the handle's GC finalizer is the last resort.
// dispose() frees the tensor's memory at once; the small JS handle (~200 bytes) is reclaimed by
// Node when the event loop next turns, so a purely synchronous loop grows by that much per tensor
// until it yields (see the CPU allocator note in native/binding/runtime.cpp).
import { native } from '../native.js';
import { invalid } from './check.js';

/** What a Tensor exposes to the scope machinery. */
export interface Disposable {
  dispose(): void;
  readonly isDisposed: boolean;
}

const scopes: Set<Disposable>[] = [];

/** Called by every Tensor constructor. */
export function track(t: Disposable): void {
  const top = scopes[scopes.length - 1];
  if (top) top.add(t);
}

/** Removes a tensor from the open scopes so tidy does not free it (parameters, module state). */
export function keep<X extends Disposable>(t: X): X {
  if (t === null || typeof t !== 'object' || !isDisposable(t)) throw invalid('t', 'a Tensor', t);
  for (const s of scopes) s.delete(t);
  return t;
}

/**
 * Adds to `into` every tracked tensor reachable from v: through arrays, plain objects, Maps (keys
 * and values), Sets, and the own data properties of class instances (getters are not called).
 * A visited set makes cycles and shared sub-objects cost nothing, so there is no depth limit. The
 * walk stops early once every tensor of the scope has been found.
 */
function collect(root: unknown, scope: ReadonlySet<Disposable>, into: Set<Disposable>): void {
  const seen = new Set<object>();
  const stack: unknown[] = [root];
  while (stack.length > 0 && into.size < scope.size) {
    const v = stack.pop();
    if (v === null || typeof v !== 'object' || seen.has(v)) continue;
    seen.add(v);
    if (isDisposable(v)) {
      if (scope.has(v)) into.add(v);
      continue;
    }
    if (ArrayBuffer.isView(v) || v instanceof ArrayBuffer || v instanceof Promise || v instanceof WeakMap || v instanceof WeakSet) continue;
    try {
      if (Array.isArray(v)) {
        for (const x of v) if (x !== null && typeof x === 'object') stack.push(x);
      } else if (v instanceof Map) {
        for (const [k, x] of v) stack.push(k, x);
      } else if (v instanceof Set) {
        for (const x of v) stack.push(x);
      } else {
        for (const d of Object.values(Object.getOwnPropertyDescriptors(v)))
          if ('value' in d && d.value !== null && typeof d.value === 'object') stack.push(d.value);
      }
    } catch {
      // A Proxy whose traps throw is not walked into; tensors only it can reach are freed.
    }
  }
}

function isDisposable(v: object): v is Disposable {
  try {
    return typeof (v as Disposable).dispose === 'function' && 'isDisposed' in v;
  } catch {
    return false;
  }
}

/** True for `async function` / `async () =>` (and async generators), which tidy and no_grad refuse. */
export function isAsyncFunction(fn: unknown): boolean {
  if (typeof fn !== 'function') return false;
  const tag = Object.prototype.toString.call(fn);
  return tag === '[object AsyncFunction]' || tag === '[object AsyncGeneratorFunction]';
}

export function isThenable(v: unknown): v is PromiseLike<unknown> {
  if (v === null || (typeof v !== 'object' && typeof v !== 'function')) return false;
  try {
    return typeof (v as PromiseLike<unknown>).then === 'function';
  } catch {
    return false;
  }
}

/** Marks a promise's rejection as handled (its error was already reported synchronously). */
export function settleQuietly(p: PromiseLike<unknown>, then: () => void = () => {}): void {
  try {
    p.then(then, then);
  } catch {
    then();
  }
}

/**
 * Runs fn and frees every tensor created inside it, except the tensors its result holds (a tensor,
 * or arrays, plain objects, Maps, Sets or class instances holding tensors, at any depth), which
 * move to the enclosing scope.
 *
 * fn must be synchronous: an `async` function is refused before it runs, since tensors made after
 * an `await` could not be tracked and those made before would be freed while it still uses them.
 * A plain function that returns a Promise anyway gets a TypeError too; its scope's tensors are
 * freed only once that Promise settles (so its remaining code never meets a freed tensor), and its
 * rejection, if any, is marked handled.
 */
export function tidy<R>(fn: () => R): R {
  if (typeof fn !== 'function') throw invalid('fn', 'a function', fn);
  if (isAsyncFunction(fn)) {
    throw new TypeError(
      'torch.tidy(fn): fn must be synchronous, but it is an async function (tensors cannot be tracked across await; call tidy inside the async code, around each synchronous step)',
    );
  }
  const scope = new Set<Disposable>();
  scopes.push(scope);
  let result: R;
  try {
    result = fn();
  } catch (e) {
    scopes.splice(scopes.lastIndexOf(scope), 1);
    for (const t of scope) t.dispose();
    throw e;
  }
  scopes.splice(scopes.lastIndexOf(scope), 1);
  if (isThenable(result)) {
    settleQuietly(result, () => {
      for (const t of scope) t.dispose();
    });
    throw new TypeError(
      'torch.tidy(fn): fn must be synchronous, but it returned a Promise (its tensors are freed when the Promise settles)',
    );
  }
  const kept = new Set<Disposable>();
  if (scope.size > 0) collect(result, scope, kept);
  const parent = scopes[scopes.length - 1];
  for (const t of scope) {
    if (kept.has(t)) parent?.add(t);
    else t.dispose();
  }
  return result;
}

export interface MemoryInfo {
  /** Native tensor handles alive (not disposed, not yet collected). */
  live_tensors: number;
  /** Bytes those handles hold (a view counts its own size). */
  live_bytes: number;
  /** State tensors held inside optimizers (Adam's moments, SGD's momentum), not in any handle. */
  optimizer_tensors: number;
  /** Bytes of those optimizer state tensors (also reported to V8 as external memory). */
  optimizer_bytes: number;
  /** Open tidy scopes. */
  scopes: number;
  /** External memory as V8 counts it (tensor bytes are reported there so GC feels their weight). */
  v8_external_bytes: number;
}

export function memory(): MemoryInfo {
  return { ...native.memory_stats(), scopes: scopes.length };
}
