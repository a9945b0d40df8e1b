// nir.write / nir.read in TypeScript: the file layout round-trips every value, dtype and shape,
// and bad files or graphs are refused with an error naming the file, node or edge.
import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nir, nn, snn, torch } from '../lib/index.js';

const FIX = 'test/fixtures/nir';

async function rejects(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a rejection');
}

function throws(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
}

const small = (): nir.NIRGraph =>
  nir.NIRGraph(
    {
      input: nir.Input([2]),
      fc: nir.Affine(
        [
          [1, 2],
          [3, 4],
          [5, 6],
        ],
        [0.1, 0.2, 0.3],
      ),
      lif: nir.LIF(
        { tau: [1e-3, 2e-3, 3e-3], r: [10, 20, 30], v_leak: [0, 0, 0], v_threshold: [1, 1.5, 2] },
        { reset_mechanism: 'subtract' },
      ),
      output: nir.Output([3]),
    },
    [
      ['input', 'fc'],
      ['fc', 'lif'],
      ['lif', 'output'],
    ],
  );

describe('nir.write / nir.read', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'nir-format-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('round-trips node types, dtypes, shapes, values, metadata and edges', async () => {
    const g = small();
    const path = join(dir, 'small.nir');
    await nir.write(path, g);
    const r = await nir.read(path);
    expect(Object.keys(r.nodes).sort()).to.deep.equal(['fc', 'input', 'lif', 'output']);
    expect(r.edges).to.deep.equal([
      ['input', 'fc'],
      ['fc', 'lif'],
      ['lif', 'output'],
    ]);
    const fc = r.nodes.fc as nir.NIRPrimitive;
    expect(fc.type).to.equal('Affine');
    const w = fc.params.weight as nir.NIRArray;
    expect(w.data).to.be.instanceOf(Float32Array);
    expect(w.shape).to.deep.equal([3, 2]);
    expect(Array.from(w.data as Float32Array)).to.deep.equal([1, 2, 3, 4, 5, 6]);
    const lif = r.nodes.lif as nir.NIRPrimitive;
    expect(lif.params.tau!).to.deep.equal({ data: Float64Array.from([1e-3, 2e-3, 3e-3]), shape: [3] });
    expect(Array.from((lif.params.v_reset as nir.NIRArray).data as Float64Array)).to.deep.equal([0, 0, 0]);
    expect(lif.metadata).to.deep.equal({ reset_mechanism: 'subtract' });
    const inp = r.nodes.input as nir.NIRPrimitive;
    expect(inp.params.shape).to.deep.equal({ data: BigInt64Array.from([2n]), shape: [1] });
  });

  it('writes no half file when a graph is refused, and leaves no temporary file', async () => {
    const bad = nir.NIRGraph({ input: nir.Input([2]), output: nir.Output([2]) }, [['input', 'nowhere']]);
    const path = join(dir, 'refused.nir');
    const e = await rejects(nir.write(path, bad));
    expect(e.message).to.match(/'nowhere' does not exist/);
    expect(existsSync(path)).to.equal(false);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).to.deep.equal([]);
  });

  it('reads the files the NIR Python package wrote (committed fixtures)', async () => {
    const g = await nir.read(`${FIX}/recurrent_net.nir`);
    expect(g.nodes.rlif1!.type).to.equal('NIRGraph');
    const sub = g.nodes.rlif1 as nir.NIRGraph;
    expect(Object.keys(sub.nodes).sort()).to.deep.equal(['input', 'lif', 'output', 'w_rec']);
    expect(sub.edges).to.deep.include(['w_rec', 'lif']);
    const conv = (await nir.read(`${FIX}/conv_net.nir`)).nodes.conv as nir.NIRPrimitive;
    expect((conv.params.weight as nir.NIRArray).shape).to.deep.equal([2, 1, 3, 3]);
    expect(nir.toNumbers(conv.params.groups as nir.NIRArray)).to.deep.equal([1]);
    expect((conv.params.groups as nir.NIRArray).shape).to.deep.equal([]);
  });
});

describe('nir: bad input', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'nir-bad-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('a missing file, a file that is not HDF5, a truncated and a corrupt HDF5 file: errors naming the file', async () => {
    const missing = join(dir, 'missing.nir');
    expect((await rejects(nir.read(missing))).message).to.include(`nir.read('${missing}'): cannot open the file`);
    const text = join(dir, 'text.nir');
    writeFileSync(text, 'hello, not HDF5');
    expect((await rejects(nir.read(text))).message).to.include(`nir.read('${text}'): not an HDF5 file`);
    const good = readFileSync(`${FIX}/recurrent_net.nir`);
    const truncated = join(dir, 'truncated.nir');
    writeFileSync(truncated, good.subarray(0, 2000));
    expect((await rejects(nir.read(truncated))).message).to.match(
      new RegExp(`nir\\.read\\('${truncated}'\\): the HDF5 file cannot be (opened|read) \\(corrupt or truncated\\?\\)`),
    );
    const corrupt = join(dir, 'corrupt.nir');
    const c = Buffer.from(good);
    for (let i = 800; i < c.length - 800; i += 7) c[i] = 0xab;
    writeFileSync(corrupt, c);
    expect((await rejects(nir.read(corrupt))).message).to.include(`nir.read('${corrupt}')`);
    // The library still works after all of that.
    expect(Object.keys((await nir.read(`${FIX}/scaled_net.nir`)).nodes)).to.include('lif');
  });

  it('an unknown node type names the node and its type', async () => {
    const e = await rejects(nir.read(`${FIX}/bad_unknown_type.nir`));
    expect(e.message).to.include("NIR node 'fc1': unknown node type 'Quantizer'");
    expect(throws(() => nir.validateGraph(nir.NIRGraph({ a: { type: 'Foo', params: {}, metadata: {} } }, []))).message).to.include(
      "NIR node 'a': unknown node type 'Foo'",
    );
  });

  it('a dangling edge names the edge and the missing node', async () => {
    const e = await rejects(nir.read(`${FIX}/bad_dangling_edge.nir`));
    expect(e.message).to.include("NIR edge ('rlif1', 'fc3'): node 'fc3' does not exist");
  });

  it('a cycle through no neuron names the nodes on it; a recurrent cycle through a neuron is allowed', async () => {
    const e = await rejects(nir.read(`${FIX}/bad_cycle.nir`));
    expect(e.message).to.include("cycle 'linear' -> 'linear2' -> 'linear' passes through no stateful node");
    const g = nir.NIRGraph(
      {
        input: nir.Input([2]),
        lif: nir.LIF({ tau: [1e-3, 1e-3], r: [10, 10], v_leak: [0, 0], v_threshold: [1, 1] }),
        w: nir.Linear([
          [0, 1],
          [1, 0],
        ]),
        output: nir.Output([2]),
      },
      [
        ['input', 'lif'],
        ['lif', 'w'],
        ['w', 'lif'],
        ['lif', 'output'],
      ],
    );
    expect(() => nir.validateGraph(g)).to.not.throw();
    // import_from_nir turns the inline pair into one RLeaky.
    const m = snn.import_from_nir(g);
    expect(new Map(m.named_children()).get('lif')).to.be.instanceOf(snn.RLeaky);
  });

  it('mismatched shapes name both nodes and their shapes', async () => {
    const e = await rejects(nir.read(`${FIX}/bad_shape.nir`));
    expect(e.message).to.include(
      "NIR edge ('rlif1', 'fc2'): shape mismatch: node 'rlif1' (NIRGraph) gives [5] but node 'fc2' (Affine) takes [4]",
    );
    const g = nir.NIRGraph({ input: nir.Input([2]), fc: nir.Affine([[1, 2]], [0, 0]), output: nir.Output([1]) }, [
      ['input', 'fc'],
      ['fc', 'output'],
    ]);
    expect(throws(() => nir.validateGraph(g)).message).to.include("NIR node 'fc' (Affine): bias has shape [2] but weight [1, 2] needs [1]");
    const lif = nir.NIRGraph({ n: nir.LIF({ tau: [1, 1], r: [1], v_leak: [0, 0], v_threshold: [1, 1] }) }, []);
    expect(throws(() => nir.validateGraph(lif)).message).to.include("NIR node 'n' (LIF): parameter 'r' has shape [1] but 'tau' has [2]");
  });

  it('import_from_nir names the node of a type this library cannot run, and v_leak it cannot express', () => {
    const pool = nir.NIRGraph(
      {
        input: nir.Input([1, 4, 4]),
        p: nir.SumPool2d({ kernel_size: [2, 2], stride: [2, 2], padding: [0, 2] }),
        output: nir.Output([1, 2, 2]),
      },
      [
        ['input', 'p'],
        ['p', 'output'],
      ],
    );
    expect(throws(() => snn.import_from_nir(pool)).message).to.include(
      "NIR node 'p' (SumPool2d): padding [0, 2] exceeds half of kernel_size [2, 2], which nn.AvgPool2d cannot express",
    );
    const stride0 = nir.NIRGraph(
      {
        input: nir.Input([1, 4, 4]),
        p: nir.AvgPool2d({ kernel_size: [2, 2], stride: [0, 2], padding: [0, 0] }),
        output: nir.Output([1, 2, 2]),
      },
      [
        ['input', 'p'],
        ['p', 'output'],
      ],
    );
    expect(throws(() => snn.import_from_nir(stride0)).message).to.include(
      "NIR node 'p' (AvgPool2d): parameter 'stride' must be integers >= 1, got [0, 2]",
    );
    const li = nir.NIRGraph(
      {
        input: nir.Input([2]),
        li: { type: 'LI', params: { tau: nir.f64([1, 1]), r: nir.f64([1, 1]), v_leak: nir.f64([0, 0]) }, metadata: {} },
        output: nir.Output([2]),
      },
      [
        ['input', 'li'],
        ['li', 'output'],
      ],
    );
    expect(throws(() => snn.import_from_nir(li)).message).to.include("NIR node 'li': NIR type LI has no snntorch-node equivalent");
    const leak = nir.NIRGraph(
      {
        input: nir.Input([2]),
        n: nir.LIF({ tau: [1e-3, 1e-3], r: [10, 10], v_leak: [0.1, 0], v_threshold: [1, 1] }),
        output: nir.Output([2]),
      },
      [
        ['input', 'n'],
        ['n', 'output'],
      ],
    );
    expect(throws(() => snn.import_from_nir(leak)).message).to.include(
      "NIR node 'n' (LIF): v_leak other than 0 has no snnTorch equivalent",
    );
  });

  it('export_to_nir names a module NIR cannot express', () => {
    const net = new nn.Sequential(new nn.Linear(4, 3), new snn.Alpha({ alpha: 0.9, beta: 0.8 }));
    const e = throws(() => snn.export_to_nir(net, torch.zeros([1, 4])));
    expect(e.message).to.include("export_to_nir: module '1' (Alpha) has no NIR equivalent");
    const conv = new nn.Sequential(
      new nn.Conv2d(1, 2, 3, { padding: 1 }),
      new snn.RLeaky({ beta: 0.9, conv2d_channels: 2, kernel_size: 3 }),
    );
    expect(throws(() => snn.export_to_nir(conv, torch.zeros([1, 1, 5, 5]))).message).to.include(
      "module '1' (RLeaky) has convolutional feedback",
    );
    const graded = new nn.Sequential(new nn.Linear(4, 3), new snn.Leaky({ beta: 0.9, graded_spikes_factor: 2 }));
    expect(throws(() => snn.export_to_nir(graded, torch.zeros([1, 4]))).message).to.include(
      "module '1' (Leaky) uses graded_spikes_factor other than 1",
    );
    const ceil = new nn.Sequential(new nn.AvgPool2d(2, { ceil_mode: true }), new snn.Leaky({ beta: 0.9 }));
    expect(throws(() => snn.export_to_nir(ceil, torch.zeros([1, 1, 5, 5]))).message).to.include(
      "module '0' (AvgPool2d) uses ceil_mode=true",
    );
    const div = new nn.Sequential(new nn.AvgPool2d(2, { divisor_override: 3 }), new snn.Leaky({ beta: 0.9 }));
    expect(throws(() => snn.export_to_nir(div, torch.zeros([1, 1, 4, 4]))).message).to.include(
      "module '0' (AvgPool2d) uses divisor_override=3",
    );
    const inhib = new nn.Sequential(new nn.Linear(4, 3), new snn.Synaptic({ alpha: 0.9, beta: 0.8, inhibition: true }));
    expect(throws(() => snn.export_to_nir(inhib, torch.zeros([1, 4]))).message).to.include("module '1' (Synaptic) uses inhibition=true");
  });
});
