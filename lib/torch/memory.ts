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

type Kept = Disposable | Kept[] | { [k: string]: Kept } | unknown;

function collect(v: Kept, into: Set<Disposable>, depth = 0): void {
  if (depth > 8 || v === null || typeof v !== 'object') return;
  if (isDisposable(v)) {
    into.add(v);
    return;
  }
  if (Array.isArray(v)) for (const x of v) collect(x, into, depth + 1);
  else if (Object.getPrototypeOf(v) === Object.prototype) for (const x of Object.values(v)) collect(x, into, depth + 1);
}

function isDisposable(v: object): v is Disposable {
  return typeof (v as Disposable).dispose === 'function' && 'isDisposed' in v;
}

/**
 * Runs fn and frees every tensor created inside it, except the tensors in its result (a tensor,
 * or arrays / plain objects of them), which move to the enclosing scope. fn must be synchronous.
 */
export function tidy<R>(fn: () => R): R {
  const scope = new Set<Disposable>();
  scopes.push(scope);
  let result: R;
  try {
    result = fn();
  } catch (e) {
    scopes.pop();
    for (const t of scope) t.dispose();
    throw e;
  }
  scopes.pop();
  if (result instanceof Promise) {
    for (const t of scope) t.dispose();
    throw new TypeError('torch.tidy(fn): fn must be synchronous (it returned a Promise)');
  }
  const kept = new Set<Disposable>();
  collect(result, kept);
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
