// Max pooling with return_indices and max_unpool1d/2d against PyTorch 1.13's values (exact: the
// values are copies of the input, the indices integers; the gradient is a scatter of small integers).
import { expect } from 'chai';
import { nn, torch } from '../lib/index.js';
import * as F from '../lib/nn/functional.js';

// PyTorch: x = (torch.arange(70.) * 37 % 23 / 4).reshape(1, 2, 5, 7) (ties included, so the
// first-max rule is checked too).
const X = Array.from({ length: 70 }, (_, k) => ((k * 37) % 23) / 4);
const x4 = (): torch.Tensor => torch.tensor(X).reshape([1, 2, 5, 7]);
const num = (t: torch.Tensor): number[] => Array.from(t.data() as ArrayLike<number | bigint>, Number);

// F.max_pool2d(x, 3, stride=2, padding=1, return_indices=True)
const POOL2_OUT = [5, 5, 4.75, 5.25, 5, 5, 5.5, 5.25, 4.5, 5, 5, 4.75, 5.25, 5.25, 4.25, 5.5, 4.75, 5.25, 5.25, 5, 5.5, 5.5, 5.25, 4.25];
const POOL2_IDX = [8, 8, 3, 13, 8, 8, 18, 13, 21, 31, 31, 26, 1, 1, 4, 6, 14, 24, 24, 19, 29, 29, 24, 27];
// F.max_unpool2d(out, idx, 3, stride=2, padding=1, output_size=[5, 7]): nonzero entries only.
const UNPOOL2_NZ: Record<number, number> = {
  3: 4.75,
  8: 5,
  13: 5.25,
  18: 5.5,
  21: 4.5,
  26: 4.75,
  31: 5,
  36: 5.25,
  39: 4.25,
  41: 5.5,
  49: 4.75,
  54: 5,
  59: 5.25,
  62: 4.25,
  64: 5.5,
};
// x.view(2, 5, 7)[0] as [C=5, L=7]: F.max_pool1d(., 2, return_indices=True, ceil_mode=True)
const POOL1_OUT = [3.5, 4.75, 2.5, 3.75, 5, 2.75, 4, 5.25, 3, 4.25, 5.5, 1, 4.5, 3.5, 4.75, 2.5, 3.75, 5, 2.75, 4];
const POOL1_IDX = [1, 3, 4, 6, 1, 2, 4, 6, 0, 2, 4, 6, 0, 3, 5, 6, 1, 3, 4, 6];
// max_pool2d(x, 2) with return_indices; grad of sum(out * arange(12)) w.r.t. x: nonzero entries.
const POOL2_GRAD_NZ: Record<number, number> = { 3: 1, 11: 2, 16: 4, 18: 5, 21: 3, 36: 6, 39: 8, 44: 7, 49: 9, 54: 11, 59: 10 };

const dense = (n: number, nz: Record<number, number>): number[] => Array.from({ length: n }, (_, k) => nz[k] ?? 0);

describe('max pooling with return_indices, max_unpool', () => {
  it('F.max_pool2d returns [out, indices] as PyTorch (int64 indices, same out as without)', () => {
    const [out, idx] = F.max_pool2d(x4(), 3, { stride: 2, padding: 1, return_indices: true });
    expect(out.shape).to.deep.equal([1, 2, 3, 4]);
    expect(idx.dtype).to.equal('int64');
    expect(num(out)).to.deep.equal(POOL2_OUT);
    expect(num(idx)).to.deep.equal(POOL2_IDX);
    expect(num(F.max_pool2d(x4(), 3, { stride: 2, padding: 1 }))).to.deep.equal(POOL2_OUT);
  });
  it('F.max_pool1d returns [out, indices] as PyTorch (unbatched, ceil_mode)', () => {
    const x = x4().reshape([2, 5, 7]).select(0, 0);
    const [out, idx] = F.max_pool1d(x, 2, { return_indices: true, ceil_mode: true });
    expect(out.shape).to.deep.equal([5, 4]);
    expect(num(out)).to.deep.equal(POOL1_OUT);
    expect(num(idx)).to.deep.equal(POOL1_IDX);
  });
  it('nn.MaxPool2d / MaxPool1d({return_indices: true}) return the pair; the default returns one tensor', () => {
    const pool = new nn.MaxPool2d(3, { stride: 2, padding: 1, return_indices: true });
    const [out, idx] = pool.forward(x4());
    expect(num(out)).to.deep.equal(POOL2_OUT);
    expect(num(idx)).to.deep.equal(POOL2_IDX);
    expect(new nn.MaxPool2d(3, { stride: 2, padding: 1 }).forward(x4())).to.be.instanceOf(torch.Tensor);
    const [o1, i1] = new nn.MaxPool1d(2, { return_indices: true, ceil_mode: true }).forward(x4().reshape([2, 5, 7]).select(0, 0));
    expect(num(o1)).to.deep.equal(POOL1_OUT);
    expect(num(i1)).to.deep.equal(POOL1_IDX);
    expect(String(pool)).to.equal('MaxPool2d(kernel_size=(3, 3), stride=(2, 2), padding=(1, 1), dilation=(1, 1), ceil_mode=False)');
  });
  it('the output of the indices variant carries the gradient as PyTorch', () => {
    const x = x4().requires_grad_();
    const [out] = F.max_pool2d(x, 2, { return_indices: true });
    out
      .mul(torch.arange(12).reshape([1, 2, 2, 3]).float())
      .sum()
      .backward();
    expect(num(x.grad!)).to.deep.equal(dense(70, POOL2_GRAD_NZ));
  });
  it('F.max_unpool2d / nn.MaxUnpool2d invert the pooling as PyTorch (default and given output_size)', () => {
    const [out, idx] = F.max_pool2d(x4(), 3, { stride: 2, padding: 1, return_indices: true });
    const u = F.max_unpool2d(out, idx, 3, { stride: 2, padding: 1, output_size: [5, 7] });
    expect(u.shape).to.deep.equal([1, 2, 5, 7]);
    expect(num(u)).to.deep.equal(dense(70, UNPOOL2_NZ));
    // Default size (5 - 1)... as PyTorch: (in - 1) * stride - 2 * padding + kernel = 5 x 7 here.
    expect(F.max_unpool2d(out, idx, 3, { stride: 2, padding: 1 }).shape).to.deep.equal([1, 2, 5, 7]);
    const m = new nn.MaxUnpool2d(3, { stride: 2, padding: 1 });
    expect(num(m.forward(out, idx, [1, 2, 5, 7]))).to.deep.equal(dense(70, UNPOOL2_NZ));
    expect(String(m)).to.equal('MaxUnpool2d(kernel_size=(3, 3), stride=(2, 2), padding=(1, 1))');
  });
  it('F.max_unpool1d / nn.MaxUnpool1d invert max_pool1d as PyTorch', () => {
    const x = x4().reshape([2, 5, 7]).select(0, 0);
    const [out, idx] = F.max_pool1d(x, 2, { return_indices: true, ceil_mode: true });
    // PyTorch: F.max_unpool1d(out, idx, 2, output_size=[7])
    const expected = [
      0, 3.5, 0, 4.75, 2.5, 0, 3.75, 0, 5, 2.75, 0, 4, 0, 5.25, 3, 0, 4.25, 0, 5.5, 0, 1, 4.5, 0, 0, 3.5, 0, 4.75, 2.5, 0, 3.75, 0, 5, 2.75,
      0, 4,
    ];
    const u = F.max_unpool1d(out, idx, 2, { output_size: [7] });
    expect(u.shape).to.deep.equal([5, 7]);
    expect(num(u)).to.deep.equal(expected);
    expect(num(new nn.MaxUnpool1d(2).forward(out, idx, [7]))).to.deep.equal(expected);
    expect(String(new nn.MaxUnpool1d(3, { stride: 2 }))).to.equal('MaxUnpool1d(kernel_size=(3,), stride=(2,), padding=(0,))');
  });
  it("bad input gives PyTorch's errors naming the argument", () => {
    const [out, idx] = F.max_pool2d(x4(), 3, { stride: 2, padding: 1, return_indices: true });
    expect(() => F.max_unpool2d(out, idx, 3, { stride: 2, padding: 1, output_size: [9, 7] })).to.throw(
      RangeError,
      'invalid output_size "[9, 7]" (dim 0 must be between 3 and 7)',
    );
    expect(() => F.max_unpool2d(out, idx, 3, { stride: 2, padding: 1, output_size: [5] })).to.throw(
      RangeError,
      "output_size should be a sequence containing 2 or 4 elements, but it has a length of '1'",
    );
    expect(() => F.max_unpool2d(out, idx.float(), 3)).to.throw(TypeError, 'indices must be int64');
    expect(() => F.max_unpool2d(out, idx.select(0, 0), 3)).to.throw(RangeError, 'indices must have the shape of input');
    expect(() => F.max_unpool2d(out, idx.add(100), 3, { stride: 2, padding: 1 })).to.throw(Error);
    expect(() => F.max_pool2d(x4(), 2, { return_indices: 1 as unknown as boolean })).to.throw(TypeError, 'return_indices');
    expect(() => new nn.MaxPool1d(2, { return_indices: 'yes' as unknown as boolean })).to.throw(TypeError, 'return_indices');
    expect(() => new nn.MaxUnpool2d(2, { output_size: [4, 4] } as object)).to.throw(/output_size/);
  });
});
