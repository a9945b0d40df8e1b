// toString() in PyTorch's print style: tensor([[ 7., 10.], ...], dtype=..., grad_fn=<...>).
import type { Tensor } from './tensor.js';

const THRESHOLD = 1000; // PyTorch summarises tensors with more elements than this
const EDGE = 3;

function floatFormatter(values: number[]): (v: number) => string {
  const finite = values.filter((v) => Number.isFinite(v));
  const special = (v: number): string | null => (Number.isNaN(v) ? 'nan' : v === Infinity ? 'inf' : v === -Infinity ? '-inf' : null);
  if (finite.every((v) => Number.isInteger(v))) {
    const big = finite.some((v) => Math.abs(v) > 1e8);
    return (v) => special(v) ?? (big ? sci(v) : `${v === 0 && Object.is(v, -0) ? '-0' : v.toFixed(0)}.`);
  }
  const abs = finite.map(Math.abs).filter((v) => v > 0);
  const max = abs.length ? Math.max(...abs) : 0;
  const min = abs.length ? Math.min(...abs) : 0;
  const useSci = max / (min || 1) > 1000 || max > 1e8 || (min > 0 && min < 1e-4);
  return (v) => special(v) ?? (useSci ? sci(v) : v.toFixed(4));
}

function sci(v: number): string {
  const [m, e] = v.toExponential(4).split('e');
  const exp = Number(e);
  return `${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
}

export function formatTensor(t: Tensor): string {
  const shape = t.shape;
  const dtype = t.dtype;
  const raw = t.data();
  const isFloat = dtype.startsWith('float') || dtype === 'bfloat16';
  const values: number[] = Array.from(raw as ArrayLike<number | bigint>, (v) => Number(v));
  const fmt: (v: number) => string =
    dtype === 'bool' ? (v) => (v ? 'True' : 'False') : isFloat ? floatFormatter(values) : (v) => String(v);
  const strs = values.map(fmt);
  const width = strs.reduce((w, s) => Math.max(w, s.length), 0);
  const summarize = values.length > THRESHOLD;
  const strides: number[] = [];
  for (let d = shape.length - 1, s = 1; d >= 0; d--) {
    strides[d] = s;
    s *= shape[d]!;
  }
  const prefix = 'tensor(';
  const render = (d: number, offset: number): string => {
    if (d === shape.length) return strs[offset]!.padStart(width);
    const n = shape[d]!;
    const idx: (number | null)[] = summarize && n > 2 * EDGE ? [...range(0, EDGE), null, ...range(n - EDGE, n)] : range(0, n);
    const parts = idx.map((i) => (i === null ? '...' : render(d + 1, offset + i * strides[d]!)));
    if (d === shape.length - 1) return `[${parts.join(', ')}]`;
    const indent = ' '.repeat(prefix.length + d + 1);
    const sep = ',' + '\n'.repeat(shape.length - d - 1) + indent;
    return `[${parts.join(sep)}]`;
  };
  let body: string;
  const suffix: string[] = [];
  if (shape.length === 0) body = strs[0]!;
  else if (values.length === 0) {
    body = '[]';
    if (shape.length !== 1) suffix.push(`size=(${shape.join(', ')})`);
  } else body = render(0, 0);
  if (!t.device.startsWith('cpu')) suffix.push(`device='${t.device}'`);
  if (!['float32', 'int64', 'bool'].includes(dtype)) suffix.push(`dtype=torch.${dtype}`);
  const fn = t.grad_fn;
  if (fn) suffix.push(`grad_fn=<${fn.name().replace(/^torch::autograd::/, '')}>`);
  else if (t.requires_grad) suffix.push('requires_grad=True');
  return `${prefix}${body}${suffix.length ? ', ' + suffix.join(', ') : ''})`;
}

function range(a: number, b: number): number[] {
  const out: number[] = [];
  for (let i = a; i < b; i++) out.push(i);
  return out;
}
