// Inputs that are easy to answer silently wrong: each gets PyTorch 1.13's answer or a clear error.
import { expect } from 'chai';
import { torch, nn, optim, snn } from '../lib/index.js';

describe('silent answers: p.grad = t is checked as in PyTorch', () => {
  it("a grad of another shape, dtype or of itself is refused with PyTorch's message", () => {
    const p = torch.zeros([3, 4], { requires_grad: true });
    expect(() => (p.grad = torch.ones(4))).to.throw(
      RangeError,
      /assigned grad has data of a different size: the grad has shape \[4\] but the tensor has shape \[3, 4\]/,
    );
    expect(() => (p.grad = torch.ones(3, 4).gt(0))).to.throw(
      TypeError,
      /assigned grad has data of a different type: the grad is bool on cpu but the tensor is float32 on cpu/,
    );
    expect(() => (p.grad = torch.ones([3, 4], { dtype: 'int64' }))).to.throw(TypeError, /different type/);
    expect(() => (p.grad = torch.ones([3, 4], { dtype: 'float64' }))).to.throw(TypeError, /different type/);
    expect(() => (p.grad = p)).to.throw(Error, /can't assign a tensor as its own grad/);
    expect(p.grad).to.equal(null);
    p.grad = torch.full([3, 4], 2);
    expect(p.grad!.sum().item()).to.equal(24);
    p.grad = null;
    expect(p.grad).to.equal(null);
  });

  it('so SGD and Adam never broadcast a wrong grad into a parameter', () => {
    const w = new nn.Parameter(torch.zeros(3, 4));
    const opt = new optim.SGD([w], { lr: 1 });
    expect(() => (w.grad = torch.ones(4))).to.throw(RangeError);
    opt.step();
    expect(w.sum().item()).to.equal(0);
  });
});

describe('silent answers: torch.tensor(data, {dtype}) converts like PyTorch or refuses', () => {
  it("out-of-range integers are refused with PyTorch's overflow message", () => {
    expect(() => torch.tensor([300], { dtype: 'uint8' })).to.throw(
      RangeError,
      /value 300 at data index 0 cannot be converted to type uint8 without overflow/,
    );
    expect(() => torch.tensor([1, 2 ** 31], { dtype: 'int32' })).to.throw(
      RangeError,
      /value 2147483648 at data index 1 cannot be converted to type int32/,
    );
    expect(() => torch.tensor([200], { dtype: 'int8' })).to.throw(RangeError, /int8/);
    expect(() => torch.tensor([40000], { dtype: 'int16' })).to.throw(RangeError, /int16/);
    expect(() => torch.tensor([2 ** 63], { dtype: 'int64' })).to.throw(RangeError, /int64/);
    expect(() => torch.tensor([Infinity], { dtype: 'int32' })).to.throw(RangeError, /Infinity/);
    expect(() => torch.tensor([300.5], { dtype: 'uint8' })).to.throw(RangeError, /300.5/);
    expect(() => torch.tensor([-1.5], { dtype: 'uint8' })).to.throw(RangeError, /-1.5/);
  });

  it("what PyTorch accepts gives PyTorch's values", () => {
    // torch 1.13: tensor([-1], dtype=uint8) -> 255; [0.5] as bool -> True; [1.5] as int64 -> 1; [-2.7] as int32 -> -2
    expect(torch.tensor([-1, 255], { dtype: 'uint8' }).tolist()).to.deep.equal([255, 255]);
    expect(torch.tensor([0.5, 0, 2, -0.1, NaN], { dtype: 'bool' }).tolist()).to.deep.equal([true, false, true, true, true]);
    expect(torch.tensor([1.5], { dtype: 'int64' }).tolist()).to.deep.equal([1]);
    expect(torch.tensor([-2.7, 2 ** 31 - 1], { dtype: 'int32' }).tolist()).to.deep.equal([-2, 2 ** 31 - 1]);
    expect(torch.tensor([-(2 ** 31)], { dtype: 'int32' }).tolist()).to.deep.equal([-(2 ** 31)]);
    expect(torch.tensor([1e40], { dtype: 'float32' }).tolist()).to.deep.equal([Infinity]);
    expect(torch.tensor([true, false], { dtype: 'uint8' }).tolist()).to.deep.equal([1, 0]);
  });
});

describe('silent answers: data() cannot bypass autograd', () => {
  it('data() is a copy: writing to it changes neither the tensor nor its gradients', () => {
    const x = torch.tensor([1, 2, 3], { dtype: 'float32' });
    const w = torch.ones([3], { requires_grad: true });
    const y = w.mul(x).sum();
    const d = x.data() as Float32Array;
    d[0] = 100;
    y.backward();
    expect(w.grad!.tolist()).to.deep.equal([1, 2, 3]);
    expect(x.tolist()).to.deep.equal([1, 2, 3]);
    // Views and converted dtypes are copies too.
    const h = torch.ones(4).half();
    (h.data() as Float32Array)[0] = 5;
    expect(h.tolist()).to.deep.equal([1, 1, 1, 1]);
    const v = torch.arange(6, { dtype: 'float32' }).reshape(2, 3).select(0, 1);
    (v.data() as Float32Array)[0] = -1;
    expect(v.tolist()).to.deep.equal([3, 4, 5]);
  });
});

describe('silent answers: optimizers after model.to(dtype)', () => {
  for (const [name, make] of [
    ['Adam', (ps: torch.Tensor[]) => new optim.Adam(ps, { lr: 0.1 })],
    ['AdamW', (ps: torch.Tensor[]) => new optim.AdamW(ps, { lr: 0.1, amsgrad: true })],
    ['SGD', (ps: torch.Tensor[]) => new optim.SGD(ps, { lr: 0.1, momentum: 0.9 })],
  ] as const) {
    it(`${name}.step() after steps in float32 and net.to('float64') works (state follows the parameters)`, () => {
      torch.manual_seed(0);
      const net = new nn.Linear(3, 2);
      const opt = make([...net.parameters()]);
      const stepOnce = (dtype: 'float32' | 'float64'): void => {
        opt.zero_grad();
        net
          .forward(torch.ones([1, 3], { dtype }))
          .sum()
          .backward();
        opt.step();
      };
      stepOnce('float32');
      net.to('float64');
      const before = net.weight.clone();
      stepOnce('float64');
      expect(net.weight.dtype).to.equal('float64');
      expect(net.weight.sub(before).abs().sum().item()).to.be.greaterThan(0);
      const state = opt.state_dict().state.get(0)!;
      for (const t of Object.values(state)) if (t.numel() > 1) expect(t.dtype).to.equal('float64');
      net.to('float32');
      stepOnce('float32');
      expect(net.weight.isnan().sum().item()).to.equal(0);
    });
  }
});

describe('silent answers: foreign objects, Proxies, half precision, devices', () => {
  it('a Proxy of a Tensor or a Tensor-like object is "Expected a Tensor for <arg>"', () => {
    const t = torch.ones(3);
    const p = new Proxy(t, {});
    const fake = Object.create(torch.Tensor.prototype) as torch.Tensor;
    expect(p instanceof torch.Tensor).to.equal(false);
    expect(() => torch.add(p, 1)).to.throw(TypeError, /Expected a Tensor for input but received/);
    expect(() => t.add(p)).to.throw(TypeError, /Expected a Tensor or a number for other/);
    expect(() => torch.cat([t, fake])).to.throw(TypeError, /Expected a Tensor for tensors\[1\]/);
    expect(() => p.add(1)).to.throw(TypeError, /Expected a Tensor \(a Proxy or a copy of a Tensor is not one\) for this/);
    expect(() => fake.sum()).to.throw(TypeError, /Expected a Tensor .* for this/);
    expect(() => torch.stack([{ handle: t.handle } as never])).to.throw(TypeError, /tensors\[0\]/);
    // Subclasses still work with instanceof.
    const param = new nn.Parameter(torch.ones(2));
    expect(param instanceof torch.Tensor).to.equal(true);
    expect(param instanceof nn.Parameter).to.equal(true);
    expect(t instanceof nn.Parameter).to.equal(false);
  });

  it('half-precision kernels LibTorch lacks name the function, the dtype and the fix', () => {
    const h = torch.ones(3).half();
    expect(() => h.clamp(0, 1)).to.throw(
      Error,
      /^clamp: LibTorch has no float16 kernel for this operation on this device \("clamp_scalar_cpu" not implemented for 'Half'\); convert the float16 tensor argument with \.float\(\) first/,
    );
  });

  it("to('meta') and to('mps') say the device is not available (not a dtype error)", () => {
    const t = torch.ones(2);
    expect(() => t.to('meta')).to.throw(Error, /Device 'meta' for device is not available: the 'meta' device/);
    expect(() => t.to('mps')).to.throw(
      Error,
      /Device 'mps' for device is not available: MPS \(Apple's Metal\) is not available in LibTorch on Linux/,
    );
    expect(() => t.to({ device: 'mps:0' })).to.throw(Error, /not available in LibTorch on Linux/);
    expect(() => torch.zeros([2], { device: 'mps' })).to.throw(Error, /not available in LibTorch on Linux/);
    expect(() => t.to('float33' as never)).to.throw(TypeError, /for dtype but received "float33"/);
  });
});

describe('PyTorch idioms: torch.device, cuda and mps queries, coercion', () => {
  it('torch.device(...) has type, index and a string form, and works in .to() and options', () => {
    const d = torch.device('cuda:1');
    expect([d.type, d.index, String(d), `${d}`]).to.deep.equal(['cuda', 1, 'cuda:1', 'cuda:1']);
    expect(torch.device('cuda', 0).toString()).to.equal('cuda:0');
    const cpu = torch.device('cpu');
    expect([cpu.type, cpu.index, cpu.toString()]).to.deep.equal(['cpu', null, 'cpu']);
    expect(torch.device(cpu)).to.equal(cpu);
    expect(torch.ones(2).to(cpu).device).to.equal('cpu');
    expect(torch.zeros([2], { device: cpu }).device).to.equal('cpu');
    expect(torch.ones(2).to({ device: cpu, dtype: 'float64' }).dtype).to.equal('float64');
    expect(() => torch.device('gpu')).to.throw(TypeError, /Expected a device/);
    expect(() => torch.device('cuda:1', 2)).to.throw(TypeError, /already has an index/);
    expect(() => torch.device('mps')).to.throw(Error, /not available in LibTorch on Linux/);
    if (!torch.cuda.is_available()) expect(() => torch.ones(1).to(torch.device('cuda'))).to.throw(Error, /CUDA is not available/);
  });

  it('torch.cuda.is_available / device_count and torch.backends.mps.is_available', () => {
    expect(torch.cuda.is_available()).to.be.a('boolean');
    expect(torch.cuda.device_count()).to.be.a('number');
    expect(torch.backends.mps.is_available()).to.equal(false);
  });

  it('numeric coercion throws a TypeError naming .item() and .mul(); string coercion prints', () => {
    const t = torch.ones(3);
    const s = torch.tensor(2.5);
    expect(() => Number(s)).to.throw(TypeError, /use t\.item\(\)/);
    expect(() => (t as unknown as number) * 2).to.throw(TypeError, /t\.mul\(2\)/);
    expect(() => (t as unknown as number) + 1).to.throw(TypeError, /t\.add\(1\)/);
    expect(() => (t as unknown as number) > 0).to.throw(TypeError);
    expect(`${t}`).to.equal('tensor([1., 1., 1.])');
    expect(String(s)).to.equal('tensor(2.5000)');
    expect(s.item()).to.equal(2.5);
  });

  it("grad_fn of a fused neuron prints with a single '>'", () => {
    const r = new snn.RLeaky({ beta: 0.9, linear_features: 2 });
    const x = torch.ones([1, 2], { requires_grad: true });
    const [, mem] = r.forward(x) as [torch.Tensor, torch.Tensor];
    const s = mem.toString();
    expect(s).to.match(/grad_fn=<RLeakyStepFn>\)$/);
    expect(s).not.to.contain('>>');
    expect(x.mul(2).toString()).to.match(/grad_fn=<MulBackward\d>\)$/);
  });
});
