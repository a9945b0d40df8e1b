// Ops as Tensor methods and torch.* functions, against values computed by hand. Float results are
// compared with an absolute tolerance of 1e-6 (float32) unless the values are exact in binary.
import { expect } from 'chai';
import { nn, torch } from '../lib/index.js';

const TOL = 1e-6;
function close(t: torch.Tensor, expected: number[], tol = TOL): void {
  const a = Array.from(t.data() as ArrayLike<number | bigint>, Number);
  expect(a.length).to.equal(expected.length);
  for (let i = 0; i < a.length; i++) expect(a[i]!, `element ${i}`).to.be.closeTo(expected[i]!, tol);
}
const f32 = (data: torch.NestedList): torch.Tensor => torch.tensor(data, { dtype: 'float32' });

describe('torch ops: present as methods and as torch.* functions', () => {
  const both = [
    'add',
    'sub',
    'mul',
    'div',
    'neg',
    'pow',
    'exp',
    'log',
    'abs',
    'sqrt',
    'sign',
    'clamp',
    'floor',
    'round',
    'sigmoid',
    'tanh',
    'relu',
    'atan',
    'softmax',
    'log_softmax',
    'sum',
    'mean',
    'std',
    'var',
    'max',
    'min',
    'argmax',
    'argmin',
    'prod',
    'any',
    'all',
    'eq',
    'ne',
    'gt',
    'ge',
    'lt',
    'le',
    'where',
    'masked_fill',
    'matmul',
    'mm',
    'bmm',
    't',
    'reshape',
    'flatten',
    'squeeze',
    'unsqueeze',
    'permute',
    'transpose',
    'split',
    'chunk',
    'select',
    'narrow',
    'index_select',
    'gather',
    'scatter',
    'clone',
    'detach',
  ] as const;
  const methodsOnly = [
    'view',
    'expand',
    'repeat',
    'contiguous',
    'to',
    'cpu',
    'cuda',
    'slice',
    'index',
    'add_',
    'mul_',
    'zero_',
    'fill_',
    'copy_',
    'clamp_',
    'requires_grad_',
    'item',
    'tolist',
    'data',
  ] as const;
  const functionsOnly = ['cat', 'stack', 'one_hot', 'tensor', 'no_grad', 'tidy'] as const;
  it('every listed op is a Tensor method and a torch function (PyTorch has both)', () => {
    const proto = torch.Tensor.prototype as unknown as Record<string, unknown>;
    const ns = torch as unknown as Record<string, unknown>;
    for (const n of both) {
      expect(typeof proto[n], `Tensor.${n}`).to.equal('function');
      expect(typeof ns[n], `torch.${n}`).to.equal('function');
    }
    for (const n of methodsOnly) expect(typeof proto[n], `Tensor.${n}`).to.equal('function');
    for (const n of functionsOnly) expect(typeof ns[n], `torch.${n}`).to.equal('function');
    expect(typeof torch.var).to.equal('function');
  });
});

describe('torch ops: arithmetic with broadcasting and scalars', () => {
  const a = f32([
    [1, 2, 3],
    [4, 5, 6],
  ]);
  const row = f32([10, 20, 30]);
  it('add / sub / mul / div broadcast a row and a scalar', () => {
    expect(a.add(row).tolist()).to.deep.equal([
      [11, 22, 33],
      [14, 25, 36],
    ]);
    expect(torch.add(a, 1, { alpha: 1 }).tolist()).to.deep.equal([
      [2, 3, 4],
      [5, 6, 7],
    ]);
    expect(a.add(row, { alpha: 2 }).tolist()).to.deep.equal([
      [21, 42, 63],
      [24, 45, 66],
    ]);
    expect(a.sub(row).tolist()).to.deep.equal([
      [-9, -18, -27],
      [-6, -15, -24],
    ]);
    expect(torch.mul(a, 2).tolist()).to.deep.equal([
      [2, 4, 6],
      [8, 10, 12],
    ]);
    expect(a.div(f32([[2], [4]])).tolist()).to.deep.equal([
      [0.5, 1, 1.5],
      [1, 1.25, 1.5],
    ]);
    expect(torch.tensor([7, -7]).div(2, { rounding_mode: 'floor' }).tolist()).to.deep.equal([3, -4]);
    expect(torch.tensor([7, -7]).div(2, { rounding_mode: 'trunc' }).tolist()).to.deep.equal([3, -3]);
    expect(torch.tensor([1, 2]).div(2).dtype).to.equal('float32'); // true division, as in PyTorch
  });
  it('an int tensor with an int scalar stays int64; with a float scalar becomes float32', () => {
    expect(torch.tensor([1, 2]).add(3).dtype).to.equal('int64');
    expect(torch.tensor([1, 2]).mul(0.5).dtype).to.equal('float32');
  });
  it('neg, pow, exp, log, abs, sqrt, sign, floor, round, clamp', () => {
    const x = f32([-1.5, 0, 2.5, 4]);
    expect(x.neg().tolist()).to.deep.equal([1.5, -0, -2.5, -4]);
    expect(x.pow(2).tolist()).to.deep.equal([2.25, 0, 6.25, 16]);
    expect(torch.pow(f32([2, 3]), f32([3, 2])).tolist()).to.deep.equal([8, 9]);
    close(torch.exp(f32([0, 1])), [1, Math.E]);
    close(f32([1, Math.E]).log(), [0, 1]);
    expect(x.abs().tolist()).to.deep.equal([1.5, 0, 2.5, 4]);
    expect(torch.sqrt(f32([4, 9])).tolist()).to.deep.equal([2, 3]);
    expect(x.sign().tolist()).to.deep.equal([-1, 0, 1, 1]);
    expect(x.floor().tolist()).to.deep.equal([-2, 0, 2, 4]);
    expect(torch.round(f32([0.5, 1.5, 2.5, -0.5])).tolist()).to.deep.equal([0, 2, 2, -0]); // half to even
    expect(x.clamp(-1, 3).tolist()).to.deep.equal([-1, 0, 2.5, 3]);
    expect(x.clamp({ min: 0 }).tolist()).to.deep.equal([0, 0, 2.5, 4]);
    expect(torch.clamp(x, null, 1).tolist()).to.deep.equal([-1.5, 0, 1, 1]);
    expect(() => x.clamp()).to.throw(TypeError, /min and max/);
  });
});

describe('torch ops: activations', () => {
  const x = f32([-2, 0, 2]);
  it('sigmoid, tanh, relu, atan', () => {
    close(
      x.sigmoid(),
      [-2, 0, 2].map((v) => 1 / (1 + Math.exp(-v))),
    );
    close(torch.tanh(x), [-2, 0, 2].map(Math.tanh));
    expect(x.relu().tolist()).to.deep.equal([0, 0, 2]);
    close(torch.atan(x), [-2, 0, 2].map(Math.atan));
  });
  it('softmax and log_softmax along a dim', () => {
    const l = f32([
      [1, 2, 3],
      [1, 1, 1],
    ]);
    const e = [1, 2, 3].map(Math.exp);
    const z = e.reduce((p, q) => p + q);
    close(l.softmax(1), [...e.map((v) => v / z), 1 / 3, 1 / 3, 1 / 3]);
    close(torch.log_softmax(l, -1), [...[1, 2, 3].map((v) => v - Math.log(z)), -Math.log(3), -Math.log(3), -Math.log(3)], 1e-5);
    close(l.softmax(0), [0.5, 1 / (1 + Math.exp(-1)), 1 / (1 + Math.exp(-2)), 0.5, 1 / (1 + Math.exp(1)), 1 / (1 + Math.exp(2))]);
  });
});

describe('torch ops: reductions with dims and keepdim', () => {
  const a = f32([
    [1, 2, 3],
    [4, 5, 6],
  ]);
  it('sum, mean, prod', () => {
    expect(a.sum().item()).to.equal(21);
    expect(a.sum(0).tolist()).to.deep.equal([5, 7, 9]);
    expect(torch.sum(a, 1, true).tolist()).to.deep.equal([[6], [15]]);
    expect(a.sum([0, 1]).item()).to.equal(21);
    expect(a.mean(-1).tolist()).to.deep.equal([2, 5]);
    expect(a.prod().item()).to.equal(720);
    expect(torch.prod(a, 1).tolist()).to.deep.equal([6, 120]);
  });
  it('std and var are unbiased by default', () => {
    // [1..6]: mean 3.5, sum of squares of deviations 17.5; var = 17.5/5, biased 17.5/6
    close(a.var(), [3.5]);
    close(torch.var(a, null, false), [17.5 / 6]);
    close(a.std(), [Math.sqrt(3.5)]);
    close(a.std(1, true, true), [1, 1]);
    expect(a.std(1, true, true).shape).to.deep.equal([2, 1]);
  });
  it('max / min / argmax / argmin', () => {
    expect(a.max().item()).to.equal(6);
    const [v, i] = a.max(1);
    expect(v.tolist()).to.deep.equal([3, 6]);
    expect(i.tolist()).to.deep.equal([2, 2]);
    const [mv, mi] = torch.min(a, 0, true);
    expect(mv.tolist()).to.deep.equal([[1, 2, 3]]);
    expect(mi.tolist()).to.deep.equal([[0, 0, 0]]);
    expect(torch.max(a, f32([3, 3, 3])).tolist()).to.deep.equal([
      [3, 3, 3],
      [4, 5, 6],
    ]);
    expect(a.argmax().item()).to.equal(5);
    expect(torch.argmin(a, 1).tolist()).to.deep.equal([0, 0]);
  });
  it('any / all', () => {
    const b = torch.tensor([
      [true, false],
      [false, false],
    ]);
    expect(b.any().item()).to.equal(1);
    expect(b.all().item()).to.equal(0);
    expect(torch.any(b, 1).tolist()).to.deep.equal([true, false]);
    expect(
      torch
        .all(
          torch.tensor([
            [true, true],
            [true, false],
          ]),
          0,
          true,
        )
        .tolist(),
    ).to.deep.equal([[true, false]]);
  });
  it('out-of-range dims name the argument and the range', () => {
    expect(() => a.sum(2)).to.throw(RangeError, /Expected a dim in \[-2, 1\] for dim but received 2/);
    expect(() => a.softmax(-3)).to.throw(RangeError, /dim/);
  });
});

describe('torch ops: comparisons, where, masked_fill', () => {
  const x = f32([1, 2, 3]);
  it('eq ne gt ge lt le give bool tensors', () => {
    expect(x.eq(2).tolist()).to.deep.equal([false, true, false]);
    expect(torch.ne(x, f32([1, 0, 3])).tolist()).to.deep.equal([false, true, false]);
    expect(x.gt(2).tolist()).to.deep.equal([false, false, true]);
    expect(x.ge(2).tolist()).to.deep.equal([false, true, true]);
    expect(torch.lt(x, 2).tolist()).to.deep.equal([true, false, false]);
    expect(x.le(f32([[0], [3]])).tolist()).to.deep.equal([
      [false, false, false],
      [true, true, true],
    ]);
    expect(x.gt(2).dtype).to.equal('bool');
  });
  it('where with tensors and scalars; masked_fill', () => {
    const c = x.gt(1);
    expect(torch.where(c, x, 0).tolist()).to.deep.equal([0, 2, 3]);
    expect(torch.where(c, 1, f32([7, 8, 9])).tolist()).to.deep.equal([7, 1, 1]);
    expect(x.where(c, -1).tolist()).to.deep.equal([-1, 2, 3]);
    expect(x.masked_fill(c, 0).tolist()).to.deep.equal([1, 0, 0]);
    expect(torch.masked_fill(x, c.logical_not(), NaN).isnan().tolist()).to.deep.equal([true, false, false]);
  });
});

describe('torch ops: linear algebra', () => {
  it('matmul, mm, bmm, t', () => {
    const a = f32([
      [1, 2],
      [3, 4],
    ]);
    const b = f32([
      [5, 6],
      [7, 8],
    ]);
    expect(a.mm(b).tolist()).to.deep.equal([
      [19, 22],
      [43, 50],
    ]);
    expect(torch.matmul(a, f32([1, 1])).tolist()).to.deep.equal([3, 7]);
    expect(a.t().tolist()).to.deep.equal([
      [1, 3],
      [2, 4],
    ]);
    expect(torch.t(f32([1, 2])).tolist()).to.deep.equal([1, 2]);
    const batch = torch.stack([a, b]);
    expect(torch.bmm(batch, torch.stack([b, a])).tolist()).to.deep.equal([
      [
        [19, 22],
        [43, 50],
      ],
      [
        [23, 34],
        [31, 46],
      ],
    ]);
    expect(() => a.mm(f32([[1, 2, 3]]))).to.throw(Error, /shapes cannot be multiplied/);
    expect(() => batch.t()).to.throw(RangeError, /<= 2 dims/);
  });
});

describe('torch ops: shape', () => {
  const a = torch.arange(6);
  it('reshape / view with -1, flatten, squeeze, unsqueeze', () => {
    expect(a.reshape(2, -1).shape).to.deep.equal([2, 3]);
    expect(a.view([3, 2]).tolist()).to.deep.equal([
      [0, 1],
      [2, 3],
      [4, 5],
    ]);
    expect(torch.flatten(a.reshape(1, 2, 3)).shape).to.deep.equal([6]);
    expect(a.reshape(1, 2, 3).flatten(1).shape).to.deep.equal([1, 6]);
    expect(a.reshape(1, 6, 1).squeeze().shape).to.deep.equal([6]);
    expect(a.reshape(1, 6, 1).squeeze(0).shape).to.deep.equal([6, 1]);
    expect(a.unsqueeze(0).shape).to.deep.equal([1, 6]);
    expect(torch.unsqueeze(a, -1).shape).to.deep.equal([6, 1]);
    expect(() => a.view(4, 2)).to.throw(Error, /invalid for input of size 6/);
  });
  it('permute, transpose, expand, repeat, contiguous', () => {
    const m = a.reshape(1, 2, 3);
    expect(m.permute(2, 0, 1).shape).to.deep.equal([3, 1, 2]);
    expect(torch.permute(m, [2, 0, 1]).tolist()).to.deep.equal([[[0, 3]], [[1, 4]], [[2, 5]]]);
    const tr = torch.transpose(m, 1, 2);
    expect(tr.shape).to.deep.equal([1, 3, 2]);
    expect(tr.is_contiguous()).to.equal(false);
    expect(tr.contiguous().is_contiguous()).to.equal(true);
    expect(torch.tensor([1, 2]).expand(2, -1).tolist()).to.deep.equal([
      [1, 2],
      [1, 2],
    ]);
    expect(torch.tensor([1, 2]).repeat(2, 2).tolist()).to.deep.equal([
      [1, 2, 1, 2],
      [1, 2, 1, 2],
    ]);
    expect(() => m.permute(0, 1)).to.throw(RangeError, /3 dims/);
  });
  it('cat, stack, split, chunk', () => {
    const x = torch.tensor([[1, 2]]);
    const y = torch.tensor([[3, 4]]);
    expect(torch.cat([x, y]).tolist()).to.deep.equal([
      [1, 2],
      [3, 4],
    ]);
    expect(torch.cat([x, y], 1).tolist()).to.deep.equal([[1, 2, 3, 4]]);
    expect(torch.stack([x, y], 1).shape).to.deep.equal([1, 2, 2]);
    expect(a.split(4).map((t) => t.tolist())).to.deep.equal([
      [0, 1, 2, 3],
      [4, 5],
    ]);
    expect(torch.split(a, [1, 5]).map((t) => t.numel())).to.deep.equal([1, 5]);
    expect(a.chunk(3).map((t) => t.tolist())).to.deep.equal([
      [0, 1],
      [2, 3],
      [4, 5],
    ]);
    expect(() => torch.cat([x, torch.zeros(1, 3)])).to.throw(Error, /Sizes of tensors must match/);
    expect(() => torch.cat([])).to.throw(TypeError, /non-empty array/);
  });
});

describe('torch ops: indexing', () => {
  const m = torch.arange(12).reshape(3, 4);
  it('select, narrow, index_select, gather, scatter', () => {
    expect(m.select(0, 1).tolist()).to.deep.equal([4, 5, 6, 7]);
    expect(m.select(1, -1).tolist()).to.deep.equal([3, 7, 11]);
    expect(torch.narrow(m, 1, 1, 2).tolist()).to.deep.equal([
      [1, 2],
      [5, 6],
      [9, 10],
    ]);
    expect(m.index_select(0, torch.tensor([2, 0])).tolist()).to.deep.equal([
      [8, 9, 10, 11],
      [0, 1, 2, 3],
    ]);
    expect(m.gather(1, torch.tensor([[0], [1], [3]])).tolist()).to.deep.equal([[0], [5], [11]]);
    const z = torch.zeros(2, 3);
    expect(z.scatter(1, torch.tensor([[2], [0]]), 1).tolist()).to.deep.equal([
      [0, 0, 1],
      [1, 0, 0],
    ]);
    expect(torch.scatter(z, 0, torch.tensor([[1, 0, 1]]), f32([[5, 6, 7]])).tolist()).to.deep.equal([
      [0, 6, 0],
      [5, 0, 7],
    ]);
    expect(() => m.select(0, 3)).to.throw(Error, /out of range/);
    expect(() => m.index_select(0, torch.tensor([5]))).to.throw(Error);
  });
  it('slice and the index() helper (Python slicing)', () => {
    expect(m.slice(1, 1, null, 2).tolist()).to.deep.equal([
      [1, 3],
      [5, 7],
      [9, 11],
    ]);
    expect(m.index(0, [1, 3]).tolist()).to.deep.equal([1, 2]); // m[0, 1:3]
    expect(m.index(null, -1).tolist()).to.deep.equal([3, 7, 11]); // m[:, -1]
    expect(m.index([null, null, 2], torch.tensor([0, 3])).tolist()).to.deep.equal([
      [0, 3],
      [8, 11],
    ]); // m[::2][:, [0, 3]]
  });
  it('one_hot', () => {
    expect(torch.one_hot(torch.tensor([0, 2]), 3).tolist()).to.deep.equal([
      [1, 0, 0],
      [0, 0, 1],
    ]);
    expect(torch.one_hot(torch.tensor([1])).tolist()).to.deep.equal([[0, 1]]);
  });
  it('torch.one_hot checks its input as nn.functional.one_hot does (they are one function)', () => {
    expect(torch.one_hot).to.equal(nn.functional.one_hot);
    expect(() => torch.one_hot(torch.tensor([0.5], { dtype: 'float32' }))).to.throw(
      TypeError,
      /one_hot is only applicable to int64 index tensors/,
    );
    expect(() => torch.one_hot(torch.tensor([0, 1], { dtype: 'int32' }), 2)).to.throw(TypeError, /int64/);
    expect(() => torch.one_hot(torch.tensor([0, 3]), 2)).to.throw(Error, /num_classes/);
    expect(() => torch.one_hot([0, 1] as unknown as torch.Tensor)).to.throw(TypeError, /tensor/);
  });
});

describe('torch ops: conversion and copies', () => {
  it('to(dtype), to(tensor), to({dtype}), cpu(), clone(), detach()', () => {
    const x = f32([1.7, -1.7]);
    expect(x.to('int32').tolist()).to.deep.equal([1, -1]);
    expect(x.to(torch.zeros([1], { dtype: 'float64' })).dtype).to.equal('float64');
    expect(x.to({ dtype: 'bool' }).tolist()).to.deep.equal([true, true]);
    expect(x.cpu().device).to.equal('cpu');
    const c = x.clone();
    c.fill_(0);
    close(x, [1.7, -1.7]);
    const r = f32([1]).requires_grad_();
    const d = r.detach();
    expect(d.requires_grad).to.equal(false);
    d.fill_(5); // detach shares storage
    expect(r.item()).to.equal(5);
  });
  it('in-place variants change the tensor and return it', () => {
    const x = f32([1, 2]);
    expect(x.add_(1)).to.equal(x);
    expect(x.tolist()).to.deep.equal([2, 3]);
    x.mul_(f32([2, 3]));
    expect(x.tolist()).to.deep.equal([4, 9]);
    x.clamp_(5, null);
    expect(x.tolist()).to.deep.equal([5, 9]);
    x.copy_(f32([7, 8]));
    expect(x.tolist()).to.deep.equal([7, 8]);
    x.fill_(3);
    expect(x.tolist()).to.deep.equal([3, 3]);
    x.zero_();
    expect(x.tolist()).to.deep.equal([0, 0]);
    expect(x.requires_grad_().requires_grad).to.equal(true);
    expect(() => x.add_(1)).to.throw(Error, /leaf Variable that requires grad/);
  });
});
