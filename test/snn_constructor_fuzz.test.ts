// Property-based fuzz over the neuron constructors: `new snn.Leaky(opts)` and `new snn.RLeaky(opts)`
// with random option objects (known keys with values of every kind, unknown keys, junk objects)
// must construct a neuron whose forward step returns or throws an Error, or throw an Error
// themselves: never crash the process, never throw a non-Error. The run happens in a child process
// (this file is the child's script when SNN_NEURON_FUZZ is set), bounded by SNN_FUZZ_RUNS runs per
// constructor: 400 by default (CI), more for a nightly-length run (e.g. SNN_FUZZ_RUNS=20000).
import { expect } from 'chai';
import fc from 'fast-check';
import { fileURLToPath } from 'node:url';
import { describeExit, runChild } from './child_run.js';

const RUNS = Number(process.env.SNN_FUZZ_RUNS ?? 400);

interface FuzzReport {
  runs: number;
  constructed: number;
  threw: number;
  forwardThrew: number;
  bad: string[];
}

async function fuzz(): Promise<FuzzReport> {
  const { torch, snn } = await import('../lib/index.js');
  const report: FuzzReport = { runs: 0, constructed: 0, threw: 0, forwardThrew: 0, bad: [] };
  const tensorValue = fc.oneof(
    fc.constant(null).map(() => torch.rand(1)),
    fc.constant(null).map(() => torch.rand(3)),
    fc.constant(null).map(() => torch.ones([2, 2], { dtype: 'float64' })),
    fc.constant(null).map(() => torch.tensor([1, 2])),
    fc.constant(null).map(() => {
      const t = torch.ones(1);
      t.dispose();
      return t;
    }),
  );
  const value = fc.oneof(
    fc.double(),
    fc.integer({ min: -5, max: 300 }),
    fc.constantFrom(0, 1, -1, 0.5, 0.9, 1.5, NaN, Infinity, -Infinity, 2 ** 31, 1e12, -0),
    fc.boolean(),
    fc.string({ maxLength: 8 }),
    fc.constantFrom('subtract', 'zero', 'none', 'atan', 'SUBTRACT', ''),
    fc.constant(null),
    fc.constant(undefined),
    fc.array(fc.double({ noNaN: false }), { maxLength: 5 }),
    fc.array(fc.integer({ min: 0, max: 10 }), { minLength: 1, maxLength: 3 }),
    fc.constantFrom({}, [], [[1]], { a: 1 }),
    fc.constant(null).map(() => (x: unknown) => x),
    fc.constant(null).map(() => snn.surrogate.atan()),
    fc.constant(null).map(() => snn.surrogate.fast_sigmoid(25)),
    fc.bigInt({ min: -10n, max: 10n }),
    tensorValue,
  );
  // Each known option gets a plausible value most of the time and junk otherwise, so that runs
  // reach both construction (and a forward step) and every kind of refusal.
  const valid: Record<string, fc.Arbitrary<unknown>> = {
    beta: fc.oneof(
      fc.double({ min: 0, max: 1, noNaN: true }),
      fc.constant(null).map(() => torch.rand(3)),
    ),
    threshold: fc.double({ min: 0.1, max: 2, noNaN: true }),
    spike_grad: fc.oneof(
      fc.constant(null).map(() => snn.surrogate.atan()),
      fc.constant(null).map(() => snn.surrogate.fast_sigmoid(25)),
      fc.constant(null),
    ),
    surrogate_disable: fc.boolean(),
    init_hidden: fc.boolean(),
    inhibition: fc.boolean(),
    learn_beta: fc.boolean(),
    learn_threshold: fc.boolean(),
    reset_mechanism: fc.constantFrom('subtract', 'zero', 'none'),
    state_quant: fc.constantFrom(false, null),
    output: fc.boolean(),
    reset_delay: fc.boolean(),
    graded_spikes_factor: fc.double({ min: 0, max: 2, noNaN: true }),
    learn_graded_spikes_factor: fc.boolean(),
    V: fc.double({ min: 0, max: 1, noNaN: true }),
    all_to_all: fc.boolean(),
    linear_features: fc.constantFrom(3, 1, 4),
    conv2d_channels: fc.constantFrom(1, 2),
    kernel_size: fc.constantFrom(1, 3, [3, 3]),
    learn_recurrent: fc.boolean(),
  };
  const entry = (k: string): fc.Arbitrary<unknown> => fc.oneof({ weight: 20, arbitrary: valid[k]! }, { weight: 1, arbitrary: value });
  const lif = [
    'beta',
    'threshold',
    'spike_grad',
    'surrogate_disable',
    'init_hidden',
    'inhibition',
    'learn_beta',
    'learn_threshold',
    'reset_mechanism',
    'state_quant',
    'output',
    'reset_delay',
  ];
  const optionsFor = (keys: string[], base: Record<string, unknown>): fc.Arbitrary<unknown> => {
    const known = fc.record(Object.fromEntries(keys.map((k) => [k, entry(k)])), { requiredKeys: [] });
    return fc.oneof(
      { weight: 12, arbitrary: known.map((o) => ({ ...base, ...o })) },
      { weight: 2, arbitrary: known },
      {
        weight: 1,
        arbitrary: fc.dictionary(fc.constantFrom('bogus', '__proto__', 'constructor', 'beta', 'toString', ...keys), value, { maxKeys: 4 }),
      },
      { weight: 1, arbitrary: value },
    );
  };
  const optionsByName = {
    Leaky: optionsFor([...lif, 'graded_spikes_factor', 'learn_graded_spikes_factor'], { beta: 0.9 }),
    RLeaky: optionsFor([...lif, 'V', 'all_to_all', 'linear_features', 'conv2d_channels', 'kernel_size', 'learn_recurrent'], {
      beta: 0.9,
      linear_features: 3,
    }),
  };
  const input = fc.oneof(
    fc.constant(null).map(() => torch.rand(2, 3)),
    fc.constant(null).map(() => torch.rand(1)),
    fc.constant(null).map(() => torch.rand(2, 1, 4, 4)),
    fc.constant(null).map(() => torch.rand([2, 3], { dtype: 'float64' })),
  );
  const check = (label: string, make: () => { forward(x: unknown): unknown }, x: unknown): void => {
    report.runs++;
    torch.tidy(() => {
      let neuron: { forward(x: unknown): unknown };
      try {
        neuron = make();
      } catch (e) {
        if (e instanceof Error) report.threw++;
        else report.bad.push(`${label}: constructor threw a non-Error ${String(e)}`);
        return;
      }
      report.constructed++;
      try {
        neuron.forward(x);
        neuron.forward(x);
      } catch (e) {
        if (e instanceof Error) report.forwardThrew++;
        else report.bad.push(`${label}: forward threw a non-Error ${String(e)}`);
      }
    });
  };
  for (const [name, C] of [
    ['Leaky', snn.Leaky],
    ['RLeaky', snn.RLeaky],
  ] as const) {
    fc.assert(
      fc.property(optionsByName[name], input, (opts, x) => {
        check(name, () => new (C as new (o: unknown) => { forward(x: unknown): unknown })(opts), x);
        return true;
      }),
      { numRuns: RUNS, seed: Number(process.env.SNN_FUZZ_SEED ?? 20261206) },
    );
  }
  return report;
}

if (process.env.SNN_NEURON_FUZZ) {
  const report = await fuzz();
  process.stdout.write('\nFUZZ ' + JSON.stringify(report) + '\n');
} else {
  describe('snn: property-based fuzz of the neuron constructors (fast-check)', function () {
    this.timeout(600000);
    it(`new snn.Leaky(opts) / new snn.RLeaky(opts): ${RUNS} random option objects each construct or throw an Error, never crash`, async () => {
      const here = fileURLToPath(import.meta.url);
      const r = await runChild(`process.env.SNN_NEURON_FUZZ = '1'; await import(${JSON.stringify(here)});`, { timeoutMs: 540000 });
      expect(r.signal, describeExit(r)).to.equal(null);
      expect(r.status, describeExit(r)).to.equal(0);
      const line = r.stdout.split('\n').find((l) => l.startsWith('FUZZ '));
      expect(line, describeExit(r)).to.be.a('string');
      const report = JSON.parse(line!.slice(5)) as FuzzReport;
      expect(report.bad).to.deep.equal([]);
      console.log(
        `      (${report.runs} runs: ${report.constructed} constructed, ${report.threw} refused, ${report.forwardThrew} forward steps threw an Error)`,
      );
      expect(report.runs).to.equal(2 * RUNS);
      expect(report.constructed).to.be.greaterThan(0);
      expect(report.threw).to.be.greaterThan(0);
    });
  });
}
