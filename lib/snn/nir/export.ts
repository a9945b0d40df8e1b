// snn.export_to_nir: a network as a NIR graph, with snnTorch's mapping (snntorch/export_nir.py):
// Linear -> Affine (Linear without bias), Conv1d / Conv2d -> Conv1d / Conv2d, AvgPool2d -> AvgPool2d
// (SumPool2d when divisor_override is 1: a window sum), Flatten -> Flatten (start/end dims
// without the batch dim), Leaky -> LIF, Synaptic -> CubaLIF, Lapicque -> LIF, RLeaky / RSynaptic
// -> a subgraph {input -> lif <-> w_rec, lif -> output}. Neuron constants for a step dt:
// tau = dt / (1 - beta), r = tau / dt, tau_syn = dt / (1 - alpha), w_in = tau_syn / dt.
import * as nir from '../../nir/index.js';
import { no_grad } from '../../torch/autograd.js';
import { zeros } from '../../torch/creation.js';
import type { Tensor } from '../../torch/tensor.js';
import { Conv2d } from '../../nn/conv.js';
import { Conv1d } from '../../nn/conv_more.js';
import { AvgPool2d } from '../../nn/pooling.js';
import { Flatten } from '../../nn/activation.js';
import { Linear } from '../../nn/linear.js';
import type { Module } from '../../nn/module.js';
import { Lapicque } from '../lapicque.js';
import { Leaky } from '../leaky.js';
import { LIF as LIFNeuron } from '../neuron.js';
import { RLeaky, RecurrentOneToOne } from '../rleaky.js';
import { RSynaptic } from '../rsynaptic.js';
import { Synaptic } from '../synaptic.js';

export interface ExportOptions {
  /** The time step the neuron constants are expressed for (snnTorch uses 1e-4). */
  dt?: number;
}

interface ExportContext {
  /** Node name (the module's path in the network). */
  name: string;
  /** Per-sample shape reaching the module (no batch dim). */
  inShape: number[];
  dt: number;
}

interface Exporter {
  cls: abstract new (...args: never[]) => Module;
  export(m: Module, ctx: ExportContext): nir.NIRNode;
  /** A layer without state: it runs on the sample to find the next shape (neurons keep the shape). */
  stateless?: boolean;
}

/** Values of a tensor broadcast to a neuron's shape, as float64. */
function perNeuron(t: Tensor, shape: number[]): nir.NIRArray {
  return no_grad(() => {
    const z = zeros(shape, { dtype: 'float64' });
    const b = z.add(t.detach().to('float64'));
    const out = { data: Float64Array.from(b.data() as Float64Array), shape: [...shape] };
    z.dispose();
    b.dispose();
    return out;
  });
}

function f32Of(t: Tensor): nir.NIRArray {
  return { data: Float32Array.from(t.detach().to('float32').data() as Float32Array), shape: t.shape };
}

const map = (a: nir.NIRArray, fn: (x: number, i: number) => number): nir.NIRArray => ({
  data: Float64Array.from(nir.toNumbers(a), fn),
  shape: a.shape,
});

/** Options that change a neuron's output but have no place in NIR are refused rather than dropped. */
function checkNeuron(m: LIFNeuron, ctx: ExportContext): void {
  const cls = m.constructor.name;
  const refuse = (what: string): never => {
    throw new nir.NIRError(`export_to_nir: module '${ctx.name}' (${cls}) uses ${what}, which NIR's neurons cannot express`);
  };
  if (m.inhibition) refuse('inhibition=true');
  if (m.state_quant) refuse('state_quant');
  const g = m.graded_spikes_factor;
  if (g && Array.from(g.detach().data() as Float32Array).some((v) => v !== 1)) refuse('graded_spikes_factor other than 1');
}

/** snnTorch's reset conventions, kept so import_from_nir rebuilds the same neuron. */
function neuronMeta(m: LIFNeuron, module: string): Record<string, nir.NIRValue> {
  return { snntorch_module: module, reset_mechanism: m.reset_mechanism, reset_delay: String(m.reset_delay) };
}

function lifNode(m: LIFNeuron, shape: number[], dt: number, module: string, inputScale?: nir.NIRArray): nir.NIRPrimitive {
  const beta = perNeuron(m.beta, shape);
  const tau = map(beta, (b) => dt / (1 - b));
  const r = inputScale ? map(tau, (t, i) => ((inputScale.data[i] as number) * t) / dt) : map(tau, (t) => t / dt);
  return nir.LIF({ tau, r, v_leak: map(beta, () => 0), v_threshold: perNeuron(m.threshold, shape) }, neuronMeta(m, module));
}

function cubaNode(m: Synaptic | RSynaptic, shape: number[], dt: number, module: string): nir.NIRPrimitive {
  const beta = perNeuron(m.beta, shape);
  const alpha = perNeuron(m.alpha, shape);
  const tau_mem = map(beta, (b) => dt / (1 - b));
  const tau_syn = map(alpha, (a) => dt / (1 - a));
  return nir.CubaLIF(
    {
      tau_mem,
      tau_syn,
      r: map(tau_mem, (t) => t / dt),
      v_leak: map(beta, () => 0),
      v_threshold: perNeuron(m.threshold, shape),
      w_in: map(tau_syn, (t) => t / dt),
    },
    neuronMeta(m, module),
  );
}

function recurrentSubgraph(m: RLeaky | RSynaptic, ctx: ExportContext): nir.NIRGraph {
  const cls = m.constructor.name;
  checkNeuron(m, ctx);
  const n = ctx.inShape[0]!;
  const rec = m.recurrent;
  if (!(rec instanceof Linear) && !(rec instanceof RecurrentOneToOne)) {
    throw new nir.NIRError(
      `export_to_nir: module '${ctx.name}' (${cls}) has convolutional feedback (conv2d_channels), which NIR's recurrent subgraph cannot express; use linear_features or all_to_all=false`,
    );
  }
  if (ctx.inShape.length !== 1) {
    throw new nir.NIRError(
      `export_to_nir: module '${ctx.name}' (${cls}) receives per-sample shape [${ctx.inShape.join(', ')}]; NIR's recurrent subgraph needs a flat [n] input`,
    );
  }
  let w_rec: nir.NIRPrimitive;
  if (rec instanceof Linear) {
    w_rec = rec.bias ? nir.Affine(f32Of(rec.weight), f32Of(rec.bias)) : nir.Linear(f32Of(rec.weight));
  } else {
    const v = perNeuron(rec.V, [n]);
    const w = new Float32Array(n * n);
    for (let i = 0; i < n; i++) w[i * n + i] = v.data[i] as number;
    w_rec = nir.Linear({ data: w, shape: [n, n] });
  }
  const lif = m instanceof RLeaky ? lifNode(m, [n], ctx.dt, 'RLeaky') : cubaNode(m, [n], ctx.dt, 'RSynaptic');
  return nir.NIRGraph({ input: nir.Input([n]), lif, w_rec, output: nir.Output([n]) }, [
    ['input', 'lif'],
    ['lif', 'w_rec'],
    ['w_rec', 'lif'],
    ['lif', 'output'],
  ]);
}

/**
 * What export_to_nir knows, most specific class first. A layer added to the library is one entry
 * here (and one in import.ts's table).
 */
export const EXPORTERS: Exporter[] = [
  {
    cls: Linear,
    export: (m) => {
      const l = m as Linear;
      return l.bias ? nir.Affine(f32Of(l.weight), f32Of(l.bias)) : nir.Linear(f32Of(l.weight));
    },
    stateless: true,
  },
  {
    cls: Conv2d,
    export: (m, ctx) => {
      const c = m as Conv2d;
      if (ctx.inShape.length !== 3)
        throw new nir.NIRError(
          `export_to_nir: module '${ctx.name}' (Conv2d) receives per-sample shape [${ctx.inShape.join(', ')}]; expected [C, H, W]`,
        );
      const bias = c.bias ? f32Of(c.bias) : { data: new Float32Array(c.out_channels), shape: [c.out_channels] };
      return nir.Conv2d({
        input_shape: [ctx.inShape[1]!, ctx.inShape[2]!],
        weight: f32Of(c.weight),
        bias,
        stride: c.stride,
        padding: c.padding,
        dilation: c.dilation,
        groups: c.groups,
      });
    },
    stateless: true,
  },
  {
    cls: Conv1d,
    export: (m, ctx) => {
      const c = m as Conv1d;
      if (ctx.inShape.length !== 2)
        throw new nir.NIRError(
          `export_to_nir: module '${ctx.name}' (Conv1d) receives per-sample shape [${ctx.inShape.join(', ')}]; expected [C, L]`,
        );
      const bias = c.bias ? f32Of(c.bias) : { data: new Float32Array(c.out_channels), shape: [c.out_channels] };
      return nir.Conv1d({
        input_shape: ctx.inShape[1]!,
        weight: f32Of(c.weight),
        bias,
        stride: c.stride[0],
        padding: typeof c.padding === 'string' ? c.padding : c.padding[0],
        dilation: c.dilation[0],
        groups: c.groups,
      });
    },
    stateless: true,
  },
  {
    cls: AvgPool2d,
    export: (m, ctx) => {
      const p = m as AvgPool2d;
      const refuse = (what: string): never => {
        throw new nir.NIRError(
          `export_to_nir: module '${ctx.name}' (AvgPool2d) uses ${what}, which NIR's AvgPool2d and SumPool2d cannot express`,
        );
      };
      if (p.ceil_mode) refuse('ceil_mode=true');
      const padded = p.padding[0] !== 0 || p.padding[1] !== 0;
      const spec = { kernel_size: p.kernel_size, stride: p.stride, padding: p.padding };
      // divisor_override 1 divides each window's sum by 1: NIR's SumPool2d (zero padding adds nothing).
      if (p.divisor_override === 1) return nir.SumPool2d(spec);
      if (p.divisor_override !== null) refuse(`divisor_override=${p.divisor_override}`);
      // NIR's AvgPool2d is PyTorch's default, which counts padded zeros in the divisor.
      if (padded && !p.count_include_pad) refuse('count_include_pad=false with padding');
      return nir.AvgPool2d(spec);
    },
    stateless: true,
  },
  {
    cls: Flatten,
    export: (m, ctx) => {
      const f = m as Flatten;
      // NIR's dims exclude the batch dim (snnTorch subtracts one from non-negative dims).
      const d = (x: number): number => (x > 0 ? x - 1 : x);
      return nir.Flatten({ input_type: ctx.inShape, start_dim: d(f.start_dim), end_dim: d(f.end_dim) });
    },
    stateless: true,
  },
  { cls: RLeaky, export: (m, ctx) => recurrentSubgraph(m as RLeaky, ctx) },
  { cls: RSynaptic, export: (m, ctx) => recurrentSubgraph(m as RSynaptic, ctx) },
  {
    cls: Synaptic,
    export: (m, ctx) => {
      checkNeuron(m as Synaptic, ctx);
      return cubaNode(m as Synaptic, ctx.inShape, ctx.dt, 'Synaptic');
    },
  },
  {
    cls: Lapicque,
    export: (m, ctx) => {
      // Lapicque's step is mem + (ts / (R C)) (R I - mem): a LIF with tau = R C dt / ts and r = R.
      const l = m as Lapicque;
      checkNeuron(l, ctx);
      const R = perNeuron(l.R, ctx.inShape);
      const C = perNeuron(l.C, ctx.inShape);
      const ts = perNeuron(l.time_step, ctx.inShape);
      const tau = map(R, (r, i) => (r * (C.data[i] as number) * ctx.dt) / (ts.data[i] as number));
      const meta = { ...neuronMeta(l, 'Lapicque'), time_step: ts };
      return nir.LIF({ tau, r: R, v_leak: map(R, () => 0), v_threshold: perNeuron(l.threshold, ctx.inShape) }, meta);
    },
  },
  {
    cls: Leaky,
    export: (m, ctx) => {
      checkNeuron(m as Leaky, ctx);
      return lifNode(m as Leaky, ctx.inShape, ctx.dt, 'Leaky');
    },
  },
];

/** The modules a network runs in order: Sequential and container modules opened up, leaves kept. */
function chain(net: Module, prefix = ''): [string, Module][] {
  if (EXPORTERS.some((e) => net instanceof e.cls)) return [[prefix || 'module', net]];
  const kids = [...net.named_children()];
  if (kids.length === 0) {
    throw new nir.NIRError(
      `export_to_nir: module '${prefix || '(root)'}' (${net.constructor.name}) has no NIR equivalent; NIR expresses ${EXPORTERS.map((e) => e.cls.name).join(', ')}`,
    );
  }
  return kids.flatMap(([k, m]) => chain(m, prefix ? `${prefix}.${k}` : k));
}

/**
 * The network as a NIR graph. sample_input ([batch, ...]) fixes the shapes. The network is read as
 * a chain: an nn.Sequential in order, or any other module's children in the order they were
 * registered (the order snnTorch's tutorials define and call them in).
 */
export function export_to_nir(net: Module, sample_input: Tensor, opts: ExportOptions = {}): nir.NIRGraph {
  const dt = opts.dt ?? 1e-4;
  if (typeof dt !== 'number' || !(dt > 0) || !Number.isFinite(dt))
    throw new RangeError(`export_to_nir: dt must be a positive number, got ${String(dt)}`);
  if (!sample_input || typeof (sample_input as Tensor).shape === 'undefined')
    throw new TypeError('export_to_nir: sample_input must be a Tensor [batch, ...]');
  if (sample_input.dim() < 2)
    throw new RangeError(`export_to_nir: sample_input must have a batch dim, got shape [${sample_input.shape.join(', ')}]`);
  const layers = chain(net);
  const nodes: Record<string, nir.NIRNode> = {};
  const edges: [string, string][] = [];
  const inShape = sample_input.shape.slice(1);
  nodes.input = nir.Input(inShape);
  let prev = 'input';
  let shape = inShape;
  no_grad(() => {
    let x: Tensor = sample_input;
    for (const [name, m] of layers) {
      if (name === 'input' || name === 'output')
        throw new nir.NIRError(`export_to_nir: a module named '${name}' clashes with the graph's own ${name} node; rename it`);
      const ex = EXPORTERS.find((e) => m instanceof e.cls)!;
      const ctx: ExportContext = { name, inShape: shape, dt };
      nodes[name] = ex.export(m, ctx);
      if (ex.stateless) {
        const y = (m as unknown as { forward(t: Tensor): Tensor }).forward(x);
        if (x !== sample_input) x.dispose();
        x = y;
        shape = y.shape.slice(1);
      }
      edges.push([prev, name]);
      prev = name;
    }
    if (x !== sample_input) x.dispose();
  });
  nodes.output = nir.Output(shape);
  edges.push([prev, 'output']);
  const g = nir.NIRGraph(nodes, edges);
  nir.validateGraph(g);
  return g;
}
