// Two "hosts": two network namespaces joined by a veth pair (10.231.N.1 <-> 10.231.N.2). One
// `snntorch-node run --nnodes 2` per namespace: rank 0's node serves the TCPStore, Gloo binds each
// rank's own veth address, and the ranks all_reduce across the link. Skipped, with the reason
// printed, where namespaces cannot be made (not root, no iproute2, no CAP_NET_ADMIN).
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT, startRank, withDeadline, describe_, skipWithoutC10d } from './distributed/ranks.js';

const BIN = join(ROOT, 'bin', 'snntorch-node.mjs');
const SCRIPT = join(ROOT, 'test', 'distributed', 'launched.ts');
const tag = `snn${process.pid}`;
const nsA = `${tag}a`;
const nsB = `${tag}b`;
const net = `10.231.${process.pid % 250}`;

function ip(...args: string[]): { ok: boolean; err: string } {
  const r = spawnSync('ip', args, { encoding: 'utf8' });
  return { ok: r.status === 0, err: (r.stderr || r.error?.message || '').trim() };
}

function setUp(): string | null {
  if (process.platform !== 'linux') return 'network namespaces are Linux only';
  if (process.getuid?.() !== 0) return 'network namespaces need root (CAP_SYS_ADMIN and CAP_NET_ADMIN)';
  const steps: string[][] = [
    ['netns', 'add', nsA],
    ['netns', 'add', nsB],
    ['link', 'add', `${tag}x`, 'type', 'veth', 'peer', 'name', `${tag}y`],
    ['link', 'set', `${tag}x`, 'netns', nsA],
    ['link', 'set', `${tag}y`, 'netns', nsB],
    ['-n', nsA, 'addr', 'add', `${net}.1/24`, 'dev', `${tag}x`],
    ['-n', nsB, 'addr', 'add', `${net}.2/24`, 'dev', `${tag}y`],
    ['-n', nsA, 'link', 'set', `${tag}x`, 'up'],
    ['-n', nsB, 'link', 'set', `${tag}y`, 'up'],
    ['-n', nsA, 'link', 'set', 'lo', 'up'],
    ['-n', nsB, 'link', 'set', 'lo', 'up'],
  ];
  for (const s of steps) {
    const r = ip(...s);
    if (!r.ok) return `cannot make the namespaces: ip ${s.join(' ')}: ${r.err}`;
  }
  return null;
}

function tearDown(): void {
  ip('netns', 'del', nsA);
  ip('netns', 'del', nsB);
  ip('link', 'del', `${tag}x`);
}

describe('torch.distributed across two hosts (network namespaces + veth)', function () {
  this.timeout(120_000);
  let skipReason: string | null = null;

  before(async function () {
    await skipWithoutC10d(this);
    skipReason = setUp();
    if (skipReason) {
      console.log(`      skipped: ${skipReason}`);
      tearDown();
      this.skip();
    }
  });
  after(() => {
    if (!skipReason) tearDown();
  });

  it("two nodes x 1 rank: TCPStore on node 0, Gloo on each node's own address, all_reduce across the link", async () => {
    const port = String(20000 + (process.pid % 20000));
    const node = (ns: string, nodeRank: number) =>
      startRank(
        [
          'netns',
          'exec',
          ns,
          process.execPath,
          BIN,
          'run',
          '--nnodes',
          '2',
          '--node-rank',
          String(nodeRank),
          '--master-addr',
          `${net}.1`,
          '--master-port',
          port,
          '--nproc-per-node',
          '1',
          SCRIPT,
        ],
        {},
        [],
        'ip',
      );
    const res = await withDeadline([node(nsA, 0), node(nsB, 1)], 90_000);
    for (const r of res) expect(r.code, describe_(r)).to.equal(0);
    const [a, b] = res.map((r) => JSON.parse(r.stdout.split('\n').find((l) => l.startsWith('{'))!) as Record<string, unknown>);
    expect(a).to.include({ RANK: '0', WORLD_SIZE: '2', LOCAL_RANK: '0', MASTER_ADDR: `${net}.1`, sum: 3, store: null });
    expect(b).to.include({ RANK: '1', WORLD_SIZE: '2', LOCAL_RANK: '0', MASTER_ADDR: `${net}.1`, sum: 3, store: null });
    // Gloo's connections use the veth addresses, not loopback.
    expect(a!.sockets as string[]).to.include(`${net}.1`);
    expect(b!.sockets as string[]).to.include(`${net}.2`);
  });
});
