// nn.LSTMCell with PyTorch's names, initialisation and state_dict keys (weight_ih [4H, I],
// weight_hh [4H, H], bias_ih [4H], bias_hh [4H]; gates in the order input, forget, cell, output),
// composed of LibTorch ops in the order PyTorch's CPU cell uses:
//   gates = linear(h, W_hh, b_hh) + linear(x, W_ih, b_ih)
//   i, f, g, o = sigmoid, sigmoid, tanh, sigmoid of the four chunks
//   c' = f·c + i·g;  h' = o·tanh(c')
import { checkBool, checkInt, checkNumber, checkOptions, checkString, invalid } from '../torch/check.js';
import { tidy } from '../torch/memory.js';
import { Tensor, tensorArg } from '../torch/tensor.js';
import { zeros } from '../torch/creation.js';
import { stack } from '../torch/functions.js';
import { dropout, linear, relu } from './functional.js';
import { uniform_ } from './init.js';
import { Module } from './module.js';
import { emptyParameter, type FactoryOptions, type Parameter } from './parameter.js';

export interface RNNCellOptions extends FactoryOptions {
  bias?: boolean;
}

export class LSTMCell extends Module {
  readonly input_size: number;
  readonly hidden_size: number;
  readonly bias: boolean;
  weight_ih: Parameter;
  weight_hh: Parameter;
  bias_ih: Parameter | null;
  bias_hh: Parameter | null;

  constructor(input_size: number, hidden_size: number, opts?: RNNCellOptions) {
    super();
    const o = checkOptions<RNNCellOptions>('LSTMCell options', opts, ['bias', 'dtype', 'device']);
    this.input_size = checkInt('input_size', input_size, 0);
    this.hidden_size = checkInt('hidden_size', hidden_size, 0);
    this.bias = checkBool('bias', o.bias ?? true);
    const H4 = 4 * this.hidden_size;
    this.weight_ih = emptyParameter([H4, this.input_size], o);
    this.weight_hh = emptyParameter([H4, this.hidden_size], o);
    this.bias_ih = this.bias ? emptyParameter([H4], o) : null;
    this.bias_hh = this.bias ? emptyParameter([H4], o) : null;
    this.reset_parameters();
  }

  /** PyTorch's default: every weight and bias ~ U(-1/√hidden_size, 1/√hidden_size), in registration order. */
  reset_parameters(): void {
    const stdv = this.hidden_size > 0 ? 1 / Math.sqrt(this.hidden_size) : 0;
    for (const p of this.parameters()) uniform_(p, -stdv, stdv);
  }

  /**
   * One step: input [B, input_size] (or unbatched [input_size]) and hx = [h, c] (zeros when null).
   * Returns [h', c'].
   */
  forward(input: Tensor, hx?: readonly [Tensor, Tensor] | null): [Tensor, Tensor] {
    const x0 = tensorArg('input', input);
    if (x0.dim() !== 1 && x0.dim() !== 2) throw invalid('input', 'a 1-D or 2-D tensor', `shape [${x0.shape.join(', ')}]`);
    if (x0.size(-1) !== this.input_size)
      throw new RangeError(`LSTMCell: input has ${x0.size(-1)} features, expected input_size=${this.input_size}`);
    const batched = x0.dim() === 2;
    return tidy(() => {
      const x = batched ? x0 : x0.unsqueeze(0);
      const B = x.size(0);
      let h: Tensor;
      let c: Tensor;
      if (hx == null) {
        h = zeros([B, this.hidden_size], { dtype: x.dtype, device: x.device });
        c = zeros([B, this.hidden_size], { dtype: x.dtype, device: x.device });
      } else {
        if (!Array.isArray(hx) || hx.length !== 2) throw invalid('hx', 'a pair [h, c] of tensors', hx);
        h = tensorArg('hx[0]', hx[0]);
        c = tensorArg('hx[1]', hx[1]);
        if (!batched) {
          h = h.unsqueeze(0);
          c = c.unsqueeze(0);
        }
        for (const [n, t] of [
          ['h', h],
          ['c', c],
        ] as const) {
          if (t.dim() !== 2 || t.size(0) !== B || t.size(1) !== this.hidden_size) {
            throw new RangeError(`LSTMCell: ${n} has shape [${t.shape.join(', ')}], expected [${B}, ${this.hidden_size}]`);
          }
        }
      }
      const gates = linear(h, this.weight_hh, this.bias_hh).add(linear(x, this.weight_ih, this.bias_ih));
      const [gi, gf, gg, go] = gates.chunk(4, 1);
      const i = gi!.sigmoid();
      const f = gf!.sigmoid();
      const g = gg!.tanh();
      const o = go!.sigmoid();
      const cy = f.mul(c).add(i.mul(g));
      const hy = o.mul(cy.tanh());
      return batched ? ([hy, cy] as [Tensor, Tensor]) : ([hy.squeeze(0), cy.squeeze(0)] as [Tensor, Tensor]);
    });
  }

  override extra_repr(): string {
    return `${this.input_size}, ${this.hidden_size}${this.bias ? '' : ', bias=False'}`;
  }
}

export interface RNNOptions extends FactoryOptions {
  num_layers?: number;
  nonlinearity?: 'tanh' | 'relu';
  bias?: boolean;
  batch_first?: boolean;
  dropout?: number;
  bidirectional?: boolean;
}

/**
 * nn.RNN (Elman): h_t = act(x_t W_ihᵀ + b_ih + h_{t-1} W_hhᵀ + b_hh) per layer, with PyTorch's
 * parameter names (weight_ih_l{k}, weight_hh_l{k}, bias_ih_l{k}, bias_hh_l{k}) and init
 * (U(±1/√hidden_size)). As PyTorch's CPU path, each layer projects the whole input sequence at
 * once, then steps the recurrence. Dropout (training only) applies between layers.
 * Unidirectional only.
 */
export class RNN extends Module {
  readonly input_size: number;
  readonly hidden_size: number;
  readonly num_layers: number;
  readonly nonlinearity: 'tanh' | 'relu';
  readonly bias: boolean;
  readonly batch_first: boolean;
  readonly dropout: number;

  constructor(input_size: number, hidden_size: number, opts?: RNNOptions) {
    super();
    const o = checkOptions<RNNOptions>('RNN options', opts, [
      'num_layers',
      'nonlinearity',
      'bias',
      'batch_first',
      'dropout',
      'bidirectional',
      'dtype',
      'device',
    ]);
    this.input_size = checkInt('input_size', input_size, 0);
    this.hidden_size = checkInt('hidden_size', hidden_size, 1);
    this.num_layers = checkInt('num_layers', o.num_layers ?? 1, 1);
    this.nonlinearity = checkString('nonlinearity', o.nonlinearity ?? 'tanh', ['tanh', 'relu'] as const);
    this.bias = checkBool('bias', o.bias ?? true);
    this.batch_first = checkBool('batch_first', o.batch_first ?? false);
    this.dropout = checkNumber('dropout', o.dropout ?? 0, { finite: true });
    if (this.dropout < 0 || this.dropout > 1) throw new RangeError(`RNN: dropout must be in [0, 1], got ${this.dropout}`);
    if (checkBool('bidirectional', o.bidirectional ?? false))
      throw new RangeError('RNN: bidirectional=true is not supported; use two RNNs over the sequence and its flip');
    for (let k = 0; k < this.num_layers; k++) {
      const inF = k === 0 ? this.input_size : this.hidden_size;
      this.register_parameter(`weight_ih_l${k}`, emptyParameter([this.hidden_size, inF], o));
      this.register_parameter(`weight_hh_l${k}`, emptyParameter([this.hidden_size, this.hidden_size], o));
      if (this.bias) {
        this.register_parameter(`bias_ih_l${k}`, emptyParameter([this.hidden_size], o));
        this.register_parameter(`bias_hh_l${k}`, emptyParameter([this.hidden_size], o));
      }
    }
    this.reset_parameters();
  }

  reset_parameters(): void {
    const stdv = 1 / Math.sqrt(this.hidden_size);
    for (const p of this.parameters()) uniform_(p, -stdv, stdv);
  }

  #p(name: string): Tensor | null {
    return (this as unknown as Record<string, Tensor | undefined>)[name] ?? null;
  }

  /**
   * input [T, B, input_size] ([B, T, input_size] with batch_first; or unbatched [T, input_size]),
   * h0 [num_layers, B, hidden_size] (zeros when null). Returns [output (the last layer's h_t for
   * every t), h_n (every layer's last h)]. `weight_hh` optionally replaces a layer's W_hh (used
   * by neurons that constrain it).
   */
  forward(input: Tensor, h0?: Tensor | null, weight_hh?: (layer: number, w: Tensor) => Tensor): [Tensor, Tensor] {
    const x0 = tensorArg('input', input);
    if (x0.dim() !== 2 && x0.dim() !== 3) throw invalid('input', 'a 2-D (unbatched) or 3-D tensor', `shape [${x0.shape.join(', ')}]`);
    if (x0.size(-1) !== this.input_size)
      throw new RangeError(`RNN: input has ${x0.size(-1)} features, expected input_size=${this.input_size}`);
    const batched = x0.dim() === 3;
    return tidy(() => {
      let x = batched ? (this.batch_first ? x0.transpose(0, 1) : x0) : x0.unsqueeze(1);
      const [T, B] = x.shape as [number, number, number];
      let h: Tensor;
      if (h0 == null) h = zeros([this.num_layers, B, this.hidden_size], { dtype: x.dtype, device: x.device });
      else {
        h = tensorArg('h0', h0);
        if (!batched) h = h.unsqueeze(1);
        if (h.dim() !== 3 || h.size(0) !== this.num_layers || h.size(1) !== B || h.size(2) !== this.hidden_size) {
          throw new RangeError(`RNN: h0 has shape [${h0.shape.join(', ')}], expected [${this.num_layers}, ${B}, ${this.hidden_size}]`);
        }
      }
      const act = this.nonlinearity === 'relu' ? (t: Tensor) => relu(t) : (t: Tensor) => t.tanh();
      const last: Tensor[] = [];
      for (let k = 0; k < this.num_layers; k++) {
        if (k > 0 && this.dropout > 0 && this.training) x = dropout(x, this.dropout, true);
        let whh = this.#p(`weight_hh_l${k}`)!;
        if (weight_hh) whh = weight_hh(k, whh);
        const xw = linear(x, this.#p(`weight_ih_l${k}`)!, this.#p(`bias_ih_l${k}`));
        const bhh = this.#p(`bias_hh_l${k}`);
        let hk = h.select(0, k);
        const outs: Tensor[] = [];
        for (let t = 0; t < T; t++) {
          hk = act(linear(hk, whh, bhh).add(xw.select(0, t)));
          outs.push(hk);
        }
        last.push(hk);
        x = stack(outs);
      }
      let out = x;
      let hn = stack(last);
      if (!batched) {
        out = out.squeeze(1);
        hn = hn.squeeze(1);
      } else if (this.batch_first) out = out.transpose(0, 1);
      return [out, hn] as [Tensor, Tensor];
    });
  }

  override extra_repr(): string {
    const extra = [
      this.num_layers !== 1 ? `num_layers=${this.num_layers}` : '',
      this.nonlinearity !== 'tanh' ? `nonlinearity='${this.nonlinearity}'` : '',
      this.bias ? '' : 'bias=False',
      this.batch_first ? 'batch_first=True' : '',
      this.dropout ? `dropout=${this.dropout}` : '',
    ].filter(Boolean);
    return [`${this.input_size}`, `${this.hidden_size}`, ...extra].join(', ');
  }
}
