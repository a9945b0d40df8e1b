// Child process for the hostile-file tests: loads each file given and prints one JSON line per
// file with the time taken, the error (if any) and the peak RSS above the RSS before the first
// load, so a runaway load shows as a crash, a timeout or a number, never as a stuck test run.
// Usage: node --import tsx test/hostile_load_child.ts <load|idx>:<path> ...
import * as torch from '../lib/torch/index.js';
import { readIdx } from '../lib/data/idx.js';

const MiB = 1024 * 1024;
// Warm up both readers (module loading, LibTorch) before the baseline is taken.
try {
  readIdx('/nonexistent');
} catch {
  /* expected */
}
try {
  torch.load('/nonexistent');
} catch {
  /* expected */
}
const baseline = process.memoryUsage().rss;
for (const arg of process.argv.slice(2)) {
  const at = arg.indexOf(':');
  const kind = arg.slice(0, at);
  const path = arg.slice(at + 1);
  const t0 = performance.now();
  let error: string | null = null;
  let summary = '';
  try {
    const v: unknown = kind === 'idx' ? readIdx(path).shape : torch.load(path);
    if (Array.isArray(v)) summary = `array of ${v.length}; [0] === [1]: ${v.length > 1 && v[0] === v[1]}`;
    else summary = typeof v;
  } catch (e) {
    error = e instanceof Error ? `${e.constructor.name}: ${e.message}` : String(e);
  }
  const ms = performance.now() - t0;
  const peakExtraMiB = (process.resourceUsage().maxRSS * 1024 - baseline) / MiB;
  console.log(JSON.stringify({ path, ms, error, summary, peakExtraMiB }));
}
