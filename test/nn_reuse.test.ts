// Loop-invariant reuse of nn.Linear / nn.Conv2d results (lib/nn/reuse.ts): the tutorial's per-step
// loop gives the same loss and gradients with and without it (float summation order: rtol 1e-5,
// atol 1e-6), and PyTorch's semantics hold: distinct storage per call, in-place changes of the
// input, parameters or first result recompute, grad mode and requires_grad are part of the key,
// and a forward after backward builds a fresh graph.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { torch, nn, optim, SF } from '../lib/index.js';
import { layerReuse } from '../lib/nn/reuse.js';
import { Net } from '../examples/models/tutorial-net.js';
import { expectClose } from './assert_close.js';

const TOL = { rtol: 1e-5, atol: 1e-6 };
const maxDiff = (a: torch.Tensor, b: torch.Tensor): number => a.sub(b).abs().max().item() as number;

function withReuse<R>(on: boolean, fn: () => R): R {
  const before = torch.backends.snntorch.loop_invariant_reuse;
  torch.backends.snntorch.loop_invariant_reuse = on;
  try {
    return fn();
  } finally {
    torch.backends.snntorch.loop_invariant_reuse = before;
  }
}

describe('loop-invariant reuse (nn.Linear, nn.Conv2d)', () => {
  it('is on by default and switched by torch.backends.snntorch.loop_invariant_reuse (a boolean)', () => {
    expect(torch.backends.snntorch.loop_invariant_reuse).to.equal(process.env.SNNTORCH_LOOP_INVARIANT_REUSE === '0' ? false : true);
    expect(() => {
      (torch.backends.snntorch as { loop_invariant_reuse: unknown }).loop_invariant_reuse = 1;
    }).to.throw(/boolean.*loop_invariant_reuse/);
    const fc = new nn.Linear(4, 3);
    const x = torch.randn([2, 4]);
    withReuse(false, () => {
      fc.forward(x);
      fc.forward(x);
    });
    expect(layerReuse(fc).stats().hits).to.equal(0);
    withReuse(true, () => {
      fc.forward(x);
      fc.forward(x);
    });
    expect(layerReuse(fc).stats().hits).to.equal(1);
  });

  it('SNNTORCH_LOOP_INVARIANT_REUSE sets the default at start-up; a junk value is refused by name', () => {
    const probe = "import('./lib/torch/backends.ts').then((t) => console.log(t.backends.snntorch.loop_invariant_reuse))";
    const run = (v: string) =>
      spawnSync(process.execPath, ['--import', 'tsx', '-e', probe], {
        encoding: 'utf8',
        env: { ...process.env, SNNTORCH_LOOP_INVARIANT_REUSE: v },
      });
    expect(run('0').stdout.trim()).to.equal('false');
    expect(run('off').stdout.trim()).to.equal('false');
    expect(run('1').stdout.trim()).to.equal('true');
    const bad = run('maybe');
    expect(bad.status).to.not.equal(0);
    expect(bad.stderr).to.match(/SNNTORCH_LOOP_INVARIANT_REUSE must be 0\/1/);
  });

  it("the tutorial's loop: fc1 runs once per forward; loss and every gradient equal the loop without reuse", () => {
    torch.manual_seed(3);
    const net = new Net();
    const x = torch.rand([16, 784]);
    const y = torch.randint(0, 10, [16]);
    const loss_fn = SF.mse_count_loss({ correct_rate: 0.8, incorrect_rate: 0.2 });
    const run = (on: boolean): { loss: torch.Tensor; grads: torch.Tensor[] } =>
      withReuse(on, () => {
        for (const p of net.parameters()) p.grad = null;
        const [spk] = net.forward(x);
        const loss = loss_fn(spk, y);
        loss.backward();
        return { loss: loss.detach(), grads: [...net.parameters()].map((p) => p.grad!.clone()) };
      });
    const before = layerReuse(net.fc1).stats();
    const on = run(true);
    const after = layerReuse(net.fc1).stats();
    expect(after.hits - before.hits, 'fc1 reused at steps 1..9').to.equal(9);
    expect(after.misses - before.misses).to.equal(1);
    const off = run(false);
    expectClose(on.loss, off.loss, 'loss', TOL);
    [...net.named_parameters()].forEach(([name], i) => expectClose(on.grads[i]!, off.grads[i]!, `grad of ${name}`, TOL));
  });

  it('returns distinct tensors: in-place ops on one never change another', () => {
    const fc = new nn.Linear(5, 4);
    const x = torch.randn([3, 5]);
    const a = fc.forward(x);
    const b = fc.forward(x);
    const c = fc.forward(x);
    expect(b.grad_fn!.name()).to.equal('CloneBackward0');
    const ref = a.detach().clone();
    b.add_(10);
    expect(maxDiff(a, ref)).to.equal(0);
    expect(maxDiff(c, ref)).to.equal(0);
    expect(maxDiff(b, ref.add(10))).to.be.below(1e-5);
    // The first result changed in place: the next call recomputes rather than copying it.
    a.mul_(0);
    const d = fc.forward(x);
    expect(d.grad_fn!.name()).to.equal('AddmmBackward0');
    expect(maxDiff(d, ref)).to.equal(0);
  });

  it('an in-place change of the input or a parameter, or a new parameter, recomputes', () => {
    const fc = new nn.Linear(5, 4);
    const x = torch.randn([3, 5]);
    const fresh = (): torch.Tensor => withReuse(false, () => fc.forward(x));
    fc.forward(x);
    x.add_(1);
    expect(maxDiff(fc.forward(x), fresh())).to.equal(0);
    fc.forward(x);
    torch.no_grad(() => fc.weight.mul_(2));
    expect(maxDiff(fc.forward(x), fresh())).to.equal(0);
    torch.no_grad(() => fc.bias!.add_(3));
    expect(maxDiff(fc.forward(x), fresh())).to.equal(0);
    const s0 = layerReuse(fc).stats();
    fc.weight = new nn.Parameter(torch.ones([4, 5]));
    expect(maxDiff(fc.forward(x), fresh())).to.equal(0);
    expect(layerReuse(fc).stats().misses).to.equal(s0.misses + 1);
  });

  it('an optimizer step between forwards recomputes with the new weights', () => {
    const fc = new nn.Linear(5, 4);
    const x = torch.randn([3, 5]);
    const opt = new optim.Adam(fc.parameters(), { lr: 0.1 });
    const first = fc.forward(x);
    first.sum().add(fc.forward(x).sum()).backward();
    opt.step();
    const after = fc.forward(x);
    expect(after.grad_fn!.name()).to.equal('AddmmBackward0');
    expect(
      maxDiff(
        after,
        withReuse(false, () => fc.forward(x)),
      ),
    ).to.equal(0);
    expect(maxDiff(after, first)).to.be.above(0);
  });

  it('respects no_grad / enable_grad and requires_grad changes', () => {
    const fc = new nn.Linear(5, 4);
    const x = torch.randn([3, 5]);
    const a = torch.no_grad(() => fc.forward(x));
    expect(a.requires_grad).to.equal(false);
    const b = fc.forward(x);
    expect(b.requires_grad).to.equal(true);
    expect(b.grad_fn!.name()).to.equal('AddmmBackward0');
    const c = torch.no_grad(() => fc.forward(x));
    expect(c.requires_grad).to.equal(false);
    const d = torch.no_grad(() => torch.enable_grad(() => fc.forward(x)));
    expect(d.requires_grad).to.equal(true);
    x.requires_grad_(true);
    const e = fc.forward(x);
    e.sum().backward();
    expect(x.grad, 'input gradient reaches x').to.not.equal(null);
  });

  it('backward twice through reused results works as in PyTorch (a forward after backward builds a new graph)', () => {
    const fc = new nn.Linear(5, 4);
    const x = torch.randn([3, 5]);
    const l1 = fc.forward(x).sum().add(fc.forward(x).sum());
    l1.backward();
    const g1 = fc.weight.grad!.clone();
    fc.weight.grad = null;
    const l2 = fc.forward(x).sum().add(fc.forward(x).sum());
    l2.backward();
    expect(maxDiff(fc.weight.grad!, g1)).to.equal(0);
    expect(() => l2.backward()).to.throw(/backward through the graph a second time|retain_graph/);
  });

  it('nn.Conv2d reuses too, with equal gradients', () => {
    torch.manual_seed(1);
    const conv = new nn.Conv2d(2, 3, 3, { padding: 1 });
    const x = torch.randn([2, 2, 6, 6]);
    const grads = (on: boolean): torch.Tensor[] =>
      withReuse(on, () => {
        conv.weight.grad = null;
        conv.bias!.grad = null;
        let s = torch.zeros([]);
        for (let t = 0; t < 4; t++)
          s = s.add(
            conv
              .forward(x)
              .mul(t + 1)
              .sum(),
          );
        s.backward();
        return [conv.weight.grad!.clone(), conv.bias!.grad!.clone()];
      });
    const h0 = layerReuse(conv).stats().hits;
    const on = grads(true);
    expect(layerReuse(conv).stats().hits - h0).to.equal(3);
    const off = grads(false);
    expectClose(on[0]!, off[0]!, 'conv weight grad', TOL);
    expectClose(on[1]!, off[1]!, 'conv bias grad', TOL);
  });
});
