// export_to_nir -> import_from_nir gives back the same network: equal spikes on fixed inputs and an
// equal state_dict (same keys, same order, bitwise-equal values), in memory and through a file.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nir, nn, snn, torch } from '../lib/index.js';
import { Net } from '../examples/models/tutorial-net.js';
import { ConvNet, sameValues } from './nir_nets.js';

function expectSameState(a: nn.Module, b: nn.Module): void {
  const sa = a.state_dict();
  const sb = b.state_dict();
  expect([...sb.keys()]).to.deep.equal([...sa.keys()]);
  for (const [k, v] of sa) expect(sameValues(sb.get(k)!, v), `state_dict '${k}'`).to.equal(true);
}

function steps(m: snn.NIRGraphModule, x: torch.Tensor, T: number): torch.Tensor {
  m.reset_hidden();
  return torch.stack(Array.from({ length: T }, () => m.forward(x)));
}

describe('nir: round trip export_to_nir -> import_from_nir', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'nir-rt-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('the tutorial network (Linear + RLeaky x2): equal spikes and state_dict, in memory and through a file', async () => {
    torch.manual_seed(7);
    const net = new Net({ num_inputs: 30, num_hidden: 20, num_outputs: 6, num_steps: 12 });
    const x = torch.rand([5, 30]).mul(2);
    const [spk] = torch.no_grad(() => net.forward(x));
    expect(spk.sum().item()).to.be.greaterThan(0).and.lessThan(spk.numel());
    const g = snn.export_to_nir(net, x);
    expect(Object.keys(g.nodes)).to.deep.equal(['input', 'fc1', 'rlif1', 'fc2', 'rlif2', 'output']);
    expect(g.nodes.rlif1!.type).to.equal('NIRGraph');
    const inMemory = snn.import_from_nir(g);
    expect(
      sameValues(
        torch.no_grad(() => steps(inMemory, x, 12)),
        spk,
      ),
    ).to.equal(true);
    expectSameState(net, inMemory);
    const path = join(dir, 'tutorial.nir');
    await nir.write(path, g);
    const fromFile = await snn.import_from_nir(path);
    expect(
      sameValues(
        torch.no_grad(() => steps(fromFile, x, 12)),
        spk,
      ),
    ).to.equal(true);
    expectSameState(net, fromFile);
  });

  it('a conv network (Conv2d -> Leaky -> Flatten -> Linear -> Leaky): equal spikes and state_dict through a file', async () => {
    torch.manual_seed(8);
    const net = new ConvNet();
    const x = torch.rand([3, 1, 8, 8]);
    net.reset_hidden();
    const ref = torch.no_grad(() => torch.stack(Array.from({ length: 10 }, () => net.forward(x))));
    expect(ref.sum().item()).to.be.greaterThan(0).and.lessThan(ref.numel());
    const path = join(dir, 'conv.nir');
    await nir.write(path, snn.export_to_nir(net, x));
    const m = await snn.import_from_nir(path);
    expect(
      sameValues(
        torch.no_grad(() => steps(m, x, 10)),
        ref,
      ),
    ).to.equal(true);
    expectSameState(net, m);
    // A second sequence after reset_hidden() starts from zero state again.
    expect(
      sameValues(
        torch.no_grad(() => steps(m, x, 10)),
        ref,
      ),
    ).to.equal(true);
  });

  it('a Conv1d network (Conv1d -> Leaky -> Flatten -> Linear -> Leaky): equal spikes and state_dict through a file', async () => {
    torch.manual_seed(10);
    const net = new nn.Sequential(
      new nn.Conv1d(2, 4, 3, { padding: 1, stride: 2, dilation: 1 }),
      new snn.Leaky({ beta: 0.8, threshold: 0.2, init_hidden: true }),
      new nn.Flatten(),
      new nn.Linear(4 * 5, 3),
      new snn.Leaky({ beta: 0.9, threshold: 0.3, init_hidden: true }),
    );
    const x = torch.rand([3, 2, 10]).mul(2);
    const ref = torch.no_grad(() => torch.stack(Array.from({ length: 10 }, () => net.forward(x))));
    expect(ref.sum().item()).to.be.greaterThan(0).and.lessThan(ref.numel());
    const g = snn.export_to_nir(net, x);
    expect(g.nodes['0']!.type).to.equal('Conv1d');
    const path = join(dir, 'conv1d.nir');
    await nir.write(path, g);
    const m = await snn.import_from_nir(path);
    expect(new Map(m.named_children()).get('0')).to.be.instanceOf(nn.Conv1d);
    expect(
      sameValues(
        torch.no_grad(() => steps(m, x, 10)),
        ref,
      ),
    ).to.equal(true);
    expectSameState(net, m);
  });

  it('a pooling network (AvgPool2d, and AvgPool2d with divisor_override 1 as SumPool2d): equal spikes and state_dict through a file', async () => {
    torch.manual_seed(11);
    const net = new nn.Sequential(
      new nn.Conv2d(1, 2, 3, { padding: 1 }),
      new nn.AvgPool2d(2),
      new snn.Leaky({ beta: 0.8, threshold: 0.1, init_hidden: true }),
      new nn.AvgPool2d(2, { divisor_override: 1 }),
      new snn.Leaky({ beta: 0.9, threshold: 1.5, init_hidden: true }),
      new nn.AvgPool2d(3, { stride: 1, padding: 1 }),
      new snn.Leaky({ beta: 0.9, threshold: 0.6, init_hidden: true }),
    );
    const x = torch.rand([3, 1, 8, 8]);
    const ref = torch.no_grad(() => torch.stack(Array.from({ length: 10 }, () => net.forward(x))));
    expect(ref.sum().item()).to.be.greaterThan(0).and.lessThan(ref.numel());
    const g = snn.export_to_nir(net, x);
    expect(['1', '3', '5'].map((k) => g.nodes[k]!.type)).to.deep.equal(['AvgPool2d', 'SumPool2d', 'AvgPool2d']);
    const path = join(dir, 'pool.nir');
    await nir.write(path, g);
    const m = await snn.import_from_nir(path);
    const pools = ['1', '3', '5'].map((k) => new Map(m.named_children()).get(k) as nn.AvgPool2d);
    expect(pools.map((p) => p.divisor_override)).to.deep.equal([null, 1, null]);
    expect(
      sameValues(
        torch.no_grad(() => steps(m, x, 10)),
        ref,
      ),
    ).to.equal(true);
    expectSameState(net, m);
  });

  it("Synaptic, RSynaptic, one-to-one RLeaky and Lapicque keep their spikes (dt other than snnTorch's)", async () => {
    torch.manual_seed(9);
    const net = new nn.Sequential(
      new nn.Linear(6, 5),
      new snn.Lapicque({ R: 2, C: 0.025, time_step: 0.01, threshold: 0.1, init_hidden: true }),
      new nn.Linear(5, 4),
      new snn.Synaptic({ alpha: 0.6, beta: 0.9, threshold: 0.1, init_hidden: true }),
      new nn.Linear(4, 4),
      new snn.RSynaptic({ alpha: 0.5, beta: 0.8, threshold: 0.1, linear_features: 4, init_hidden: true, reset_mechanism: 'zero' }),
      new nn.Linear(4, 4),
      new snn.RLeaky({ beta: 0.7, threshold: 0.1, all_to_all: false, V: [0.5, -0.25, 1, 0.125], init_hidden: true }),
    );
    const x = torch.rand([4, 6]).mul(3);
    const ref = torch.no_grad(() => torch.stack(Array.from({ length: 15 }, () => net.forward(x))));
    expect(ref.sum().item()).to.be.greaterThan(0).and.lessThan(ref.numel());
    const path = join(dir, 'family.nir');
    const g = snn.export_to_nir(net, x, { dt: 1e-3 });
    expect(['input', '0', '1', '2', '3', '4', '5', '6', '7', 'output'].map((k) => g.nodes[k]!.type)).to.deep.equal([
      'Input',
      'Affine',
      'LIF',
      'Affine',
      'CubaLIF',
      'Affine',
      'NIRGraph',
      'Affine',
      'NIRGraph',
      'Output',
    ]);
    await nir.write(path, g);
    const m = await snn.import_from_nir(path, { dt: 1e-3 });
    const kinds = [...m.named_children()].map(([k, c]) => `${k}:${c.constructor.name}`);
    expect(kinds).to.deep.equal(['0:Linear', '1:Lapicque', '2:Linear', '3:Synaptic', '4:Linear', '5:RSynaptic', '6:Linear', '7:RLeaky']);
    expect(
      sameValues(
        torch.no_grad(() => steps(m, x, 15)),
        ref,
      ),
    ).to.equal(true);
    expectSameState(net, m);
  });

  it('examples/nir_roundtrip.ts --quick trains, exports, imports and finds both networks equal', function () {
    this.timeout(240000);
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'examples/nir_roundtrip.ts', '--quick'], { encoding: 'utf8' });
    expect(
      r.status,
      r.stderr
        .split('\n')
        .filter((l) => !/^\s|HDF5-DIAG/.test(l))
        .join('\n'),
    ).to.equal(0);
    expect(r.stdout).to.match(/spike records equal: true \(\d+ spikes\); state_dict equal: true \(16 entries\)/);
  });
});
