// Data-parallel training benchmark: the tutorial network (sequence engine, global batch 128,
// MNIST) on 1 rank vs 2 ranks x 1 thread, each run through `snntorch-node run` in its own
// processes. Reports samples/s, the speed-up, accuracy after the epochs, and DDP's allreduce time
// per batch with the part of it that overlapped backward (measured by the allreduce hook), and a
// ceiling row: the same two ranks with no gradient averaging (what the half batches alone allow).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DistributedTrainResult } from '../../lib/train/distributed.js';

export type DistributedBenchRow = Record<string, string | number> & {
  config: string;
  ranks: number;
  bucket_cap_mb: number;
  samples_per_s: number;
  speedup: number;
  accuracy_pct: number;
  allreduce_ms_per_batch: number;
  overlap_ms_per_batch: number;
  exposed_ms_per_batch: number;
  buckets: number;
  wall_s: number;
};

const BIN = fileURLToPath(new URL('../../bin/snntorch-node.mjs', import.meta.url));
const RANK = fileURLToPath(new URL('./distributed-rank.ts', import.meta.url));

function runRanks(nproc: number, epochs: number, limit: number | null, bucket: number, sync: boolean): DistributedTrainResult {
  const dir = mkdtempSync(join(tmpdir(), 'snn-bench-dist-'));
  try {
    const out = join(dir, 'result.json');
    const p = spawnSync(
      process.execPath,
      [
        BIN,
        'run',
        '--nproc-per-node',
        String(nproc),
        RANK,
        out,
        String(epochs),
        limit === null ? 'all' : String(limit),
        String(bucket),
        sync ? 'sync' : 'nosync',
      ],
      { encoding: 'utf8' },
    );
    if (p.status !== 0) throw new Error(`${nproc} rank(s) failed (exit ${p.status}):\n${p.stderr}`);
    return JSON.parse(readFileSync(out, 'utf8')) as DistributedTrainResult;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** quick: 1 epoch on 12,800 images; else 5 epochs on MNIST's 60,000. */
export function benchDistributed(quick: boolean): DistributedBenchRow[] {
  const epochs = quick ? 1 : 5;
  const limit = quick ? 12_800 : null;
  const configs = [
    { config: '1 rank x 1 thread', ranks: 1, bucket: 25, sync: true },
    { config: '2 ranks x 1 thread (DDP, 25 MiB buckets)', ranks: 2, bucket: 25, sync: true },
    { config: '2 ranks x 1 thread (DDP, 0.1 MiB buckets)', ranks: 2, bucket: 0.1, sync: true },
    // The ceiling: the same two ranks with no gradient averaging at all (DDP's no_sync every batch),
    // so only the half batch's compute and the two processes sharing the machine remain.
    { config: '2 ranks x 1 thread, no allreduce (ceiling, not training)', ranks: 2, bucket: 25, sync: false },
  ];
  const rows: DistributedBenchRow[] = [];
  for (const c of configs) {
    const r = runRanks(c.ranks, epochs, limit, c.bucket, c.sync);
    rows.push({
      config: c.config,
      ranks: c.ranks,
      bucket_cap_mb: c.bucket,
      samples_per_s: Math.round(r.samples_per_s),
      speedup: 0,
      accuracy_pct: Number((r.accuracy * 100).toFixed(2)),
      allreduce_ms_per_batch: Number(r.allreduce_ms.toFixed(3)),
      overlap_ms_per_batch: Number(r.overlap_ms.toFixed(3)),
      exposed_ms_per_batch: Number(r.exposed_ms.toFixed(3)),
      buckets: r.buckets,
      wall_s: Number(r.seconds.toFixed(1)),
    });
  }
  for (const row of rows) row.speedup = Number((row.samples_per_s / rows[0]!.samples_per_s).toFixed(2));
  return rows;
}
