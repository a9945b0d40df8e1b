// nn.functional and nn.init against plain-JS references of the definitions.
import { expect } from 'chai';
import * as torch from '../lib/torch/index.js';
import * as F from '../lib/nn/functional.js';
import * as init from '../lib/nn/init.js';

const list = (t: torch.Tensor): number[] => Array.from(t.data() as Float32Array | Float64Array, Number);
const f64 = (shape: number[]): torch.Tensor => torch.randn(shape, { dtype: 'float64' });
function expectCloseTo(t: torch.Tensor, expected: number[], tol: number): void {
  const got = list(t);
  expect(got.length).to.equal(expected.length);
  got.forEach((v, i) => expect(Math.abs(v - expected[i]!), `element ${i}: ${v} vs ${expected[i]}`).to.be.at.most(tol));
}

/** Direct-loop 2-D convolution (zeros padding), [N, C, H, W] x [O, C/g, kH, kW]. */
function naiveConv2d(
  x: torch.Tensor,
  w: torch.Tensor,
  b: torch.Tensor | null,
  stride: number[],
  pad: number[],
  dil: number[],
  groups: number,
): { shape: number[]; values: number[] } {
  const [N, C, H, W] = x.shape as [number, number, number, number];
  const [O, Cg, KH, KW] = w.shape as [number, number, number, number];
  const xv = list(x);
  const wv = list(w);
  const bv = b ? list(b) : null;
  const OH = Math.floor((H + 2 * pad[0]! - dil[0]! * (KH - 1) - 1) / stride[0]!) + 1;
  const OW = Math.floor((W + 2 * pad[1]! - dil[1]! * (KW - 1) - 1) / stride[1]!) + 1;
  const out: number[] = [];
  const og = O / groups;
  for (let n = 0; n < N; n++)
    for (let o = 0; o < O; o++)
      for (let i = 0; i < OH; i++)
        for (let j = 0; j < OW; j++) {
          let s = bv ? bv[o]! : 0;
          const g = Math.floor(o / og);
          for (let c = 0; c < Cg; c++)
            for (let ki = 0; ki < KH; ki++)
              for (let kj = 0; kj < KW; kj++) {
                const h = i * stride[0]! - pad[0]! + ki * dil[0]!;
                const ww = j * stride[1]! - pad[1]! + kj * dil[1]!;
                if (h < 0 || h >= H || ww < 0 || ww >= W) continue;
                s += xv[((n * C + g * Cg + c) * H + h) * W + ww]! * wv[((o * Cg + c) * KH + ki) * KW + kj]!;
              }
          out.push(s);
        }
  void C;
  return { shape: [N, O, OH, OW], values: out };
}

describe('nn.functional', () => {
  it('linear = x Wᵀ + b, with and without bias (float64, 1e-12)', () => {
    const x = f64([3, 4]);
    const w = f64([2, 4]);
    const b = f64([2]);
    const [xv, wv, bv] = [list(x), list(w), list(b)];
    const ref = (withBias: boolean): number[] =>
      [0, 1, 2].flatMap((r) =>
        [0, 1].map((o) => [0, 1, 2, 3].reduce((s, k) => s + xv[r * 4 + k]! * wv[o * 4 + k]!, withBias ? bv[o]! : 0)),
      );
    expectCloseTo(F.linear(x, w, b), ref(true), 1e-12);
    expectCloseTo(F.linear(x, w), ref(false), 1e-12);
  });

  describe('conv2d against a direct loop (float64, 1e-12)', () => {
    const cases: [string, number[], number[], F.Conv2dOptions, boolean][] = [
      ['defaults', [2, 3, 5, 6], [4, 3, 3, 3], {}, true],
      ['stride, padding, dilation as pairs', [1, 2, 7, 6], [3, 2, 3, 2], { stride: [2, 1], padding: [1, 2], dilation: [2, 1] }, true],
      ['groups', [1, 4, 5, 5], [6, 2, 3, 3], { groups: 2, padding: 1 }, false],
      ['depthwise, stride 3', [2, 3, 8, 8], [3, 1, 2, 2], { groups: 3, stride: 3 }, true],
    ];
    for (const [name, xs, ws, opts, bias] of cases) {
      it(name, () => {
        const x = f64(xs);
        const w = f64(ws);
        const b = bias ? f64([ws[0]!]) : null;
        const r = F.resolveConv2dOptions(opts);
        const ref = naiveConv2d(x, w, b, r.stride, r.padding as number[], r.dilation, r.groups);
        const y = F.conv2d(x, w, b, opts);
        expect(y.shape).to.deep.equal(ref.shape);
        expectCloseTo(y, ref.values, 1e-12);
      });
    }
    it("padding 'same' equals the symmetric padding for odd kernels, and keeps H x W for even ones", () => {
      const x = f64([1, 2, 6, 5]);
      const w = f64([3, 2, 3, 5]);
      expectCloseTo(F.conv2d(x, w, null, { padding: 'same' }), list(F.conv2d(x, w, null, { padding: [1, 2] })), 1e-12);
      expect(F.conv2d(x, f64([3, 2, 4, 2]), null, { padding: 'same', dilation: [1, 2] }).shape).to.deep.equal([1, 3, 6, 5]);
    });
  });

  describe('losses', () => {
    it('mse_loss: mean, sum and none', () => {
      const a = f64([2, 3]);
      const b = f64([2, 3]);
      const sq = list(a).map((v, i) => (v - list(b)[i]!) ** 2);
      expectCloseTo(F.mse_loss(a, b, { reduction: 'none' }), sq, 1e-12);
      expectCloseTo(F.mse_loss(a, b, { reduction: 'sum' }), [sq.reduce((s, v) => s + v)], 1e-12);
      expectCloseTo(F.mse_loss(a, b), [sq.reduce((s, v) => s + v) / 6], 1e-12);
    });

    it('mse_loss warns, as PyTorch does, when shapes differ and broadcasting decides', () => {
      const seen: string[] = [];
      const onWarn = (w: Error): void => void seen.push(w.message);
      process.on('warning', onWarn);
      return new Promise<void>((resolve) => {
        F.mse_loss(torch.zeros([3, 1]), torch.zeros([3]));
        setImmediate(() => {
          process.off('warning', onWarn);
          expect(seen.some((m) => /target size \(\[3\]\) that is different to the input size \(\[3, 1\]\)/.test(m))).to.equal(true);
          resolve();
        });
      });
    });

    // Reference: -Σ_i w[y_i]·((1-ε)·logp[i, y_i] + ε/C·Σ_c logp[i, c]) / Σ_i w[y_i] over rows with y_i != ignore_index.
    function refCrossEntropy(x: number[][], y: number[], w: number[] | null, eps: number, ignore: number): number {
      let num = 0;
      let den = 0;
      x.forEach((row, i) => {
        if (y[i] === ignore) return;
        const m = Math.max(...row);
        const lse = m + Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0));
        const logp = row.map((v) => v - lse);
        const C = row.length;
        const wy = w ? w[y[i]!]! : 1;
        const smooth = w ? logp.reduce((s, v, c) => s + w[c]! * v, 0) : logp.reduce((s, v) => s + v, 0);
        num += -((1 - eps) * wy * logp[y[i]!]! + (eps / C) * smooth);
        den += wy;
      });
      return num / den;
    }

    it('cross_entropy with class indices, weight, ignore_index and label_smoothing (float64, 1e-12)', () => {
      const x = f64([6, 4]);
      const rows = [0, 1, 2, 3, 4, 5].map((i) => list(x).slice(i * 4, i * 4 + 4));
      const y = [3, 0, 1, 1, 2, 0];
      const yt = torch.tensor(y);
      expectCloseTo(F.cross_entropy(x, yt), [refCrossEntropy(rows, y, null, 0, -100)], 1e-12);
      const w = [0.5, 2, 1, 3];
      const wt = torch.tensor(w, { dtype: 'float64' });
      expectCloseTo(F.cross_entropy(x, yt, { weight: wt, ignore_index: 1 }), [refCrossEntropy(rows, y, w, 0, 1)], 1e-12);
      expectCloseTo(F.cross_entropy(x, yt, { label_smoothing: 0.2 }), [refCrossEntropy(rows, y, null, 0.2, -100)], 1e-12);
      const none = F.cross_entropy(x, yt, { reduction: 'none' });
      expect(none.shape).to.deep.equal([6]);
      expectCloseTo(F.cross_entropy(x, yt, { reduction: 'sum' }), [list(none).reduce((s, v) => s + v)], 1e-12);
    });

    it('cross_entropy with probability targets, and over extra dims [N, C, d]', () => {
      const x = f64([3, 4]);
      const p = F.softmax(f64([3, 4]), 1);
      const logp = F.log_softmax(x, 1);
      const expected = -list(logp.mul(p)).reduce((s, v) => s + v) / 3;
      expectCloseTo(F.cross_entropy(x, p), [expected], 1e-12);
      const x3 = f64([2, 4, 5]);
      const y3 = torch.randint(0, 4, [2, 5]);
      const flat = F.cross_entropy(x3.permute(0, 2, 1).reshape(10, 4), y3.reshape(10));
      expectCloseTo(F.cross_entropy(x3, y3), list(flat), 1e-12);
    });

    it('nll_loss over log_softmax equals cross_entropy', () => {
      const x = f64([5, 3]);
      const y = torch.tensor([0, 2, 2, 1, 0]);
      expectCloseTo(F.nll_loss(F.log_softmax(x, 1), y), list(F.cross_entropy(x, y)), 1e-12);
    });
  });

  describe('activations and encoding', () => {
    it('softmax / log_softmax along a dim, with a dtype option', () => {
      const x = f64([2, 3]);
      const s = F.softmax(x, -1);
      expectCloseTo(s.sum(1), [1, 1], 1e-12);
      expectCloseTo(F.log_softmax(x, 1).exp(), list(s), 1e-12);
      expect(F.softmax(torch.zeros([2]), 0, { dtype: 'float64' }).dtype).to.equal('float64');
    });

    it('relu, and relu with inplace', () => {
      const x = torch.tensor([-2, 0.5], { dtype: 'float32' });
      expect(list(F.relu(x))).to.deep.equal([0, 0.5]);
      expect(list(x)).to.deep.equal([-2, 0.5]);
      expect(F.relu(x, { inplace: true })).to.equal(x);
      expect(list(x)).to.deep.equal([0, 0.5]);
    });

    it('dropout: p=0 and training=false are the identity; p=1 zeroes; kept values are scaled by 1/(1-p)', () => {
      const x = torch.ones([2000]);
      expect(list(F.dropout(x, 0))).to.deep.equal(list(x));
      expect(list(F.dropout(x, { p: 0.7, training: false }))).to.deep.equal(list(x));
      expect(list(F.dropout(x, 1)).every((v) => v === 0)).to.equal(true);
      const y = list(F.dropout(x, 0.75));
      expect(y.every((v) => v === 0 || v === 4)).to.equal(true);
      expect(y.filter((v) => v === 0).length).to.be.within(1350, 1650);
      const z = torch.ones([10]);
      expect(F.dropout(z, { p: 1, inplace: true })).to.equal(z);
      expect(list(z).every((v) => v === 0)).to.equal(true);
    });

    it('one_hot infers the class count or takes it', () => {
      const t = torch.tensor([0, 2, 1]);
      expect(F.one_hot(t).tolist()).to.deep.equal([
        [1, 0, 0],
        [0, 0, 1],
        [0, 1, 0],
      ]);
      expect(F.one_hot(t, 4).shape).to.deep.equal([3, 4]);
      expect(F.one_hot(t).dtype).to.equal('int64');
    });
  });
});

describe('nn.init', () => {
  it('uniform_ / normal_ fill in place and return the tensor; zeros_ / ones_ / constant_', () => {
    const t = torch.empty([20000]);
    expect(init.uniform_(t, -2, 3)).to.equal(t);
    const u = list(t);
    expect(Math.min(...u)).to.be.at.least(-2);
    expect(Math.max(...u)).to.be.below(3);
    expect(u.reduce((s, v) => s + v) / u.length).to.be.closeTo(0.5, 0.05);
    init.normal_(t, 1, 2);
    const n = list(t);
    const mean = n.reduce((s, v) => s + v) / n.length;
    const sd = Math.sqrt(n.reduce((s, v) => s + (v - mean) ** 2, 0) / n.length);
    expect(mean).to.be.closeTo(1, 0.05);
    expect(sd).to.be.closeTo(2, 0.05);
    expect(list(init.zeros_(torch.ones([3])))).to.deep.equal([0, 0, 0]);
    expect(list(init.ones_(torch.zeros([3])))).to.deep.equal([1, 1, 1]);
    expect(list(init.constant_(torch.zeros([2]), 0.25))).to.deep.equal([0.25, 0.25]);
  });

  it("kaiming_uniform_ / xavier_uniform_ use PyTorch's bounds (bit-exact vs uniform_ with that bound)", () => {
    const shape = [8, 3, 2, 2];
    const fanIn = 3 * 4;
    const fanOut = 8 * 4;
    expect(init._calculate_fan_in_and_fan_out(torch.empty(shape))).to.deep.equal([fanIn, fanOut]);
    const draw = (fill: (t: torch.Tensor) => void): number[] => {
      torch.manual_seed(3);
      const t = torch.empty(shape);
      fill(t);
      return list(t);
    };
    // kaiming: bound = √3 · gain / √fan, gain(relu) = √2; fan_out mode.
    const kb = Math.sqrt(3) * (Math.sqrt(2) / Math.sqrt(fanOut));
    expect(draw((t) => init.kaiming_uniform_(t, { mode: 'fan_out', nonlinearity: 'relu' }))).to.deep.equal(
      draw((t) => init.uniform_(t, -kb, kb)),
    );
    // positional form, leaky_relu with a = 0.2
    const lb = Math.sqrt(3) * (Math.sqrt(2 / (1 + 0.2 ** 2)) / Math.sqrt(fanIn));
    expect(draw((t) => init.kaiming_uniform_(t, 0.2))).to.deep.equal(draw((t) => init.uniform_(t, -lb, lb)));
    // xavier: bound = √3 · gain · √(2 / (fan_in + fan_out))
    const xb = Math.sqrt(3) * (1.5 * Math.sqrt(2 / (fanIn + fanOut)));
    expect(draw((t) => init.xavier_uniform_(t, 1.5))).to.deep.equal(draw((t) => init.uniform_(t, -xb, xb)));
  });

  it('calculate_gain follows PyTorch', () => {
    expect(init.calculate_gain('linear')).to.equal(1);
    expect(init.calculate_gain('sigmoid')).to.equal(1);
    expect(init.calculate_gain('tanh')).to.equal(5 / 3);
    expect(init.calculate_gain('relu')).to.equal(Math.sqrt(2));
    expect(init.calculate_gain('leaky_relu')).to.equal(Math.sqrt(2 / (1 + 0.01 ** 2)));
    expect(init.calculate_gain('leaky_relu', Math.sqrt(5))).to.be.closeTo(Math.sqrt(1 / 3), 1e-15);
  });

  it('initialisers do not record autograd history on Parameters', () => {
    const p = torch.zeros([3, 3], { requires_grad: true });
    init.kaiming_uniform_(p);
    expect(p.is_leaf).to.equal(true);
    expect(p.grad_fn).to.equal(null);
  });
});

describe('nn.functional.max_pool1d: a window longer than the input', () => {
  it('gives the empty result at once (LibTorch takes time in proportion to kernel_size)', () => {
    const t0 = performance.now();
    for (const k of [4, 1e9, 1e12]) expect(F.max_pool1d(torch.ones(2, 3), k).shape).to.deep.equal([2, 0]);
    expect(performance.now() - t0).to.be.below(2000);
    expect(F.max_pool1d(torch.ones(1, 2, 3), 2).shape).to.deep.equal([1, 2, 1]);
  });
});
