// DistributedDataParallel between two real processes: 2 ranks on half batches reach the same
// parameters as one process on the whole batch, and a short tutorial run follows the same loss curve.
import { expect } from 'chai';
import { freePort, runRanks, describe_, type RankResult, skipWithoutC10d } from './distributed/ranks.js';

type Params = Record<string, number[]>;

function maxDiff(a: Params, b: Params): number {
  let m = 0;
  for (const k of Object.keys(b)) {
    expect(a[k], k).to.have.length(b[k]!.length);
    for (let i = 0; i < b[k]!.length; i++) m = Math.max(m, Math.abs(a[k]![i]! - b[k]![i]!));
  }
  return m;
}

async function run(mode: string, world: number): Promise<RankResult[]> {
  const res = await runRanks(mode, world, `tcp://127.0.0.1:${await freePort()}`, 110_000);
  for (const r of res) expect(r.code, describe_(r)).to.equal(0);
  return res;
}

describe('nn.parallel.DistributedDataParallel (2 processes, gloo, loopback)', function () {
  this.timeout(150_000);
  before(function () {
    return skipWithoutC10d(this);
  });

  for (const mode of ['ddp-step', 'ddp-sequence']) {
    const engine = mode === 'ddp-step' ? 'step engine (fused RLeaky steps)' : 'sequence engine';
    it(`4 SGD steps on 2 ranks x half batch = one process on the whole batch (${engine}; |diff| <= 1e-5)`, async () => {
      const [[r0, r1], [single]] = await Promise.all([run(mode, 2), run(mode, 1)]);
      const p0 = r0!.result!.params as Params;
      const p1 = r1!.result!.params as Params;
      const ps = single!.result!.params as Params;
      // Ranks started from different weights: DDP broadcast rank 0's, and they stay identical.
      expect(maxDiff(p0, p1)).to.equal(0);
      // float32: the ranks sum two half-batch means where one process takes one mean.
      expect(maxDiff(p0, ps)).to.be.at.most(1e-5);
      const l0 = r0!.result!.losses as number[];
      const l1 = r1!.result!.losses as number[];
      const ls = single!.result!.losses as number[];
      ls.forEach((l, i) => expect((l0[i]! + l1[i]!) / 2).to.be.closeTo(l, 1e-5));
      // PyTorch's state_dict keys, and bucketed reduction with a measured overlap.
      expect(r0!.result!.keys).to.include('module.fc1.weight');
      const stats = r0!.result!.stats as { buckets: number; allreduce_ms: number; overlap_ms: number; exposed_ms: number }[];
      expect(stats[0]!.buckets).to.equal(1); // first iteration: one bucket, then rebuilt in gradient order
      expect(stats[3]!.buckets).to.be.greaterThan(1);
      for (const s of stats) {
        expect(s.allreduce_ms).to.be.greaterThan(0);
        expect(s.overlap_ms + s.exposed_ms).to.be.closeTo(s.allreduce_ms, 1e-6);
      }
    });
  }

  it('no_sync accumulates local gradients; the next synchronized backward averages the sum (|diff| <= 1e-5)', async () => {
    const [[r0, r1], [single]] = await Promise.all([run('ddp-no-sync', 2), run('ddp-no-sync', 1)]);
    // Inside no_sync each rank kept its own gradient.
    expect(r0!.result!.localAfterNoSync).to.not.deep.equal(r1!.result!.localAfterNoSync);
    const p0 = r0!.result!.params as Params;
    expect(maxDiff(p0, r1!.result!.params as Params)).to.equal(0);
    expect(maxDiff(p0, single!.result!.params as Params)).to.be.at.most(1e-5);
  });

  it('find_unused_parameters: a parameter without gradient is handled; without the option, the Reducer names it', async () => {
    const port = await freePort();
    const ok = await runRanks('ddp-unused', 2, `tcp://127.0.0.1:${port}`, 90_000, { DDP_FIND_UNUSED: '1' });
    for (const r of ok) expect(r.code, describe_(r)).to.equal(0);
    expect(ok[0]!.result!.used).to.deep.equal(ok[1]!.result!.used);
    expect(ok[0]!.result!.unused).to.deep.equal(ok[1]!.result!.unused); // rank 0's, never updated
    const bad = await runRanks('ddp-unused', 2, `tcp://127.0.0.1:${await freePort()}`, 90_000, { DDP_FIND_UNUSED: '0' });
    for (const r of bad) {
      expect(r.code, describe_(r)).to.equal(1);
      expect(r.stderr).to.match(/rank \d: DistributedDataParallel forward failed: .*find_unused_parameters/s);
      expect(r.stderr).to.match(/Parameter indices which did not receive grad for rank \d: 2 3/);
    }
  });

  it('a DDP run of the tutorial network (24 MNIST batches of 64, DistributedSampler) follows the single-process loss curve', async () => {
    const [[r0, r1], [single]] = await Promise.all([run('curve', 2), run('curve', 1)]);
    const l0 = r0!.result!.losses as number[];
    const ls = single!.result!.losses as number[];
    expect(l0).to.have.length(24);
    expect(r1!.result!.losses).to.deep.equal(l0); // the loss is averaged over ranks
    // Identical for the first steps; spiking thresholds then let float32 rounding differences
    // flip a few spikes, so later batches agree within 0.02 (losses are ~0.1 to 1).
    for (let i = 0; i < 3; i++) expect(l0[i]).to.be.closeTo(ls[i]!, 1e-5);
    for (let i = 0; i < 24; i++) expect(l0[i]).to.be.closeTo(ls[i]!, 0.02);
    const mean = (a: number[]): number => a.reduce((x, y) => x + y, 0) / a.length;
    expect(mean(l0.slice(-8))).to.be.lessThan(mean(l0.slice(0, 8)));
  });
});
