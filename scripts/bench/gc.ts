// What freeing tensors inside the GC costs, and what it buys: the tutorial's loop
// (scripts/bench/gc-loop.ts, each run in its own process, rounds interleaved) under tidy with the
// addon's finalizers run during the GC (the default) and deferred to the event loop
// (SNNTORCH_DEFERRED_FINALIZERS=1, Node's behaviour for Node-API <= 9 modules), and with no tidy and
// no dispose at all (only the GC frees).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { median } from './stats.js';

interface Run {
  samples_per_s: number;
  cpu_ms_per_batch: number;
  peak_rss_mib: number;
}

export function benchGc(rounds: number, batches: number, threads: number): Record<string, string | number>[] {
  const child = fileURLToPath(new URL('./gc-loop.ts', import.meta.url));
  const configs = [
    { name: 'tidy, finalizers in the GC (default)', mode: 'tidy', engine: 'sequence', deferred: false },
    { name: 'tidy, finalizers deferred', mode: 'tidy', engine: 'sequence', deferred: true },
    { name: 'no tidy/dispose, finalizers in the GC', mode: 'none', engine: 'sequence', deferred: false },
    { name: 'tidy, finalizers in the GC (default)', mode: 'tidy', engine: 'step', deferred: false },
    { name: 'tidy, finalizers deferred', mode: 'tidy', engine: 'step', deferred: true },
    { name: 'no tidy/dispose, finalizers in the GC', mode: 'none', engine: 'step', deferred: false },
  ];
  const runs: Run[][] = configs.map(() => []);
  for (let r = 0; r < rounds; r++) {
    configs.forEach((c, i) => {
      const env = { ...process.env, SNNTORCH_DEFERRED_FINALIZERS: c.deferred ? '1' : '' };
      const p = spawnSync(process.execPath, ['--import', 'tsx', child, c.mode, c.engine, String(batches), String(threads)], {
        encoding: 'utf8',
        env,
      });
      if (p.status !== 0) throw new Error(`${c.name} (${c.engine}) failed:\n${p.stderr}`);
      runs[i]!.push(JSON.parse(p.stdout.trim().split('\n').pop()!) as Run);
    });
  }
  return configs.map((c, i) => {
    const baseRuns = runs[configs.findIndex((d) => d.engine === c.engine && d.mode === 'tidy' && d.deferred)]!;
    const sps = median(runs[i]!.map((x) => x.samples_per_s));
    const cpu = median(runs[i]!.map((x) => x.cpu_ms_per_batch));
    const round3 = (x: number): number => Math.round(x * 1000) / 1000;
    return {
      engine: c.engine,
      config: c.name,
      samples_per_s: Math.round(sps),
      cpu_ms_per_batch: cpu,
      // CPU time per batch against the deferred-finalizer tidy run (1.02 = 2% more CPU per batch).
      cpu_vs_deferred: round3(cpu / median(baseRuns.map((x) => x.cpu_ms_per_batch))),
      peak_rss_mib: median(runs[i]!.map((x) => x.peak_rss_mib)),
    };
  });
}
