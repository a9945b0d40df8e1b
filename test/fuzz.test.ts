// Fuzzing torch.load and the IDX reader (fast-check, test/fuzz_child.ts) in a child process: a
// bounded run here (a few seconds); SNNTORCH_FUZZ_RUNS=100000 for a nightly-length run, and
// SNNTORCH_FUZZ_SEED=<seed> to replay a failure fast-check reported.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const RUNS = Number(process.env.SNNTORCH_FUZZ_RUNS ?? 200);

describe('fuzz: torch.load and the IDX reader', function () {
  // About 1 ms per case here; a nightly run gets the time it needs.
  const limitMs = 120_000 + RUNS * 4 * 20;
  this.timeout(limitMs + 10_000);
  it(`${RUNS} runs per property: every input loads or fails with an Error naming the file, never a crash or a hang`, () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'test', 'fuzz_child.ts'), String(RUNS)], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: limitMs,
      maxBuffer: 1 << 26,
    });
    const out = `${r.stdout}\n${r.stderr}`.slice(-6000);
    expect(r.signal, `killed by ${r.signal} (a crash or a hang)\n${out}`).to.equal(null);
    expect(r.status, out).to.equal(0);
    expect(r.stdout).to.match(new RegExp(`OK \\d+ cases \\(${RUNS} runs per property\\)`));
  });
});
