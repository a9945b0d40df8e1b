// optim.Adam / AdamW with {fused: true}: the one-pass update against the default path (torch::optim's
// elementwise ops), PyTorch 1.13's one-step parity, version counters, fallbacks and option checks.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as torch from '../lib/torch/index.js';
import { Parameter } from '../lib/nn/parameter.js';
import { Linear } from '../lib/nn/linear.js';
import { Adam, AdamW, type AdamOptions } from '../lib/optim/index.js';
import { decodeFixtureTensor, type FixtureTensor } from './fixture_tensors.js';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
const net = JSON.parse(readFileSync(join(FIXTURES, 'regression2_net.json'), 'utf8')) as {
  state_dict: { name: string; tensor: FixtureTensor }[];
  parameters_order: string[];
  grads: Record<string, FixtureTensor>;
  params_after_one_step: Record<string, FixtureTensor>;
  optimizer: { lr: number; betas: [number, number]; eps: number; weight_decay: number; amsgrad: boolean };
};
const fixture = (t: FixtureTensor): torch.Tensor => {
  const d = decodeFixtureTensor(t);
  return torch.from_typed_array(d.values as Float32Array, d.shape);
};

// Shapes whose sizes leave every remainder modulo ATen's vector width, and one above its grain.
const SHAPES: number[][] = [[1], [7], [16], [17], [10, 10], [3, 5, 7], [128, 784]];

/** Two identical parameter sets, with the same grads drawn afresh for each step. */
function twins(dtype: 'float32' | 'float64'): [Parameter[], Parameter[]] {
  torch.manual_seed(3);
  const a = SHAPES.map((s) => new Parameter(torch.randn(s, { dtype })));
  const b = a.map((p) => new Parameter(p.detach().clone()));
  return [a, b];
}
function setGrads(a: Parameter[], b: Parameter[], step: number): void {
  torch.manual_seed(100 + step);
  a.forEach((p, i) => {
    const g = torch.randn(p.shape, { dtype: p.dtype }).mul(step % 3 === 0 ? 1e-3 : 1);
    p.grad = g;
    b[i]!.grad = g.clone();
  });
}
/** max |x - y| / (atol + rtol |y|): at most 1 when x and y are close at that tolerance. */
function closeness(x: torch.Tensor, y: torch.Tensor, atol: number, rtol: number): number {
  return torch.tidy(() => x.sub(y).abs().div(y.abs().mul(rtol).add(atol)).max().item() as number);
}

type Make = (params: Parameter[], opts: AdamOptions & { fused?: boolean }) => Adam | AdamW;
const CASES: [string, Make, AdamOptions][] = [
  ['Adam', (p, o) => new Adam(p, o), {}],
  ['Adam, weight_decay', (p, o) => new Adam(p, o), { weight_decay: 0.1 }],
  ['Adam, amsgrad', (p, o) => new Adam(p, o), { amsgrad: true, betas: [0.8, 0.9] }],
  ['AdamW', (p, o) => new AdamW(p, o), { lr: 1e-2 }],
  ['AdamW, amsgrad, no decay', (p, o) => new AdamW(p, o), { amsgrad: true, weight_decay: 0 }],
];

describe('optim: Adam and AdamW with fused: true', () => {
  for (const dtype of ['float32', 'float64'] as const) {
    // ATen's vectorised add_(grad, alpha) and addcmul_ round once where the fused loop rounds twice:
    // the moments differ by an ulp of their terms (many ulp of a moment that nearly cancels), the
    // parameters by a few ulp after 25 steps. Tolerance |x - y| <= atol + rtol |y|.
    const [atol, rtol] = dtype === 'float32' ? [1e-6, 1e-5] : [1e-14, 1e-12];
    const tol = `atol ${atol}, rtol ${rtol}`;
    for (const [name, make, opts] of CASES) {
      it(`${name} (${dtype}): 25 steps equal the default path (${tol}), state included`, () => {
        const [a, b] = twins(dtype);
        const start = a.map((p) => p.detach().clone());
        const fused = make(a, { ...opts, fused: true });
        const plain = make(b, opts);
        expect(fused.fused).to.equal(true);
        expect(plain.fused).to.equal(false);
        for (let step = 1; step <= 25; step++) {
          setGrads(a, b, step);
          fused.step();
          plain.step();
        }
        a.forEach((p, i) => {
          expect(closeness(p, b[i]!, atol, rtol), `param ${SHAPES[i]!.join('x')}`).to.be.at.most(1);
        });
        // The parameters really moved (two untouched sets would pass the comparison above).
        a.forEach((p, i) => expect(p.sub(start[i]!).abs().max().item()).to.be.greaterThan(1e-3));
        const sa = fused.state_dict().state;
        const sb = plain.state_dict().state;
        expect([...sa.keys()]).to.deep.equal([...sb.keys()]);
        for (const [k, st] of sa) {
          const other = sb.get(k)!;
          expect(Object.keys(st).sort()).to.deep.equal(Object.keys(other).sort());
          expect(st.step!.item()).to.equal(25);
          for (const key of ['exp_avg', 'exp_avg_sq', 'max_exp_avg_sq'])
            if (st[key]) expect(closeness(st[key], other[key]!, atol, rtol), `${k}.${key}`).to.be.at.most(1);
        }
      });
    }
  }

  it('the first step from fresh state reproduces PyTorch 1.13 bit for bit (tolerance: 0 ulp)', () => {
    const params = net.parameters_order.map((name) => {
      const p = new Parameter(fixture(net.state_dict.find((e) => e.name === name)!.tensor));
      p.grad = fixture(net.grads[name]!);
      return p;
    });
    const o = net.optimizer;
    new Adam(params, { lr: o.lr, betas: o.betas, eps: o.eps, weight_decay: o.weight_decay, amsgrad: o.amsgrad, fused: true }).step();
    net.parameters_order.forEach((name, i) => {
      const expected = decodeFixtureTensor(net.params_after_one_step[name]!).values as Float32Array;
      const got = params[i]!.data() as Float32Array;
      expect(Array.from(got), name).to.deep.equal(Array.from(expected));
    });
  });

  it('bumps the parameter version: autograd refuses a saved parameter changed by step()', () => {
    const p = new Parameter(torch.randn([4]));
    const y = p.mul(p).sum();
    p.grad = torch.ones([4]);
    new Adam([p], { fused: true }).step();
    expect(() => y.backward()).to.throw(/modified by an inplace operation/);
  });

  it('a Linear applied again to the same input sees the new weights after a fused step (loop-invariant reuse)', () => {
    const fc = new Linear(5, 3);
    const x = torch.randn([2, 5]);
    const opt = new Adam(fc.parameters(), { lr: 0.1, fused: true });
    const before = fc.forward(x).detach().clone();
    fc.forward(x).sum().backward();
    opt.step();
    const after = fc.forward(x);
    const expected = x.matmul(fc.weight.detach().t()).add(fc.bias!.detach());
    expect(after.sub(before).abs().max().item()).to.be.greaterThan(1e-3);
    expect(after.sub(expected).abs().max().item()).to.be.lessThan(1e-6);
  });

  it('a non-contiguous parameter takes the default path for the whole step, with identical results', () => {
    torch.manual_seed(5);
    const base = torch.randn([6, 4]);
    const a = [new Parameter(base.t()), new Parameter(torch.randn([9]))];
    const b = a.map((p) => new Parameter(p.detach().clone().t().contiguous().t()));
    b[1] = new Parameter(a[1]!.detach().clone());
    expect(a[0]!.is_contiguous()).to.equal(false);
    const fused = new Adam(a, { fused: true });
    const plain = new Adam(b);
    for (let s = 1; s <= 3; s++) {
      setGrads(a, b, s);
      a[0]!.grad = a[0]!.grad!.t().contiguous().t(); // grad follows the param's strides
      b[0]!.grad = a[0]!.grad.clone();
      fused.step();
      plain.step();
    }
    a.forEach((p, i) => expect(p.sub(b[i]!).abs().max().item(), `param ${i}`).to.equal(0));
  });

  it('parameters without a grad are skipped, as on the default path', () => {
    const p = new Parameter(torch.ones([3]));
    const q = new Parameter(torch.ones([3]));
    q.grad = torch.ones([3]);
    const opt = new Adam([p, q], { fused: true });
    opt.step();
    expect(Array.from(p.data() as Float32Array)).to.deep.equal([1, 1, 1]);
    expect(opt.state.has(p)).to.equal(false);
    expect(opt.state.get(q)!.step!.item()).to.equal(1);
  });

  it('fused must be a boolean (null or undefined mean false)', () => {
    const p = [new Parameter(torch.ones([2]))];
    expect(() => new Adam(p, { fused: 'yes' as unknown as boolean })).to.throw(TypeError, /Adam fused/);
    expect(() => new AdamW(p, { fused: 1 as unknown as boolean })).to.throw(TypeError, /AdamW fused/);
    expect(new Adam(p, { fused: null }).fused).to.equal(false);
    expect(new Adam(p).fused).to.equal(false);
    // A misspelt key's error names fused among the options.
    expect(() => new Adam(p, { fuse: true } as unknown as { fused: boolean })).to.throw(TypeError, /Unknown option 'fuse'.*fused/);
    // The other options are still checked with fused present.
    expect(() => new Adam(p, { fused: true, lr: -1 })).to.throw(/lr/);
  });
});
