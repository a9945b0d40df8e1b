// torch.distributed failure modes: a rank dying mid-training, misconfigured or stray processes,
// bad arguments. Each must end in a clear Error within the timeout: no hang, no orphan process.
import { expect } from 'chai';
import { connect, createServer, type Server } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { torch } from '../lib/index.js';
import { freePort, startRank, withDeadline, describe_, skipWithoutC10d } from './distributed/ranks.js';

const dist = torch.distributed;

describe('torch.distributed failures (real processes, loopback)', function () {
  this.timeout(90_000);
  before(function () {
    return skipWithoutC10d(this);
  });

  it('a rank killed mid-training makes the other fail with an Error naming its rank and the op, within the timeout', async () => {
    const init = `tcp://127.0.0.1:${await freePort()}`;
    const env = { DIST_TEST_TIMEOUT: '15000' };
    const r0 = startRank(['until-peer-dies', '0', '2', init], env);
    const r1 = startRank(['until-peer-dies', '1', '2', init], env);
    await Promise.race([r1.printed('READY'), r1.done]);
    r1.child.kill('SIGKILL');
    const killedAt = Date.now();
    const [a, b] = await withDeadline([r0, r1], 30_000);
    expect(b!.signal).to.equal('SIGKILL');
    expect(a!.code, describe_(a!)).to.equal(1);
    expect(a!.stderr).to.match(/torch\.distributed: rank 0: all_reduce failed: /);
    expect(Date.now() - killedAt).to.be.lessThan(15_000 + 5_000);
  });

  it("a rank killed during DDP training: the other's backward fails with an Error naming its rank and DDP", async () => {
    const init = `tcp://127.0.0.1:${await freePort()}`;
    const env = { DIST_TEST_TIMEOUT: '15000' };
    const r0 = startRank(['ddp-until-peer-dies', '0', '2', init], env);
    const r1 = startRank(['ddp-until-peer-dies', '1', '2', init], env);
    await Promise.race([r1.printed('READY'), r1.done]);
    r1.child.kill('SIGKILL');
    const [a] = await withDeadline([r0, r1], 30_000);
    expect(a!.code, describe_(a!)).to.equal(1);
    expect(a!.stderr).to.match(/torch\.distributed: rank 0: DistributedDataParallel/);
  });

  it('a peer that never joins a collective: the collective fails when the timeout passes', async () => {
    const init = `tcp://127.0.0.1:${await freePort()}`;
    const env = { DIST_TEST_TIMEOUT: '3000' };
    const r0 = startRank(['silent-peer', '0', '2', init], env);
    const r1 = startRank(['silent-peer', '1', '2', init], env);
    const [a] = await withDeadline([r0], 40_000);
    r1.child.kill('SIGKILL');
    await r1.done;
    expect(a!.code, describe_(a!)).to.equal(1);
    expect(a!.stderr).to.match(/torch\.distributed: rank 0: all_reduce failed: .*[Tt]imed out/);
  });

  it('a process with another world_size is refused; the rank waiting for it names the reason', async () => {
    const init = `tcp://127.0.0.1:${await freePort()}`;
    const env = { DIST_TEST_TIMEOUT: '6000' };
    const r0 = startRank(['init-only', '0', '2', init], env);
    const r1 = startRank(['init-only', '1', '3', init], env);
    const [a, b] = await withDeadline([r0, r1], 40_000);
    expect(a!.code, describe_(a!)).to.not.equal(0);
    expect(b!.code, describe_(b!)).to.not.equal(0);
    const all = a!.stderr + b!.stderr;
    expect(all).to.match(
      /init_process_group refused: this process has world_size=\d but the group it joined was started with world_size=\d/,
    );
    expect(all).to.match(/Another process reported: this process has world_size/);
  });

  it('a second process claiming a taken rank is refused (FileStore rendezvous)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'snn-dist-'));
    try {
      const init = `file://${join(dir, 'store')}`;
      const env = { DIST_TEST_TIMEOUT: '6000' };
      const [a, b] = await withDeadline(
        [startRank(['init-only', '0', '2', init], env), startRank(['init-only', '0', '2', init], env)],
        40_000,
      );
      const all = a!.stderr + b!.stderr;
      expect(all).to.match(/rank 0 is already taken by another process/);
      expect(a!.code).to.not.equal(0);
      expect(b!.code).to.not.equal(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a stray client on the store port (garbage bytes) is dropped and the ranks still meet', async () => {
    const port = await freePort();
    const init = `tcp://127.0.0.1:${port}`;
    const r0 = startRank(['init-only', '0', '2', init], { DIST_TEST_TIMEOUT: '20000' });
    // Rank 0 serves the store once it started; the stray connects and writes an HTTP request.
    let strayClosed = false;
    for (let i = 0; i < 100 && !strayClosed; i++) {
      strayClosed = await new Promise<boolean>((resolve) => {
        const s = connect(port, '127.0.0.1', () => s.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n' + 'x'.repeat(5000)));
        s.on('error', (e: NodeJS.ErrnoException) => resolve(e.code !== 'ECONNREFUSED'));
        s.on('close', () => resolve(true));
      });
      if (!strayClosed) await new Promise((res) => setTimeout(res, 200));
    }
    expect(strayClosed, 'the stray client reached the store').to.equal(true);
    const r1 = startRank(['init-only', '1', '2', init], { DIST_TEST_TIMEOUT: '20000' });
    const res = await withDeadline([r0, r1], 60_000);
    for (const r of res) {
      expect(r.code, describe_(r)).to.equal(0);
      expect(r.result!.sum).to.deep.equal([3]);
    }
  });
});

describe('torch.distributed bad input', function () {
  before(function () {
    return skipWithoutC10d(this);
  });
  afterEach(() => {
    if (dist.is_initialized()) dist.destroy_process_group();
  });

  it('this build has c10d (Gloo); NCCL only with a CUDA LibTorch', () => {
    expect(dist.is_available()).to.equal(true);
    expect(dist.is_gloo_available()).to.equal(true);
    expect(dist.is_nccl_available()).to.equal(torch.__config__().cuda_compiled);
  });

  it('world_size 0, rank >= world_size, negative rank: errors naming the argument', () => {
    const init_method = 'tcp://127.0.0.1:1';
    expect(() => dist.init_process_group({ init_method, rank: 0, world_size: 0 })).to.throw(RangeError, /world_size/);
    expect(() => dist.init_process_group({ init_method, rank: 2, world_size: 2 })).to.throw(
      RangeError,
      /for rank but received 2.*\[0, 1\]|rank/,
    );
    expect(() => dist.init_process_group({ init_method, rank: -1, world_size: 2 })).to.throw(RangeError, /rank/);
    expect(() => dist.init_process_group({ init_method, rank: 0.5, world_size: 2 })).to.throw(TypeError, /rank/);
    expect(dist.is_initialized()).to.equal(false);
  });

  it('bad init_method URLs, backend, timeout and env:// without MASTER_ADDR', () => {
    expect(() => dist.init_process_group({ init_method: 'udp://x:1', rank: 0, world_size: 1 })).to.throw(/init_method/);
    expect(() => dist.init_process_group({ init_method: 'tcp://127.0.0.1', rank: 0, world_size: 1 })).to.throw(/port/);
    expect(() => dist.init_process_group({ init_method: 'tcp://127.0.0.1:70000', rank: 0, world_size: 1 })).to.throw(/init_method|port/);
    expect(() => dist.init_process_group({ init_method: 'not a url', rank: 0, world_size: 1 })).to.throw(/init_method/);
    expect(() => dist.init_process_group({ backend: 'mpi' as 'gloo', init_method: 'tcp://127.0.0.1:1', rank: 0, world_size: 1 })).to.throw(
      /backend/,
    );
    expect(() => dist.init_process_group({ init_method: 'tcp://127.0.0.1:1', rank: 0, world_size: 1, timeout: 0 })).to.throw(/timeout/);
    const saved = { ...process.env };
    try {
      delete process.env.MASTER_ADDR;
      delete process.env.SNNTORCH_STORE_FILE;
      expect(() => dist.init_process_group({ rank: 0, world_size: 1 })).to.throw(/MASTER_ADDR expected, but not set/);
      delete process.env.RANK;
      expect(() => dist.init_process_group({ world_size: 1 })).to.throw(/rank is required/);
    } finally {
      process.env = saved;
    }
    expect(() => dist.all_reduce(torch.ones([1]))).to.throw(/Default process group has not been initialized/);
  });

  it('a port in use on the master: an Error naming the port', async () => {
    const port = await freePort();
    const server: Server = createServer();
    await new Promise<void>((res) => server.listen(port, res));
    try {
      expect(() => dist.init_process_group({ init_method: `tcp://127.0.0.1:${port}`, rank: 0, world_size: 2, timeout: 3000 })).to.throw(
        new RegExp(`Port ${port} on this machine is in use`),
      );
    } finally {
      server.close();
    }
  });

  it('an unreachable master: an Error within the timeout, naming the address', async function () {
    this.timeout(20_000);
    const port = await freePort();
    const t0 = Date.now();
    expect(() => dist.init_process_group({ init_method: `tcp://127.0.0.1:${port}`, rank: 1, world_size: 2, timeout: 2000 })).to.throw(
      new RegExp(`could not reach the master at 127.0.0.1:${port}`),
    );
    expect(Date.now() - t0).to.be.lessThan(10_000);
  });

  it('collective arguments are checked before anything is sent', () => {
    const dir = mkdtempSync(join(tmpdir(), 'snn-dist-'));
    try {
      dist.init_process_group({ init_method: `file://${join(dir, 'store')}`, rank: 0, world_size: 1, timeout: 5000 });
      expect(() => dist.all_reduce(torch.ones([1]), 'mean' as 'sum')).to.throw(/op/);
      expect(() => dist.all_reduce(torch.ones([1], { dtype: 'int64' }), dist.ReduceOp.AVG)).to.throw(/AVG needs a floating-point/);
      expect(() => dist.broadcast(torch.ones([1]), 1)).to.throw(RangeError, /src/);
      expect(() => dist.all_gather([torch.ones([1]), torch.ones([1])], torch.ones([1]))).to.throw(/world_size \(1\)/);
      expect(() => dist.all_reduce(torch.ones([1]), 'sum', { async: true } as never)).to.throw(/Unknown option 'async'/);
      const t = torch.tensor([2.5]);
      dist.all_reduce(t, dist.ReduceOp.AVG);
      expect([...t.data()]).to.deep.equal([2.5]);
      expect(() => dist.init_process_group({ init_method: 'tcp://127.0.0.1:1', rank: 0, world_size: 1 })).to.throw(/twice/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
