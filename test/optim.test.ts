// optim: Adam parity with PyTorch 1.13 on the seed network, the other optimizers' update rules,
// param groups, state dicts, schedulers, and option checks.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as torch from '../lib/torch/index.js';
import { Parameter } from '../lib/nn/parameter.js';
import { Linear } from '../lib/nn/linear.js';
import { Adam, AdamW, SGD, lr_scheduler, type ParamState } from '../lib/optim/index.js';
import { decodeFixtureTensor, type FixtureTensor } from './fixture_tensors.js';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
interface StateEntry {
  name: string;
  kind: string;
  tensor: FixtureTensor;
}
const net = JSON.parse(readFileSync(join(FIXTURES, 'regression2_net.json'), 'utf8')) as {
  state_dict: StateEntry[];
  parameters_order: string[];
  grads: Record<string, FixtureTensor>;
  params_after_one_step: Record<string, FixtureTensor>;
  optimizer: { lr: number; betas: [number, number]; eps: number; weight_decay: number; amsgrad: boolean };
};

function fixture(t: FixtureTensor): torch.Tensor {
  const d = decodeFixtureTensor(t);
  if (!(d.values instanceof Float32Array)) throw new Error('expected a float32 fixture');
  return torch.from_typed_array(d.values, d.shape);
}

/** Largest distance in units in the last place between two float32 arrays (same-sign values). */
function maxUlp(a: Float32Array, b: Float32Array): number {
  expect(a.length).to.equal(b.length);
  const ia = new Int32Array(a.buffer, a.byteOffset, a.length);
  const ib = new Int32Array(b.buffer, b.byteOffset, b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    if (Math.sign(a[i]!) !== Math.sign(b[i]!) && a[i] !== b[i]) return Infinity;
    worst = Math.max(worst, Math.abs(ia[i]! - ib[i]!));
  }
  return worst;
}

const values = (t: torch.Tensor): number[] => Array.from(t.data() as Float32Array);
const bad = <T>(v: unknown): T => v as T;

describe('optim', () => {
  describe('Adam parity with PyTorch 1.13 (regression2_net.json)', () => {
    it('one step from the recorded grads reproduces params_after_one_step bit for bit (tolerance: 0 ulp)', () => {
      const params = net.parameters_order.map((name) => {
        const entry = net.state_dict.find((e) => e.name === name)!;
        const p = new Parameter(fixture(entry.tensor));
        p.grad = fixture(net.grads[name]!);
        return p;
      });
      const o = net.optimizer;
      const opt = new Adam(params, { lr: o.lr, betas: o.betas, eps: o.eps, weight_decay: o.weight_decay, amsgrad: o.amsgrad });
      opt.step();
      let worst = 0;
      net.parameters_order.forEach((name, i) => {
        const expected = decodeFixtureTensor(net.params_after_one_step[name]!).values as Float32Array;
        const ulp = maxUlp(params[i]!.data() as Float32Array, expected);
        expect(ulp, `${name}: max ulp difference`).to.equal(0);
        worst = Math.max(worst, ulp);
      });
      expect(worst).to.equal(0);
      // And the step really moved every parameter (the test could not pass on untouched params).
      const before = fixture(net.state_dict.find((e) => e.name === 'fc1.weight')!.tensor);
      expect(maxUlp(before.data() as Float32Array, params[0]!.data() as Float32Array)).to.be.greaterThan(0);
    });
  });

  describe('update rules (LibTorch vs the formulas, float64, tolerance 1e-12)', () => {
    const p0 = [0.5, -1.0, 2.0];
    const g0 = [0.1, -0.2, 0.3];
    const param = (): Parameter => {
      const p = new Parameter(torch.tensor(p0, { dtype: 'float64' }));
      p.grad = torch.tensor(g0, { dtype: 'float64' });
      return p;
    };
    const close = (a: number[], b: number[]): void => a.forEach((x, i) => expect(x).to.be.closeTo(b[i]!, 1e-12));

    it('SGD with momentum, dampening, weight decay, and Nesterov', () => {
      const p = param();
      const opt = new SGD([p], { lr: 0.1, momentum: 0.9, weight_decay: 0.01 });
      opt.step();
      const d1 = g0.map((g, i) => g + 0.01 * p0[i]!); // first step: buf = d_p
      const p1 = p0.map((x, i) => x - 0.1 * d1[i]!);
      close(values(p), p1);
      opt.step(); // same grad again
      const d2 = g0.map((g, i) => g + 0.01 * p1[i]!);
      const buf = d1.map((b, i) => 0.9 * b + d2[i]!);
      close(
        values(p),
        p1.map((x, i) => x - 0.1 * buf[i]!),
      );

      const q = param();
      new SGD([q], { lr: 0.1, momentum: 0.5, nesterov: true }).step();
      close(
        values(q),
        p0.map((x, i) => x - 0.1 * (g0[i]! + 0.5 * g0[i]!)),
      );
    });

    it('AdamW decays the weights before the Adam step (default weight_decay 0.01)', () => {
      const p = param();
      const opt = new AdamW([p], { lr: 0.1 });
      expect(opt.defaults.weight_decay).to.equal(0.01);
      opt.step();
      // First step: m̂ = g, v̂ = g², so the Adam part is lr·g/(|g| + eps·…) ≈ lr·sign(g).
      const expected = p0.map((x, i) => {
        const g = g0[i]!;
        const m = 0.1 * g;
        const v = 0.001 * g * g;
        const denom = Math.sqrt(v) / Math.sqrt(0.001) + 1e-8;
        return x * (1 - 0.1 * 0.01) + ((-0.1 / 0.1) * m) / denom;
      });
      close(values(p), expected);
    });

    it('Adam amsgrad keeps max_exp_avg_sq; parameters without a grad are skipped', () => {
      const p = param();
      const idle = new Parameter(torch.tensor([1, 2], { dtype: 'float64' }));
      const opt = new Adam([p, idle], { amsgrad: true });
      opt.step();
      const st = opt.state.get(p)!;
      expect(Object.keys(st)).to.have.members(['step', 'exp_avg', 'exp_avg_sq', 'max_exp_avg_sq']);
      close(values(st.max_exp_avg_sq!), values(st.exp_avg_sq!));
      expect(opt.state.has(idle)).to.equal(false);
      expect(values(idle)).to.deep.equal([1, 2]);
    });
  });

  describe('step(closure)', () => {
    it('re-evaluates the loss with grad on, steps, and returns the loss', () => {
      const p = new Parameter(torch.tensor([3], { dtype: 'float32' }));
      const opt = new SGD([p], { lr: 0.25 });
      const loss = torch.no_grad(() =>
        opt.step(() => {
          opt.zero_grad();
          const l = p.square().sum(); // d/dp = 2p = 6
          l.backward();
          return l;
        }),
      );
      expect(loss.item()).to.equal(9);
      expect(values(p)).to.deep.equal([1.5]);
      expect(() => opt.step(bad(5))).to.throw(TypeError, /a function for closure/);
    });
  });

  describe('zero_grad', () => {
    it('sets grads to null by default, or zeroes them with {set_to_none: false}', () => {
      const p = new Parameter(torch.ones([2]));
      const opt = new SGD([p], { lr: 0.1 });
      p.grad = torch.ones([2]);
      opt.zero_grad({ set_to_none: false });
      expect(values(p.grad!)).to.deep.equal([0, 0]);
      opt.zero_grad();
      expect(p.grad).to.equal(null);
      p.grad = torch.ones([2]);
      opt.zero_grad(true);
      expect(p.grad).to.equal(null);
    });
  });

  describe('param_groups', () => {
    it("takes PyTorch's list of group dicts, with per-group options over the defaults", () => {
      const a = new Parameter(torch.ones([2]));
      const b = new Parameter(torch.ones([2]));
      const opt = new SGD([{ params: [a] }, { params: [b], lr: 1 }], { lr: 0.1 });
      expect(opt.param_groups.map((g) => g.lr)).to.deep.equal([0.1, 1]);
      expect(opt.param_groups[1]!.params[0]).to.equal(b);
      a.grad = torch.ones([2]);
      b.grad = torch.ones([2]);
      opt.step();
      expect(values(a)).to.deep.equal([0.9, 0.9].map(Math.fround));
      expect(values(b)).to.deep.equal([0, 0]);
    });

    it('writing group.lr takes effect at the next step (write-through to LibTorch)', () => {
      const p = new Parameter(torch.zeros([1]));
      const opt = new SGD([p], { lr: 0.1 });
      opt.param_groups[0]!.lr = 2;
      expect(opt.param_groups[0]!.lr).to.equal(2);
      p.grad = torch.ones([1]);
      opt.step();
      expect(values(p)).to.deep.equal([-2]);
    });

    it('add_param_group adds a group with the defaults filled in', () => {
      const a = new Parameter(torch.zeros([1]));
      const b = new Parameter(torch.zeros([1]));
      const opt = new Adam([a], { lr: 0.01 });
      opt.add_param_group({ params: [b], eps: 1e-6 });
      expect(opt.param_groups[1]).to.include({ lr: 0.01, eps: 1e-6, amsgrad: false });
      b.grad = torch.ones([1]);
      opt.step();
      expect(values(b)[0]).to.be.closeTo(-0.01, 1e-6);
      expect(() => opt.add_param_group({ params: [a] })).to.throw(RangeError, /more than once/);
    });

    it('steps on a model: parameters() feed the optimizer and updates land in the model', () => {
      torch.manual_seed(1);
      const fc = new Linear(3, 2);
      const opt = new SGD(fc.parameters(), { lr: 0.5 });
      const before = values(fc.bias!);
      fc.forward(torch.ones([4, 3]))
        .sum()
        .backward();
      opt.step();
      expect(values(fc.bias!)).to.deep.equal(before.map((x) => Math.fround(x - 0.5 * 4)));
    });
  });

  describe('state_dict / load_state_dict', () => {
    function trained(): { p: Parameter; opt: Adam } {
      const p = new Parameter(torch.tensor([1, 2, 3], { dtype: 'float32' }));
      const opt = new Adam([p], { lr: 0.1, betas: [0.8, 0.99] });
      for (let i = 0; i < 3; i++) {
        p.grad = torch.tensor([0.5, -1, 2], { dtype: 'float32' });
        opt.step();
      }
      return { p, opt };
    }

    it("has PyTorch's layout: {state: Map<index, {step, exp_avg, exp_avg_sq}>, param_groups: [{...options, params}]}", () => {
      const { opt } = trained();
      const sd = opt.state_dict();
      expect([...sd.state.keys()]).to.deep.equal([0]);
      const s = sd.state.get(0) as ParamState;
      expect(Object.keys(s)).to.deep.equal(['step', 'exp_avg', 'exp_avg_sq']);
      expect(s.step!.dtype).to.equal('float32');
      expect(s.step!.item()).to.equal(3);
      expect(sd.param_groups).to.deep.equal([{ lr: 0.1, betas: [0.8, 0.99], eps: 1e-8, weight_decay: 0, amsgrad: false, params: [0] }]);
    });

    it('a fresh optimizer loaded from the state dict continues exactly like the original', () => {
      const a = trained();
      const b = { p: new Parameter(a.p.detach().clone()), opt: null as Adam | null };
      b.opt = new Adam([b.p], { lr: 0.5 });
      b.opt.load_state_dict(a.opt.state_dict());
      expect(b.opt.param_groups[0]!.lr).to.equal(0.1);
      expect(b.opt.param_groups[0]!.betas).to.deep.equal([0.8, 0.99]);
      for (const { p, opt } of [a, { p: b.p, opt: b.opt }]) {
        p.grad = torch.tensor([-0.25, 0.5, 1], { dtype: 'float32' });
        opt.step();
      }
      expect(values(b.p)).to.deep.equal(values(a.p));
      // Loaded state is copied, not shared with the source dict.
      expect(values(b.opt.state.get(b.p)!.exp_avg!)).to.deep.equal(values(a.opt.state.get(a.p)!.exp_avg!));
    });

    it('accepts the Map-of-Maps form torch.load gives, with PyTorch-only implementation keys and a tensor step', () => {
      const { p, opt } = trained();
      const sd = opt.state_dict();
      const pyLike = new Map<string, unknown>([
        ['state', new Map([[0, new Map(Object.entries(sd.state.get(0)!))]])],
        [
          'param_groups',
          [
            new Map<string, unknown>([
              ...Object.entries(sd.param_groups[0]!),
              ['maximize', false],
              ['foreach', null],
              ['capturable', false],
              ['differentiable', false],
              ['fused', null],
            ]),
          ],
        ],
      ]);
      const fresh = new Adam([new Parameter(p.detach().clone())]);
      fresh.load_state_dict(pyLike);
      expect(fresh.state_dict().state.get(0)!.step!.item()).to.equal(3);
    });

    it('round-trips SGD momentum buffers and scheduler initial_lr', () => {
      const p = new Parameter(torch.ones([2]));
      const opt = new SGD([p], { lr: 0.1, momentum: 0.9 });
      new lr_scheduler.StepLR(opt, 1, { gamma: 0.5 });
      p.grad = torch.ones([2]);
      opt.step();
      const sd = opt.state_dict();
      expect(Object.keys(sd.state.get(0)!)).to.deep.equal(['momentum_buffer']);
      expect(sd.param_groups[0]).to.include({ lr: 0.1, momentum: 0.9, initial_lr: 0.1 });
      const other = new SGD([new Parameter(torch.ones([2]))], { lr: 1 });
      other.load_state_dict(sd);
      expect(other.param_groups[0]!.initial_lr).to.equal(0.1);
      expect(values(other.state_dict().state.get(0)!.momentum_buffer!)).to.deep.equal([1, 1]);
    });

    it('rejects mismatched state dicts before changing anything', () => {
      const { p, opt } = trained();
      const sd = opt.state_dict();
      const target = new Adam([new Parameter(p.detach().clone())], { lr: 0.5 });
      expect(() => target.load_state_dict({ ...sd, param_groups: [] })).to.throw(
        RangeError,
        /0 parameter group\(s\) but the optimizer has 1/,
      );
      expect(() => target.load_state_dict({ ...sd, param_groups: [{ ...sd.param_groups[0], params: [0, 1] }] })).to.throw(
        RangeError,
        /has 2 parameters but the optimizer's group has 1/,
      );
      expect(() => target.load_state_dict({ ...sd, param_groups: [{ ...sd.param_groups[0], lr: -1 }] })).to.throw(RangeError, /lr/);
      expect(() => target.load_state_dict({ ...sd, param_groups: [{ ...sd.param_groups[0], maximize: true }] })).to.throw(
        RangeError,
        /maximize/,
      );
      expect(() => target.load_state_dict({ ...sd, param_groups: [{ ...sd.param_groups[0], nonsense: 1 }] })).to.throw(
        RangeError,
        /unknown option 'nonsense'/,
      );
      const wrongShape = new Map([[0, { step: 1, exp_avg: torch.zeros([4]), exp_avg_sq: torch.zeros([4]) }]]);
      expect(() => target.load_state_dict({ ...sd, state: wrongShape })).to.throw(
        RangeError,
        /exp_avg has shape \[4\] but its parameter has shape \[3\]/,
      );
      const sgdState = new Map([[0, { momentum_buffer: torch.zeros([3]) }]]);
      expect(() => target.load_state_dict({ ...sd, state: sgdState })).to.throw(/missing 'exp_avg'/);
      expect(() => target.load_state_dict(42)).to.throw(TypeError, /Map or an object/);
      // Nothing was applied by the failed loads.
      expect(target.param_groups[0]!.lr).to.equal(0.5);
      expect(target.state.size).to.equal(0);
    });
  });

  describe('lr_scheduler', () => {
    const sgd = (lr = 1): SGD => new SGD([new Parameter(torch.zeros([1]))], { lr });

    it('StepLR multiplies by gamma every step_size epochs', () => {
      const opt = sgd();
      const s = new lr_scheduler.StepLR(opt, 2, { gamma: 0.5 });
      const seen = [s.get_last_lr()[0]];
      for (let i = 0; i < 5; i++) {
        opt.step();
        s.step();
        seen.push(s.get_last_lr()[0]);
      }
      expect(seen).to.deep.equal([1, 1, 0.5, 0.5, 0.25, 0.25]);
      expect(opt.param_groups[0]!.lr).to.equal(0.25);
    });

    it("CosineAnnealingLR follows PyTorch's recursive form (tolerance 1e-15 relative: libm vs V8 cos)", () => {
      const opt = sgd(0.1);
      const s = new lr_scheduler.CosineAnnealingLR(opt, 10, { eta_min: 0.001 });
      // torch 1.13's get_lr recursion run in CPython for lr=0.1, T_max=10, eta_min=1e-3, 12 steps
      // (epoch 11 takes the (e - 1 - T_max) % (2 T_max) == 0 branch).
      const python = [
        0.09757729755661011, 0.0905463412215599, 0.07959536998847742, 0.0657963412215599, 0.0505, 0.03520365877844011, 0.02140463001152259,
        0.010453658778440109, 0.0034227024433899004, 0.001, 0.0034227024433899004, 0.01045365877844014,
      ];
      expect(s.get_last_lr()).to.deep.equal([0.1]);
      for (const want of python) {
        s.step();
        const got = s.get_last_lr()[0]!;
        expect(Math.abs(got - want)).to.be.at.most(1e-15 * want);
      }
      expect(s.last_epoch).to.equal(12);
    });

    it('state_dict / load_state_dict resume the schedule', () => {
      const opt = sgd();
      const s = new lr_scheduler.StepLR(opt, 1, { gamma: 0.5 });
      s.step();
      s.step();
      const saved = s.state_dict();
      expect(saved).to.deep.include({ step_size: 1, gamma: 0.5, last_epoch: 2, base_lrs: [1], _last_lr: [0.25] });
      const opt2 = sgd();
      opt2.load_state_dict(opt.state_dict());
      const s2 = new lr_scheduler.StepLR(opt2, 7, { last_epoch: 0 }); // resuming needs initial_lr, restored above
      s2.load_state_dict(saved);
      s.step();
      s2.step();
      expect(s2.get_last_lr()).to.deep.equal(s.get_last_lr());
    });

    it('resuming without initial_lr in the groups is an error, as in PyTorch', () => {
      expect(() => new lr_scheduler.StepLR(sgd(), 1, { last_epoch: 3 })).to.throw(RangeError, /initial_lr/);
      expect(() => new lr_scheduler.StepLR(sgd(), 0)).to.throw(RangeError, /step_size/);
      expect(() => new lr_scheduler.StepLR(sgd(), 1, { gama: 0.5 } as never)).to.throw(TypeError, /Unknown option 'gama'/);
      expect(() => new lr_scheduler.CosineAnnealingLR({} as never, 10)).to.throw(TypeError, /optim.Optimizer/);
    });
  });

  describe('option checks', () => {
    const p = (): Parameter => new Parameter(torch.zeros([2]));
    it('rejects unknown keys, out-of-range values and bad params with named errors', () => {
      expect(() => new Adam([p()], { lr: 0.1, beta: [0.9, 0.99] } as never)).to.throw(TypeError, /Unknown option 'beta' for Adam options/);
      expect(() => new Adam([p()], { lr: -1 })).to.throw(RangeError, /lr/);
      expect(() => new Adam([p()], { lr: NaN })).to.throw(TypeError, /a finite number for lr/);
      expect(() => new Adam([p()], { betas: [0.9, 1] })).to.throw(RangeError, /betas\[1\] in \[0, 1\)/);
      expect(() => new Adam([p()], { betas: [0.9] as never })).to.throw(TypeError, /pair of numbers/);
      expect(() => new Adam([p()], { eps: -1e-8 })).to.throw(RangeError, /eps/);
      expect(() => new Adam([p()], { amsgrad: 1 as never })).to.throw(TypeError, /a boolean for amsgrad/);
      expect(() => new SGD([p()], { lr: 0.1, nesterov: true })).to.throw(
        RangeError,
        /Nesterov momentum requires a momentum and zero dampening/,
      );
      expect(() => new SGD([p()], { lr: 0.1, momentum: 0.9, dampening: 0.1, nesterov: true })).to.throw(RangeError, /Nesterov/);
      expect(() => new SGD([], { lr: 0.1 })).to.throw(RangeError, /empty parameter list/);
      expect(() => new SGD([torch.zeros([2], { dtype: 'int64' })], { lr: 0.1 })).to.throw(TypeError, /floating point/);
      const leaf = torch.ones([2], { requires_grad: true });
      expect(() => new SGD([leaf.mul(2)], { lr: 0.1 })).to.throw(TypeError, /non-leaf/);
      const q = p();
      expect(() => new SGD([q, q], { lr: 0.1 })).to.throw(RangeError, /more than once/);
      expect(() => new SGD(5 as never, { lr: 0.1 })).to.throw(TypeError, /iterable of Tensors/);
      expect(() => new SGD([{ params: [p()], lrr: 1 }] as never)).to.throw(TypeError, /Unknown option 'lrr' for param_groups\[0\]/);
    });

    it('group setters check values and leave the group unchanged on error', () => {
      const opt = new SGD([p()], { lr: 0.1, momentum: 0.9 });
      expect(() => {
        opt.param_groups[0]!.lr = -0.1;
      }).to.throw(RangeError, /param_groups\[0\]\.lr/);
      expect(() => {
        opt.param_groups[0]!.dampening = 0.5;
        opt.param_groups[0]!.nesterov = true;
      }).to.throw(RangeError, /Nesterov/);
      expect(opt.param_groups[0]).to.include({ lr: 0.1, nesterov: false });
      const adam = new Adam([p()]);
      // betas reads as a frozen copy: editing it in place cannot silently miss LibTorch.
      expect(Object.isFrozen(adam.param_groups[0]!.betas)).to.equal(true);
    });

    it('a disposed optimizer and a foreign native handle give Errors, not crashes', () => {
      const opt = new Adam([p()]);
      opt.dispose();
      expect(() => opt.step()).to.throw(Error, /disposed/);
      const nat = torch.tensor([1]) as unknown as never;
      // Native level: a tensor handle (or a plain object) is not an optimizer.
      return import('../lib/native.js').then(({ native }) => {
        expect(() => native.optim_step(nat)).to.throw(TypeError, /native optimizer/);
        expect(() => native.optim_step({} as never)).to.throw(TypeError, /native optimizer/);
        expect(() => native.optim_create('adam', [{ params: [{} as never] }])).to.throw(TypeError, /Tensor/);
        expect(() => native.optim_create('rmsprop' as never, [])).to.throw(Error, /unknown optimizer kind/);
      });
    });
  });
});
