// `npx snntorch-node run`: torchrun's variables, one thread per rank, nothing listening beyond
// loopback on one machine, a failing rank stops the others and its exit code comes back.
import { expect } from 'chai';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, startRank, withDeadline, describe_, skipWithoutC10d } from './distributed/ranks.js';
import { parseRunArgs } from '../lib/torch/distributed/run.js';

const BIN = join(ROOT, 'bin', 'snntorch-node.mjs');
const SCRIPT = join(ROOT, 'test', 'distributed', 'launched.ts');

function runLauncher(args: string[], deadline = 60_000) {
  return withDeadline([startRank(args, {}, [BIN, 'run'])], deadline).then((r) => r[0]!);
}

describe('snntorch-node run (launcher)', function () {
  this.timeout(90_000);
  before(function () {
    return skipWithoutC10d(this);
  });

  it('starts the ranks with torchrun variables; they meet on loopback only, one thread each', async () => {
    const r = await runLauncher(['--nproc-per-node', '2', SCRIPT, '--lr', '0.1']);
    expect(r.code, describe_(r)).to.equal(0);
    const lines = r.stdout
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).to.have.length(2);
    const byRank = lines.sort((a, b) => Number(a.RANK) - Number(b.RANK));
    byRank.forEach((x, i) => {
      expect(x).to.include({
        RANK: String(i),
        LOCAL_RANK: String(i),
        WORLD_SIZE: '2',
        LOCAL_WORLD_SIZE: '2',
        MASTER_ADDR: '127.0.0.1',
        threads: 1,
        sum: 3,
      });
      expect(x.args).to.deep.equal(['--lr', '0.1']);
      expect(Number(x.MASTER_PORT)).to.be.within(1, 65535);
      // Gloo's sockets are bound to loopback; the rendezvous is a FileStore, so no store port at all.
      expect(x.sockets as string[]).to.not.be.empty;
      for (const a of x.sockets as string[]) expect(['127.0.0.1', '::ffff:127.0.0.1', '::1']).to.include(a);
      expect(x.store).to.be.a('string');
    });
    // The private rendezvous folder is removed afterwards.
    expect(existsSync(byRank[0]!.store as string)).to.equal(false);
  });

  it("a failing rank stops the others and its exit code is the launcher's", async () => {
    const t0 = Date.now();
    const r = await runLauncher(['--nproc-per-node', '2', SCRIPT, '--fail-rank-1']);
    expect(r.code, describe_(r)).to.equal(7);
    expect(r.stderr).to.match(/rank 1 exited with code 7; stopping the other ranks/);
    // Rank 0 would have slept 120 s.
    expect(Date.now() - t0).to.be.lessThan(60_000);
  });

  it('killing the launcher (SIGKILL) ends its ranks: no orphan process', async () => {
    const l = startRank(['--nproc-per-node', '2', SCRIPT, '--sleep'], {}, [BIN, 'run']);
    // Both ranks print their pid once the group formed.
    const seen: number[] = [];
    l.child.stdout!.on('data', (d: Buffer) => {
      for (const m of d.toString().matchAll(/\{"pid":(\d+)\}/g)) seen.push(Number(m[1]));
    });
    for (let i = 0; i < 600 && seen.length < 2; i++) await new Promise((r) => setTimeout(r, 100));
    expect(seen, 'both ranks started').to.have.length(2);
    const exited = new Promise((r) => l.child.once('exit', r));
    l.child.kill('SIGKILL');
    await exited; // not l.done: the ranks hold the launcher's stdout until they end
    const alive = (pid: number): boolean => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    for (let i = 0; i < 100 && seen.some(alive); i++) await new Promise((r) => setTimeout(r, 100));
    expect(seen.filter(alive), 'ranks still alive 10 s after the launcher was killed').to.deep.equal([]);
  });

  it('usage errors exit 2 with the reason', async () => {
    const r = await runLauncher(['--nnodes', '2', SCRIPT]);
    expect(r.code).to.equal(2);
    expect(r.stderr).to.match(/--node-rank is required with --nnodes 2/);
    expect(() => parseRunArgs(['--nproc-per-node', '0', 'x.ts'])).to.throw(/--nproc-per-node expects an integer >= 1/);
    expect(() => parseRunArgs(['--master-port', '70000', 'x.ts'])).to.throw(/\[1, 65535\]/);
    expect(() => parseRunArgs(['--nnodes', '2', '--node-rank', '2', '--master-addr', '10.0.0.1', 'x.ts'])).to.throw(/\[0, 1\]/);
    expect(() => parseRunArgs(['--bogus', 'x.ts'])).to.throw(/unknown option --bogus/);
    expect(() => parseRunArgs([])).to.throw(/missing the script/);
    expect(parseRunArgs(['--nnodes=2', '--node-rank=1', '--master-addr', '10.0.0.1', 's.js', '--nnodes', '9'])).to.deep.include({
      nnodes: 2,
      node_rank: 1,
      master_addr: '10.0.0.1',
      master_port: 29500,
      script: 's.js',
      args: ['--nnodes', '9'],
    });
  });
});
