// Module full backward hooks (PyTorch's torch.utils.hooks.BackwardHook): a module's tensor inputs
// and outputs that require grad pass through one identity autograd node each side, whose backward
// hands the gradients to JS. The output side sees grad_output (and runs the backward pre-hooks), the
// input side sees grad_input and runs the full backward hooks with both.
import { native, type NativeTensor } from '../native.js';
import { is_grad_enabled } from '../torch/autograd.js';
import { Tensor, wrap } from '../torch/tensor.js';
import type { Module } from './module.js';

/** Gradients as a hook sees them: one entry per argument (or output), null where there is none. */
export type Grads = (Tensor | null)[];
/** A full backward hook: (module, grad_input, grad_output) => a replacement grad_input (same length), or undefined. */
export type BackwardHook<M extends Module = Module> = (module: M, grad_input: Grads, grad_output: Grads) => Grads | undefined | void;
/** A backward pre-hook: (module, grad_output) => a replacement grad_output (same length), or undefined. */
export type BackwardPreHook<M extends Module = Module> = (module: M, grad_output: Grads) => Grads | undefined | void;

type NodeCallback = (grads: Grads) => Grads | undefined;
const callbacks = new Map<number, NodeCallback>();
let nextNodeId = 1;
let dispatcherSet = false;

function dispatch(id: number, handles: (NativeTensor | null)[]): (NativeTensor | null)[] | undefined {
  const cb = callbacks.get(id);
  if (!cb) return undefined;
  const r = cb(handles.map((h) => (h ? wrap(h) : null)));
  return r?.map((g) => (g ? g.handle : null));
}

/** The tensors through a new hook node calling cb in backward. */
function hookIdentity(tensors: Tensor[], cb: NodeCallback): Tensor[] {
  if (!dispatcherSet) {
    native.set_backward_hook_dispatcher(dispatch);
    dispatcherSet = true;
  }
  // Freed nodes will never call back: forget their callbacks (and the modules they hold).
  for (const id of native.backward_hooks_released()) callbacks.delete(id);
  const id = nextNodeId++;
  callbacks.set(id, cb);
  return native
    .hook_identity(
      tensors.map((t) => t.handle),
      id,
    )
    .map((h) => wrap(h));
}

function checkGrads(what: string, r: unknown, expected: Grads): Grads {
  if (!Array.isArray(r)) throw new TypeError(`${what} must return an array of Tensor | null (or undefined) but returned ${typeof r}`);
  if (r.length !== expected.length)
    throw new RangeError(
      `${what} returned an invalid number of ${what.includes('pre') ? 'grad_output' : 'grad_input'}, got ${r.length}, but expected ${expected.length}`,
    );
  r.forEach((g, i) => {
    if (g !== null && g !== undefined && !(g instanceof Tensor)) throw new TypeError(`${what} returned a non-Tensor at index ${i}`);
    const e = expected[i];
    if (g instanceof Tensor && e && g.shape.join() !== e.shape.join()) {
      throw new RangeError(
        `${what} returned a gradient of shape [${g.shape.join(', ')}] at index ${i}, but expected [${e.shape.join(', ')}]`,
      );
    }
  });
  return r.map((g) => (g instanceof Tensor ? g : null));
}

const pack = (idx: number[], values: Grads, size: number): Grads => {
  const res: Grads = new Array(size).fill(null);
  idx.forEach((k, j) => (res[k] = values[j] ?? null));
  return res;
};

/** One forward call's backward hooks (the hook lists as they were at that call). */
export class BackwardHookState {
  #gradOutputs: Grads | null = null;
  #nInputs = 0;
  #inputIdx: number[] | null = null;
  #nOutputs = 0;
  #outputIdx: number[] | null = null;
  constructor(
    private readonly module: Module,
    private readonly hooks: BackwardHook[],
    private readonly preHooks: BackwardPreHook[],
  ) {}

  /** The tensors among values that require grad through one hook node; null when none (or grad mode is off). */
  #apply(values: unknown[], cb: NodeCallback): [unknown[], number[] | null] {
    const idx: number[] = [];
    values.forEach((v, i) => {
      if (v instanceof Tensor && v.requires_grad) idx.push(i);
    });
    if (idx.length === 0 || !is_grad_enabled()) return [values, null];
    const outs = hookIdentity(
      idx.map((i) => values[i] as Tensor),
      cb,
    );
    const res = [...values];
    idx.forEach((k, j) => (res[k] = outs[j]));
    return [res, idx];
  }

  setupInputHook(args: unknown[]): unknown[] {
    const [res, idx] = this.#apply(args, (grads) => this.#onGradInput(grads));
    this.#nInputs = args.length;
    this.#inputIdx = idx;
    return res;
  }

  setupOutputHook(output: unknown): unknown {
    const tuple = Array.isArray(output);
    const outs = tuple ? (output as unknown[]) : [output];
    const [res, idx] = this.#apply(outs, (grads) => this.#onGradOutput(grads));
    this.#nOutputs = outs.length;
    this.#outputIdx = idx;
    return tuple ? res : res[0];
  }

  #onGradOutput(grads: Grads): Grads | undefined {
    let gradOutputs = pack(this.#outputIdx!, grads, this.#nOutputs);
    let replaced: Grads | null = null;
    if (this.preHooks.length > 0) {
      for (const h of this.preHooks) {
        const r = h(this.module, gradOutputs);
        if (r == null) continue;
        gradOutputs = checkGrads('Backward pre hook', r, gradOutputs);
      }
      replaced = gradOutputs;
    }
    this.#gradOutputs = gradOutputs;
    if (this.#inputIdx === null) {
      // No input requires grad: the hooks run here, with grad_input all null, and may not change it.
      const gradInputs: Grads = new Array(this.#nInputs).fill(null);
      for (const h of this.hooks) {
        const r = h(this.module, gradInputs, gradOutputs);
        if (r != null && !(Array.isArray(r) && r.every((g) => g == null))) {
          throw new Error(
            'Backward hook for Modules where no input requires gradient should always return None or None for all gradients.',
          );
        }
      }
      this.#gradOutputs = null;
    }
    return replaced ? this.#outputIdx!.map((k) => replaced![k] ?? null) : undefined;
  }

  #onGradInput(grads: Grads): Grads | undefined {
    // The gradient reached the inputs without passing through the outputs (double backward).
    if (this.#gradOutputs === null) return undefined;
    let res = pack(this.#inputIdx!, grads, this.#nInputs);
    for (const h of this.hooks) {
      const r = h(this.module, res, this.#gradOutputs);
      if (r == null) continue;
      res = checkGrads('Backward hook', r, res);
    }
    this.#gradOutputs = null;
    return this.#inputIdx!.map((k) => res[k] ?? null);
  }
}
