// The NIR graph in memory: nodes as the NIR Python package's `to_dict()` holds them (a type name
// plus named arrays), graphs as nodes plus edges. This is what nir.read returns and nir.write takes.

/** An n-d array as NIR stores it: row-major data plus shape (a scalar has shape []). */
export interface NIRArray {
  readonly shape: readonly number[];
  readonly data: Float32Array | Float64Array | BigInt64Array | Int32Array;
}

/** A parameter or metadata value: an array, or a string (e.g. Conv2d padding 'same'). */
export type NIRValue = NIRArray | string;

/** Any node other than a graph: `type` is NIR's class name (Affine, LIF, ...). */
export interface NIRPrimitive {
  readonly type: string;
  readonly params: Record<string, NIRValue>;
  readonly metadata: Record<string, NIRValue>;
}

export interface NIRGraph {
  readonly type: 'NIRGraph';
  readonly nodes: Record<string, NIRNode>;
  readonly edges: readonly (readonly [string, string])[];
  readonly metadata: Record<string, NIRValue>;
}

export type NIRNode = NIRPrimitive | NIRGraph;

/** The NIR version nir.write records (the Python package release whose layout we follow). */
export const NIR_VERSION = '1.0.7';

export function isGraph(node: NIRNode): node is NIRGraph {
  return node.type === 'NIRGraph';
}

export function isArray(v: NIRValue | undefined): v is NIRArray {
  return typeof v === 'object' && v !== null && 'shape' in v;
}

type Numeric = number | readonly number[] | readonly (readonly number[])[] | Float32Array | Float64Array | NIRArray;

function flatten(v: Numeric): { data: number[]; shape: number[] } {
  if (typeof v === 'number') return { data: [v], shape: [] };
  if (isArray(v as NIRValue)) {
    const a = v as NIRArray;
    return { data: Array.from(a.data as ArrayLike<number | bigint>, Number), shape: [...a.shape] };
  }
  if (v instanceof Float32Array || v instanceof Float64Array) return { data: Array.from(v), shape: [v.length] };
  const rows = v as readonly (number | readonly number[])[];
  if (rows.length > 0 && Array.isArray(rows[0])) {
    const inner = (rows[0] as readonly number[]).length;
    const data: number[] = [];
    for (const r of rows as readonly (readonly number[])[]) {
      if (r.length !== inner) throw new RangeError(`NIR array: ragged rows (${r.length} vs ${inner})`);
      data.push(...r);
    }
    return { data, shape: [rows.length, inner] };
  }
  return { data: [...(rows as readonly number[])], shape: [rows.length] };
}

/** A float32 array (weights, biases), as snnTorch writes them. */
export function f32(v: Numeric, shape?: readonly number[]): NIRArray {
  const f = flatten(v);
  return { data: Float32Array.from(f.data), shape: shape ? [...shape] : f.shape };
}

/** A float64 array (neuron constants: the Python package's default dtype). */
export function f64(v: Numeric, shape?: readonly number[]): NIRArray {
  const f = flatten(v);
  return { data: Float64Array.from(f.data), shape: shape ? [...shape] : f.shape };
}

/** An int64 array (shapes, strides, kernel sizes), or an int64 scalar from a number. */
export function i64(v: number | readonly number[]): NIRArray {
  if (typeof v === 'number') return { data: BigInt64Array.from([BigInt(v)]), shape: [] };
  return { data: BigInt64Array.from(v.map((x) => BigInt(x))), shape: [v.length] };
}

/** The elements of a numeric array as JS numbers. */
export function toNumbers(a: NIRArray): number[] {
  return Array.from(a.data as ArrayLike<number | bigint>, Number);
}

export function numel(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function node(type: string, params: Record<string, NIRValue>, metadata: Record<string, NIRValue> = {}): NIRPrimitive {
  return { type, params, metadata };
}

// Constructors named and shaped as the NIR Python package's classes.
export const Input = (shape: readonly number[]): NIRPrimitive => node('Input', { shape: i64(shape) });
export const Output = (shape: readonly number[]): NIRPrimitive => node('Output', { shape: i64(shape) });
export const Affine = (weight: Numeric, bias: Numeric): NIRPrimitive => node('Affine', { weight: f32(weight), bias: f32(bias) });
export const Linear = (weight: Numeric): NIRPrimitive => node('Linear', { weight: f32(weight) });
export const LIF = (
  p: { tau: Numeric; r: Numeric; v_leak: Numeric; v_threshold: Numeric; v_reset?: Numeric },
  metadata?: Record<string, NIRValue>,
): NIRPrimitive => {
  const v_reset = p.v_reset ?? f64(new Float64Array(flatten(p.v_threshold).data.length), flatten(p.v_threshold).shape);
  return node(
    'LIF',
    { tau: f64(p.tau), r: f64(p.r), v_leak: f64(p.v_leak), v_threshold: f64(p.v_threshold), v_reset: f64(v_reset) },
    metadata,
  );
};
export const CubaLIF = (
  p: { tau_syn: Numeric; tau_mem: Numeric; r: Numeric; v_leak: Numeric; v_threshold: Numeric; w_in: Numeric; v_reset?: Numeric },
  metadata?: Record<string, NIRValue>,
): NIRPrimitive => {
  const v_reset = p.v_reset ?? f64(new Float64Array(flatten(p.v_threshold).data.length), flatten(p.v_threshold).shape);
  return node(
    'CubaLIF',
    {
      tau_syn: f64(p.tau_syn),
      tau_mem: f64(p.tau_mem),
      r: f64(p.r),
      v_leak: f64(p.v_leak),
      v_threshold: f64(p.v_threshold),
      v_reset: f64(v_reset),
      w_in: f64(p.w_in),
    },
    metadata,
  );
};
export const IF = (p: { r: Numeric; v_threshold: Numeric; v_reset?: Numeric }): NIRPrimitive => {
  const v_reset = p.v_reset ?? f64(new Float64Array(flatten(p.v_threshold).data.length), flatten(p.v_threshold).shape);
  return node('IF', { r: f64(p.r), v_threshold: f64(p.v_threshold), v_reset: f64(v_reset) });
};
/** A convolution's fields: S is one number for Conv1d, a pair for Conv2d. */
interface ConvFields<S extends number | readonly number[]> {
  input_shape: S;
  weight: NIRArray;
  bias: NIRArray;
  stride: S;
  padding: S | 'same' | 'valid';
  dilation: S;
  groups: number;
}
const conv = <S extends number | readonly number[]>(type: 'Conv1d' | 'Conv2d', p: ConvFields<S>): NIRPrimitive =>
  node(type, {
    input_shape: i64(p.input_shape),
    weight: p.weight,
    stride: i64(p.stride),
    padding: typeof p.padding === 'string' ? p.padding : i64(p.padding),
    dilation: i64(p.dilation),
    groups: i64(p.groups),
    bias: p.bias,
  });
export const Conv2d = (p: ConvFields<readonly [number, number]>): NIRPrimitive => conv('Conv2d', p);
export const Conv1d = (p: ConvFields<number>): NIRPrimitive => conv('Conv1d', p);
export const Flatten = (p: { input_type: readonly number[]; start_dim: number; end_dim: number }): NIRPrimitive =>
  node('Flatten', { start_dim: i64(p.start_dim), end_dim: i64(p.end_dim), input_type: i64(p.input_type) });
export const SumPool2d = (p: { kernel_size: readonly number[]; stride: readonly number[]; padding: readonly number[] }): NIRPrimitive =>
  node('SumPool2d', { kernel_size: i64(p.kernel_size), stride: i64(p.stride), padding: i64(p.padding) });
export const AvgPool2d = (p: { kernel_size: readonly number[]; stride: readonly number[]; padding: readonly number[] }): NIRPrimitive =>
  node('AvgPool2d', { kernel_size: i64(p.kernel_size), stride: i64(p.stride), padding: i64(p.padding) });

export function NIRGraph(
  nodes: Record<string, NIRNode>,
  edges: readonly (readonly [string, string])[],
  metadata: Record<string, NIRValue> = {},
): NIRGraph {
  return { type: 'NIRGraph', nodes, edges: edges.map(([a, b]) => [a, b] as const), metadata };
}
