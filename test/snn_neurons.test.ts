// Leaky / RLeaky options, state handling and module layout as snnTorch 0.9.4 (docs/SEMANTICS.md,
// Shared neuron machinery, Leaky, RLeaky).
import { expect } from 'chai';
import { torch, snn } from '../lib/index.js';

const t = (v: number[] | number[][]) => torch.tensor(v, { dtype: 'float32' });

describe('snn.RLeaky / snn.Leaky: layout', () => {
  it("linear feedback: snnTorch's state_dict keys and dtypes, buffers before the child", () => {
    const n = new snn.RLeaky({ beta: 0.9, linear_features: 4 });
    const sd = n.state_dict();
    expect([...sd.keys()]).to.deep.equal([
      'threshold',
      'graded_spikes_factor',
      'reset_mechanism_val',
      'beta',
      'recurrent.weight',
      'recurrent.bias',
    ]);
    expect(sd.get('reset_mechanism_val')!.dtype).to.equal('int64');
    expect(sd.get('beta')!.dtype).to.equal('float32');
    expect(sd.get('beta')!.shape).to.deep.equal([]);
    expect([...n.named_parameters()].map(([k]) => k)).to.deep.equal(['recurrent.weight', 'recurrent.bias']);
  });

  it('one-to-one with learnable beta, threshold and V: V listed twice in state_dict, once in parameters()', () => {
    const n = new snn.RLeaky({ beta: 0.9, V: [0.5, 1], all_to_all: false, learn_beta: true, learn_threshold: true });
    expect([...n.state_dict().keys()]).to.deep.equal([
      'threshold',
      'beta',
      'V',
      'graded_spikes_factor',
      'reset_mechanism_val',
      'recurrent.V',
    ]);
    expect([...n.named_parameters()].map(([k]) => k)).to.deep.equal(['threshold', 'beta', 'V']);
  });

  it('one-to-one with learn_recurrent=false: V is a buffer and recurrent.V is not saved', () => {
    const n = new snn.RLeaky({ beta: 0.9, V: 0.5, all_to_all: false, learn_recurrent: false });
    expect([...n.state_dict().keys()]).to.deep.equal(['threshold', 'graded_spikes_factor', 'reset_mechanism_val', 'beta', 'V']);
    expect([...n.parameters()]).to.have.length(0);
  });

  it('learn_recurrent=false with all_to_all keeps the weights as frozen parameters', () => {
    const n = new snn.RLeaky({ beta: 0.9, linear_features: 3, learn_recurrent: false });
    const ps = [...n.parameters()];
    expect(ps).to.have.length(2);
    expect(ps.every((p) => !p.requires_grad)).to.equal(true);
  });

  it('conv feedback pads kernel_size // 2 per dim', () => {
    const n = new snn.RLeaky({ beta: 0.5, conv2d_channels: 2, kernel_size: [3, 5] });
    expect(n.state_dict().get('recurrent.weight')!.shape).to.deep.equal([2, 2, 3, 5]);
    const [spk, mem] = n.forward(torch.rand(1, 2, 4, 5)) as [torch.Tensor, torch.Tensor];
    expect(spk.shape).to.deep.equal([1, 2, 4, 5]);
    expect(mem.shape).to.deep.equal([1, 2, 4, 5]);
  });

  it('Leaky state_dict: threshold, graded_spikes_factor, reset_mechanism_val, beta (mem is not saved)', () => {
    const n = new snn.Leaky({ beta: 0.8, reset_mechanism: 'zero' });
    expect([...n.state_dict().keys()]).to.deep.equal(['threshold', 'graded_spikes_factor', 'reset_mechanism_val', 'beta']);
    expect(n.state_dict().get('reset_mechanism_val')!.item()).to.equal(1);
  });
});

describe('snn neurons: state', () => {
  it('init_rleaky() gives [0]-shaped zeros before the first step, the input shape after', () => {
    const n = new snn.RLeaky({ beta: 0.9, linear_features: 3 });
    let [spk, mem] = n.init_rleaky();
    expect(spk.shape).to.deep.equal([0]);
    expect(mem.shape).to.deep.equal([0]);
    [spk, mem] = n.forward(torch.ones(2, 3), spk, mem) as [torch.Tensor, torch.Tensor];
    [spk, mem] = n.init_rleaky();
    expect(mem.shape).to.deep.equal([2, 3]);
    expect(mem.sum().item()).to.equal(0);
  });

  it('a wrongly shaped state is silently replaced by zeros (snnTorch)', () => {
    const n = new snn.Leaky({ beta: 0.5 });
    const [, mem] = n.forward(t([[0.25, 0.5]]), torch.tensor(3.0)) as [torch.Tensor, torch.Tensor];
    expect(mem.tolist()).to.deep.equal([[0.25, 0.5]]);
  });

  it('Leaky and RLeaky zero resets differ (mem_prev 2, x 1.5, beta 0.5, V 0)', () => {
    const leaky = new snn.Leaky({ beta: 0.5, reset_mechanism: 'zero' });
    const rleaky = new snn.RLeaky({ beta: 0.5, V: 0, all_to_all: false, reset_mechanism: 'zero' });
    const [, m1] = leaky.forward(t([1.5]), t([2])) as [torch.Tensor, torch.Tensor];
    const [, m2] = rleaky.forward(t([1.5]), t([0]), t([2])) as [torch.Tensor, torch.Tensor];
    expect(m1.tolist()).to.deep.equal([1.5]);
    expect(m2.tolist()).to.deep.equal([0]);
  });

  it('reset_delay=false removes the crossing in the same step (beta 1, x 0.6)', () => {
    for (const impl of ['fused', 'composed'] as const) {
      snn.with_step_impl(impl, () => {
        const n = new snn.Leaky({ beta: 1, reset_delay: false });
        let mem = n.init_leaky();
        const seen: number[] = [];
        for (let i = 0; i < 4; i++) {
          [, mem] = n.forward(t([0.6]), mem) as [torch.Tensor, torch.Tensor];
          seen.push(mem.item());
        }
        seen.forEach((v, i) => expect(v, impl).to.be.closeTo([0.6, 0.2, 0.8, 0.4][i]!, 1e-6));
      });
    }
  });

  it('init_hidden: forward returns spk only (output=true: [spk, mem]); state arguments throw', () => {
    const a = new snn.RLeaky({ beta: 0.9, linear_features: 2, init_hidden: true });
    const out = a.forward(torch.ones(1, 2));
    expect(out).to.be.instanceOf(torch.Tensor);
    expect(() => a.forward(torch.ones(1, 2), torch.zeros(1, 2))).to.throw(TypeError, /1 input argument/);
    const b = new snn.Leaky({ beta: 0.9, init_hidden: true, output: true });
    const r = b.forward(torch.ones(1, 2));
    expect(r).to.be.an('array').with.length(2);
  });

  it('detach_hidden and reset_hidden act on that neuron only', () => {
    const a = new snn.Leaky({ beta: 0.9, init_hidden: true });
    const b = new snn.Leaky({ beta: 0.9, init_hidden: true });
    const x = torch.full([1, 2], 0.5, { requires_grad: true });
    a.forward(x);
    b.forward(x);
    a.reset_hidden();
    expect(a.mem.sum().item()).to.equal(0);
    expect(b.mem.sum().item()).to.equal(1);
    expect(b.mem.grad_fn).to.not.equal(null);
    b.detach_hidden();
    expect(b.mem.grad_fn).to.equal(null);
    expect(b.mem.sum().item()).to.equal(1);
  });

  it('the state follows the module to another dtype', () => {
    const n = new snn.RLeaky({ beta: 0.9, linear_features: 2 });
    n.forward(torch.ones(1, 2));
    n.to('float64');
    expect(n.mem.dtype).to.equal('float64');
    expect(n.state_dict().get('recurrent.weight')!.dtype).to.equal('float64');
    const [spk] = n.forward(torch.ones(1, 2, { dtype: 'float64' })) as [torch.Tensor, torch.Tensor];
    expect(spk.dtype).to.equal('float64');
  });

  it("a caller disposing returned tensors never frees the neuron's own state", () => {
    const n = new snn.RLeaky({ beta: 0.9, linear_features: 2 });
    torch.tidy(() => {
      const [spk, mem] = n.init_rleaky();
      n.forward(torch.ones(1, 2), spk, mem);
    });
    const [spk, mem] = n.init_rleaky();
    expect(mem.shape).to.deep.equal([1, 2]);
    expect(spk.sum().item()).to.equal(0);
  });
});

describe('snn neurons: options', () => {
  it('inhibition lets only the largest neuron per sample spike, and warns', () => {
    const warnings: string[] = [];
    const onWarn = (w: Error) => warnings.push(w.message);
    process.on('warning', onWarn);
    const n = new snn.Leaky({ beta: 1, inhibition: true });
    const [spk] = n.forward(
      t([
        [1.5, 2.5, 0.2],
        [0.1, 0.2, 0.3],
      ]),
    ) as [torch.Tensor, torch.Tensor];
    expect(spk.tolist()).to.deep.equal([
      [0, 1, 0],
      [0, 0, 0],
    ]);
    return new Promise<void>((resolve) =>
      setImmediate(() => {
        process.off('warning', onWarn);
        expect(warnings.join()).to.match(/unstable feature/);
        resolve();
      }),
    );
  });

  it('surrogate_disable: spikes carry no gradient, the membrane path still does', () => {
    for (const impl of ['fused', 'composed'] as const) {
      snn.with_step_impl(impl, () => {
        const n = new snn.Leaky({ beta: 0.5, surrogate_disable: true });
        const x = torch.full([1, 3], 1.5, { requires_grad: true });
        const [spk, mem] = n.forward(x) as [torch.Tensor, torch.Tensor];
        expect(spk.tolist()).to.deep.equal([[1, 1, 1]]);
        spk.sum().add(mem.sum()).backward();
        expect(x.grad!.tolist(), impl).to.deep.equal([[1, 1, 1]]);
      });
    }
  });

  it('state_quant is applied to the stored membrane', () => {
    const quant = (u: torch.Tensor) => u.mul(4).round().div(4);
    const n = new snn.Leaky({ beta: 1, state_quant: quant });
    const [, mem] = n.forward(t([0.3])) as [torch.Tensor, torch.Tensor];
    expect(mem.tolist()).to.deep.equal([0.25]);
  });

  it('a custom spike_grad callable is used', () => {
    let calls = 0;
    const custom = (x: torch.Tensor) => {
      calls++;
      return snn.surrogate.fast_sigmoid(10)(x);
    };
    const n = new snn.Leaky({ beta: 0.9, spike_grad: custom });
    n.forward(torch.ones(1, 2));
    expect(calls).to.be.greaterThan(0);
  });

  it('rejects bad options with clear errors', () => {
    expect(() => new snn.RLeaky({ beta: 0.9 })).to.throw(TypeError, /linear_features/);
    expect(() => new snn.RLeaky({ beta: 0.9, conv2d_channels: 2 })).to.throw(TypeError, /together/);
    expect(() => new snn.RLeaky({ beta: 0.9, linear_features: 2, conv2d_channels: 2, kernel_size: 3 })).to.throw(TypeError, /not both/);
    expect(() => new snn.RLeaky({ beta: 0.9, all_to_all: false, linear_features: 2 })).to.throw(TypeError, /all_to_all=true/);
    expect(() => new snn.RLeaky({ beta: 0.9, conv2d_channels: 2, kernel_size: 2 })).to.throw(RangeError, /odd/);
    expect(() => new snn.Leaky({ beta: 0.9, reset_mechanism: 'halve' as 'zero' })).to.throw(TypeError, /reset_mechanism/);
    expect(() => new snn.Leaky({ beta: 0.9, treshold: 1 } as unknown as snn.LeakyOptions)).to.throw(TypeError, /Unknown option 'treshold'/);
    expect(() => new snn.Leaky({} as snn.LeakyOptions)).to.throw(TypeError, /beta is required/);
    expect(() => new snn.Leaky({ beta: NaN })).to.throw(TypeError, /beta/);
    expect(() => new snn.Leaky({ beta: 0.9, spike_grad: 3 as unknown as snn.surrogate.SpikeFunction })).to.throw(TypeError, /spike_grad/);
    const n = new snn.Leaky({ beta: 0.9 });
    expect(() => n.forward('x' as unknown as torch.Tensor)).to.throw(TypeError, /input/);
  });
});
