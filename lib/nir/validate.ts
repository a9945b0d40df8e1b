// Structural checks on a NIR graph: known node types, the parameters each type needs with
// consistent shapes, edges between existing nodes, shapes that agree along each edge, and no cycle
// without a stateful node on it (such a loop has no value at any time step). Errors name the node.
import { isArray, isGraph, type NIRArray, type NIRGraph, type NIRNode, type NIRPrimitive, toNumbers } from './graph.js';

interface NodeSpec {
  /** Parameters the node must hold. */
  required: readonly string[];
  /** Parameters that must all have one shape (the neuron's shape). */
  sameShape?: readonly string[];
  /** A node whose output depends on its previous state, so a cycle through it is well defined. */
  stateful?: boolean;
}

const NEURON = (keys: string[]): NodeSpec => ({ required: keys, sameShape: keys, stateful: true });

/** Every node type of NIR 1.0 and what it must hold. */
export const NODE_SPECS: Readonly<Record<string, NodeSpec>> = {
  Input: { required: ['shape'] },
  Output: { required: ['shape'] },
  Affine: { required: ['weight', 'bias'] },
  Linear: { required: ['weight'] },
  Scale: { required: ['scale'] },
  Conv1d: { required: ['weight', 'bias', 'stride', 'padding', 'dilation', 'groups'] },
  Conv2d: { required: ['weight', 'bias', 'stride', 'padding', 'dilation', 'groups'] },
  SumPool2d: { required: ['kernel_size', 'stride', 'padding'] },
  AvgPool2d: { required: ['kernel_size', 'stride', 'padding'] },
  Flatten: { required: ['start_dim', 'end_dim'] },
  Threshold: { required: ['threshold'] },
  Delay: { required: ['delay'], stateful: true },
  I: NEURON(['r']),
  IF: NEURON(['r', 'v_threshold']),
  LI: NEURON(['tau', 'r', 'v_leak']),
  LIF: NEURON(['tau', 'r', 'v_leak', 'v_threshold']),
  CubaLI: NEURON(['tau_syn', 'tau_mem', 'r', 'v_leak', 'w_in']),
  CubaLIF: NEURON(['tau_syn', 'tau_mem', 'r', 'v_leak', 'v_threshold', 'w_in']),
  NIRGraph: { required: [], stateful: true },
};

export class NIRError extends Error {
  override name = 'NIRError';
}

const fmt = (s: readonly number[] | null): string => (s ? `[${s.join(', ')}]` : 'unknown');

function arr(node: NIRPrimitive, key: string, where: string): NIRArray {
  const v = node.params[key];
  if (!isArray(v))
    throw new NIRError(`${where}: parameter '${key}' must be an array, got ${typeof v === 'string' ? `the string '${v}'` : 'nothing'}`);
  return v;
}

/** The shapes a node takes and gives (per sample, no batch), where the node fixes them. */
export function nodeShapes(node: NIRNode): { input: readonly number[] | null; output: readonly number[] | null } {
  if (isGraph(node)) {
    const ins = Object.values(node.nodes).filter((n) => n.type === 'Input') as NIRPrimitive[];
    const outs = Object.values(node.nodes).filter((n) => n.type === 'Output') as NIRPrimitive[];
    const s = (n: NIRPrimitive | undefined): number[] | null => (n && isArray(n.params.shape) ? toNumbers(n.params.shape) : null);
    return { input: ins.length === 1 ? s(ins[0]) : null, output: outs.length === 1 ? s(outs[0]) : null };
  }
  const p = node.params;
  switch (node.type) {
    case 'Input':
      return { input: null, output: isArray(p.shape) ? toNumbers(p.shape) : null };
    case 'Output':
      return { input: isArray(p.shape) ? toNumbers(p.shape) : null, output: null };
    case 'Affine':
    case 'Linear': {
      const w = p.weight;
      return isArray(w) && w.shape.length === 2 ? { input: [w.shape[1]!], output: [w.shape[0]!] } : { input: null, output: null };
    }
    default: {
      const spec = NODE_SPECS[node.type];
      const first = spec?.sameShape?.[0];
      const v = first ? p[first] : undefined;
      // Neuron constants shaped like the neuron fix both sides; scalars broadcast to anything.
      if (isArray(v) && v.shape.length > 0) return { input: v.shape, output: v.shape };
      return { input: null, output: null };
    }
  }
}

function checkNode(node: NIRNode, where: string): void {
  const spec = NODE_SPECS[node.type];
  if (!spec) throw new NIRError(`${where}: unknown node type '${node.type}' (NIR 1.0 has ${Object.keys(NODE_SPECS).join(', ')})`);
  if (isGraph(node)) {
    validateGraph(node, `${where}.`);
    return;
  }
  for (const k of spec.required) if (!(k in node.params)) throw new NIRError(`${where} (${node.type}): missing parameter '${k}'`);
  if (spec.sameShape) {
    const s0 = arr(node, spec.sameShape[0]!, where).shape;
    for (const k of [...spec.sameShape.slice(1), ...('v_reset' in node.params ? ['v_reset'] : [])]) {
      const s = arr(node, k, where).shape;
      if (fmt(s) !== fmt(s0)) {
        throw new NIRError(
          `${where} (${node.type}): parameter '${k}' has shape ${fmt(s)} but '${spec.sameShape[0]}' has ${fmt(s0)}; a neuron's constants share one shape`,
        );
      }
    }
  }
  if (node.type === 'Affine' || node.type === 'Linear') {
    const w = arr(node, 'weight', where);
    if (w.shape.length !== 2) throw new NIRError(`${where} (${node.type}): weight must be 2-D [out, in], got shape ${fmt(w.shape)}`);
    if (node.type === 'Affine') {
      const b = arr(node, 'bias', where);
      if (fmt(b.shape) !== fmt([w.shape[0]!]))
        throw new NIRError(`${where} (Affine): bias has shape ${fmt(b.shape)} but weight ${fmt(w.shape)} needs [${w.shape[0]}]`);
    }
  }
  if (node.type === 'Conv1d' || node.type === 'Conv2d') {
    const rank = node.type === 'Conv1d' ? 3 : 4;
    const w = arr(node, 'weight', where);
    if (w.shape.length !== rank) throw new NIRError(`${where} (${node.type}): weight must be ${rank}-D, got shape ${fmt(w.shape)}`);
    const b = arr(node, 'bias', where);
    if (fmt(b.shape) !== fmt([w.shape[0]!]))
      throw new NIRError(`${where} (${node.type}): bias has shape ${fmt(b.shape)} but weight ${fmt(w.shape)} needs [${w.shape[0]}]`);
  }
  if (node.type === 'Input' || node.type === 'Output') {
    const s = arr(node, 'shape', where);
    if (s.shape.length !== 1 || toNumbers(s).some((d) => !Number.isInteger(d) || d < 1)) {
      throw new NIRError(`${where} (${node.type}): shape must be a list of positive integers, got ${fmt(toNumbers(s))}`);
    }
  }
}

/** Throws an NIRError naming the first node or edge at fault; nested graphs are checked too. */
export function validateGraph(graph: NIRGraph, prefix = ''): void {
  const names = Object.keys(graph.nodes);
  if (names.length === 0) throw new NIRError(`NIR graph${prefix ? ` '${prefix.slice(0, -1)}'` : ''}: no nodes`);
  for (const name of names) checkNode(graph.nodes[name]!, `NIR node '${prefix}${name}'`);
  const succ = new Map<string, string[]>(names.map((n) => [n, []]));
  for (const e of graph.edges) {
    const [a, b] = e;
    for (const end of [a, b]) {
      if (!(end in graph.nodes))
        throw new NIRError(`NIR edge ('${prefix}${a}', '${prefix}${b}'): node '${prefix}${end}' does not exist (dangling edge)`);
    }
    const na = graph.nodes[a]!;
    const nb = graph.nodes[b]!;
    if (nb.type === 'Input')
      throw new NIRError(`NIR edge ('${prefix}${a}', '${prefix}${b}'): Input node '${prefix}${b}' cannot receive an edge`);
    if (na.type === 'Output')
      throw new NIRError(`NIR edge ('${prefix}${a}', '${prefix}${b}'): Output node '${prefix}${a}' cannot send an edge`);
    const out = nodeShapes(na).output;
    const inp = nodeShapes(nb).input;
    if (out && inp && fmt(out) !== fmt(inp)) {
      throw new NIRError(
        `NIR edge ('${prefix}${a}', '${prefix}${b}'): shape mismatch: node '${prefix}${a}' (${na.type}) gives ${fmt(out)} but node '${prefix}${b}' (${nb.type}) takes ${fmt(inp)}`,
      );
    }
    succ.get(a)!.push(b);
  }
  // A cycle is well defined only through a stateful node: drop their outgoing edges, then any
  // remaining cycle is an algebraic loop.
  const state = new Map<string, 0 | 1 | 2>();
  const stack: string[] = [];
  const visit = (n: string): void => {
    state.set(n, 1);
    stack.push(n);
    if (!NODE_SPECS[graph.nodes[n]!.type]!.stateful) {
      for (const m of succ.get(n)!) {
        if (state.get(m) === 1) {
          const loop = [...stack.slice(stack.indexOf(m)), m].map((x) => `'${prefix}${x}'`).join(' -> ');
          throw new NIRError(
            `NIR graph: cycle ${loop} passes through no stateful node (neuron or Delay), so it has no value at any time step`,
          );
        }
        if (!state.get(m)) visit(m);
      }
    }
    stack.pop();
    state.set(n, 2);
  };
  for (const n of names) if (!state.get(n)) visit(n);
}
