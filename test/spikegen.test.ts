// spikegen against real snnTorch 0.9.4 (test/fixtures/spikegen, written by generate.py there):
// deterministic encoders exactly (spike trains) or within float32 rounding (spike times, ramps);
// random encoders bit for bit after torch.manual_seed (LibTorch's CPU generator is PyTorch's), and
// by their statistics.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { spikegen, torch } from '../lib/index.js';
import type { DType } from '../lib/torch/dtype.js';

interface Enc {
  dtype: string;
  shape: number[];
  data: number[];
}
interface Case {
  name: string;
  fn: string;
  input: Enc | null;
  args: number[];
  kwargs: Record<string, number | boolean | string>;
  seed: number | null;
  expected?: Enc | Enc[];
  error?: string;
}
const fixture = JSON.parse(readFileSync(new URL('./fixtures/spikegen/spikegen.json', import.meta.url), 'utf8')) as { cases: Case[] };

const toTensor = (e: Enc): torch.Tensor => torch.tensor(e.data, { dtype: e.dtype as DType }).reshape(e.shape);

type Call = (x: torch.Tensor | null, args: number[], kw: Record<string, unknown>) => torch.Tensor | torch.Tensor[];
const CALLS: Record<string, Call> = {
  latency: (x, _a, kw) => spikegen.latency(x!, kw),
  latency_code: (x, _a, kw) => spikegen.latency_code(x!, kw),
  latency_interpolate: (x, a, kw) => spikegen.latency_interpolate(x!, a[0]!, kw),
  delta: (x, _a, kw) => spikegen.delta(x!, kw),
  to_one_hot: (x, a) => spikegen.to_one_hot(x!, a[0]!),
  from_one_hot: (x) => spikegen.from_one_hot(x!),
  targets_rate: (x, a, kw) => spikegen.targets_rate(x!, a[0]!, kw),
  targets_latency: (x, a, kw) => spikegen.targets_latency(x!, a[0]!, kw),
  rate_interpolate: (x, a, kw) => spikegen.rate_interpolate(x!, a[0]!, kw),
  target_rate_code: (_x, a, kw) => spikegen.target_rate_code(a[0]!, kw),
  rate: (x, _a, kw) => spikegen.rate(x!, kw),
  rate_conv: (x) => spikegen.rate_conv(x!),
};

function expectMatches(actual: torch.Tensor, expected: Enc, what: string): void {
  expect(actual.shape, `${what}: shape`).to.deep.equal(expected.shape);
  // Spike trains and labels are exact; spike times and ramps are float32 arithmetic on the same
  // formula and may differ in the last bit (tolerance 1e-6 absolute + relative).
  const exact = expected.data.every((v) => v === 0 || v === 1 || v === -1 || Number.isInteger(v));
  const a = Array.from(actual.data(), Number);
  expected.data.forEach((v, i) => {
    if (exact) expect(a[i], `${what}[${i}]`).to.equal(v);
    else expect(Math.abs(a[i]! - v), `${what}[${i}] = ${a[i]} vs ${v}`).to.be.at.most(1e-6 + 1e-6 * Math.abs(v));
  });
}

describe('spikegen: parity with snnTorch 0.9.4', () => {
  for (const c of fixture.cases) {
    it(c.name, () => {
      const call = CALLS[c.fn];
      expect(call, `no call for ${c.fn}`).to.not.equal(undefined);
      if (c.seed !== null) torch.manual_seed(c.seed);
      const x = c.input ? toTensor(c.input) : null;
      if (c.error !== undefined) {
        expect(() => call!(x, c.args, c.kwargs)).to.throw(/out of bounds|must/);
        return;
      }
      const out = call!(x, c.args, c.kwargs);
      const outs = Array.isArray(out) ? out : [out];
      const exps = Array.isArray(c.expected) ? c.expected : [c.expected!];
      expect(outs.length).to.equal(exps.length);
      outs.forEach((o, i) => expectMatches(o, exps[i]!, `${c.name} output ${i}`));
    });
  }
});

describe('spikegen: dtypes', () => {
  it('latency keeps float64 data float64 (every path) with the float32 values', () => {
    const x32 = torch.tensor([[0.05, 0.5, 1.0]]);
    const x64 = x32.double();
    for (const kw of [
      { num_steps: 6, normalize: true },
      { num_steps: 6, linear: true, normalize: true },
      { num_steps: 6, normalize: true, interpolate: true },
      {},
    ]) {
      const opts = { num_steps: 6, bypass: true, ...kw };
      const a = spikegen.latency(x64, opts);
      const b = spikegen.latency(x32, opts);
      expect(a.dtype, JSON.stringify(opts)).to.equal('float64');
      expect(b.dtype).to.equal('float32');
      expect(Array.from(a.data(), Number).map((v) => Math.round(v * 1e5))).to.deep.equal(
        Array.from(b.data(), Number).map((v) => Math.round(v * 1e5)),
      );
    }
  });
  it('rate and delta keep the data dtype; to_one_hot is float32', () => {
    expect(spikegen.rate(torch.rand([3], { dtype: 'float64' }), { num_steps: 2 }).dtype).to.equal('float64');
    expect(spikegen.rate(torch.rand([3, 2], { dtype: 'float64' }), { time_var_input: true, first_spike_time: 1 }).dtype).to.equal(
      'float64',
    );
    expect(spikegen.delta(torch.rand([4, 2], { dtype: 'float64' })).dtype).to.equal('float64');
    expect(spikegen.to_one_hot(torch.tensor([1, 0]), 3).dtype).to.equal('float32');
  });
});

describe('spikegen: statistics of the random encoders', () => {
  it('rate fires at the clamped probability, gain and offset included (seeded)', () => {
    torch.manual_seed(42);
    const p = torch.tensor([0, 0.1, 0.5, 0.9, 1, 1.7, -0.3]);
    const spikes = spikegen.rate(p, { num_steps: 20000 });
    expect(spikes.shape).to.deep.equal([20000, 7]);
    const mean = Array.from(spikes.mean(0).data(), Number);
    // Binomial standard error at n = 20000 is at most 0.0036; allow 5 sigma.
    [0, 0.1, 0.5, 0.9, 1, 1, 0].forEach((q, i) => expect(Math.abs(mean[i]! - q), `feature ${i}`).to.be.below(0.018));
    const scaled = spikegen.rate(torch.full([1000], 0.4), { num_steps: 20, gain: 0.5, offset: 0.1 });
    expect(Math.abs(scaled.mean().item() - 0.3)).to.be.below(0.02);
  });
  it('first_spike_time silences the first steps', () => {
    const s = spikegen.rate(torch.ones([5]), { num_steps: 6, first_spike_time: 3 });
    expect(Array.from(s.sum(1).data(), Number)).to.deep.equal([0, 0, 0, 5, 5, 5]);
  });
  it('target_rate_code poisson and uniform give the expected spike counts', () => {
    torch.manual_seed(1);
    let poisson = 0;
    let uniformTimes = 0;
    for (let i = 0; i < 200; i++) {
      poisson += spikegen.target_rate_code(100, { rate: 0.3, firing_pattern: 'poisson', first_spike_time: 10 })[0].sum().item();
      const [, times] = spikegen.target_rate_code(100, { rate: 0.25, firing_pattern: 'uniform', first_spike_time: 20 });
      expect(times.min().item()).to.be.at.least(20);
      uniformTimes += times.numel();
    }
    // 200 trains of 90 Bernoulli(0.3) steps: mean 27 per train, s.e. of the mean 0.31.
    expect(Math.abs(poisson / 200 - 27)).to.be.below(1.6);
    expect(uniformTimes / 200).to.equal(Math.ceil(80 / 4));
  });
});

describe('spikegen: targets_convert', () => {
  it('dispatches on code to targets_rate or targets_latency with their options', () => {
    const y = torch.tensor([1, 0]);
    expect(spikegen.targets_convert(y, 3).tolist()).to.deep.equal(spikegen.targets_rate(y, 3).tolist());
    const lat = spikegen.targets_convert(y, 3, { code: 'latency', num_steps: 4, normalize: true, tau: 2 });
    expect(lat.tolist()).to.deep.equal(spikegen.targets_latency(y, 3, { num_steps: 4, normalize: true, tau: 2 }).tolist());
    expect(() => spikegen.targets_convert(y, 3, { code: 'delta' as never })).to.throw(/'rate' or 'latency'/);
  });
});

describe('spikegen: bad input', () => {
  it('names the problem', () => {
    expect(() => spikegen.rate(torch.rand([2]))).to.throw(/num_steps/);
    expect(() => spikegen.rate(torch.rand([2]), { num_steps: 3, first_spike_time: 3 })).to.throw(/first_spike_time/);
    expect(() => spikegen.rate(torch.rand([2]), { num_step: 3 } as never)).to.throw(/Unknown option 'num_step'/);
    expect(() => spikegen.rate(torch.tensor([1, 0]), 3)).to.throw(/floating point/);
    expect(() => spikegen.latency(torch.tensor([0.5, 1.5]), { num_steps: 3 })).to.throw(/between \[0, 1\]/);
    expect(() => spikegen.latency(torch.tensor([0.5]))).to.throw(/num_steps must be given/);
    expect(() => spikegen.latency(torch.tensor([0.5]), { num_steps: 5, threshold: 1 })).to.throw(/threshold/);
    expect(() => spikegen.to_one_hot(torch.tensor([0, 4]), 4)).to.throw(/out of bounds/);
    expect(() => spikegen.targets_rate(torch.tensor([0]), 2, { correct_rate: 0.5 })).to.throw(/num_steps/);
    expect(() => spikegen.targets_rate(torch.tensor([0]), 2, { num_steps: 4, correct_rate: 0.2, incorrect_rate: 0.5 })).to.throw(/greater/);
    expect(() =>
      spikegen.targets_rate(torch.tensor([0]), 2, { num_steps: 4, correct_rate: 0.5, firing_pattern: 'bursty' as never }),
    ).to.throw(/firing_pattern/);
    expect(() => spikegen.delta(torch.zeros([0, 3]))).to.throw(/at least one step/);
    expect(spikegen.latency(torch.tensor([0.5, 1.0]), 3).shape).to.deep.equal([3, 2]);
    expect(() => spikegen.latency_interpolate(torch.tensor([1.5]), 4, { on_target: 0, off_target: 1 })).to.throw(/on_target/);
  });
  it('latency_interpolate and rate_interpolate: a num_steps too large for memory fails at once, before any step is built', () => {
    // They once visited every step (and latency_interpolate made a tensor per step): 1e12 steps ran for
    // hours and grew the process by gigabytes a minute.
    const t0 = performance.now();
    expect(() => spikegen.latency_interpolate(torch.tensor([1.5, 0]), 1e12)).to.throw(RangeError, /fits in memory for num_steps/);
    expect(() => spikegen.latency_interpolate(torch.zeros(0), 2 ** 40)).to.throw(RangeError, /num_steps/);
    expect(() => spikegen.rate_interpolate(torch.tensor([1.5, 0]), 1e12)).to.throw(RangeError, /fits in memory for num_steps/);
    expect(() => spikegen.rate_interpolate(torch.tensor([-Infinity]), 4)).to.throw(RangeError, /spike_time/);
    expect(performance.now() - t0).to.be.below(2000);
    expect(Array.from(spikegen.rate_interpolate(torch.tensor([3, 1, 1.5]), 6).data() as Float32Array)).to.deep.equal([0, 1, 0, 1, 0, 0]);
    const y = spikegen.latency_interpolate(torch.tensor([0, 2.2, 9]), 3);
    expect(y.shape).to.deep.equal([3, 3]);
    expect(Array.from(y.data() as Float32Array)).to.deep.equal([1, 0, 0, 0, 0.5, 0, 0, 1, 0]);
  });
});

describe('spikegen: memory', () => {
  it('frees every intermediate tensor (only the outputs stay alive)', () => {
    const x = torch.rand([4, 5]);
    const y = torch.tensor([1, 0, 2]);
    const hot = torch.tensor([0, 1, 1]);
    const calls: (() => torch.Tensor | torch.Tensor[])[] = [
      () => spikegen.rate(x, { num_steps: 3, first_spike_time: 1, gain: 0.5 }),
      () => spikegen.rate(x, { time_var_input: true, first_spike_time: 2 }),
      () => spikegen.latency(x, { num_steps: 6, normalize: true, clip: true }),
      () => spikegen.latency(x, { num_steps: 6, normalize: true, linear: true, interpolate: true }),
      () => spikegen.latency(x, { bypass: true }),
      () => spikegen.latency_code(x, { num_steps: 6 }),
      () => spikegen.delta(x, { off_spike: true, padding: true }),
      () => spikegen.targets_rate(y, 3, { num_steps: 5, correct_rate: 0.5, incorrect_rate: 0.2, interpolate: true }),
      () => spikegen.targets_rate(y, 3, { num_steps: 5, correct_rate: 0.5, firing_pattern: 'poisson' }),
      () => spikegen.targets_latency(y, 3, { num_steps: 5, normalize: true }),
      () => spikegen.from_one_hot(hot),
    ];
    for (const f of calls) {
      const before = torch.memory().live_tensors;
      for (let i = 0; i < 3; i++) {
        const out = f();
        for (const t of Array.isArray(out) ? out : [out]) t.dispose();
      }
      expect(torch.memory().live_tensors - before, f.toString()).to.be.at.most(0); // the GC may free earlier garbage meanwhile
    }
  });
});
