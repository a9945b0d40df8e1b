// Pooling, batch norm, Conv1d, ConvTranspose2d, Unflatten, Softmax/LogSoftmax/Softplus, L1Loss,
// snnTorch's GradedSpikes / BatchNormTT and state_quant against PyTorch 1.13 (and snnTorch 0.9.4):
// outputs, input and parameter gradients, running statistics, state_dict keys and seeded default
// initialisation (test/fixtures/nn, written by generate.py there).
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { nn, snn, SF, torch } from '../lib/index.js';
import type { DType } from '../lib/torch/dtype.js';

interface Enc {
  dtype: string;
  shape: number[];
  data: number[];
}
interface Step {
  mode: 'train' | 'eval';
  input: Enc;
  upstream: Enc;
  output: Enc;
  grad_input: Enc;
  grad_params: Record<string, Enc>;
  buffers: Record<string, Enc>;
}
interface Case {
  name: string;
  kind: 'module' | 'seeded' | 'functional' | 'state_dict' | 'state_quant';
  layer?: string;
  fn?: string;
  args: unknown[];
  kwargs: Record<string, unknown>;
  params?: Record<string, Enc>;
  steps?: Step[];
  state_dict?: [string, number[]][];
  seed?: number;
  input?: Enc;
  target?: Enc | null;
  upstream?: Enc;
  output?: Enc;
  grad_input?: Enc;
  levels?: Enc;
}
const fixture = JSON.parse(readFileSync(new URL('./fixtures/nn/layers.json', import.meta.url), 'utf8')) as { cases: Case[] };
const toTensor = (e: Enc, requires_grad = false): torch.Tensor =>
  torch
    .tensor(e.data, { dtype: e.dtype as DType })
    .reshape(e.shape)
    .requires_grad_(requires_grad);

// Same LibTorch kernels as PyTorch 1.13, so results agree to float32 rounding; tolerance
// 1e-5 absolute + 1e-5 relative (reductions may sum in another order).
const TOL = 1e-5;
function expectClose(actual: torch.Tensor | null, expected: Enc, what: string): void {
  expect(actual, `${what}: missing`).to.not.equal(null);
  expect(actual!.shape, `${what}: shape`).to.deep.equal(expected.shape);
  const a = Array.from(actual!.data(), Number);
  expected.data.forEach((v, i) => expect(Math.abs(a[i]! - v), `${what}[${i}]: ${a[i]} vs ${v}`).to.be.at.most(TOL + TOL * Math.abs(v)));
}

type Opts = Record<string, unknown>;
const FACTORIES: Record<string, (args: unknown[], kw: Opts) => nn.Module> = {
  MaxPool2d: (a, kw) => new nn.MaxPool2d(a[0] as number, kw),
  AvgPool2d: (a, kw) => new nn.AvgPool2d(a[0] as number, kw),
  MaxPool1d: (a, kw) => new nn.MaxPool1d(a[0] as number, kw),
  BatchNorm1d: (a, kw) => new nn.BatchNorm1d(a[0] as number, kw),
  BatchNorm2d: (a, kw) => new nn.BatchNorm2d(a[0] as number, kw),
  ConvTranspose2d: (a, kw) => new nn.ConvTranspose2d(a[0] as number, a[1] as number, a[2] as number, kw),
  Conv1d: (a, kw) => new nn.Conv1d(a[0] as number, a[1] as number, a[2] as number, kw),
  Unflatten: (a) => new nn.Unflatten(a[0] as number, a[1] as number[]),
  Softmax: (_a, kw) => new nn.Softmax(kw.dim as number),
  LogSoftmax: (_a, kw) => new nn.LogSoftmax(kw.dim as number),
  Softplus: (_a, kw) => new nn.Softplus(kw.beta as number, kw.threshold as number),
  GradedSpikes: (a) => new snn.GradedSpikes(a[0] as number, a[1] as number),
  BatchNormTT1d: (a) => snn.BatchNormTT1d(a[0] as number, a[1] as number),
  BatchNormTT2d: (a) => snn.BatchNormTT2d(a[0] as number, a[1] as number, { momentum: 0.2 }),
};
type Fn = (x: torch.Tensor, target: torch.Tensor | null, args: unknown[], kw: Opts) => torch.Tensor;
const FUNCTIONS: Record<string, Fn> = {
  max_pool1d: (x, _t, a, kw) => nn.functional.max_pool1d(x, a[0] as number, kw),
  max_pool2d: (x, _t, a, kw) => nn.functional.max_pool2d(x, a[0] as number, kw),
  avg_pool2d: (x, _t, a, kw) => nn.functional.avg_pool2d(x, a[0] as number, kw),
  softplus: (x) => nn.functional.softplus(x),
  l1_loss: (x, t, _a, kw) => nn.functional.l1_loss(x, t!, kw),
};

function factory(c: Case): nn.Module {
  const f = FACTORIES[c.layer!];
  expect(f, `no factory for ${c.layer}`).to.not.equal(undefined);
  return f!(c.args, c.kwargs);
}

describe('nn layers: parity with PyTorch 1.13', () => {
  for (const c of fixture.cases) {
    it(c.name, () => {
      if (c.kind === 'module') {
        const m = factory(c);
        const params = new Map(m.named_parameters());
        torch.no_grad(() => {
          for (const [k, v] of Object.entries(c.params!)) params.get(k)!.copy_(toTensor(v));
        });
        expect([...params.keys()].sort()).to.deep.equal(Object.keys(c.params!).sort());
        c.steps!.forEach((s, i) => {
          m.train(s.mode === 'train');
          m.zero_grad();
          const x = toTensor(s.input, true);
          const y = (m as unknown as { forward(x: torch.Tensor): torch.Tensor }).forward(x);
          expectClose(y, s.output, `step ${i} output`);
          y.mul(toTensor(s.upstream)).sum().backward();
          expectClose(x.grad, s.grad_input, `step ${i} grad_input`);
          for (const [k, g] of Object.entries(s.grad_params)) expectClose(params.get(k)!.grad, g, `step ${i} ${k}.grad`);
          const buffers = new Map(m.named_buffers());
          expect([...buffers.keys()].sort(), `step ${i} buffers`).to.deep.equal(Object.keys(s.buffers).sort());
          for (const [k, b] of Object.entries(s.buffers)) expectClose(buffers.get(k)!, b, `step ${i} buffer ${k}`);
        });
        expect([...m.state_dict()].map(([k, v]) => [k, v.shape])).to.deep.equal(c.state_dict);
      } else if (c.kind === 'seeded') {
        torch.manual_seed(c.seed!);
        const m = factory(c);
        const params = new Map(m.named_parameters());
        for (const [k, v] of Object.entries(c.params!)) {
          const got = Array.from(params.get(k)!.data() as Float32Array);
          expect(got, `${k} bit for bit`).to.deep.equal(Array.from(Float32Array.from(v.data)));
        }
      } else if (c.kind === 'functional') {
        const x = toTensor(c.input!, true);
        const y = FUNCTIONS[c.fn!]!(x, c.target ? toTensor(c.target) : null, c.args, c.kwargs);
        expectClose(y, c.output!, 'output');
        y.mul(toTensor(c.upstream!)).sum().backward();
        expectClose(x.grad, c.grad_input!, 'grad_input');
      } else if (c.kind === 'state_dict') {
        expect([...factory(c).state_dict()].map(([k, v]) => [k, v.shape])).to.deep.equal(c.state_dict);
      } else {
        const q = SF.state_quant(c.kwargs);
        expectClose(q.levels, c.levels!, 'levels');
        const x = toTensor(c.input!, true);
        const y = q(x);
        expectClose(y, c.output!, 'quantised');
        y.mul(torch.arange(41, { dtype: 'float32' }))
          .sum()
          .backward();
        expectClose(x.grad, c.grad_input!, 'straight-through grad');
      }
    });
  }
});

describe('nn layers: behaviour', () => {
  it('BatchNorm state_dict round-trips running statistics; eval() uses them', () => {
    const a = new nn.BatchNorm1d(3);
    a.forward(torch.rand([8, 3]).mul(5));
    const b = new nn.BatchNorm1d(3);
    b.load_state_dict(a.state_dict());
    expect(b.num_batches_tracked!.item()).to.equal(1);
    expect(b.running_mean!.tolist()).to.deep.equal(a.running_mean!.tolist());
    a.eval();
    b.eval();
    const x = torch.rand([2, 3]);
    expect(b.forward(x).tolist()).to.deep.equal(a.forward(x).tolist());
    expect(a.num_batches_tracked!.item(), 'eval does not count batches').to.equal(1);
  });
  it('BatchNormTT has one bias-free norm per step', () => {
    const tt = snn.BatchNormTT2d(4, 3);
    expect(tt.length).to.equal(3);
    const bn = tt.at(1) as nn.BatchNorm2d;
    expect(bn.bias).to.equal(null);
    expect([...tt.parameters()].length).to.equal(3);
  });
  it('ModuleList: append, extend, insert, at, iteration; state dict keys by index; no forward', () => {
    const l = new nn.ModuleList([new nn.Linear(2, 3)]);
    l.append(new nn.ReLU()).extend([new nn.Linear(3, 1)]);
    l.insert(1, new nn.Dropout(0.5));
    expect([...l].map((m) => m.constructor.name)).to.deep.equal(['Linear', 'Dropout', 'ReLU', 'Linear']);
    expect(l.at(-1)).to.be.instanceOf(nn.Linear);
    expect([...l.state_dict().keys()]).to.deep.equal(['0.weight', '0.bias', '3.weight', '3.bias']);
    expect(() => l.forward()).to.throw(/no forward/);
    expect(() => l.at(4)).to.throw(/index/);
  });
  it("Softmax without dim warns and picks PyTorch's implicit dim", () => {
    const warnings: string[] = [];
    const on = (w: Error): void => void warnings.push(w.message);
    process.on('warning', on);
    const y = new nn.Softmax().forward(torch.rand([2, 3]));
    expect((y.sum(1).tolist() as number[]).map((v) => Math.round(v * 1e5))).to.deep.equal([1e5, 1e5]);
    return new Promise<void>((resolve) =>
      setImmediate(() => {
        process.off('warning', on);
        expect(warnings.some((w) => /Implicit dimension/.test(w))).to.equal(true);
        resolve();
      }),
    );
  });
  it('bad input gets a clear error', () => {
    expect(() => new nn.BatchNorm2d(3).forward(torch.rand([2, 3]))).to.throw(/expected 4D input \(got 2D input\)/);
    expect(() => new nn.BatchNorm1d(3).forward(torch.rand([1, 3]))).to.throw(/more than 1 value per channel/);
    expect(() => new nn.BatchNorm1d(3).forward(torch.rand([4, 2]))).to.throw(/running_mean must have shape \[2\]/);
    expect(() => new nn.MaxPool2d(2, { padding: 2 })).to.not.throw();
    expect(() => new nn.MaxPool2d(2, { padding: 2 }).forward(torch.rand([1, 1, 4, 4]))).to.throw(/pad should be at most half/);
    expect(() => new nn.Conv1d(3, 4, 3).forward(torch.rand([1, 2, 8]))).to.throw(/expected input with 3 channels/);
    expect(() => new nn.ConvTranspose2d(2, 2, 3, { stride: 1, output_padding: 1 })).to.throw(/output_padding/);
    expect(() => new nn.Unflatten(1, [4, -1]).forward(torch.rand([2, 6]))).to.throw(/does not match/);
    expect(() => new nn.Conv1d(2, 2, 3, { padding: 'same', stride: 2 })).to.throw(/strided/);
    expect(() => SF.state_quant({ num_bits: 0 })).to.throw(/num_bits/);
  });
});

describe('SF.quant.state_quant in a neuron', () => {
  it("quantises a Leaky neuron's membrane onto the levels (snnTorch's state_quant option)", () => {
    const q = SF.quant.state_quant({ num_bits: 3, uniform: true });
    const lif = new snn.Leaky({ beta: 0.9, state_quant: q });
    const levels = q.levels.tolist() as number[];
    let mem: torch.Tensor | undefined;
    for (let t = 0; t < 5; t++) [, mem] = lif.forward(torch.rand([4]).mul(0.6)) as [torch.Tensor, torch.Tensor];
    for (const v of mem!.tolist() as number[])
      expect(
        levels.some((l) => Math.abs(l - v) < 1e-6),
        `${v} on a level`,
      ).to.equal(true);
    expect(SF.state_quant(2).levels.numel()).to.equal(4);
  });
});

describe('ConvTranspose2d output_size', () => {
  it('picks the output_padding that gives the requested size, as PyTorch does', () => {
    const up = new nn.ConvTranspose2d(2, 3, 3, { stride: 2, padding: 1 });
    const x = torch.rand([1, 2, 4, 5]);
    expect(up.forward(x).shape).to.deep.equal([1, 3, 7, 9]);
    expect(up.forward(x, [8, 10]).shape).to.deep.equal([1, 3, 8, 10]);
    expect(up.forward(x, [1, 3, 8, 9]).shape).to.deep.equal([1, 3, 8, 9]);
    expect(() => up.forward(x, [9, 9])).to.throw(/valid sizes range from \[7\] to \[8\]/);
  });
});
