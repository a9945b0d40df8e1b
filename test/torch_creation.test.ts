// Tensor creation: from JS data, factories, *_like, random streams after manual_seed, and options.
import { expect } from 'chai';
import { torch } from '../lib/index.js';

/** Element-wise closeness with an absolute tolerance (stated at each call). */
function expectClose(actual: ArrayLike<number>, expected: number[], tol: number): void {
  expect(actual.length).to.equal(expected.length);
  for (let i = 0; i < expected.length; i++) expect(actual[i]!, `element ${i}`).to.be.closeTo(expected[i]!, tol);
}

describe('torch.tensor and typed-array constructors', () => {
  it('infers int64 / float32 / bool like PyTorch and honours dtype', () => {
    expect(
      torch.tensor([
        [1, 2],
        [3, 4],
      ]).dtype,
    ).to.equal('int64');
    expect(torch.tensor([1, 2.5]).dtype).to.equal('float32');
    expect(torch.tensor([true, false]).dtype).to.equal('bool');
    expect(torch.tensor([1, 2], { dtype: 'float64' }).dtype).to.equal('float64');
    expect(
      torch.tensor([
        [1, 2],
        [3, 4],
      ]).shape,
    ).to.deep.equal([2, 2]);
    expect(torch.tensor(7).shape).to.deep.equal([]);
  });

  it('requires_grad on integer-looking data gives float32 (JS has no 1.0 literal)', () => {
    const t = torch.tensor([1, 2], { requires_grad: true });
    expect(t.dtype).to.equal('float32');
    expect(t.requires_grad).to.equal(true);
    expect(() => torch.tensor([1], { dtype: 'int64', requires_grad: true })).to.throw(TypeError, /floating point/);
  });

  it('copies typed arrays (JS -> tensor copies)', () => {
    const a = new Float32Array([1, 2, 3, 4]);
    const t = torch.tensor(a);
    a[0] = 100;
    expect(t.tolist()).to.deep.equal([1, 2, 3, 4]);
    const m = torch.from_typed_array(new Int32Array([1, 2, 3, 4, 5, 6]), [2, 3]);
    expect(m.dtype).to.equal('int32');
    expect(m.tolist()).to.deep.equal([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(torch.from_typed_array(new BigInt64Array([5n]), [1]).dtype).to.equal('int64');
    expect(torch.from_typed_array(new Float64Array([0.25]), [1], { dtype: 'float32' }).dtype).to.equal('float32');
    expect(() => torch.from_typed_array(new Float32Array(3), [2, 2])).to.throw(RangeError, /4 elements but the array has 3/);
  });

  it('from_buffer reads bytes as the dtype, from an offset view too', () => {
    const f = new Float32Array([0.5, -1.5, 2]);
    expect(torch.from_buffer(f.buffer, { dtype: 'float32' }).tolist()).to.deep.equal([0.5, -1.5, 2]);
    const bytes = new Uint8Array(f.buffer, 4, 8);
    expect(torch.from_buffer(bytes, { dtype: 'float32', shape: [2, 1] }).tolist()).to.deep.equal([[-1.5], [2]]);
    expect(() => torch.from_buffer(new Uint8Array(3), { dtype: 'float32' })).to.throw(RangeError, /multiple/);
  });

  it('rejects ragged arrays, junk elements and NaN in integer dtypes', () => {
    expect(() => torch.tensor([[1, 2], [3]])).to.throw(TypeError, /ragged/);
    expect(() => torch.tensor(['a'] as never)).to.throw(TypeError, /data/);
    expect(() => torch.tensor([NaN], { dtype: 'int64' })).to.throw(TypeError, /NaN/);
    expect(torch.tensor([NaN]).isnan().tolist()).to.deep.equal([true]);
  });
});

describe('torch factories', () => {
  it('zeros / ones / full / empty take sizes as varargs or an array', () => {
    expect(torch.zeros(2, 3).shape).to.deep.equal([2, 3]);
    expect(torch.ones([2], { dtype: 'int32' }).tolist()).to.deep.equal([1, 1]);
    expect(torch.full([2, 2], 7).tolist()).to.deep.equal([
      [7, 7],
      [7, 7],
    ]);
    expect(torch.full([2], 7).dtype).to.equal('float32');
    expect(torch.full([1], true).dtype).to.equal('bool');
    expect(torch.full([1], NaN).isnan().item()).to.equal(1);
    expect(torch.empty(3, 4).shape).to.deep.equal([3, 4]);
    expect(torch.zeros().shape).to.deep.equal([]);
  });

  it('eye, arange, linspace', () => {
    expect(torch.eye(2).tolist()).to.deep.equal([
      [1, 0],
      [0, 1],
    ]);
    expect(torch.eye(2, 3).tolist()).to.deep.equal([
      [1, 0, 0],
      [0, 1, 0],
    ]);
    expect(torch.arange(5).tolist()).to.deep.equal([0, 1, 2, 3, 4]);
    expect(torch.arange(5).dtype).to.equal('int64');
    expect(torch.arange(1, 2, 0.25).tolist()).to.deep.equal([1, 1.25, 1.5, 1.75]);
    expect(torch.arange(1, 2, 0.25).dtype).to.equal('float32');
    expect(torch.arange(5, 0, -2).tolist()).to.deep.equal([5, 3, 1]);
    expectClose(torch.linspace(0, 1, 5).data() as Float32Array, [0, 0.25, 0.5, 0.75, 1], 1e-7);
    expect(() => torch.arange(0, 1, 0)).to.throw(RangeError, /step/);
  });

  it('*_like keep shape and dtype unless told otherwise', () => {
    const x = torch.zeros([2, 3], { dtype: 'float64' });
    expect(torch.ones_like(x).dtype).to.equal('float64');
    expect(torch.ones_like(x).shape).to.deep.equal([2, 3]);
    expect(torch.zeros_like(x, { dtype: 'int32' }).dtype).to.equal('int32');
    expect(torch.full_like(x, 2).tolist()).to.deep.equal([
      [2, 2, 2],
      [2, 2, 2],
    ]);
    expect(torch.empty_like(x).shape).to.deep.equal([2, 3]);
    expect(torch.rand_like(x).dtype).to.equal('float64');
    expect(torch.randn_like(x).shape).to.deep.equal([2, 3]);
  });

  it('dtype / device / requires_grad options are checked by name', () => {
    const t = torch.zeros([2], { dtype: 'float64', device: 'cpu', requires_grad: true });
    expect([t.dtype, t.device, t.requires_grad]).to.deep.equal(['float64', 'cpu', true]);
    expect(() => torch.zeros([2], { dtype: 'float' + '33' } as never)).to.throw(
      TypeError,
      /Expected a dtype .* for dtype but received "float33"/,
    );
    expect(() => torch.zeros([2], { device: 'gpu' })).to.throw(TypeError, /device/);
    expect(() => torch.zeros([2], { requires_grd: true } as never)).to.throw(TypeError, /Unknown option 'requires_grd'/);
  });

  it('rejects negative, NaN and absurd sizes before LibTorch', () => {
    expect(() => torch.zeros(-1)).to.throw(TypeError, /size.*-1/);
    expect(() => torch.zeros(NaN)).to.throw(TypeError, /size/);
    expect(() => torch.ones(1.5)).to.throw(TypeError, /size/);
    expect(() => torch.zeros(1e12)).to.throw(RangeError, /memory/);
    expect(() => torch.empty(1e6, 1e6)).to.throw(RangeError, /memory/);
    expect(() => torch.full([2 ** 45], 1)).to.throw(RangeError);
    expect(() => torch.eye(1e7)).to.throw(RangeError, /memory/);
    expect(() => torch.arange(1e13)).to.throw(RangeError, /memory/);
    expect(() => torch.linspace(0, 1, 1e12)).to.throw(RangeError, /memory/);
    expect(() => torch.randperm(1e12)).to.throw(RangeError, /memory/);
    expect(() => torch.linspace(0, NaN, 3)).to.throw(TypeError, /end/);
  });
});

describe("random numbers follow LibTorch's generator after manual_seed", () => {
  // LibTorch's CPU generator (mt19937 + PyTorch's transforms) is the one Python's torch uses, so
  // these are PyTorch's own values for torch.manual_seed(0); torch.rand(3) / torch.randn(3).
  it("rand and randn match PyTorch's CPU stream (tolerance 1e-6)", () => {
    torch.manual_seed(0);
    expectClose(torch.rand(3).data() as Float32Array, [0.4962566, 0.7682218, 0.0884774], 1e-6);
    torch.manual_seed(0);
    expectClose(torch.randn(3).data() as Float32Array, [1.5409961, -0.2934289, -2.1787894], 1e-6);
  });

  it('the same seed gives the same values for every random factory', () => {
    const draw = (): number[][] => [
      Array.from(torch.rand(5).data() as Float32Array),
      Array.from(torch.randn(5).data() as Float32Array),
      Array.from(torch.randint(0, 10, [8]).data() as BigInt64Array, Number),
      Array.from(torch.randperm(8).data() as BigInt64Array, Number),
      Array.from(torch.bernoulli(torch.full([8], 0.5)).data() as Float32Array),
      Array.from(torch.rand_like(torch.zeros(3)).data() as Float32Array),
    ];
    torch.manual_seed(1234);
    const a = draw();
    torch.manual_seed(1234);
    const b = draw();
    expect(a).to.deep.equal(b);
    torch.manual_seed(4321);
    expect(draw()).to.not.deep.equal(a);
  });

  it('randint, randperm and bernoulli have the right ranges and kinds', () => {
    torch.manual_seed(0);
    const r = torch.randint(3, 7, [1000]);
    expect(r.dtype).to.equal('int64');
    expect(r.min().item()).to.be.at.least(3);
    expect(r.max().item()).to.be.at.most(6);
    expect(torch.randint(5, [2, 2]).shape).to.deep.equal([2, 2]);
    const p = torch.randperm(50);
    expect(Array.from(p.data() as BigInt64Array, Number).sort((x, y) => x - y)).to.deep.equal([...Array(50).keys()]);
    const b = torch.bernoulli(torch.tensor([0, 1, 0, 1], { dtype: 'float32' }));
    expect(b.tolist()).to.deep.equal([0, 1, 0, 1]); // p = 0 and p = 1 are certain
    expect(torch.bernoulli(torch.zeros(1000), 0.5).mean().item()).to.be.closeTo(0.5, 0.1); // 1000 draws: 0.5 +- 6 sigma
    expect(() => torch.randint(5, 5, [1])).to.throw(RangeError, /high/);
    expect(() => torch.bernoulli(torch.zeros(2), 1.5)).to.throw(RangeError, /p/);
  });
});
