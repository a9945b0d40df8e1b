// torch.distributed collectives between two real processes on loopback (Gloo over c10d): every
// op gives its exact known result (integers exact; floating-point values here are exact in binary).
import { expect } from 'chai';
import { freePort, runRanks, describe_, skipWithoutC10d } from './distributed/ranks.js';

describe('torch.distributed collectives (2 processes, gloo, loopback)', function () {
  this.timeout(120_000);
  before(function () {
    return skipWithoutC10d(this);
  });

  it('all_reduce (every ReduceOp), broadcast, all_gather, reduce_scatter, barrier, send/recv, async_op', async () => {
    const port = await freePort();
    const res = await runRanks('collectives', 2, `tcp://127.0.0.1:${port}`, 90_000);
    for (const r of res) expect(r.code, describe_(r)).to.equal(0);
    const [a, b] = res.map((r) => r.result!) as Record<string, unknown>[];
    for (const x of [a!, b!]) {
      expect(x.all_reduce_sum).to.deep.equal([3, 30, -3]);
      expect(x.all_reduce_product).to.deep.equal([2, 200, 2]);
      expect(x.all_reduce_min).to.deep.equal([1, 10, -2]);
      expect(x.all_reduce_max).to.deep.equal([2, 20, -1]);
      expect(x.all_reduce_avg).to.deep.equal([1.5, 3]);
      expect(x.async_sum).to.deep.equal([3]);
      expect(x.async_completed).to.equal(1);
      expect(x.broadcast).to.deep.equal([7, 8, 9]);
      expect(x.all_gather).to.deep.equal([1, -1, 2, -2]);
      expect(x.world_size).to.equal(2);
    }
    expect(a!.rank).to.equal(0);
    expect(b!.rank).to.equal(1);
    expect(a!.reduce_scatter).to.deep.equal([3, 200]);
    expect(b!.reduce_scatter).to.deep.equal([6, 200]);
    expect(a!.reduce_scatter_avg).to.deep.equal([1.5]);
    expect(b!.reduce_scatter_avg).to.deep.equal([2.5]);
    expect(a!.p2p).to.deep.equal([42]);
    expect(b!.p2p).to.deep.equal([3.5, -1]);
    expect(b!.recv_from).to.equal(0);
    // Rank 0 awaited an all_reduce that rank 1 joined 300 ms late: its 5 ms timer kept firing.
    expect(a!.ticks as number).to.be.greaterThan(10);
  });

  it('rendezvous through a FileStore (file://)', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = mkdtempSync(join(tmpdir(), 'snn-dist-'));
    try {
      const res = await runRanks('init-only', 2, `file://${join(dir, 'store')}`, 60_000);
      for (const r of res) {
        expect(r.code, describe_(r)).to.equal(0);
        expect(r.result!.sum).to.deep.equal([3]);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
