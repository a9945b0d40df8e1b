// snn.utils.reset (scoped to one network) and data_subset.
import { expect } from 'chai';
import { torch, nn, snn, data } from '../lib/index.js';

class Net extends nn.Module {
  fc = new nn.Linear(3, 3);
  lif = new snn.Leaky({ beta: 0.9, init_hidden: true });
  block = new nn.Sequential(
    new snn.Synaptic({ alpha: 0.9, beta: 0.8, init_hidden: true }),
    new snn.RLeaky({ beta: 0.9, linear_features: 3, init_hidden: true }),
  );
  forward(x: torch.Tensor): torch.Tensor {
    const s = this.lif.forward(this.fc.forward(x));
    return this.block.forward(s);
  }
}

const absSum = (t: torch.Tensor): number => t.abs().sum().item();

describe('snn.utils.reset', () => {
  it('zeroes and detaches the state of every neuron in the network, nested ones included', () => {
    torch.tidy(() => {
      const net = new Net();
      const x = torch.ones([2, 3]).mul(3).requires_grad_(true);
      for (let t = 0; t < 3; t++) net.forward(x);
      const syn = (net.block as unknown as Record<string, snn.Synaptic>)['0']!;
      expect(absSum(net.lif.mem)).to.be.greaterThan(0);
      expect(absSum(syn.syn)).to.be.greaterThan(0);
      expect(net.lif.mem.requires_grad).to.equal(true);
      expect(snn.utils.reset(net)).to.equal(net);
      for (const m of net.modules()) {
        if (!(m instanceof snn.SpikingNeuron)) continue;
        for (const [name, b] of m.named_buffers()) {
          if (['mem', 'syn', 'spk'].includes(name)) {
            expect(absSum(b), `${m.constructor.name}.${name}`).to.equal(0);
            expect(b.requires_grad).to.equal(false);
            expect(b.shape).to.deep.equal([2, 3]);
          }
        }
      }
    });
  });

  it('leaves other networks alone (snnTorch resets every instance of the class)', () => {
    torch.tidy(() => {
      const a = new Net();
      const b = new Net();
      const x = torch.ones([2, 3]).mul(3);
      a.forward(x);
      b.forward(x);
      const before = absSum(b.lif.mem);
      expect(before).to.be.greaterThan(0);
      snn.utils.reset(a);
      expect(absSum(a.lif.mem)).to.equal(0);
      expect(absSum(b.lif.mem)).to.equal(before);
    });
  });

  it('refuses something that is not a Module', () => {
    expect(() => snn.utils.reset({} as nn.Module)).to.throw(TypeError, /nn.Module/);
  });
});

describe('snn.utils.data_subset', () => {
  it("keeps the idx-th of subset equal parts, as snnTorch's data_subset", () => {
    torch.tidy(() => {
      const images = torch
        .arange(10 * 4)
        .reshape([10, 2, 2])
        .to('uint8');
      const labels = torch.arange(10);
      const ds = new data.ImageDataset(images, labels);
      const same = snn.utils.data_subset(ds, 3, 1);
      expect(same).to.equal(ds);
      expect(ds.length).to.equal(3);
      expect(Array.from(ds.targets.data() as BigInt64Array, Number)).to.deep.equal([3, 4, 5]);
      snn.utils.data_subset(ds, 1);
      expect(ds.length).to.equal(3);
      expect(() => snn.utils.data_subset(ds, 3, 3)).to.throw(RangeError, /idx must be below subset/);
    });
  });
});
