// The training CLI (lib/train/cli.ts, shipped as `snntorch-node train`, run here as `npm run train`):
// the option table's parser and its one-line errors (exit 2), the BLAS in the header, and stopping
// by SIGINT / SIGTERM sent to the process or to npm's pid (exit 130, partial report, checkpoint).
import { expect } from 'chai';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { closestOption, optionsHelp, parseOptions, TRAIN_OPTIONS, UsageError } from '../lib/train/options.js';

const root = dirname(dirname(fileURLToPath(import.meta.url)));

describe('train CLI: options', () => {
  const usage = (argv: string[]): string => {
    try {
      parseOptions(argv);
    } catch (e) {
      expect(e).to.be.instanceOf(UsageError);
      return (e as Error).message;
    }
    throw new Error(`no error for ${argv.join(' ')}`);
  };

  it("gives the tutorial's defaults, and parses --name value, --name=value and flags", () => {
    const d = parseOptions([]);
    expect(d).to.include({
      epochs: 5,
      'batch-size': 128,
      hidden: 128,
      'num-steps': 10,
      beta: 0.9,
      lr: 1e-3,
      seed: 0,
      device: 'cpu',
      dataset: 'mnist',
      loss: 'count',
      engine: 'sequence',
      'no-progress': false,
      help: false,
    });
    expect(d.limit).to.equal(null);
    const v = parseOptions(['--epochs', '2', '--lr=0.01', '--no-progress', '--beta', '-0.5', '-h']);
    expect(v).to.include({ epochs: 2, lr: 0.01, 'no-progress': true, beta: -0.5, help: true });
  });

  it('an unknown option names the closest known one', () => {
    expect(usage(['--epoch', '1'])).to.equal('unknown option --epoch; did you mean --epochs?');
    expect(usage(['--batchsize=3'])).to.equal('unknown option --batchsize; did you mean --batch-size?');
    expect(usage(['--nmu-steps', '3'])).to.equal('unknown option --nmu-steps; did you mean --num-steps?');
    expect(usage(['--xyzzy'])).to.equal('unknown option --xyzzy; see --help for the options');
    expect(usage(['-x'])).to.equal('unknown option -x; see --help for the options');
    expect(closestOption('lr')).to.equal('lr');
  });

  it('a bad or missing value is one line naming the option, what it expects and what it got', () => {
    expect(usage(['--epochs', 'x'])).to.equal("bad value for --epochs: expected an integer >= 0, got 'x'");
    expect(usage(['--batch-size', '0'])).to.equal("bad value for --batch-size: expected an integer >= 1, got '0'");
    expect(usage(['--lr', '-1'])).to.equal("bad value for --lr: expected a positive number, got '-1'");
    expect(usage(['--device', 'tpu'])).to.equal("bad value for --device: expected one of cpu, cuda, got 'tpu'");
    expect(usage(['--epochs'])).to.equal('--epochs needs a value (N)');
    expect(usage(['--epochs', '--lr', '1'])).to.equal('--epochs needs a value (N)');
    expect(usage(['--no-progress=1'])).to.equal("--no-progress takes no value (got '1')");
    expect(usage(['5'])).to.match(/^unexpected argument '5'/);
  });

  it('--help lists every option of the table', () => {
    const help = optionsHelp();
    for (const o of TRAIN_OPTIONS) expect(help).to.include(`--${o.name}`);
    expect(help).to.match(/--epochs N +training epochs \(5\)/);
  });
});

/** Spawns a command, resolving with its exit code (or signal), stdout and stderr. */
function run(
  cmd: string,
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; onStdout?: (all: string, p: ChildProcess) => void } = {},
): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { cwd: root, env: { ...process.env, ...opts.env } });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      opts.onStdout?.(stdout, p);
    });
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('error', reject);
    p.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

const trainArgs = (dir: string): string[] => [
  '--limit',
  '12800',
  '--epochs',
  '3',
  '--batch-size',
  '64',
  '--threads',
  '1',
  '--save',
  join(dir, 'net.pt'),
  '--report',
  join(dir, 'report'),
];

function expectPartialRun(dir: string, reason: string): void {
  expect(existsSync(join(dir, 'net.pt')), 'checkpoint').to.equal(true);
  const m = JSON.parse(readFileSync(join(dir, 'report', 'metrics.json'), 'utf8')) as {
    final: { stopped: { reason: string; epoch: number; batch: number } };
    loss_hist: number[];
    iterations: { iteration: number; loss: number }[];
  };
  expect(m.final.stopped.reason).to.equal(reason);
  expect(m.final.stopped.epoch).to.equal(1);
  expect(m.loss_hist.length).to.equal(m.final.stopped.batch);
  expect(m.loss_hist.length).to.be.within(1, 199); // stopped well before the end of epoch 1 (200 batches)
  expect(m.iterations.map((i) => i.iteration)).to.deep.equal(m.loss_hist.map((_, i) => i + 1));
}

describe('train CLI: processes', function () {
  this.timeout(180_000);
  const tsx = ['--import', 'tsx', 'scripts/train-mnist.ts'];

  it('an unknown option or a bad value: one line on stderr, no stack trace, exit 2', async () => {
    for (const [argv, line] of [
      [['--epoch', '1'], 'snntorch-node train: unknown option --epoch; did you mean --epochs?\n'],
      [['--lr', 'fast'], "snntorch-node train: bad value for --lr: expected a positive number, got 'fast'\n"],
    ] as const) {
      const r = await run(process.execPath, [...tsx, ...argv]);
      expect(r.stderr).to.equal(line);
      expect(r.code).to.equal(2);
    }
  });

  it('SIGINT to the training process stops at the next batch, writes the partial report and the checkpoint, exits 130', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'train-sigint-'));
    let sent = false;
    const r = await run(process.execPath, [...tsx, ...trainArgs(dir)], {
      onStdout: (out, p) => {
        if (!sent && /Epoch 1: batch 1\//.test(out)) {
          sent = true;
          p.kill('SIGINT');
        }
      },
    });
    expect(sent, 'saw the first progress line').to.equal(true);
    expect(r.stderr).to.include('SIGINT: stopping after the current batch');
    expect(r.stdout).to.match(/Stopped by SIGINT in epoch 1 after \d+\/200 batches/);
    expect(r.code).to.equal(130);
    expectPartialRun(dir, 'SIGINT');
  });

  for (const sig of ['SIGTERM', 'SIGINT'] as const) {
    it(`${sig} to npm's pid (npm run train) reaches the training process: exit 130, partial report, no process left`, async () => {
      const dir = mkdtempSync(join(tmpdir(), `train-npm-${sig}-`));
      let sent = false;
      const r = await run('npm', ['run', 'train', '--', ...trainArgs(dir)], {
        onStdout: (out, p) => {
          if (!sent && /Epoch 1: batch 1\//.test(out)) {
            sent = true;
            p.kill(sig);
          }
        },
      });
      expect(sent, 'saw the first progress line').to.equal(true);
      expect(r.stdout).to.match(new RegExp(`Stopped by ${sig} in epoch 1`));
      expect(r.code).to.equal(130);
      expectPartialRun(dir, sig);
      expect(spawnSync('pgrep', ['-f', dir]).stdout.toString().trim(), 'a training process still running').to.equal('');
    });
  }

  const REF = '/usr/lib/x86_64-linux-gnu/blas/libblas.so.3';
  (existsSync(REF) ? it : it.skip)('prints the BLAS in the header, and warns on the reference BLAS', async () => {
    const fast = await run(process.execPath, [...tsx, '--epochs', '0', '--limit', '256', '--report', 'none']);
    expect(fast.stdout).to.match(/\nBLAS: OpenBLAS, \d+ threads?, [\d.]+ GFLOP\/s/);
    expect(fast.stderr).not.to.include('slow BLAS');
    const dir = mkdtempSync(join(tmpdir(), 'refblas-'));
    symlinkSync(REF, join(dir, 'libblas.so.3'));
    const slow = await run(process.execPath, [...tsx, '--epochs', '0', '--limit', '256', '--report', 'none'], {
      env: { LD_LIBRARY_PATH: dir },
    });
    expect(slow.stdout).to.match(/\nBLAS: reference BLAS \(.*\/blas\/libblas\.so\.3.*\)/);
    expect(slow.stderr).to.include(
      "warning: slow BLAS: LibTorch's libblas.so.3 is the reference BLAS: matrix products run about 10x slower; fix: sudo apt-get install -y libopenblas0-pthread",
    );
    expect(slow.code).to.equal(0);
  });
});
