// Grad mode and torch.autograd.grad. LibTorch's grad mode is thread-local; all our ops run on the
// JS thread, so setting it here is what every op sees.
import { native } from '../native.js';
import { checkBool, checkOptions, invalid } from './check.js';
import { Tensor, wrap, tensorArg } from './tensor.js';
import { isAsyncFunction, isThenable, settleQuietly } from './memory.js';

function withGradMode<R>(enabled: boolean, fn: () => R, name: string): R {
  if (typeof fn !== 'function') throw invalid('fn', 'a function', fn);
  if (isAsyncFunction(fn)) {
    throw new TypeError(
      `torch.${name}(fn): fn must be synchronous, but it is an async function (grad mode is per thread and cannot span an await; call ${name} around each synchronous part)`,
    );
  }
  const prev = native.is_grad_enabled();
  native.set_grad_enabled(enabled);
  let r: R;
  try {
    r = fn();
  } finally {
    native.set_grad_enabled(prev);
  }
  if (isThenable(r)) {
    settleQuietly(r);
    throw new TypeError(
      `torch.${name}(fn): fn must be synchronous, but it returned a Promise (code after its first await ran with grad mode restored)`,
    );
  }
  return r;
}

/**
 * Runs fn with gradient tracking off (PyTorch's `with torch.no_grad():`). fn must be synchronous:
 * an async function is refused before it runs, and a Promise returned anyway gives a TypeError
 * (its rejection is marked handled).
 */
export function no_grad<R>(fn: () => R): R {
  return withGradMode(false, fn, 'no_grad');
}
export function enable_grad<R>(fn: () => R): R {
  return withGradMode(true, fn, 'enable_grad');
}
export function set_grad_enabled(mode: boolean): void {
  native.set_grad_enabled(checkBool('mode', mode));
}
export function is_grad_enabled(): boolean {
  return native.is_grad_enabled();
}

export interface GradOptions {
  grad_outputs?: Tensor | Tensor[] | null;
  retain_graph?: boolean;
  create_graph?: boolean;
  allow_unused?: boolean;
}

function asList(name: string, v: Tensor | Tensor[]): Tensor[] {
  const list = Array.isArray(v) ? v : [v];
  list.forEach((x, i) => tensorArg(`${name}[${i}]`, x));
  return list;
}

/** torch.autograd.grad(outputs, inputs, {grad_outputs, retain_graph, create_graph, allow_unused}). */
function grad(outputs: Tensor | Tensor[], inputs: Tensor | Tensor[], opts?: GradOptions): (Tensor | null)[] {
  const o = checkOptions<GradOptions>('grad options', opts, ['grad_outputs', 'retain_graph', 'create_graph', 'allow_unused']);
  const outs = asList('outputs', outputs);
  const ins = asList('inputs', inputs);
  const gos = o.grad_outputs == null ? null : asList('grad_outputs', o.grad_outputs).map((g) => g.handle);
  const res = native.autograd_grad(
    outs.map((x) => x.handle),
    ins.map((x) => x.handle),
    gos,
    o.retain_graph ?? null,
    o.create_graph ?? false,
    o.allow_unused ?? false,
  );
  return res.map((h) => (h ? wrap(h) : null));
}

function backward(tensors: Tensor | Tensor[], grad_tensors?: Tensor | Tensor[] | null, opts?: { retain_graph?: boolean }): void {
  const ts = asList('tensors', tensors);
  const gs = grad_tensors == null ? [] : asList('grad_tensors', grad_tensors);
  ts.forEach((t, i) => t.backward(gs[i] ?? null, { retain_graph: opts?.retain_graph ?? (i < ts.length - 1 ? true : undefined) }));
}

export const autograd = { grad, backward };
