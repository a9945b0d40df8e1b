// Grad mode and torch.autograd.grad. LibTorch's grad mode is thread-local; all our ops run on the
// JS thread, so setting it here is what every op sees.
import { native } from '../native.js';
import { checkBool, checkOptions, invalid } from './check.js';
import { Tensor, wrap, tensorArg } from './tensor.js';

function withGradMode<R>(enabled: boolean, fn: () => R): R {
  if (typeof fn !== 'function') throw invalid('fn', 'a function', fn);
  const prev = native.is_grad_enabled();
  native.set_grad_enabled(enabled);
  try {
    const r = fn();
    if (r instanceof Promise) throw new TypeError('no_grad / enable_grad: fn must be synchronous (grad mode cannot span an await)');
    return r;
  } finally {
    native.set_grad_enabled(prev);
  }
}

/** Runs fn with gradient tracking off (PyTorch's `with torch.no_grad():`). */
export function no_grad<R>(fn: () => R): R {
  return withGradMode(false, fn);
}
export function enable_grad<R>(fn: () => R): R {
  return withGradMode(true, fn);
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
