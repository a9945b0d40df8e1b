// toString() in PyTorch's print style, following torch/_tensor_str.py with its default print options
// (precision 4, threshold 1000, edgeitems 3, linewidth 80): one formatter (int / fixed / scientific
// mode and a common width) is chosen from the printed values, rows wrap at 80 columns, and the
// dtype / device / grad_fn suffixes follow the same rules.
import { native, type NativeTensor } from '../native.js';
import { isFloating } from './dtype.js';
import { contiguousStrides } from './strides.js';

const PRECISION = 4;
const THRESHOLD = 1000;
const EDGE = 3;
const LINEWIDTH = 80;

type Fmt = (v: number) => string;

/** Python's f"{v:.{d}f}" / f"{v:.{d}e}": JS rounds exact ties away from zero, Python to even. */
function pyFixed(v: number, digits: number): string {
  const s = tieToEven(v, digits, 'fixed');
  return Object.is(v, -0) ? '-' + s : s;
}

function pyExp(v: number, digits: number): string {
  let s = tieToEven(v, digits, 'exp');
  if (Object.is(v, -0)) s = '-' + s;
  const [m, e] = s.split('e');
  const exp = Number(e);
  return `${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
}

function tieToEven(v: number, digits: number, mode: 'fixed' | 'exp'): string {
  const conv = (d: number): string => (mode === 'fixed' ? v.toFixed(d) : v.toExponential(d));
  const rounded = conv(digits);
  // 40 more digits show an exact tie as "5000…" (float32 ties need only a few).
  const long = conv(digits + 40);
  const cut = mode === 'fixed' ? long.length - 40 : long.indexOf('e') - 40;
  if (!/^50*$/.test(long.slice(cut, mode === 'fixed' ? undefined : long.indexOf('e')))) return rounded;
  const mantissaEnd = mode === 'fixed' ? rounded.length : rounded.indexOf('e');
  const last = Number(rounded[mantissaEnd - 1]);
  if (last % 2 === 0) return rounded;
  // The away-from-zero result is odd: the truncated one is the even neighbour.
  const truncated = long.slice(0, cut);
  return mode === 'fixed' ? truncated.replace(/\.$/, '') : truncated.replace(/\.$/, '') + rounded.slice(rounded.indexOf('e'));
}

function special(v: number): string | null {
  return Number.isNaN(v) ? 'nan' : v === Infinity ? 'inf' : v === -Infinity ? '-inf' : null;
}

/** _Formatter: picks the mode and width from the values that will be printed. */
function makeFormatter(values: number[], kind: 'float' | 'int' | 'bool'): [Fmt, number] {
  if (kind === 'bool') return [(v) => (v ? 'True' : 'False'), values.length ? Math.max(...values.map((v) => (v ? 4 : 5))) : 1];
  if (kind === 'int') return [(v) => String(v), values.reduce((w, v) => Math.max(w, String(v).length), 1)];
  const nz = values.filter((v) => Number.isFinite(v) && v !== 0);
  if (nz.length === 0) return [(v) => special(v) ?? `${pyFixed(v, 0)}.`, 1];
  let lo = Infinity;
  let hi = 0;
  for (const v of nz) {
    const a = Math.abs(v);
    if (a < lo) lo = a;
    if (a > hi) hi = a;
  }
  const intMode = nz.every((v) => Number.isInteger(v));
  const sci = hi / lo > 1000 || hi > 1e8 || (!intMode && lo < 1e-4);
  let fmt: Fmt;
  if (sci) fmt = (v) => special(v) ?? pyExp(v, PRECISION);
  else if (intMode) fmt = (v) => special(v) ?? `${pyFixed(v, 0)}.`;
  else fmt = (v) => special(v) ?? pyFixed(v, PRECISION);
  const width = nz.reduce((w, v) => Math.max(w, fmt(v).length), 1);
  return [fmt, width];
}

/**
 * The elements that get printed, per dim: [index in the tensor, index in the summary] pairs, with
 * null for the "..." gap. A summarised dim of size n > 2*EDGE keeps its first and last EDGE elements,
 * which sit at 0..EDGE-1 and EDGE..2*EDGE-1 of the summary.
 */
function shown(n: number, summarize: boolean): ([number, number] | null)[] {
  const out: ([number, number] | null)[] = [];
  if (summarize && n > 2 * EDGE) {
    for (let i = 0; i < EDGE; i++) out.push([i, i]);
    out.push(null);
    for (let i = 0; i < EDGE; i++) out.push([n - EDGE + i, EDGE + i]);
  } else {
    for (let i = 0; i < n; i++) out.push([i, i]);
  }
  return out;
}

/**
 * PyTorch's get_summarized_data, computed by LibTorch: every dim longer than 2*EDGE is cut to its
 * first and last EDGE elements (narrow + cat), so a huge tensor (or an expanded view of one) is
 * never copied whole; only the at most (2*EDGE)^ndim shown elements reach JS.
 */
function summarizedValues(t: NativeTensor, shape: number[], summarize: boolean): number[] {
  let h = t;
  const temps: NativeTensor[] = [];
  try {
    if (summarize) {
      for (let d = 0; d < shape.length; d++) {
        const n = shape[d]!;
        if (n <= 2 * EDGE) continue;
        const head = native.narrow(h, d, 0, EDGE);
        const tail = native.narrow(h, d, n - EDGE, EDGE);
        temps.push(head, tail);
        h = native.cat([head, tail], d);
        temps.push(h);
      }
    }
    return Array.from(native.data(h) as ArrayLike<number | bigint>, (v) => Number(v));
  } finally {
    for (const x of temps) x.dispose();
  }
}

/** The print form of the tensor behind a native handle (read natively, so this file needs no Tensor). */
export function formatTensor(t: NativeTensor): string {
  const shape = native.shape(t);
  const dtype = native.dtype(t);
  const numel = native.numel(t);
  const kind = dtype === 'bool' ? 'bool' : isFloating(dtype) ? 'float' : 'int';
  const prefix = 'tensor(';
  const indent = prefix.length;
  const summarize = numel > THRESHOLD;
  const values = numel === 0 ? [] : summarizedValues(t, shape, summarize);
  // Row-major strides of the summary (each summarised dim has 2*EDGE elements there).
  const sizes = shape.map((n) => (summarize && n > 2 * EDGE ? 2 * EDGE : n));
  const strides = contiguousStrides(sizes);

  // PyTorch sizes the formatter from the summarised data only.
  const [fmt, width] = makeFormatter(values, kind);
  const cell = (v: number): string => fmt(v).padStart(width);

  const render = (d: number, offset: number, ind: number): string => {
    const idx = shown(shape[d]!, summarize);
    if (d === shape.length - 1) {
      // _vector_str: " ..." keeps its leading space, and rows wrap at the line width.
      const data = idx.map((i) => (i === null ? ' ...' : cell(values[offset + i[1]]!)));
      const perLine = Math.max(1, Math.floor((LINEWIDTH - ind) / (width + 2)));
      const lines: string[] = [];
      for (let i = 0; i < data.length; i += perLine) lines.push(data.slice(i, i + perLine).join(', '));
      return `[${lines.join(',\n' + ' '.repeat(ind + 1))}]`;
    }
    const parts = idx.map((i) => (i === null ? '...' : render(d + 1, offset + i[1] * strides[d]!, ind + 1)));
    return `[${parts.join(',' + '\n'.repeat(shape.length - d - 1) + ' '.repeat(ind + 1))}]`;
  };

  const suffixes: string[] = [];
  const device = native.device(t);
  if (!device.startsWith('cpu')) suffixes.push(`device='${device}'`);
  let body: string;
  const defaultDtype = ['float32', 'int64', 'bool'].includes(dtype);
  if (numel === 0) {
    if (shape.length !== 1) suffixes.push(`size=(${shape.join(', ')})`);
    // An empty tensor has no values to show its kind, so anything but float32 names its dtype.
    if (dtype !== 'float32') suffixes.push(`dtype=torch.${dtype}`);
    body = '[]';
  } else {
    if (!defaultDtype) suffixes.push(`dtype=torch.${dtype}`);
    body = shape.length === 0 ? cell(values[0]!) : render(0, 0, indent);
  }
  const fn = native.grad_fn_name(t);
  if (fn !== null) suffixes.push(`grad_fn=<${gradFnName(fn)}>`);
  else if (native.requires_grad(t)) suffixes.push('requires_grad=True');
  return addSuffixes(prefix + body, suffixes, indent);
}

/**
 * A grad_fn's short name: LibTorch's generated nodes are "torch::autograd::generated::AddBackward0"
 * and custom C++ functions "torch::autograd::CppNode<snn::RLeakyStepFn>"; both print bare.
 */
export function gradFnName(raw: string): string {
  const inner = /CppNode<(.*)>$/.exec(raw);
  return (inner ? inner[1]! : raw).replace(/^.*::/, '');
}

/** _add_suffixes: a suffix that would pass the line width goes on its own line. */
function addSuffixes(text: string, suffixes: string[], indent: number): string {
  const out = [text];
  // Python's quirk: len - rfind('\n') + 1, where rfind gives -1 without a newline.
  let last = text.length - text.lastIndexOf('\n') + 1;
  for (const s of suffixes) {
    if (last + s.length + 2 > LINEWIDTH) {
      out.push(',\n' + ' '.repeat(indent) + s);
      last = indent + s.length;
    } else {
      out.push(', ' + s);
      last += s.length + 2;
    }
  }
  out.push(')');
  return out.join('');
}
