// The foundation slice, end to end: creation, a few ops, autograd, export, config, errors.
import { expect } from 'chai';
import { torch } from '../lib/index.js';

describe('torch: the first slice', () => {
  it('creates tensors from nested arrays with dtype and requires_grad', () => {
    const a = torch.tensor(
      [
        [1, 2],
        [3, 4],
      ],
      { dtype: 'float32', requires_grad: true },
    );
    expect(a.shape).to.deep.equal([2, 2]);
    expect(a.dtype).to.equal('float32');
    expect(a.requires_grad).to.equal(true);
    expect(a.tolist()).to.deep.equal([
      [1, 2],
      [3, 4],
    ]);
    expect(torch.tensor([3, 5, 0, 8]).dtype).to.equal('int64');
    expect(torch.tensor([0.5, 1]).dtype).to.equal('float32');
  });

  it('zeros, ones, rand', () => {
    expect(torch.zeros(2, 3).tolist()).to.deep.equal([
      [0, 0, 0],
      [0, 0, 0],
    ]);
    expect(torch.ones([2])).to.satisfy((t: torch.Tensor) => t.tolist().toString() === '1,1');
    const r = torch.rand(1000);
    const v = Array.from(r.data() as Float32Array);
    expect(Math.min(...v)).to.be.at.least(0);
    expect(Math.max(...v)).to.be.below(1);
    expect(r.mean().item()).to.be.closeTo(0.5, 0.05);
  });

  it('add, mul, matmul, sum against hand-computed values', () => {
    const a = torch.tensor(
      [
        [1, 2],
        [3, 4],
      ],
      { dtype: 'float32' },
    );
    const b = torch.tensor(
      [
        [5, 6],
        [7, 8],
      ],
      { dtype: 'float32' },
    );
    expect(a.add(b).tolist()).to.deep.equal([
      [6, 8],
      [10, 12],
    ]);
    expect(a.add(1).tolist()).to.deep.equal([
      [2, 3],
      [4, 5],
    ]);
    expect(a.mul(b).tolist()).to.deep.equal([
      [5, 12],
      [21, 32],
    ]);
    expect(a.matmul(b).tolist()).to.deep.equal([
      [19, 22],
      [43, 50],
    ]);
    expect(a.sum().item()).to.equal(10);
    expect(a.sum(0).tolist()).to.deep.equal([4, 6]);
    expect(torch.matmul(a, b).tolist()).to.deep.equal([
      [19, 22],
      [43, 50],
    ]);
  });

  it('backward fills .grad (d/dA sum(A @ A) computed by hand)', () => {
    const a = torch.tensor(
      [
        [1, 2],
        [3, 4],
      ],
      { dtype: 'float32', requires_grad: true },
    );
    a.matmul(a).sum().backward();
    // d/dA_ij sum(A A) = sum_k A_jk + sum_k A_ki
    expect(a.grad!.tolist()).to.deep.equal([
      [1 + 2 + 1 + 3, 3 + 4 + 1 + 3],
      [1 + 2 + 2 + 4, 3 + 4 + 2 + 4],
    ]);
  });

  it('__config__ reports LibTorch version, CUDA and threads', () => {
    const c = torch.__config__();
    expect(c.libtorch_version).to.match(/^\d+\.\d+/);
    expect(c.cuda_available).to.be.a('boolean');
    expect(c.num_threads).to.be.a('number').and.to.be.at.least(1);
  });

  it('a LibTorch error arrives as an Error with its message and the process survives', () => {
    const a = torch.zeros(2, 2);
    expect(() => a.matmul(torch.zeros(3, 3))).to.throw(Error, /mat1 and mat2 shapes cannot be multiplied \(2x2 and 3x3\)/);
    expect(a.add(1).sum().item()).to.equal(4);
  });
});
