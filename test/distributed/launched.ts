// A script for `snntorch-node run` in the launcher tests: joins the group through env://, reports
// torchrun's variables, the sum of ranks, and the local address of every TCP socket it holds.
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { torch } from '../../lib/index.js';

/** Local addresses of this process's TCP sockets (listening or connected), from /proc. */
function sockets(): string[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/self/fd/${fd}`));
      if (m) inodes.add(m[1]!);
    } catch {
      // closed meanwhile
    }
  }
  const out: string[] = [];
  for (const file of ['/proc/self/net/tcp', '/proc/self/net/tcp6']) {
    for (const line of readFileSync(file, 'utf8').split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 10 || !inodes.has(f[9]!)) continue;
      const [hex] = f[1]!.split(':');
      if (hex!.length === 8)
        out.push(
          hex!
            .match(/../g)!
            .reverse()
            .map((h) => parseInt(h, 16))
            .join('.'),
        );
      else
        out.push(
          hex === '00000000000000000000000000000000'
            ? '::'
            : hex === '0000000000000000FFFF00000100007F'
              ? '::ffff:127.0.0.1'
              : hex === '00000000000000000000000001000000'
                ? '::1'
                : `ipv6:${hex}`,
        );
    }
  }
  return out;
}

const dist = torch.distributed;
dist.init_process_group();
const t = torch.tensor([dist.get_rank() + 1], { dtype: 'int64' });
dist.all_reduce(t);
const e = process.env;
console.log(
  JSON.stringify({
    RANK: e.RANK,
    LOCAL_RANK: e.LOCAL_RANK,
    WORLD_SIZE: e.WORLD_SIZE,
    LOCAL_WORLD_SIZE: e.LOCAL_WORLD_SIZE,
    MASTER_ADDR: e.MASTER_ADDR,
    MASTER_PORT: e.MASTER_PORT,
    store: e.SNNTORCH_STORE_FILE ?? null,
    pid: process.pid,
    threads: torch.get_num_threads(),
    sum: Number(t.item()),
    sockets: sockets(),
    args: process.argv.slice(2),
  }),
);
if (process.argv.includes('--sleep')) {
  console.log(JSON.stringify({ pid: process.pid }));
  await new Promise((r) => setTimeout(r, 120_000));
}
if (process.argv.includes('--fail-rank-1')) {
  if (dist.get_rank() === 1) process.exit(7);
  await new Promise((r) => setTimeout(r, 120_000));
}
dist.destroy_process_group();
