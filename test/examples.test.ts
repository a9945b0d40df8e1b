// Every tutorial port in examples/ runs to the end with --quick in its own process, within a time
// bound, and reports its RESULT line; each example's own checks (loss falls, accuracy above
// chance, files written) make it exit non-zero when they fail.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';

const ROOT = new URL('..', import.meta.url).pathname;
const LIMIT_MS = 120_000;

interface Run {
  code: number | null;
  output: string;
  result: Record<string, unknown> | null;
}

function runExample(name: string, out: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join('examples', `${name}.ts`), '--quick', '--out', out], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1' },
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), LIMIT_MS);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const line = output
        .split('\n')
        .reverse()
        .find((l) => l.startsWith('RESULT '));
      resolve({ code, output, result: line ? (JSON.parse(line.slice(7)) as Record<string, unknown>) : null });
    });
  });
}

/** Each example and what its RESULT must show beyond its own checks. */
const EXAMPLES: Record<string, (r: Record<string, unknown>) => void> = {
  tutorial_1: (r) => expect(r.rate_err as number).to.be.lessThan(0.05),
  tutorial_2: (r) => expect(r.spikes_step as number).to.be.greaterThan(0),
  tutorial_3: (r) => expect(r.hidden_rate as number).to.be.greaterThan(0),
  tutorial_4: (r) => expect(r.alpha_spikes as number).to.be.greaterThan(0),
  tutorial_6: (r) => expect(r.last_loss as number).to.be.lessThan(r.first_loss as number),
  tutorial_7: (r) => expect(r.accuracy as number).to.be.greaterThan(0.25),
  stmnist: (r) => expect(r.last_loss as number).to.be.lessThan(r.first_loss as number),
  regression_1: (r) => expect(r.last_loss as number).to.be.lessThan((r.first_loss as number) / 4),
  pop: (r) => expect(r.accuracy_pop as number).to.be.greaterThan(r.accuracy_plain as number),
  sae: (r) => expect(r.test_loss as number).to.be.lessThan(r.first_loss as number),
  forward_forward: (r) => expect(r.lif_train_error as number).to.be.lessThan(80),
  exoplanet_hunter: (r) => expect(r.last_loss as number).to.be.lessThan(r.first_loss as number),
  tutorial_5: (r) => expect(r.accuracy as number).to.be.greaterThan(0.4),
  regression_2: (r) => expect(r.accuracy as number).to.be.greaterThan(0.4),
};

describe('examples/ (tutorial ports, --quick)', function () {
  this.timeout(LIMIT_MS + 10_000);
  let out: string;
  before(() => (out = mkdtempSync(join(tmpdir(), 'snntorch-examples-'))));
  after(() => rmSync(out, { recursive: true, force: true }));

  for (const [name, verify] of Object.entries(EXAMPLES)) {
    it(`${name} --quick runs to the end and passes its checks`, async () => {
      const r = await runExample(name, join(out, name));
      expect(r.code, `${name} exited ${r.code}:\n${r.output.slice(-3000)}`).to.equal(0);
      expect(r.result, `${name} printed no RESULT line:\n${r.output.slice(-3000)}`).to.not.equal(null);
      verify(r.result!);
    });
  }
});
