// npm run bench: side-by-side benchmarks, printed as tables and one JSON document.
//  1. fused vs composed neuron steps (forward+backward of 1 and 10 steps);
//  2. training throughput of the tutorial network: (a) composed per-step, (b) fused per-step,
//     (c) sequence engine; each configuration runs in its own process, rounds interleaved.
// 3. one batch of the sequence engine by stage (what bounds the remaining time).
// 4. the GC fallback: the tutorial's loop with tidy (finalizers in the GC vs deferred) and without.
// 5. data-parallel training: 1 rank vs 2 ranks.
// Options: --quick (fewer repetitions), --threads N, --rounds N, --json FILE, --only kernels|profile|train|gc|distributed.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { torch } from '../../lib/index.js';
import { benchStepKernels } from './step-kernels.js';
import { profileSequenceBatch } from './profile.js';
import { benchGc } from './gc.js';
import { median, printTable } from './stats.js';
import { benchDistributed } from './distributed.js';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    threads: { type: 'string', default: '1' },
    rounds: { type: 'string' },
    json: { type: 'string' },
    only: { type: 'string' },
  },
});
const quick = values.quick!;
const threads = Number(values.threads);
const rounds = Number(values.rounds ?? (quick ? 1 : 3));
torch.set_num_threads(threads);
const conf = torch.__config__();
const result: Record<string, unknown> = {
  machine: { node: process.version, libtorch: conf.libtorch_version, blas: conf.blas, threads, cores: (await import('node:os')).availableParallelism() },
};

if (!values.only || values.only === 'kernels') {
  console.log(`\nNeuron step, forward+backward, ${threads} thread(s): fused kernel vs composed ops (median ms)`);
  const rows = benchStepKernels(quick ? 9 : 30);
  printTable(rows);
  result.step_kernels = rows;
}

if (!values.only || values.only === 'profile') {
  console.log(`\nOne batch of the sequence engine by stage (median ms, ${threads} thread(s))`);
  const rows = profileSequenceBatch(quick ? 60 : 150);
  printTable(rows);
  result.profile = rows;
}

if (!values.only || values.only === 'train') {
  const configs = [
    { name: '(a) composed, per-step', engine: 'step', impl: 'composed' },
    { name: '(b) fused, per-step', engine: 'step', impl: 'fused' },
    { name: '(c) sequence', engine: 'sequence', impl: 'fused' },
  ];
  const child = fileURLToPath(new URL('./train-child.ts', import.meta.url));
  const runs: Record<string, Record<string, number>[]> = {};
  for (let r = 0; r < rounds; r++) {
    for (const c of configs) {
      const p = spawnSync(process.execPath, ['--import', 'tsx', child, c.engine, c.impl, quick ? '30' : '80', String(threads)], { encoding: 'utf8' });
      if (p.status !== 0) throw new Error(`${c.name} failed:\n${p.stderr}`);
      (runs[c.name] ??= []).push(JSON.parse(p.stdout.trim().split('\n').pop()!));
    }
  }
  const keys = ['train_samples_per_s', 'eval_samples_per_s', 'forward_ms', 'backward_ms', 'adam_ms', 'data_ms', 'batch_ms', 'peak_rss_mib'];
  const rows = configs.map((c) => {
    const row: Record<string, string | number> = { config: c.name };
    for (const k of keys) row[k] = median(runs[c.name]!.map((x) => x[k]!));
    return row;
  });
  const a = rows[0]!.train_samples_per_s as number;
  for (const row of rows) row.vs_a = (row.train_samples_per_s as number) / a;
  console.log(`\nTraining the tutorial network (batch 128, T=10, hidden 128, MNIST), ${threads} thread(s), median of ${rounds} round(s)`);
  printTable(rows);
  result.training = rows;
}

if (!values.only || values.only === 'distributed') {
  console.log(`\nData-parallel training (tutorial network, sequence engine, global batch 128): 1 rank vs 2 ranks x 1 thread`);
  const rows = benchDistributed(quick);
  printTable(rows);
  result.distributed = rows;
}

if (!values.only || values.only === 'gc') {
  const batches = quick ? 100 : 300;
  const rows = benchGc(rounds, batches, threads);
  console.log(`\nThe tutorial's loop, ${batches} batches, ${threads} thread(s), median of ${rounds} round(s): tidy with finalizers in the GC vs deferred, and no tidy at all`);
  printTable(rows);
  result.gc = rows;
}

console.log('\n' + JSON.stringify(result));
if (values.json) writeFileSync(values.json, JSON.stringify(result, null, 2));
