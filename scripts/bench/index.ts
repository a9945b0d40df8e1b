// npm run bench: side-by-side benchmarks, printed as tables and one JSON document.
//  1. fused vs composed neuron steps (forward+backward of 1 and 10 steps), and the native sequence
//     node vs the loop of fused steps (Synaptic, RSynaptic, Lapicque over 10 and 25 steps);
//  2. one batch of the sequence engine by stage, and the same batch's GEMMs timed alone (the ratio
//     says how far the batch is from its matrix products);
//  3. training throughput of the tutorial network: snnTorch 0.9.4's own per-step loop (when a
//     snnTorch environment is present), our literal per-step loop with and without loop-invariant
//     reuse (composed and fused neuron steps), and the sequence engine; each configuration runs in
//     its own process, rounds interleaved, medians and ranges printed;
//  4. data-parallel training, 1 rank vs 2 ranks (scripts/bench/distributed.ts);
//  5. the GC fallback: the tutorial's loop with tidy (finalizers in the GC vs deferred) and without.
// The snnTorch row: SNNTORCH_PYTHONPATH names a folder holding the snntorch package (e.g. its source
// tree), SNNTORCH_PYTHON the Python with torch (default /usr/bin/python3); without them, or when that
// Python cannot import snntorch and torch, the row is skipped with the reason printed.
// Options: --quick (fewer repetitions), --threads N, --rounds N, --batches N, --json FILE,
//          --only kernels|profile|train|distributed|gc.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { torch } from '../../lib/index.js';
import { benchStepKernels } from './step-kernels.js';
import { benchSequenceKernels } from './sequence-kernels.js';
import { profileSequenceBatch } from './profile.js';
import { benchGc } from './gc.js';
import { gemmsAlone } from './gemms.js';
import { snntorchBaseline } from './snntorch-env.js';
import { median, printTable } from './stats.js';
import { benchDistributed } from './distributed.js';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    threads: { type: 'string', default: '1' },
    rounds: { type: 'string' },
    batches: { type: 'string' },
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
  machine: {
    node: process.version,
    libtorch: conf.libtorch_version,
    blas: conf.blas,
    threads,
    cores: (await import('node:os')).availableParallelism(),
  },
};

if (!values.only || values.only === 'kernels') {
  console.log(`\nNeuron step, forward+backward, ${threads} thread(s): fused kernel vs composed ops (median ms)`);
  const rows = benchStepKernels(quick ? 9 : 30);
  printTable(rows);
  result.step_kernels = rows;
  console.log(`\nNeuron sequence, forward+backward, ${threads} thread(s): one native node vs the loop of fused steps (median ms)`);
  const seqRows = benchSequenceKernels(quick ? 6 : 15);
  printTable(seqRows);
  result.sequence_kernels = seqRows;
}

if (!values.only || values.only === 'profile') {
  const iters = quick ? 60 : 150;
  console.log(`\nOne batch of the sequence engine by stage (ms, ${threads} thread(s))`);
  const rows = profileSequenceBatch(iters);
  printTable(rows);
  const g = gemmsAlone(iters);
  console.log(`\nThe same batch's GEMMs alone (ms; ${g.mflop.toFixed(1)} MFLOP, ${g.gflops.toFixed(1)} GFLOP/s at the median)`);
  printTable(g.rows);
  const total = rows.find((r) => r.stage === 'total')!;
  const cpu = rows.find((r) => r.stage === 'total, CPU time per batch')!.ms as number;
  const ratio = {
    batch_ms: total.ms as number,
    gemms_ms: g.ms,
    ratio: (total.ms as number) / g.ms,
    batch_min_ms: total.min_ms as number,
    gemms_min_ms: g.min_ms,
    ratio_of_minima: (total.min_ms as number) / g.min_ms,
    batch_cpu_ms: cpu,
    gemms_cpu_ms: g.cpu_ms,
    ratio_of_cpu_time: cpu / g.cpu_ms,
  };
  console.log('\nSequence-engine batch vs its GEMMs alone, same run (wall-clock medians, minima, and CPU time per batch)');
  printTable([ratio]);
  result.profile = rows;
  result.gemms = { ...g, ...ratio };
}

if (!values.only || values.only === 'train') {
  const batches = values.batches ?? (quick ? '30' : '80');
  const child = fileURLToPath(new URL('./train-child.ts', import.meta.url));
  const node = (engine: string, impl: string, reuse: string) => ({
    cmd: process.execPath,
    args: ['--import', 'tsx', child, engine, impl, batches, String(threads), reuse],
    env: process.env,
  });
  const snn = snntorchBaseline(batches, threads);
  const configs: { name: string; cmd: string; args: string[]; env: NodeJS.ProcessEnv }[] = [];
  if (snn.ok) configs.push({ name: 'snnTorch 0.9.4, per-step loop', ...snn.run });
  else console.log(`\nsnnTorch baseline skipped: ${snn.reason}`);
  configs.push(
    { name: '(a) per-step loop, composed, reuse', ...node('step', 'composed', 'on') },
    { name: '(b0) per-step loop, fused, no reuse', ...node('step', 'fused', 'off') },
    { name: '(b) per-step loop, fused, reuse', ...node('step', 'fused', 'on') },
    { name: '(c) sequence engine', ...node('sequence', 'fused', 'on') },
  );
  const runs: Record<string, Record<string, number>[]> = {};
  for (let r = 0; r < rounds; r++) {
    for (const c of configs) {
      const p = spawnSync(c.cmd, c.args, { encoding: 'utf8', env: c.env });
      if (p.status !== 0) throw new Error(`${c.name} failed:\n${p.stderr}`);
      (runs[c.name] ??= []).push(JSON.parse(p.stdout.trim().split('\n').pop()!) as Record<string, number>);
    }
  }
  const keys = ['eval_samples_per_s', 'forward_ms', 'backward_ms', 'adam_ms', 'batch_ms', 'peak_rss_mib'];
  const base = snn.ok ? 'snnTorch 0.9.4, per-step loop' : '(b0) per-step loop, fused, no reuse';
  const baseSps = median(runs[base]!.map((x) => x.train_samples_per_s!));
  const rows = configs.map((c) => {
    const sps = runs[c.name]!.map((x) => x.train_samples_per_s!);
    const row: Record<string, string | number> = {
      config: c.name,
      train_samples_per_s: median(sps),
      range: `${Math.round(Math.min(...sps))}-${Math.round(Math.max(...sps))}`,
    };
    row[snn.ok ? 'vs_snntorch' : 'vs_b0'] = median(sps) / baseSps;
    for (const k of keys) row[k] = median(runs[c.name]!.map((x) => x[k]!));
    return row;
  });
  // Ratios of the same round (interleaved runs see the same machine load), then their median.
  const pair = (a: string, b: string): number => median(runs[a]!.map((x, i) => x.train_samples_per_s! / runs[b]![i]!.train_samples_per_s!));
  const ratios: Record<string, number> = {
    'reuse: (b) / (b0)': pair('(b) per-step loop, fused, reuse', '(b0) per-step loop, fused, no reuse'),
    'sequence / literal loop: (c) / (b)': pair('(c) sequence engine', '(b) per-step loop, fused, reuse'),
  };
  if (snn.ok) {
    ratios['literal loop vs snnTorch: (b) / snnTorch'] = pair('(b) per-step loop, fused, reuse', base);
    ratios['sequence vs snnTorch: (c) / snnTorch'] = pair('(c) sequence engine', base);
  }
  console.log(
    `\nTraining the tutorial network (batch 128, T=10, hidden 128, MNIST, ${batches} batches), ${threads} thread(s), median of ${rounds} round(s) and range`,
  );
  printTable(rows);
  console.log('\nRatios of train samples/s within each round (median over rounds)');
  printTable(Object.entries(ratios).map(([ratio, v]) => ({ ratio, value: v })));
  result.training = rows;
  result.training_ratios = ratios;
  result.training_runs = runs;
  if (!snn.ok) result.snntorch_skipped = snn.reason;
}

if (!values.only || values.only === 'distributed') {
  console.log(`\nData-parallel training (tutorial network, sequence engine, global batch 128): 1 rank vs 2 ranks x 1 thread`);
  const rows = benchDistributed(quick);
  printTable(rows);
  result.distributed = rows;
}

if (!values.only || values.only === 'gc') {
  const gcBatches = quick ? 100 : 300;
  const rows = benchGc(rounds, gcBatches, threads);
  console.log(
    `\nThe tutorial's loop, ${gcBatches} batches, ${threads} thread(s), median of ${rounds} round(s): tidy with finalizers in the GC vs deferred, and no tidy at all`,
  );
  printTable(rows);
  result.gc = rows;
}

console.log('\n' + JSON.stringify(result));
if (values.json) writeFileSync(values.json, JSON.stringify(result, null, 2));
