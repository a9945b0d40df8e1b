// nn layers: PyTorch's default initialisation (bit-exact against the seed network), forward
// results, parameter names, printing, Sequential, and the loss modules.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as torch from '../lib/torch/index.js';
import { Linear } from '../lib/nn/linear.js';
import { Conv2d } from '../lib/nn/conv.js';
import { Sequential } from '../lib/nn/container.js';
import { Dropout, Flatten, ReLU } from '../lib/nn/activation.js';
import { CrossEntropyLoss, MSELoss } from '../lib/nn/loss.js';
import * as F from '../lib/nn/functional.js';
import * as init from '../lib/nn/init.js';
import { Parameter } from '../lib/nn/parameter.js';
import { decodeFixtureTensor, type FixtureTensor } from './fixture_tensors.js';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
const net = JSON.parse(readFileSync(join(FIXTURES, 'regression2_net.json'), 'utf8')) as {
  state_dict: { name: string; tensor: FixtureTensor }[];
};
const fixtureValues = (name: string): Float32Array =>
  decodeFixtureTensor(net.state_dict.find((e) => e.name === name)!.tensor).values as Float32Array;
const f32 = (t: torch.Tensor): Float32Array => t.data() as Float32Array;
const list = (t: torch.Tensor): number[] => Array.from(t.data() as Float32Array | Float64Array);
const sameBits = (a: Float32Array, b: Float32Array): boolean => a.length === b.length && a.every((x, i) => Object.is(x, b[i]));
function expectClose(a: torch.Tensor, b: torch.Tensor, tol: number): void {
  expect(a.shape).to.deep.equal(b.shape);
  const x = list(a);
  const y = list(b);
  x.forEach((v, i) => expect(Math.abs(v - y[i]!), `element ${i}: ${v} vs ${y[i]}`).to.be.at.most(tol));
}

describe('nn layers', () => {
  describe("PyTorch's default initialisation", () => {
    it("torch.manual_seed(0) then the seed net's four Linear layers reproduce its initial weights bit for bit", () => {
      // regression2_net.json was initialised by torch.manual_seed(0); fc1, rlif1.recurrent, fc2,
      // rlif2.recurrent (snnTorch's RLeaky builds an nn.Linear and draws nothing else).
      torch.manual_seed(0);
      const layers: [string, Linear][] = [
        ['fc1', new Linear(784, 128)],
        ['rlif1.recurrent', new Linear(128, 128)],
        ['fc2', new Linear(128, 10)],
        ['rlif2.recurrent', new Linear(10, 10)],
      ];
      for (const [name, l] of layers) {
        expect(sameBits(f32(l.weight), fixtureValues(`${name}.weight`)), `${name}.weight`).to.equal(true);
        expect(sameBits(f32(l.bias!), fixtureValues(`${name}.bias`)), `${name}.bias`).to.equal(true);
      }
    });

    it("Conv2d draws kaiming_uniform_(a=√5) then U(±1/√fan_in), with LibTorch's bound arithmetic (bit-exact)", () => {
      torch.manual_seed(7);
      const conv = new Conv2d(4, 6, [3, 2], { groups: 2 });
      const fanIn = (4 / 2) * 3 * 2;
      const gain = Math.sqrt(2 / (1 + Math.pow(Math.sqrt(5), 2)));
      const bound = Math.sqrt(3) * (gain / Math.sqrt(fanIn));
      torch.manual_seed(7);
      const w = init.uniform_(torch.empty([6, 2, 3, 2]), -bound, bound);
      const b = init.uniform_(torch.empty([6]), -1 / Math.sqrt(fanIn), 1 / Math.sqrt(fanIn));
      expect(sameBits(f32(conv.weight), f32(w))).to.equal(true);
      expect(sameBits(f32(conv.bias!), f32(b))).to.equal(true);
      expect(Math.max(...list(conv.weight).map(Math.abs))).to.be.at.most(1 / Math.sqrt(fanIn));
    });

    it('reset_parameters() draws new values from the generator', () => {
      torch.manual_seed(1);
      const l = new Linear(5, 3);
      const first = f32(l.weight).slice();
      l.reset_parameters();
      expect(sameBits(first, f32(l.weight))).to.equal(false);
    });
  });

  describe('Linear', () => {
    it('computes x Wᵀ + b over the last dim, for any leading dims (tolerance 1e-6)', () => {
      torch.manual_seed(2);
      const l = new Linear(4, 3);
      const x = torch.randn([2, 5, 4]);
      expectClose(l.forward(x), x.matmul(l.weight.t()).add(l.bias!), 1e-6);
      expect(l.forward(torch.randn([4])).shape).to.deep.equal([3]);
    });

    it('registers weight and bias as Parameters under PyTorch names; bias: false leaves none', () => {
      const l = new Linear(784, 128);
      expect(l.weight).to.be.instanceOf(Parameter);
      expect(l.weight.requires_grad).to.equal(true);
      expect([...l.state_dict().keys()]).to.deep.equal(['weight', 'bias']);
      expect(String(l)).to.equal('Linear(in_features=784, out_features=128, bias=True)');
      const nb = new Linear(3, 2, { bias: false });
      expect(nb.bias).to.equal(null);
      expect([...nb.state_dict().keys()]).to.deep.equal(['weight']);
      expect(nb.extra_repr()).to.equal('in_features=3, out_features=2, bias=False');
    });

    it('takes dtype and device; to() keeps the Parameter objects', () => {
      const l = new Linear(2, 2, { dtype: 'float64', device: 'cpu' });
      expect(l.weight.dtype).to.equal('float64');
      const w = l.weight;
      l.to('float32');
      expect(l.weight).to.equal(w);
      expect(l.weight.dtype).to.equal('float32');
      expect(l.forward(torch.ones([1, 2])).dtype).to.equal('float32');
    });

    it('backward reaches weight and bias', () => {
      const l = new Linear(3, 2);
      l.forward(torch.ones([4, 3]))
        .sum()
        .backward();
      expect(list(l.bias!.grad!)).to.deep.equal([4, 4]);
      expect(list(l.weight.grad!)).to.deep.equal([4, 4, 4, 4, 4, 4]);
    });
  });

  describe('Conv2d', () => {
    it('gives the output sizes of stride, padding, dilation and groups', () => {
      const x = torch.randn([2, 4, 9, 8]);
      const out = (c: Conv2d): number[] => c.forward(x).shape;
      expect(out(new Conv2d(4, 6, 3))).to.deep.equal([2, 6, 7, 6]);
      expect(out(new Conv2d(4, 6, 3, { stride: 2, padding: 1 }))).to.deep.equal([2, 6, 5, 4]);
      expect(out(new Conv2d(4, 6, [3, 1], { padding: [1, 0], dilation: [2, 1] }))).to.deep.equal([2, 6, 7, 8]);
      expect(out(new Conv2d(4, 8, 3, { groups: 4, padding: 'same' }))).to.deep.equal([2, 8, 9, 8]);
      expect(out(new Conv2d(4, 8, 4, { padding: 'same', dilation: 2 }))).to.deep.equal([2, 8, 9, 8]);
      expect(out(new Conv2d(4, 2, 2, { padding: 'valid' }))).to.deep.equal([2, 2, 8, 7]);
      expect(new Conv2d(4, 6, 3).forward(torch.randn([4, 5, 5])).shape).to.deep.equal([6, 3, 3]); // unbatched
    });

    it('matches F.conv2d with its own weight and bias, and backward reaches both', () => {
      const c = new Conv2d(2, 4, 3, { stride: [1, 2], padding: 1, groups: 2 });
      expect(c.weight.shape).to.deep.equal([4, 1, 3, 3]);
      const x = torch.randn([1, 2, 5, 6]);
      expectClose(c.forward(x), F.conv2d(x, c.weight, c.bias, { stride: [1, 2], padding: 1, groups: 2 }), 0);
      c.forward(x).sum().backward();
      expect(c.weight.grad!.shape).to.deep.equal([4, 1, 3, 3]);
      expect(list(c.bias!.grad!)).to.deep.equal([15, 15, 15, 15]); // 5 x 3 outputs per channel
    });

    it('prints like PyTorch', () => {
      expect(String(new Conv2d(1, 12, 5))).to.equal('Conv2d(1, 12, kernel_size=(5, 5), stride=(1, 1))');
      expect(String(new Conv2d(4, 8, [3, 5], { stride: 2, padding: [1, 2], dilation: 2, groups: 4, bias: false }))).to.equal(
        'Conv2d(4, 8, kernel_size=(3, 5), stride=(2, 2), padding=(1, 2), dilation=(2, 2), groups=4, bias=False)',
      );
      expect(new Conv2d(2, 2, 3, { padding: 'same' }).extra_repr()).to.equal('2, 2, kernel_size=(3, 3), stride=(1, 1), padding=same');
    });
  });

  describe('Sequential, Flatten, ReLU, Dropout', () => {
    function tutorialNet(): Sequential {
      return new Sequential(new Conv2d(1, 4, 3), new ReLU(), new Flatten(), new Linear(4 * 4 * 4, 10));
    }

    it("names children '0', '1', ... so state_dict keys match PyTorch's", () => {
      const s = tutorialNet();
      expect([...s.state_dict().keys()]).to.deep.equal(['0.weight', '0.bias', '3.weight', '3.bias']);
      expect(s.length).to.equal(4);
      expect(s.at(-1)).to.be.instanceOf(Linear);
      expect([...s].map((m) => m.constructor.name)).to.deep.equal(['Conv2d', 'ReLU', 'Flatten', 'Linear']);
      expect(String(s)).to.equal(
        [
          'Sequential(',
          '  (0): Conv2d(1, 4, kernel_size=(3, 3), stride=(1, 1))',
          '  (1): ReLU()',
          '  (2): Flatten(start_dim=1, end_dim=-1)',
          '  (3): Linear(in_features=64, out_features=10, bias=True)',
          ')',
        ].join('\n'),
      );
    });

    it('forward chains the children', () => {
      const s = tutorialNet();
      const x = torch.randn([2, 1, 6, 6]);
      const [conv, , , fc] = [...s] as [Conv2d, ReLU, Flatten, Linear];
      const manual = fc.forward(conv.forward(x).relu().flatten(1));
      expectClose(s.forward(x), manual, 0);
    });

    it('takes named children (a Map or an object) and append()', () => {
      const s = new Sequential(
        new Map<string, Linear | ReLU>([
          ['fc', new Linear(3, 3)],
          ['act', new ReLU()],
        ]),
      );
      expect([...s.named_children()].map(([k]) => k)).to.deep.equal(['fc', 'act']);
      expect([...s.state_dict().keys()]).to.deep.equal(['fc.weight', 'fc.bias']);
      const t = new Sequential(new Linear(2, 2)).append(new ReLU());
      expect([...t.named_children()].map(([k]) => k)).to.deep.equal(['0', '1']);
      expect(t.forward(torch.ones([1, 2])).shape).to.deep.equal([1, 2]);
    });

    it('ReLU, Flatten and Dropout behave as in PyTorch', () => {
      expect(list(new ReLU().forward(torch.tensor([-1, 0, 2], { dtype: 'float32' })))).to.deep.equal([0, 0, 2]);
      const x = torch.tensor([-1, 2], { dtype: 'float32' });
      new ReLU({ inplace: true }).forward(x);
      expect(list(x)).to.deep.equal([0, 2]);
      expect(new Flatten().forward(torch.zeros([2, 3, 4])).shape).to.deep.equal([2, 12]);
      expect(new Flatten(0, 1).forward(torch.zeros([2, 3, 4])).shape).to.deep.equal([6, 4]);
      const d = new Dropout(0.5);
      const ones = torch.ones([1000]);
      const y = list(d.forward(ones));
      expect(y.every((v) => v === 0 || v === 2)).to.equal(true);
      expect(y.filter((v) => v === 0).length).to.be.within(400, 600);
      d.eval();
      expect(list(d.forward(ones)).every((v) => v === 1)).to.equal(true);
      expect(String(d)).to.equal('Dropout(p=0.5, inplace=False)');
    });
  });

  describe('loss modules', () => {
    it('MSELoss equals F.mse_loss for each reduction', () => {
      const a = torch.randn([3, 4]);
      const b = torch.randn([3, 4]);
      for (const reduction of ['mean', 'sum', 'none'] as const) {
        expectClose(new MSELoss({ reduction }).forward(a, b), F.mse_loss(a, b, { reduction }), 0);
      }
      expect(new MSELoss().forward(a, b).item()).to.be.closeTo(list(a.sub(b).square()).reduce((x, y) => x + y) / 12, 1e-6);
    });

    it('CrossEntropyLoss equals F.cross_entropy and keeps a given weight as a buffer', () => {
      const x = torch.randn([5, 3]);
      const y = torch.tensor([0, 2, 1, 1, 0]);
      const w = torch.tensor([1, 2, 0.5], { dtype: 'float32' });
      const loss = new CrossEntropyLoss({ weight: w, label_smoothing: 0.1, ignore_index: 1 });
      expectClose(loss.forward(x, y), F.cross_entropy(x, y, { weight: w, label_smoothing: 0.1, ignore_index: 1 }), 0);
      expect([...loss.state_dict().keys()]).to.deep.equal(['weight']);
      expect([...new CrossEntropyLoss().state_dict().keys()]).to.deep.equal([]);
    });
  });
});
