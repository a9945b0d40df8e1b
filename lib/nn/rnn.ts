// nn.LSTMCell with PyTorch's names, initialisation and state_dict keys (weight_ih [4H, I],
// weight_hh [4H, H], bias_ih [4H], bias_hh [4H]; gates in the order input, forget, cell, output),
// composed of LibTorch ops in the order PyTorch's CPU cell uses:
//   gates = linear(h, W_hh, b_hh) + linear(x, W_ih, b_ih)
//   i, f, g, o = sigmoid, sigmoid, tanh, sigmoid of the four chunks
//   c' = f·c + i·g;  h' = o·tanh(c')
import { checkBool, checkInt, checkOptions, invalid } from '../torch/check.js';
import { tidy } from '../torch/memory.js';
import { Tensor, tensorArg } from '../torch/tensor.js';
import { zeros } from '../torch/creation.js';
import { linear } from './functional.js';
import { uniform_ } from './init.js';
import { Module } from './module.js';
import type { Parameter } from './parameter.js';
import { emptyParameter, type FactoryOptions } from './linear.js';

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
    if (x0.size(-1) !== this.input_size) throw new RangeError(`LSTMCell: input has ${x0.size(-1)} features, expected input_size=${this.input_size}`);
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
        for (const [n, t] of [['h', h], ['c', c]] as const) {
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
