// snn.import_from_nir: a NIR graph as a runnable network, with snnTorch's mapping
// (snntorch/import_nir.py): Affine/Linear -> nn.Linear, Conv1d / Conv2d -> nn.Conv1d / nn.Conv2d,
// AvgPool2d -> nn.AvgPool2d, SumPool2d -> nn.AvgPool2d with divisor_override 1, Flatten -> nn.Flatten,
// LIF -> Leaky (beta = 1 - dt/tau; threshold divided by r dt / tau when that is not 1), CubaLIF ->
// Synaptic, and a recurrent pair LIF/CubaLIF <-> Affine/Linear (as a subgraph or inline) -> RLeaky /
// RSynaptic. Neurons reset to zero without delay (NIR's v_reset) unless the file's metadata
// records snnTorch's reset_mechanism / reset_delay (as export_to_nir writes them).
import * as nir from '../../nir/index.js';
import { no_grad } from '../../torch/autograd.js';
import { from_typed_array } from '../../torch/creation.js';
import type { Tensor } from '../../torch/tensor.js';
import { Conv2d } from '../../nn/conv.js';
import { Conv1d } from '../../nn/conv_more.js';
import { AvgPool2d } from '../../nn/pooling.js';
import { Flatten } from '../../nn/activation.js';
import { Linear } from '../../nn/linear.js';
import { Module } from '../../nn/module.js';
import { Lapicque } from '../lapicque.js';
import { Leaky } from '../leaky.js';
import type { ResetMechanism } from '../neuron.js';
import { RLeaky } from '../rleaky.js';
import { RSynaptic } from '../rsynaptic.js';
import { Synaptic } from '../synaptic.js';

export interface ImportOptions {
  /** The time step the neuron constants are read for (snnTorch uses 1e-4). */
  dt?: number;
}

interface ImportContext {
  where: string;
  dt: number;
}

type StepModule = Module & { forward(x: Tensor): Tensor };

function arr(node: nir.NIRPrimitive, key: string, ctx: ImportContext): number[] {
  const v = node.params[key];
  if (!nir.isArray(v)) throw new nir.NIRError(`${ctx.where} (${node.type}): parameter '${key}' must be an array`);
  return nir.toNumbers(v);
}

function tensorOf(a: nir.NIRValue | undefined, what: string, ctx: ImportContext): Tensor {
  if (!nir.isArray(a)) throw new nir.NIRError(`${ctx.where}: parameter '${what}' must be an array`);
  return from_typed_array(Float32Array.from(nir.toNumbers(a)), [...a.shape], { dtype: 'float32' });
}

const close = (a: number, b: number): boolean => Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(b));

/** One number when every neuron shares it (snnTorch's scalar form), else a tensor of the neuron's shape. */
function uniformOr(values: number[], shape: readonly number[]): number | Tensor {
  if (values.every((v) => v === values[0])) return values[0]!;
  return from_typed_array(Float32Array.from(values), [...shape], { dtype: 'float32' });
}

function metaString(node: nir.NIRPrimitive, key: string): string | undefined {
  const v = node.metadata[key];
  if (typeof v === 'string') return v;
  if (nir.isArray(v) && v.data instanceof Uint8Array) return new TextDecoder().decode(v.data);
  return undefined;
}

function resetOptions(node: nir.NIRPrimitive, ctx: ImportContext): { reset_mechanism: ResetMechanism; reset_delay: boolean } {
  const rm = metaString(node, 'reset_mechanism') ?? 'zero';
  if (rm !== 'zero' && rm !== 'subtract' && rm !== 'none')
    throw new nir.NIRError(`${ctx.where} (${node.type}): metadata reset_mechanism '${rm}' is not 'subtract', 'zero' or 'none'`);
  const rd = metaString(node, 'reset_delay') ?? 'false';
  return { reset_mechanism: rm, reset_delay: rd === 'true' };
}

function checkZero(node: nir.NIRPrimitive, key: string, ctx: ImportContext): void {
  if (!(key in node.params)) return;
  if (arr(node, key, ctx).some((v) => v !== 0)) {
    throw new nir.NIRError(`${ctx.where} (${node.type}): ${key} other than 0 has no snnTorch equivalent`);
  }
}

/** Leaky's (or Lapicque's) constants from a LIF node. */
function lifConstants(node: nir.NIRPrimitive, ctx: ImportContext): { beta: number | Tensor; threshold: number | Tensor; n: number } {
  checkZero(node, 'v_leak', ctx);
  checkZero(node, 'v_reset', ctx);
  const tau = arr(node, 'tau', ctx);
  const r = arr(node, 'r', ctx);
  const vthr = arr(node, 'v_threshold', ctx);
  const shape = (node.params.tau as nir.NIRArray).shape;
  if (tau.some((t) => !(t > 0))) throw new nir.NIRError(`${ctx.where} (LIF): tau must be positive`);
  const beta = tau.map((t) => 1 - ctx.dt / t);
  // Input scale r dt / tau: 1 in snnTorch's export; otherwise folded into the threshold.
  const scale = tau.map((t, i) => (r[i]! * ctx.dt) / t);
  const thr = scale.every((s) => close(s, 1)) ? vthr : vthr.map((v, i) => v / scale[i]!);
  return { beta: uniformOr(beta, shape), threshold: uniformOr(thr, shape), n: tau.length };
}

function cubaConstants(
  node: nir.NIRPrimitive,
  ctx: ImportContext,
): { alpha: number | Tensor; beta: number | Tensor; threshold: number | Tensor; n: number } {
  checkZero(node, 'v_leak', ctx);
  checkZero(node, 'v_reset', ctx);
  const tau_mem = arr(node, 'tau_mem', ctx);
  const tau_syn = arr(node, 'tau_syn', ctx);
  const r = arr(node, 'r', ctx);
  const w_in = arr(node, 'w_in', ctx);
  const vthr = arr(node, 'v_threshold', ctx);
  const shape = (node.params.tau_mem as nir.NIRArray).shape;
  if ([...tau_mem, ...tau_syn].some((t) => !(t > 0)))
    throw new nir.NIRError(`${ctx.where} (CubaLIF): tau_mem and tau_syn must be positive`);
  if (r.some((x, i) => !close(x, tau_mem[i]! / ctx.dt))) {
    throw new nir.NIRError(
      `${ctx.where} (CubaLIF): r must equal tau_mem / dt (dt = ${ctx.dt}) for snnTorch's Synaptic; got r = ${r[0]}, tau_mem / dt = ${tau_mem[0]! / ctx.dt}`,
    );
  }
  const scale = w_in.map((w, i) => (w * ctx.dt) / tau_syn[i]!);
  const thr = scale.every((s) => close(s, 1)) ? vthr : vthr.map((v, i) => v / scale[i]!);
  return {
    alpha: uniformOr(
      tau_syn.map((t) => 1 - ctx.dt / t),
      shape,
    ),
    beta: uniformOr(
      tau_mem.map((t) => 1 - ctx.dt / t),
      shape,
    ),
    threshold: uniformOr(thr, shape),
    n: tau_mem.length,
  };
}

function loadParams(m: Module, entries: [string, Tensor][]): void {
  no_grad(() => {
    const sd = m.state_dict();
    for (const [k, t] of entries) {
      const target = sd.get(k);
      if (!target) throw new Error(`internal: no '${k}' in ${m.constructor.name}`);
      if (target.shape.join(',') !== t.shape.join(','))
        throw new nir.NIRError(`parameter '${k}' has shape [${t.shape.join(', ')}] where [${target.shape.join(', ')}] is needed`);
      target.copy_(t);
      t.dispose();
    }
  });
}

function denseModule(node: nir.NIRPrimitive, ctx: ImportContext): Linear {
  const w = node.params.weight as nir.NIRArray;
  const [out, inp] = w.shape as [number, number];
  const lin = new Linear(inp, out, { bias: node.type === 'Affine' });
  const entries: [string, Tensor][] = [['weight', tensorOf(w, 'weight', ctx)]];
  if (node.type === 'Affine') entries.push(['bias', tensorOf(node.params.bias, 'bias', ctx)]);
  loadParams(lin, entries);
  return lin;
}

/** A recurrent neuron from its LIF/CubaLIF node and its feedback Affine/Linear node. */
function recurrentModule(lif: nir.NIRPrimitive, w: nir.NIRPrimitive, ctx: ImportContext): Module {
  const weight = w.params.weight as nir.NIRArray;
  const W = nir.toNumbers(weight);
  const [rows, cols] = weight.shape as [number, number];
  const n = (lif.type === 'LIF' ? lifConstants(lif, ctx) : cubaConstants(lif, ctx)).n;
  if (rows !== n || cols !== n)
    throw new nir.NIRError(`${ctx.where}: feedback weight has shape [${rows}, ${cols}] but the ${lif.type} has ${n} neurons`);
  const hasBias = w.type === 'Affine' && nir.toNumbers(w.params.bias as nir.NIRArray).some((b) => b !== 0);
  const diagonal = !hasBias && W.every((v, i) => v === 0 || Math.floor(i / n) === i % n);
  const reset = resetOptions(lif, ctx);
  const rec = diagonal
    ? {
        all_to_all: false,
        V: uniformOr(
          Array.from({ length: n }, (_, i) => W[i * n + i]!),
          [n],
        ),
      }
    : { all_to_all: true, linear_features: n };
  let m: RLeaky | RSynaptic;
  if (lif.type === 'LIF') {
    const c = lifConstants(lif, ctx);
    m = new RLeaky({ beta: c.beta, threshold: c.threshold, ...reset, ...rec, init_hidden: true });
  } else {
    const c = cubaConstants(lif, ctx);
    m = new RSynaptic({ alpha: c.alpha, beta: c.beta, threshold: c.threshold, ...reset, ...rec, init_hidden: true });
  }
  if (!diagonal) {
    const bias = w.type === 'Affine' ? tensorOf(w.params.bias, 'bias', ctx) : from_typed_array(new Float32Array(n), [n]);
    loadParams(m.recurrent, [
      ['weight', tensorOf(weight, 'weight', ctx)],
      ['bias', bias],
    ]);
  }
  return m;
}

/** A subgraph Input -> LIF/CubaLIF <-> Affine/Linear -> Output (what export_to_nir and snnTorch write). */
function subgraphModule(g: nir.NIRGraph, ctx: ImportContext): Module {
  const nodes = Object.values(g.nodes) as nir.NIRPrimitive[];
  const lif = nodes.find((n) => n.type === 'LIF' || n.type === 'CubaLIF');
  const w = nodes.find((n) => n.type === 'Affine' || n.type === 'Linear');
  const ok = nodes.length === 4 && lif && w && nodes.some((n) => n.type === 'Input') && nodes.some((n) => n.type === 'Output');
  if (!ok) {
    throw new nir.NIRError(
      `${ctx.where} (NIRGraph): only recurrent subgraphs (Input -> LIF/CubaLIF <-> Affine/Linear -> Output) can be imported; this one holds ${Object.entries(
        g.nodes,
      )
        .map(([k, n]) => `${k}: ${n.type}`)
        .join(', ')}`,
    );
  }
  return recurrentModule(lif, w, ctx);
}

/**
 * NIR's pooling nodes as nn.AvgPool2d: AvgPool2d with PyTorch's defaults (padded zeros count in the
 * divisor), SumPool2d with divisor_override 1, which returns each window's sum exactly.
 */
function poolModule(node: nir.NIRPrimitive, ctx: ImportContext, sum: boolean): AvgPool2d {
  const pair = (key: string, min: number): [number, number] => {
    const v = arr(node, key, ctx);
    if (v.length !== 1 && v.length !== 2)
      throw new nir.NIRError(
        `${ctx.where} (${node.type}): parameter '${key}' must hold 1 or 2 numbers (height, width), got [${v.join(', ')}]`,
      );
    const p: [number, number] = v.length === 1 ? [v[0]!, v[0]!] : [v[0]!, v[1]!];
    if (p.some((x) => !Number.isInteger(x) || x < min))
      throw new nir.NIRError(`${ctx.where} (${node.type}): parameter '${key}' must be integers >= ${min}, got [${p.join(', ')}]`);
    return p;
  };
  const kernel_size = pair('kernel_size', 1);
  const stride = pair('stride', 1);
  const padding = pair('padding', 0);
  // PyTorch's pooling pads at most half a window; a window of padding alone has no average.
  if (padding.some((p, i) => p > kernel_size[i]! / 2)) {
    throw new nir.NIRError(
      `${ctx.where} (${node.type}): padding [${padding.join(', ')}] exceeds half of kernel_size [${kernel_size.join(', ')}], which nn.AvgPool2d cannot express`,
    );
  }
  return new AvgPool2d(kernel_size, { stride, padding, ...(sum ? { divisor_override: 1 } : {}) });
}

interface Importer {
  build(node: nir.NIRPrimitive, ctx: ImportContext): Module;
}

/** What import_from_nir knows, by NIR node type. A layer added to the library is one entry here. */
export const IMPORTERS: Readonly<Record<string, Importer>> = {
  Affine: { build: denseModule },
  Linear: { build: denseModule },
  Conv2d: {
    build(node, ctx) {
      const w = node.params.weight as nir.NIRArray;
      const [out, inPerGroup, kh, kw] = w.shape as [number, number, number, number];
      const pair = (k: string): [number, number] => {
        const v = arr(node, k, ctx);
        return v.length === 1 ? [v[0]!, v[0]!] : [v[0]!, v[1]!];
      };
      const groups = arr(node, 'groups', ctx)[0]!;
      const pad = node.params.padding;
      const padding = typeof pad === 'string' ? (pad as 'same' | 'valid') : pair('padding');
      const conv = new Conv2d(inPerGroup * groups, out, [kh, kw], {
        stride: pair('stride'),
        padding,
        dilation: pair('dilation'),
        groups,
        bias: true,
      });
      loadParams(conv, [
        ['weight', tensorOf(w, 'weight', ctx)],
        ['bias', tensorOf(node.params.bias, 'bias', ctx)],
      ]);
      return conv;
    },
  },
  Conv1d: {
    build(node, ctx) {
      const w = node.params.weight as nir.NIRArray;
      const [out, inPerGroup, k] = w.shape as [number, number, number];
      const one = (key: string): number => {
        const v = arr(node, key, ctx);
        if (v.length !== 1) throw new nir.NIRError(`${ctx.where} (Conv1d): parameter '${key}' must hold one number, got [${v.join(', ')}]`);
        return v[0]!;
      };
      const groups = one('groups');
      const pad = node.params.padding;
      const padding = typeof pad === 'string' ? (pad as 'same' | 'valid') : one('padding');
      const conv = new Conv1d(inPerGroup * groups, out, k, {
        stride: one('stride'),
        padding,
        dilation: one('dilation'),
        groups,
        bias: true,
      });
      loadParams(conv, [
        ['weight', tensorOf(w, 'weight', ctx)],
        ['bias', tensorOf(node.params.bias, 'bias', ctx)],
      ]);
      return conv;
    },
  },
  AvgPool2d: { build: (node, ctx) => poolModule(node, ctx, false) },
  SumPool2d: { build: (node, ctx) => poolModule(node, ctx, true) },
  Flatten: {
    build(node, ctx) {
      // NIR's dims exclude the batch dim.
      const d = (x: number): number => (x >= 0 ? x + 1 : x);
      return new Flatten(d(arr(node, 'start_dim', ctx)[0]!), d(arr(node, 'end_dim', ctx)[0]!));
    },
  },
  LIF: {
    build(node, ctx) {
      const reset = resetOptions(node, ctx);
      if (metaString(node, 'snntorch_module') === 'Lapicque' && nir.isArray(node.metadata.time_step)) {
        // Lapicque with its time step as dt: R = r, C = tau / r.
        checkZero(node, 'v_leak', ctx);
        const tau = arr(node, 'tau', ctx);
        const r = arr(node, 'r', ctx);
        const ts = nir.toNumbers(node.metadata.time_step);
        const shape = (node.params.tau as nir.NIRArray).shape;
        const C = tau.map((t, i) => (t * ts[i]!) / (ctx.dt * r[i]!));
        return new Lapicque({
          R: uniformOr(r, shape),
          C: uniformOr(C, shape),
          time_step: uniformOr(ts, shape),
          threshold: uniformOr(arr(node, 'v_threshold', ctx), shape),
          reset_mechanism: reset.reset_mechanism,
          init_hidden: true,
        });
      }
      const c = lifConstants(node, ctx);
      return new Leaky({ beta: c.beta, threshold: c.threshold, ...reset, init_hidden: true });
    },
  },
  CubaLIF: {
    build(node, ctx) {
      const c = cubaConstants(node, ctx);
      return new Synaptic({ alpha: c.alpha, beta: c.beta, threshold: c.threshold, ...resetOptions(node, ctx), init_hidden: true });
    },
  },
};

/** The imported network: one time step per forward call; neurons keep their state between calls. */
export class NIRGraphModule extends Module {
  readonly graph: nir.NIRGraph;
  readonly #order: string[];
  readonly #preds: Map<string, string[]>;
  readonly #units: Map<string, StepModule>;
  readonly #input: string;
  readonly #output: string;

  constructor(
    graph: nir.NIRGraph,
    units: Map<string, StepModule>,
    order: string[],
    preds: Map<string, string[]>,
    input: string,
    output: string,
  ) {
    super();
    this.graph = graph;
    this.#units = units;
    this.#order = order;
    this.#preds = preds;
    this.#input = input;
    this.#output = output;
    // Registered in execution order, so state_dict() lists layers as the network runs them.
    for (const name of order) {
      const m = units.get(name);
      if (m) this.register_module(name.replace(/\./g, '_'), m);
    }
  }

  /** One step: x [batch, ...] through the graph; returns what reaches the Output node. */
  forward(x: Tensor): Tensor {
    const values = new Map<string, Tensor>([[this.#input, x]]);
    // Sums of several incoming edges are ours to free; module outputs may be a neuron's own state.
    const sums: Tensor[] = [];
    try {
      for (const name of this.#order) {
        const ps = this.#preds.get(name)!;
        let inp = values.get(ps[0]!)!;
        for (const p of ps.slice(1)) {
          inp = inp.add(values.get(p)!);
          sums.push(inp);
        }
        if (name === this.#output) {
          if (sums.at(-1) === inp) sums.pop();
          return inp;
        }
        values.set(name, this.#units.get(name)!.forward(inp));
      }
    } finally {
      for (const t of sums) t.dispose();
    }
    throw new nir.NIRError('NIR graph: the Output node was not reached');
  }

  /** Zeroes every neuron's state (a fresh sequence). */
  reset_hidden(): void {
    for (const m of this.#units.values()) {
      const r = (m as unknown as { reset_hidden?: () => void }).reset_hidden;
      if (typeof r === 'function') r.call(m);
    }
  }
}

function build(graph: nir.NIRGraph, opts: ImportOptions): NIRGraphModule {
  const dt = opts.dt ?? 1e-4;
  if (typeof dt !== 'number' || !(dt > 0) || !Number.isFinite(dt))
    throw new RangeError(`import_from_nir: dt must be a positive number, got ${String(dt)}`);
  nir.validateGraph(graph);
  const nodes = { ...graph.nodes };
  let edges = graph.edges.map(([a, b]) => [a, b] as [string, string]);
  const inputs = Object.keys(nodes).filter((k) => nodes[k]!.type === 'Input');
  const outputs = Object.keys(nodes).filter((k) => nodes[k]!.type === 'Output');
  if (inputs.length !== 1 || outputs.length !== 1) {
    throw new nir.NIRError(
      `import_from_nir: the graph needs exactly one Input and one Output node, got Input [${inputs.join(', ')}] and Output [${outputs.join(', ')}]`,
    );
  }
  const units = new Map<string, StepModule>();
  // Inline recurrent pairs lif <-> w (w fed only by lif and feeding only lif) become one neuron.
  for (const [a, b] of [...edges]) {
    const na = nodes[a];
    const nb = nodes[b];
    if (!na || !nb || nir.isGraph(na) || nir.isGraph(nb)) continue;
    if (!(na.type === 'LIF' || na.type === 'CubaLIF') || !(nb.type === 'Affine' || nb.type === 'Linear')) continue;
    const into = edges.filter((e) => e[1] === b);
    const from = edges.filter((e) => e[0] === b);
    if (into.length === 1 && from.length === 1 && from[0]![1] === a) {
      units.set(a, recurrentModule(na, nb, { where: `NIR node '${a}'`, dt }) as StepModule);
      delete nodes[b];
      edges = edges.filter((e) => e[0] !== b && e[1] !== b);
    }
  }
  for (const [name, node] of Object.entries(nodes)) {
    if (units.has(name) || node.type === 'Input' || node.type === 'Output') continue;
    const ctx = { where: `NIR node '${name}'`, dt };
    if (nir.isGraph(node)) {
      units.set(name, subgraphModule(node, ctx) as StepModule);
      continue;
    }
    const imp = IMPORTERS[node.type];
    if (!imp) {
      throw new nir.NIRError(
        `${ctx.where}: NIR type ${node.type} has no snntorch-node equivalent; import_from_nir maps ${[...Object.keys(IMPORTERS), 'NIRGraph (recurrent)'].join(', ')}`,
      );
    }
    try {
      units.set(name, imp.build(node, ctx) as StepModule);
    } catch (e) {
      if (e instanceof nir.NIRError) throw e;
      throw new nir.NIRError(`${ctx.where} (${node.type}): ${(e as Error).message}`);
    }
  }
  // Topological order; any cycle left has no snnTorch module to carry it.
  const preds = new Map<string, string[]>(Object.keys(nodes).map((k) => [k, []]));
  for (const [a, b] of edges) preds.get(b)!.push(a);
  const order: string[] = [];
  const state = new Map<string, number>();
  const visit = (n: string, path: string[]): void => {
    if (state.get(n) === 2) return;
    if (state.get(n) === 1) {
      const loop = [...path.slice(path.indexOf(n)), n]
        .reverse()
        .map((x) => `'${x}'`)
        .join(' -> ');
      throw new nir.NIRError(
        `import_from_nir: cycle ${loop} is not a recurrent LIF/CubaLIF <-> Affine/Linear pair, so no snnTorch neuron carries it`,
      );
    }
    state.set(n, 1);
    for (const p of preds.get(n)!) visit(p, [...path, n]);
    state.set(n, 2);
    order.push(n);
  };
  for (const n of Object.keys(nodes)) visit(n, []);
  const [input, output] = [inputs[0]!, outputs[0]!];
  for (const n of order) {
    if (n !== input && preds.get(n)!.length === 0)
      throw new nir.NIRError(`import_from_nir: node '${n}' (${nodes[n]!.type}) receives no edge, so it has no input`);
  }
  return new NIRGraphModule(
    graph,
    units,
    order.filter((n) => n !== input),
    preds,
    input,
    output,
  );
}

/**
 * A NIR graph (or a NIR file, read with nir.read) as a network. Call forward once per time step;
 * reset_hidden() starts a new sequence. dt (default 1e-4, as snnTorch) converts time constants.
 */
export function import_from_nir(graph: nir.NIRGraph, opts?: ImportOptions): NIRGraphModule;
export function import_from_nir(path: string, opts?: ImportOptions): Promise<NIRGraphModule>;
export function import_from_nir(graph_or_path: nir.NIRGraph | string, opts: ImportOptions = {}): NIRGraphModule | Promise<NIRGraphModule> {
  if (typeof graph_or_path === 'string') return nir.read(graph_or_path).then((g) => build(g, opts));
  if (!graph_or_path || typeof graph_or_path !== 'object' || graph_or_path.type !== 'NIRGraph') {
    throw new TypeError('import_from_nir: expected a NIR graph (from nir.read or export_to_nir) or a file path');
  }
  return build(graph_or_path, opts);
}
