// snntorch.functional losses: parity with snnTorch 0.9.4 (test/fixtures/losses.json) and
// hand-computed values for the losses without fixtures.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as torch from '../lib/torch/index.js';
import * as SF from '../lib/functional/index.js';
import { count_target, population_count_target, targets_convert } from '../lib/functional/targets.js';
import { decodeFixtureTensor, type FixtureTensor } from './fixture_tensors.js';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');

interface LossCase {
  fn: string;
  kwargs: Record<string, unknown>;
  record: string;
  labels: string;
  loss: FixtureTensor;
  grad_record_of_loss_sum: FixtureTensor;
  derived?: { on_target_int?: number; off_target_int?: number; target?: FixtureTensor };
}
interface LossFile {
  records: Record<string, FixtureTensor>;
  labels: Record<string, FixtureTensor>;
  cases: LossCase[];
}
const file = JSON.parse(readFileSync(join(FIXTURES, 'losses.json'), 'utf8')) as LossFile;

// Tolerances (float32, same LibTorch ops, possibly different summation order).
const LOSS_TOL = { rtol: 1e-5, atol: 1e-6 };
const GRAD_TOL = { rtol: 1e-4, atol: 1e-5 };

function toTensor(t: FixtureTensor, requires_grad = false): torch.Tensor {
  const d = decodeFixtureTensor(t);
  if (d.dtype === 'int64')
    return torch.from_typed_array(
      BigInt64Array.from(d.values as number[], (v) => BigInt(v)),
      d.shape,
    );
  return torch.from_typed_array(Float32Array.from(d.values), d.shape, { requires_grad });
}

function values(t: torch.Tensor): number[] {
  return Array.from(t.detach().data(), Number);
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: { rtol: number; atol: number }, what: string): void {
  expect(actual.length, `${what}: length`).to.equal(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    const ok = Math.abs(a - e) <= tol.atol + tol.rtol * Math.abs(e);
    if (!ok) expect.fail(`${what}[${i}]: ${a} vs expected ${e} (rtol ${tol.rtol}, atol ${tol.atol})`);
  }
}

type AnyLoss = (spk: torch.Tensor, y: torch.Tensor) => torch.Tensor;
const FACTORIES: Record<string, (kw: Record<string, unknown>) => AnyLoss> = {
  mse_count_loss: (kw) => SF.mse_count_loss(kw as SF.MseCountLossOptions),
  mse_membrane_loss: (kw) => SF.mse_membrane_loss(kw as SF.MseMembraneLossOptions),
  ce_rate_loss: (kw) => SF.ce_rate_loss(kw as SF.CeRateLossOptions),
  ce_count_loss: (kw) => SF.ce_count_loss(kw as SF.CeCountLossOptions),
};

describe('functional losses: parity with snnTorch 0.9.4 (losses.json)', () => {
  it('has the cases the README lists', () => {
    const counts: Record<string, number> = {};
    for (const c of file.cases) counts[c.fn] = (counts[c.fn] ?? 0) + 1;
    expect(counts).to.deep.equal({ mse_count_loss: 9, mse_membrane_loss: 6, ce_rate_loss: 3, ce_count_loss: 3 });
  });

  file.cases.forEach((c, idx) => {
    it(`#${idx} ${c.fn}(${JSON.stringify(c.kwargs)}) on ${c.record}: value (rtol 1e-5, atol 1e-6), exact shape, grad (rtol 1e-4, atol 1e-5)`, () => {
      const make = FACTORIES[c.fn];
      expect(make, c.fn).to.be.a('function');
      const rec = toTensor(file.records[c.record]!, true);
      const y = toTensor(file.labels[c.labels]!);
      const loss = make!(c.kwargs)(rec, y);
      const want = decodeFixtureTensor(c.loss);
      expect(loss.shape, 'loss shape').to.deep.equal(want.shape);
      expect(loss.dtype).to.equal('float32');
      expectClose(values(loss), want.values as Float32Array, LOSS_TOL, 'loss');

      const total = loss.sum();
      total.backward();
      const g = decodeFixtureTensor(c.grad_record_of_loss_sum);
      expect(rec.grad, 'grad').to.not.equal(null);
      expect(rec.grad!.shape).to.deep.equal(g.shape);
      expectClose(values(rec.grad!), g.values as Float32Array, GRAD_TOL, 'grad');
    });
  });

  file.cases
    .filter((c) => c.derived !== undefined)
    .forEach((c) => {
      it(`${c.fn}(${JSON.stringify(c.kwargs)}) on ${c.record}: the targets snnTorch built (exact)`, () => {
        const rec = decodeFixtureTensor(file.records[c.record]!);
        const [T, , C] = rec.shape as [number, number, number];
        const y = toTensor(file.labels[c.labels]!);
        const kw = c.kwargs as {
          correct_rate?: number;
          incorrect_rate?: number;
          population_code?: boolean;
          num_classes?: number;
          on_target?: number;
          off_target?: number;
        };
        let on: number;
        let off: number;
        let n = C;
        if (c.fn === 'mse_count_loss') {
          const cr = kw.correct_rate ?? 1;
          const ir = kw.incorrect_rate ?? 0;
          if (kw.population_code) {
            n = kw.num_classes!;
            on = population_count_target(T, cr, C, n);
            off = population_count_target(T, ir, C, n);
          } else {
            on = count_target(T, cr);
            off = count_target(T, ir);
          }
          expect(on, 'on_target_int').to.equal(c.derived!.on_target_int);
          expect(off, 'off_target_int').to.equal(c.derived!.off_target_int);
        } else {
          on = kw.on_target ?? 1;
          off = kw.off_target ?? 0;
        }
        const target = targets_convert(y, n, on, off);
        const want = decodeFixtureTensor(c.derived!.target!);
        expect(target.shape).to.deep.equal(want.shape);
        expect(Array.from(target.data() as Float32Array)).to.deep.equal(Array.from(want.values as Float32Array));
      });
    });
});

describe('functional losses: snnTorch details', () => {
  const rec = toTensor(file.records['spk_T10_B4_C5']!);
  const y = toTensor(file.labels['y_B4_C5']!);

  it('count targets truncate the double product as Python int() does', () => {
    expect(count_target(100, 0.29)).to.equal(28);
    expect(count_target(100, 0.57)).to.equal(56);
    expect(count_target(10, 0.8)).to.equal(8);
    expect(count_target(7, 0.75)).to.equal(5);
    expect(count_target(7, 0.3)).to.equal(2);
    expect(count_target(10, 1.5)).to.equal(15);
    expect(count_target(10, -0.3)).to.equal(-3);
    expect(population_count_target(10, 0.8, 10, 5)).to.equal(16);
  });

  it('accepts the positional form: mse_count_loss(0.8, 0.2) equals mse_count_loss({correct_rate: 0.8, incorrect_rate: 0.2})', () => {
    const a = SF.mse_count_loss(0.8, 0.2);
    const b = SF.mse_count_loss({ correct_rate: 0.8, incorrect_rate: 0.2 });
    expect(a.correct_rate).to.equal(0.8);
    expect(a.incorrect_rate).to.equal(0.2);
    expect(a.__name__).to.equal('mse_count_loss');
    expect(a(rec, y).item()).to.equal(b(rec, y).item());
    const c = SF.mse_count_loss(0.8, 0.2, { reduction: 'sum' });
    expect(c.reduction).to.equal('sum');
    expect(c(rec, y).item()).to.be.closeTo(b(rec, y).item() * 20, 1e-4);
  });

  it('loss objects are read-only: their settings are fixed at construction', () => {
    const fns = [
      SF.mse_count_loss(),
      SF.mse_membrane_loss(),
      SF.ce_rate_loss(),
      SF.ce_count_loss(),
      SF.ce_max_membrane_loss(),
      SF.mse_temporal_loss(),
      SF.ce_temporal_loss(),
      SF.l1_rate_sparsity(),
    ];
    expect(fns.map((f) => f.__name__)).to.deep.equal([
      'mse_count_loss',
      'mse_membrane_loss',
      'ce_rate_loss',
      'ce_count_loss',
      'ce_max_membrane_loss',
      'mse_temporal_loss',
      'ce_temporal_loss',
      'l1_rate_sparsity',
    ]);
    const f = SF.mse_count_loss(0.8, 0.2);
    expect(Object.isFrozen(f)).to.equal(true);
    expect(Reflect.set(f, 'correct_rate', 0.9)).to.equal(false);
    expect(f.correct_rate).to.equal(0.8);
  });

  it('accepts the positional form of mse_membrane_loss (time_var_targets, on_target, off_target, reduction)', () => {
    const mem = toTensor(file.records['mem_T10_B4_C5']!);
    const a = SF.mse_membrane_loss(false, 1.05, 0.2, 'sum');
    const b = SF.mse_membrane_loss({ on_target: 1.05, off_target: 0.2, reduction: 'sum' });
    expect([a.on_target, a.off_target, a.reduction, a.time_var_targets]).to.deep.equal([1.05, 0.2, 'sum', false]);
    expect(a(mem, y).item()).to.equal(b(mem, y).item());
  });

  it('weight given as numbers or as a Tensor gives the same loss', () => {
    const sq = toTensor(file.records['spk_T10_B4_C4_sq']!);
    const ysq = toTensor(file.labels['y_B4_C4']!);
    const w = [0.1, 0.2, 0.3, 0.4];
    const a = SF.mse_count_loss({ correct_rate: 0.8, incorrect_rate: 0.2, weight: w })(sq, ysq).item();
    const b = SF.mse_count_loss({ correct_rate: 0.8, incorrect_rate: 0.2, weight: torch.tensor(w) })(sq, ysq).item();
    expect(a).to.equal(b);
    expect(a).to.be.closeTo(0.27187502, 1e-6);
  });

  it('mse_membrane_loss time_var_targets uses row t of the [B, C] target at step t (snnTorch bug kept)', () => {
    // T=2, B=2, C=2; target rows: label 0 -> [1, 0], label 1 -> [0, 1]
    const mem = torch.tensor([
      [
        [0.5, 0.5],
        [0, 0],
      ],
      [
        [1, 1],
        [0.25, 0.75],
      ],
    ]);
    const yy = torch.tensor([0, 1]);
    // step 0 vs row 0 [1, 0]: ((0.5-1)^2 + 0.5^2 + 1 + 0) / 4 = 0.375
    // step 1 vs row 1 [0, 1]: (1 + 0 + 0.0625 + 0.0625) / 4 = 0.28125
    const l = SF.mse_membrane_loss({ time_var_targets: true })(mem, yy);
    expect(l.shape).to.deep.equal([1]);
    expect(l.item()).to.be.closeTo((0.375 + 0.28125) / 2, 1e-7);
  });

  it('ce_count_loss with a weight takes a plain mean over the batch, and leaves sum unreduced', () => {
    const counts = rec.sum(0);
    const w = torch.tensor([1, 2, 3, 4, 5], { dtype: 'float32' });
    const lp = counts.log_softmax(-1);
    const yv = [3, 0, 4, 0];
    const lpv = lp.tolist() as number[][];
    const wv = [1, 2, 3, 4, 5];
    const per = yv.map((c, b) => -lpv[b]![c]! * wv[c]!);
    const mean = SF.ce_count_loss({ weight: w })(rec, y);
    expect(mean.shape).to.deep.equal([]);
    expect(mean.item()).to.be.closeTo(per.reduce((a, b) => a + b) / 4, 1e-5);
    const sum = SF.ce_count_loss({ weight: w, reduction: 'sum' })(rec, y);
    expect(sum.shape).to.deep.equal([4]);
    expectClose(values(sum), per, LOSS_TOL, 'per-sample');
  });

  it('returns a loss that backpropagates to the record', () => {
    const r = toTensor(file.records['spkcont_T10_B4_C5']!, true);
    const loss = SF.mse_count_loss(0.8, 0.2)(r, y);
    loss.backward();
    expect(r.grad).to.not.equal(null);
    expect(values(r.grad!).some((v) => v !== 0)).to.equal(true);
  });

  it('frees its intermediate tensors (live tensor count stays flat over many calls)', () => {
    const r = toTensor(file.records['spkcont_T10_B4_C5']!, true);
    const fns: ((a: torch.Tensor, b: torch.Tensor) => torch.Tensor)[] = [
      SF.mse_count_loss(0.8, 0.2),
      SF.mse_membrane_loss(),
      SF.ce_rate_loss(),
      SF.ce_count_loss(),
      SF.ce_max_membrane_loss(),
      SF.mse_temporal_loss(),
      SF.ce_temporal_loss(),
      SF.mse_count_loss({ population_code: true, num_classes: 5 }),
    ];
    const once = (): void => {
      for (const f of fns) {
        const l = f(r, y);
        const s = l.sum();
        s.backward();
        s.dispose();
        l.dispose();
      }
      r.grad!.dispose();
      r.grad = null;
    };
    once();
    const before = torch.memory().live_tensors;
    for (let i = 0; i < 20; i++) once();
    // At most: the GC may also free garbage left by earlier tests during the loop.
    expect(torch.memory().live_tensors).to.be.at.most(before);
  });
});

describe('functional losses without fixtures: hand-computed values', () => {
  it('ce_max_membrane_loss: NLL(log_softmax(max over time)), gradient only at the arg max step', () => {
    // T=3, B=1, C=2: max over time of class 0 is 2 (t=1), of class 1 is 1 (t=2)
    const mem = torch.tensor([[[1, 0]], [[2, -1]], [[0, 1]]], { requires_grad: true });
    const y = torch.tensor([1]);
    const loss = SF.ce_max_membrane_loss()(mem, y);
    expect(loss.shape).to.deep.equal([]);
    // -log(e^1 / (e^2 + e^1)) = log(1 + e)
    expect(loss.item()).to.be.closeTo(Math.log(1 + Math.E), 1e-6);
    loss.backward();
    const p0 = Math.E ** 2 / (Math.E ** 2 + Math.E);
    expectClose(values(mem.grad!), [0, 0, p0, 0, 0, -p0], LOSS_TOL, 'grad');
    const none = SF.ce_max_membrane_loss('none')(mem, y);
    expect(none.shape).to.deep.equal([1]);
  });

  it('l1_rate_sparsity: Lambda * total spike count, 0-dim, gradient Lambda everywhere', () => {
    const spk = torch.tensor(
      [
        [
          [1, 0],
          [1, 1],
        ],
        [
          [0, 1],
          [0, 0],
        ],
      ],
      { requires_grad: true },
    );
    const reg = SF.l1_rate_sparsity();
    expect(reg.Lambda).to.equal(1e-5);
    const l = reg(spk);
    expect(l.shape).to.deep.equal([]);
    expect(l.item()).to.equal(Math.fround(Math.fround(1e-5) * 4));
    expect(SF.l1_rate_sparsity(0.5)(spk).item()).to.equal(2);
    expect(SF.l1_rate_sparsity({ Lambda: 0.25 })(spk).item()).to.equal(1);
    l.backward();
    expectClose(values(spk.grad!), new Array(8).fill(1e-5), { rtol: 1e-6, atol: 0 }, 'grad');
  });

  // Record for the temporal losses: T=4, B=2, N=3.
  //   b0: n0 fires at t=1 (and t=3), n1 at t=0, n2 never       -> first times [1, 0, 3]
  //   b1: n0 never, n1 at t=2, n2 at t=3                      -> first times [3, 2, 3]
  const temporalRecord = (): torch.Tensor =>
    torch.tensor(
      [
        [
          [0, 1, 0],
          [0, 0, 0],
        ],
        [
          [1, 0, 0],
          [0, 0, 0],
        ],
        [
          [0, 0, 0],
          [0, 1, 0],
        ],
        [
          [1, 0, 0],
          [0, 0, 1],
        ],
      ],
      { requires_grad: true },
    );

  it('mse_temporal_loss with spike-time targets: MSE(t/T, target/T), sign-estimator gradient', () => {
    const spk = temporalRecord();
    const target = torch.tensor([
      [0, 0, -1],
      [1, 2, 3],
    ]); // -1 -> T-1 = 3
    const loss = SF.mse_temporal_loss({ target_is_time: true })(spk, target);
    // errors/4: b0 [1, 0, 0], b1 [2, 0, 0] -> ((1/4)^2 + (2/4)^2) / 6
    expect(loss.shape).to.deep.equal([]);
    expect(loss.item()).to.be.closeTo((1 / 16 + 4 / 16) / 6, 1e-7);
    expect(target.tolist()).to.deep.equal([
      [0, 0, -1],
      [1, 2, 3],
    ]); // the caller's tensor is untouched
    loss.backward();
    // d loss / d time[b,n] = 2 * (t - target) / T^2 / 6; d time / d spk[t*] = -1 at the step read
    const g = values(spk.grad!);
    const at = (t: number, b: number, n: number): number => g[t * 6 + b * 3 + n]!;
    expect(at(1, 0, 0)).to.be.closeTo(-(2 * 1) / 16 / 6, 1e-7);
    expect(at(3, 1, 0)).to.be.closeTo(-(2 * 2) / 16 / 6, 1e-7); // silent neuron: read at T-1
    expect(at(3, 0, 0)).to.equal(0); // a later spike gets nothing
    expect(g.filter((v) => v !== 0).length).to.equal(2);
  });

  it('mse_temporal_loss with labels and snnTorch defaults (0, -1): every target clamps to 0 (0.9.4 quirk)', () => {
    const spk = temporalRecord();
    const y = torch.tensor([1, 2]);
    const loss = SF.mse_temporal_loss()(spk, y);
    // all targets 0: times/4 = [1,0,3]/4, [3,2,3]/4 -> sum of squares (1+0+9+9+4+9)/16 / 6
    expect(loss.item()).to.be.closeTo(32 / 16 / 6, 1e-7);
    // on_target 0, off_target 3 (on <= off branch): targets b0 [3,0,3], b1 [3,3,0]
    const l2 = SF.mse_temporal_loss({ on_target: 0, off_target: 3, reduction: 'none' })(spk, y);
    expect(l2.shape).to.deep.equal([2, 3]);
    expectClose(
      values(l2),
      [4, 0, 0, 0, 1, 9].map((v) => v / 16),
      LOSS_TOL,
      'none',
    );
  });

  it('mse_temporal_loss tolerance: times within tolerance read as the target, gradient passes through', () => {
    const spk = temporalRecord();
    const target = torch.tensor([
      [0, 0, 3],
      [0, 2, 3],
    ]);
    // errors b0 [1,0,0], b1 [3,0,0]; tolerance 2 hides the first
    const loss = SF.mse_temporal_loss({ target_is_time: true, tolerance: 2, reduction: 'sum' })(spk, target);
    expect(loss.item()).to.be.closeTo(9 / 16, 1e-7);
    loss.backward();
    const g = values(spk.grad!);
    expect(g[1 * 6 + 0]).to.equal(0); // within tolerance: error 0 after the override
    expect(g[3 * 6 + 3]).to.be.closeTo(-(2 * 3) / 16, 1e-7);
  });

  it('mse_temporal_loss multi_spike: the first F spike times, as snnTorch extracts them', () => {
    // T=4, B=1, N=2: n0 fires at t=0 and t=2, n1 at t=1.
    const spk = torch.tensor([[[1, 0]], [[0, 1]], [[1, 0]], [[0, 0]]], { requires_grad: true });
    // pass 1 times [0, 1]; rows 0 and 1 zeroed; pass 2 times [2, 3 (none)]
    const target = torch.tensor([[[0, 1]], [[2, 3]]]);
    const loss = SF.mse_temporal_loss({ target_is_time: true, multi_spike: true, reduction: 'sum' })(spk, target);
    expect(loss.item()).to.equal(0);
    const target2 = torch.tensor([[[1, 1]], [[2, 1]]]);
    const l2 = SF.mse_temporal_loss({ target_is_time: true, multi_spike: true, reduction: 'none' })(spk, target2);
    expect(l2.shape).to.deep.equal([2, 1, 2]);
    expectClose(values(l2), [1 / 16, 0, 0, 4 / 16], LOSS_TOL, 'multi none');
    // labels with on/off lists of spike times
    const y = torch.tensor([0]);
    const l3 = SF.mse_temporal_loss({ multi_spike: true, on_target: [0, 2], off_target: [1, 3], reduction: 'sum' })(spk, y);
    expect(l3.item()).to.equal(0);
  });

  it('ce_temporal_loss: cross entropy of -first spike time (or 1/(t+1)), gradient through the sign estimator', () => {
    const spk = temporalRecord();
    const y = torch.tensor([1, 2]);
    const loss = SF.ce_temporal_loss()(spk, y);
    // logits b0 [-1, 0, -3], label 1; b1 [-3, -2, -3], label 2
    const ce = (z: number[], c: number): number => Math.log(z.reduce((a, v) => a + Math.exp(v), 0)) - z[c]!;
    const want = (ce([-1, 0, -3], 1) + ce([-3, -2, -3], 2)) / 2;
    expect(loss.shape).to.deep.equal([]);
    expect(loss.item()).to.be.closeTo(want, 1e-6);
    loss.backward();
    // d loss / d logit_b0 = (softmax - onehot)/2; d logit / d time = -1; d time / d spk = -1 => + (softmax - onehot)/2
    const z = [-1, 0, -3];
    const sm = z.map((v) => Math.exp(v) / z.reduce((a, u) => a + Math.exp(u), 0));
    const g = values(spk.grad!);
    expect(g[1 * 6 + 0]).to.be.closeTo(sm[0]! / 2, 1e-6); // b0 n0 read at t=1
    expect(g[0 * 6 + 1]).to.be.closeTo((sm[1]! - 1) / 2, 1e-6); // b0 n1 read at t=0

    const rec = SF.ce_temporal_loss({ inverse: 'reciprocal' })(temporalRecord(), y);
    const r0 = [1 / 2, 1, 1 / 4];
    const r1 = [1 / 4, 1 / 3, 1 / 4];
    expect(rec.item()).to.be.closeTo((ce(r0, 1) + ce(r1, 2)) / 2, 1e-6);
  });
});
