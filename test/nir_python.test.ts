// NIR against the real NIR Python package, both ways.
// 1. Files the package wrote (test/fixtures/nir, from make_fixtures.py) import into networks whose
//    spikes on fixed inputs equal those of the same networks built by hand here. Runs everywhere.
// 2. Every file export_to_nir + nir.write produce is read back by the package's nir.read (with
//    its type check), and node types, dtypes, shapes and values must match. Needs /usr/bin/python3
//    with h5py, numpy and the NIR package (NIR_PYTHONPATH=<folder holding nir/>); skipped with the
//    reason where they are missing (as in CI).
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nir, nn, snn, torch } from '../lib/index.js';
import { Net } from '../examples/models/tutorial-net.js';
import { ConvNet, sameValues, setParams, wave } from './nir_nets.js';

const FIX = 'test/fixtures/nir';
type Stepper = (x: torch.Tensor) => torch.Tensor;

function record(step: Stepper, x: torch.Tensor, T: number): torch.Tensor {
  const out: torch.Tensor[] = [];
  for (let t = 0; t < T; t++) out.push(step(x));
  return torch.stack(out);
}

function expectSpikesEqual(got: torch.Tensor, want: torch.Tensor, what: string): void {
  const n = want.numel();
  const s = want.sum().item();
  // Inputs are chosen so that the record is neither silent nor saturated: the comparison can fail.
  expect(s, `${what}: reference spike count`).to.be.greaterThan(0).and.lessThan(n);
  expect(sameValues(got, want), `${what}: spikes differ (got ${got.sum().item()} spikes, want ${s})`).to.equal(true);
}

describe('nir: files written by the NIR Python package import into the networks they describe', () => {
  it('recurrent_net.nir: Affine -> RLeaky subgraph -> Affine -> RLeaky subgraph', async () => {
    const m = await snn.import_from_nir(`${FIX}/recurrent_net.nir`);
    const fc1 = new nn.Linear(6, 5);
    const fc2 = new nn.Linear(5, 3);
    // NIR's LIF resets to v_reset at once: snnTorch's zero reset without delay.
    const r1 = new snn.RLeaky({ beta: 0.9, threshold: 0.5, linear_features: 5, reset_mechanism: 'zero', reset_delay: false });
    const r2 = new snn.RLeaky({ beta: 0.8, threshold: 0.25, linear_features: 3, reset_mechanism: 'zero', reset_delay: false });
    setParams(fc1, { weight: wave([5, 6], 1), bias: wave([5], 2) });
    setParams(fc2, { weight: wave([3, 5], 4), bias: wave([3], 5) });
    setParams(r1, { 'recurrent.weight': wave([5, 5], 3), 'recurrent.bias': wave([5], 4) });
    setParams(r2, { 'recurrent.weight': wave([3, 3], 6), 'recurrent.bias': wave([3], 7) });
    let [s1, m1] = r1.init_rleaky();
    let [s2, m2] = r2.init_rleaky();
    const byHand: Stepper = (x) => {
      [s1, m1] = r1.forward(fc1.forward(x), s1, m1) as [torch.Tensor, torch.Tensor];
      [s2, m2] = r2.forward(fc2.forward(s1), s2, m2) as [torch.Tensor, torch.Tensor];
      return s2;
    };
    const x = wave([4, 6], 12).mul(3);
    expectSpikesEqual(
      record((t) => m.forward(t), x, 12),
      record(byHand, x, 12),
      'recurrent_net',
    );
    const sd = m.state_dict();
    expect(sameValues(sd.get('rlif1.recurrent.weight')!, wave([5, 5], 3))).to.equal(true);
    expect(sd.get('rlif1.beta')!.item()).to.equal(Math.fround(0.9));
  });

  it('conv_net.nir: Conv2d -> LIF -> Flatten -> Affine -> CubaLIF', async () => {
    const m = await snn.import_from_nir(`${FIX}/conv_net.nir`);
    const conv = new nn.Conv2d(1, 2, 3, { padding: 1 });
    setParams(conv, { weight: wave([2, 1, 3, 3], 7), bias: wave([2], 8) });
    const lif = new snn.Leaky({ beta: 0.85, threshold: 0.3, reset_mechanism: 'zero', reset_delay: false });
    const flat = new nn.Flatten();
    const fc = new nn.Linear(72, 4);
    setParams(fc, { weight: wave([4, 72], 9), bias: wave([4], 10) });
    const syn = new snn.Synaptic({ alpha: 0.7, beta: 0.9, threshold: 2.5, reset_mechanism: 'zero', reset_delay: false });
    let mem = lif.init_leaky();
    let [ssyn, smem] = syn.init_synaptic();
    const byHand: Stepper = (x) => {
      let s: torch.Tensor;
      [s, mem] = lif.forward(conv.forward(x), mem) as [torch.Tensor, torch.Tensor];
      let out: torch.Tensor;
      [out, ssyn, smem] = syn.forward(fc.forward(flat.forward(s)), ssyn, smem) as [torch.Tensor, torch.Tensor, torch.Tensor];
      return out;
    };
    const x = wave([3, 1, 6, 6], 13).mul(0.3);
    expectSpikesEqual(
      record((t) => m.forward(t), x, 10),
      record(byHand, x, 10),
      'conv_net',
    );
  });

  it('conv1d_net.nir: Conv1d -> LIF -> Flatten -> Affine -> LIF', async () => {
    const m = await snn.import_from_nir(`${FIX}/conv1d_net.nir`);
    expect(new Map(m.named_children()).get('conv')).to.be.instanceOf(nn.Conv1d);
    const conv = new nn.Conv1d(2, 3, 3, { padding: 1 });
    setParams(conv, { weight: wave([3, 2, 3], 15), bias: wave([3], 16) });
    const lif1 = new snn.Leaky({ beta: 0.8, threshold: 0.25, reset_mechanism: 'zero', reset_delay: false });
    const flat = new nn.Flatten();
    const fc = new nn.Linear(24, 4);
    setParams(fc, { weight: wave([4, 24], 17), bias: wave([4], 18) });
    const lif2 = new snn.Leaky({ beta: 0.9, threshold: 0.4, reset_mechanism: 'zero', reset_delay: false });
    let m1 = lif1.init_leaky();
    let m2 = lif2.init_leaky();
    const byHand: Stepper = (x) => {
      let s: torch.Tensor;
      [s, m1] = lif1.forward(conv.forward(x), m1) as [torch.Tensor, torch.Tensor];
      [s, m2] = lif2.forward(fc.forward(flat.forward(s)), m2) as [torch.Tensor, torch.Tensor];
      return s;
    };
    const x = wave([3, 2, 8], 19).mul(0.8);
    expectSpikesEqual(
      record((t) => m.forward(t), x, 12),
      record(byHand, x, 12),
      'conv1d_net',
    );
  });

  it('pool_net.nir: SumPool2d -> LIF -> AvgPool2d (padding 1) -> LIF', async () => {
    const m = await snn.import_from_nir(`${FIX}/pool_net.nir`);
    const kids = new Map(m.named_children());
    expect(kids.get('sum')).to.be.instanceOf(nn.AvgPool2d);
    expect((kids.get('sum') as nn.AvgPool2d).divisor_override).to.equal(1);
    expect(kids.get('avg')).to.be.instanceOf(nn.AvgPool2d);
    // By hand: the window sum as a depthwise all-ones convolution, the average as nn.AvgPool2d.
    const ones = torch.ones([2, 1, 2, 2]);
    const avg = new nn.AvgPool2d(3, { stride: 1, padding: 1 });
    const lif1 = new snn.Leaky({ beta: 0.85, threshold: 0.6, reset_mechanism: 'zero', reset_delay: false });
    const lif2 = new snn.Leaky({ beta: 0.9, threshold: 0.15, reset_mechanism: 'zero', reset_delay: false });
    let m1 = lif1.init_leaky();
    let m2 = lif2.init_leaky();
    const byHand: Stepper = (x) => {
      let s: torch.Tensor;
      [s, m1] = lif1.forward(nn.functional.conv2d(x, ones, null, { stride: 2, groups: 2 }), m1) as [torch.Tensor, torch.Tensor];
      [s, m2] = lif2.forward(avg.forward(s), m2) as [torch.Tensor, torch.Tensor];
      return s;
    };
    const x = wave([3, 2, 6, 6], 20);
    expectSpikesEqual(
      record((t) => m.forward(t), x, 12),
      record(byHand, x, 12),
      'pool_net',
    );
  });

  it('scaled_net.nir: Linear -> LIF with r = 2 tau/dt: the input scale folds into the threshold (snnTorch)', async () => {
    const m = await snn.import_from_nir(`${FIX}/scaled_net.nir`);
    const fc = new nn.Linear(4, 3, { bias: false });
    setParams(fc, { weight: wave([3, 4], 11) });
    const lif = new snn.Leaky({ beta: 0.95, threshold: 0.3, reset_mechanism: 'zero', reset_delay: false });
    let mem = lif.init_leaky();
    const byHand: Stepper = (x) => {
      let s: torch.Tensor;
      [s, mem] = lif.forward(fc.forward(x), mem) as [torch.Tensor, torch.Tensor];
      return s;
    };
    const x = wave([5, 4], 14);
    expectSpikesEqual(
      record((t) => m.forward(t), x, 15),
      record(byHand, x, 15),
      'scaled_net',
    );
  });
});

// ---------------------------------------------------------------- our files, read by Python

interface PyArray {
  dtype: string;
  shape: number[];
  values: number[];
}
interface PyNode {
  type: string;
  params?: Record<string, PyArray | string>;
  metadata?: Record<string, unknown>;
  nodes?: Record<string, PyNode>;
  edges?: [string, string][];
}

const PYTHON = '/usr/bin/python3';

function pythonNir(): { env: NodeJS.ProcessEnv } | { reason: string } {
  if (!existsSync(PYTHON)) return { reason: `${PYTHON} is missing` };
  const env = { ...process.env, PYTHONPATH: [process.env.NIR_PYTHONPATH, process.env.PYTHONPATH].filter(Boolean).join(':') };
  const r = spawnSync(PYTHON, ['-c', 'import h5py, numpy, nir'], { env, encoding: 'utf8' });
  if (r.status !== 0) {
    const last = (r.stderr || '').trim().split('\n').at(-1) ?? '';
    return { reason: `${PYTHON} cannot import h5py, numpy and nir (${last}); set NIR_PYTHONPATH to the folder holding the NIR package` };
  }
  return { env };
}

function dtypeOf(a: nir.NIRArray): string {
  if (a.data instanceof Float32Array) return 'float32';
  if (a.data instanceof Float64Array) return 'float64';
  if (a.data instanceof BigInt64Array) return 'int64';
  return 'int32';
}

function compareNode(ours: nir.NIRNode, py: PyNode, where: string): void {
  expect(py.type, `${where}: type`).to.equal(ours.type);
  if (nir.isGraph(ours)) {
    expect(Object.keys(py.nodes!).sort(), `${where}: nodes`).to.deep.equal(Object.keys(ours.nodes).sort());
    expect(py.edges!.map((e) => e.join('->')).sort(), `${where}: edges`).to.deep.equal(ours.edges.map((e) => e.join('->')).sort());
    for (const [k, n] of Object.entries(ours.nodes)) compareNode(n, py.nodes![k]!, `${where}.${k}`);
    return;
  }
  for (const [k, v] of Object.entries(ours.params)) {
    // The package keeps Input/Output shapes and Flatten's input_type as its input/output types.
    const p = py.params![k];
    expect(p, `${where}: parameter '${k}' missing in Python`).to.not.equal(undefined);
    if (typeof v === 'string') {
      expect(p, `${where}.${k}`).to.equal(v);
      continue;
    }
    const pa = p as PyArray;
    expect(pa.shape, `${where}.${k}: shape`).to.deep.equal([...v.shape]);
    expect(pa.dtype, `${where}.${k}: dtype`).to.equal(dtypeOf(v));
    expect(pa.values, `${where}.${k}: values`).to.deep.equal(nir.toNumbers(v));
  }
  for (const [k, v] of Object.entries(ours.metadata)) {
    expect(py.metadata![k], `${where}: metadata '${k}'`).to.deep.equal(typeof v === 'string' ? v : nir.toNumbers(v));
  }
}

describe('nir: files we write, read by the NIR Python package', function () {
  let env: NodeJS.ProcessEnv;
  let dir: string;
  const written = new Map<string, nir.NIRGraph>();

  before(function () {
    const p = pythonNir();
    if ('reason' in p) {
      console.log(`      skipped: ${p.reason}`);
      this.skip();
    }
    env = (p as { env: NodeJS.ProcessEnv }).env;
    dir = mkdtempSync(join(tmpdir(), 'nir-py-'));
  });
  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('the tutorial network, conv networks (Conv2d, Conv1d), pooling (AvgPool2d, SumPool2d), Synaptic, RSynaptic, one-to-one RLeaky and Lapicque: types, dtypes, shapes, values', async () => {
    torch.manual_seed(3);
    const graphs: Record<string, nir.NIRGraph> = {
      tutorial: snn.export_to_nir(new Net({ num_inputs: 12, num_hidden: 8, num_outputs: 4 }), torch.rand([2, 12])),
      conv: snn.export_to_nir(new ConvNet(), torch.rand([2, 1, 8, 8])),
      conv1d: snn.export_to_nir(
        new nn.Sequential(
          new nn.Conv1d(2, 3, 3, { padding: 1, stride: 2 }),
          new snn.Leaky({ beta: 0.8 }),
          new nn.Flatten(),
          new nn.Linear(12, 2),
        ),
        torch.rand([2, 2, 8]),
      ),
      pool: snn.export_to_nir(
        new nn.Sequential(
          new nn.AvgPool2d(2, { divisor_override: 1 }),
          new snn.Leaky({ beta: 0.8 }),
          new nn.AvgPool2d(3, { stride: 1, padding: 1 }),
          new snn.Leaky({ beta: 0.9 }),
        ),
        torch.rand([2, 2, 6, 6]),
      ),
      family: snn.export_to_nir(
        new nn.Sequential(
          new nn.Linear(5, 4, { bias: false }),
          new snn.Synaptic({ alpha: 0.6, beta: 0.9, threshold: 0.7, reset_mechanism: 'zero' }),
          new nn.Linear(4, 3),
          new snn.RSynaptic({ alpha: 0.5, beta: 0.8, linear_features: 3 }),
          new nn.Linear(3, 3),
          new snn.RLeaky({ beta: 0.7, all_to_all: false, V: [0.5, -0.25, 1] }),
          new snn.Lapicque({ R: 2, C: 0.5, time_step: 0.01, threshold: 0.9 }),
        ),
        torch.rand([1, 5]),
        { dt: 1e-3 },
      ),
    };
    const files: string[] = [];
    for (const [name, g] of Object.entries(graphs)) {
      const f = join(dir, `${name}.nir`);
      await nir.write(f, g);
      written.set(f, g);
      files.push(f);
    }
    const r = spawnSync(PYTHON, [`${FIX}/dump_nir.py`, ...files], { env, encoding: 'utf8', maxBuffer: 64 << 20 });
    expect(r.status, `nir.read in Python failed:\n${r.stderr}`).to.equal(0);
    const dumped = JSON.parse(r.stdout) as Record<string, PyNode>;
    for (const f of files) compareNode(written.get(f)!, dumped[f]!, f.replace(/.*\//, ''));
    // snnTorch's constants: tau = dt / (1 - beta), r = tau / dt.
    const lif = (dumped[files[0]!]!.nodes!.rlif1!.nodes!.lif!.params!.tau as PyArray).values;
    expect(lif[0]).to.be.closeTo(1e-4 / (1 - Math.fround(0.9)), 1e-12);
  });
});
