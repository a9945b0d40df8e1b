// Tensor attributes, data export and PyTorch-style printing. Expected strings are what PyTorch prints
// for the same tensors (torch/_tensor_str.py with default print options).
import { expect } from 'chai';
import { torch } from '../lib/index.js';

describe('torch.Tensor: attributes', () => {
  it('shape, size(dim), dim(), numel() with negative dims', () => {
    const x = torch.zeros(2, 3, 4);
    expect(x.shape).to.deep.equal([2, 3, 4]);
    expect(x.size()).to.deep.equal([2, 3, 4]);
    expect(x.size(1)).to.equal(3);
    expect(x.size(-1)).to.equal(4);
    expect(x.dim()).to.equal(3);
    expect(x.ndim).to.equal(3);
    expect(x.numel()).to.equal(24);
    expect(() => x.size(3)).to.throw(RangeError, /dim.*\[-3, 2\].*3/);
    const s = torch.tensor(5);
    expect(s.shape).to.deep.equal([]);
    expect(s.dim()).to.equal(0);
    expect(s.numel()).to.equal(1);
    expect(() => s.size(0)).to.throw(RangeError, /no dimensions/);
  });

  it('has the eight core dtypes, with PyTorch names and aliases', () => {
    for (const d of ['float32', 'float64', 'float16', 'bfloat16', 'int32', 'int64', 'uint8', 'bool'] as const) {
      const t = torch.zeros([2], { dtype: d });
      expect(t.dtype).to.equal(d);
      expect(t.to('float32').tolist()).to.deep.equal([0, 0]);
    }
    expect(torch.float32).to.equal('float32');
    expect(torch.long).to.equal('int64');
    expect(torch.zeros([1], { dtype: torch.double }).dtype).to.equal('float64');
  });

  it('device is cpu; requires_grad, grad, grad_fn, is_leaf', () => {
    const a = torch.tensor([1, 2], { dtype: 'float32', requires_grad: true });
    expect(a.device).to.equal('cpu');
    expect(a.requires_grad).to.equal(true);
    expect(a.is_leaf).to.equal(true);
    expect(a.grad).to.equal(null);
    expect(a.grad_fn).to.equal(null);
    const b = a.mul(a);
    expect(b.is_leaf).to.equal(false);
    expect(b.grad_fn!.name()).to.match(/MulBackward0$/);
    b.sum().backward();
    expect(a.grad!.tolist()).to.deep.equal([2, 4]); // d(a^2)/da = 2a
  });
});

describe('torch.Tensor: data out', () => {
  it('item() on one-element tensors of any shape; refuses more elements', () => {
    expect(torch.tensor(2.5).item()).to.equal(2.5);
    expect(torch.tensor([[7]]).item()).to.equal(7);
    expect(torch.tensor(true).item()).to.equal(1);
    expect(() => torch.zeros(2).item()).to.throw(RangeError, /2 elements/);
  });

  it('tolist() nests like the shape, booleans stay booleans', () => {
    expect(torch.arange(6).reshape(2, 3).tolist()).to.deep.equal([
      [0, 1, 2],
      [3, 4, 5],
    ]);
    expect(torch.tensor([true, false]).tolist()).to.deep.equal([true, false]);
    expect(torch.tensor(3).tolist()).to.equal(3);
    expect(torch.zeros(0, 2).tolist()).to.deep.equal([]);
  });

  it('data() exports typed arrays per dtype', () => {
    expect(torch.ones(2).data()).to.be.instanceOf(Float32Array);
    expect(torch.ones([2], { dtype: 'float64' }).data()).to.be.instanceOf(Float64Array);
    expect(torch.ones([2], { dtype: 'int32' }).data()).to.be.instanceOf(Int32Array);
    expect(Array.from(torch.tensor([1, -2]).data() as BigInt64Array)).to.deep.equal([1n, -2n]);
    expect(Array.from(torch.tensor([true, false]).data() as Uint8Array)).to.deep.equal([1, 0]);
    // float16 / bfloat16 widen to float32; values representable in both are exact.
    expect(Array.from(torch.tensor([0.5, -2], { dtype: 'bfloat16' }).data() as Float32Array)).to.deep.equal([0.5, -2]);
  });

  it('data() of a non-contiguous view is its elements in logical order', () => {
    const t = torch.arange(6).reshape(2, 3).t();
    expect(Array.from(t.data() as BigInt64Array, Number)).to.deep.equal([0, 3, 1, 4, 2, 5]);
  });

  it('data() is a copy (writes never reach the tensor behind autograd) and stays valid after dispose', () => {
    const t = torch.zeros(4);
    const a = t.data() as Float32Array;
    t.fill_(3);
    expect(Array.from(a)).to.deep.equal([0, 0, 0, 0]);
    a[0] = 7;
    expect(t.tolist()).to.deep.equal([3, 3, 3, 3]);
    const b = t.data() as Float32Array;
    t.dispose();
    expect(Array.from(b)).to.deep.equal([3, 3, 3, 3]);
  });
});

describe('torch.Tensor: toString() prints like PyTorch', () => {
  const cases: [string, () => torch.Tensor, string][] = [
    ['floats', () => torch.tensor([1.5, 2, 3], { dtype: 'float32' }), 'tensor([1.5000, 2.0000, 3.0000])'],
    ['integer-valued floats', () => torch.tensor([1, 2], { dtype: 'float32' }), 'tensor([1., 2.])'],
    ['ints', () => torch.tensor([1, 2, 3]), 'tensor([1, 2, 3])'],
    ['negative ints', () => torch.tensor([-10, 2]), 'tensor([-10,   2])'],
    ['bools', () => torch.tensor([true, false]), 'tensor([ True, False])'],
    ['0-dim float', () => torch.tensor(3.5), 'tensor(3.5000)'],
    ['0-dim zero', () => torch.tensor(0, { dtype: 'float32' }), 'tensor(0.)'],
    ['0-dim bool', () => torch.tensor(true), 'tensor(True)'],
    ['empty', () => torch.tensor([]), 'tensor([])'],
    ['empty 2-d', () => torch.zeros(0, 3), 'tensor([], size=(0, 3))'],
    ['empty int64', () => torch.tensor([], { dtype: 'int64' }), 'tensor([], dtype=torch.int64)'],
    ['scientific', () => torch.tensor([1e-5, 1, 1000]), 'tensor([1.0000e-05, 1.0000e+00, 1.0000e+03])'],
    ['big integer floats', () => torch.tensor([1e10, 1], { dtype: 'float32' }), 'tensor([1.0000e+10, 1.0000e+00])'],
    ['nan with zero', () => torch.tensor([0, NaN], { dtype: 'float32' }), 'tensor([0., nan])'],
    ['inf padded', () => torch.tensor([1.5, -Infinity]), 'tensor([1.5000,   -inf])'],
    ['negative zero', () => torch.tensor([-0, 1.5]), 'tensor([-0.0000, 1.5000])'],
    ['ties round to even', () => torch.tensor([0.03125, 0.09375]), 'tensor([0.0312, 0.0938])'],
    [
      '2-d aligned',
      () =>
        torch.tensor([
          [1.123456, 200.5],
          [3, 4],
        ]),
      'tensor([[  1.1235, 200.5000],\n        [  3.0000,   4.0000]])',
    ],
    ['3-d blank lines', () => torch.zeros(2, 1, 2), 'tensor([[[0., 0.]],\n\n        [[0., 0.]]])'],
    ['dtype suffix', () => torch.tensor([1, 2], { dtype: 'int32' }), 'tensor([1, 2], dtype=torch.int32)'],
    ['float16 suffix', () => torch.ones([3], { dtype: 'float16' }), 'tensor([1., 1., 1.], dtype=torch.float16)'],
    ['float64 suffix', () => torch.tensor([0.5], { dtype: 'float64' }), 'tensor([0.5000], dtype=torch.float64)'],
    ['requires_grad', () => torch.tensor([1, 2], { dtype: 'float32', requires_grad: true }), 'tensor([1., 2.], requires_grad=True)'],
    [
      'wraps at 80 columns',
      () => torch.arange(30),
      'tensor([ 0,  1,  2,  3,  4,  5,  6,  7,  8,  9, 10, 11, 12, 13, 14, 15, 16, 17,\n        18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29])',
    ],
    [
      'summarises over 1000 elements',
      () => torch.arange(2000).float(),
      'tensor([0.0000e+00, 1.0000e+00, 2.0000e+00,  ..., 1.9970e+03, 1.9980e+03,\n        1.9990e+03])',
    ],
    [
      'summarises rows and columns',
      () => torch.arange(2000).reshape(40, 50),
      [
        'tensor([[   0,    1,    2,  ...,   47,   48,   49],',
        '        [  50,   51,   52,  ...,   97,   98,   99],',
        '        [ 100,  101,  102,  ...,  147,  148,  149],',
        '        ...,',
        '        [1850, 1851, 1852,  ..., 1897, 1898, 1899],',
        '        [1900, 1901, 1902,  ..., 1947, 1948, 1949],',
        '        [1950, 1951, 1952,  ..., 1997, 1998, 1999]])',
      ].join('\n'),
    ],
  ];
  for (const [name, make, expected] of cases) {
    it(name, () => expect(make().toString()).to.equal(expected));
  }

  it('grad_fn suffix names the backward node', () => {
    const a = torch.tensor([1, 2], { dtype: 'float32', requires_grad: true });
    expect(a.mul(a).toString()).to.equal('tensor([1., 4.], grad_fn=<MulBackward0>)');
  });

  it('a suffix that would pass 80 columns goes on its own line', () => {
    const t = torch.tensor([1.5, 2.5, 3.5, 4.5, 5.5, 6.5, 7.5, 8.5], { dtype: 'float64', requires_grad: true });
    expect(t.toString()).to.equal(
      'tensor([1.5000, 2.5000, 3.5000, 4.5000, 5.5000, 6.5000, 7.5000, 8.5000],\n       dtype=torch.float64, requires_grad=True)',
    );
  });

  it('String() and template literals use it', () => {
    const t = torch.tensor([1, 2]);
    expect(String(t)).to.equal('tensor([1, 2])');
    expect(`${t}`).to.equal('tensor([1, 2])');
  });
});
