// `npm run train -- --nproc 2`: the training CLI relaunched on two ranks through the launcher.
// Rank 0 alone prints, writes the report and the checkpoint; the checkpoint resumes without --nproc.
import { expect } from 'chai';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, startRank, withDeadline, describe_, skipWithoutC10d } from './distributed/ranks.js';

const CLI = join(ROOT, 'scripts', 'train-mnist.ts');

describe('train-mnist --nproc 2 (data-parallel training)', function () {
  this.timeout(150_000);
  before(function () {
    return skipWithoutC10d(this);
  });

  it('trains on 2 ranks; one log, report and checkpoint from rank 0; the checkpoint resumes on one process', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'snn-train-dist-'));
    try {
      const ck = join(dir, 'model.pt');
      const report = join(dir, 'report');
      const [r] = await withDeadline(
        [
          startRank(['--nproc', '2', '--epochs', '1', '--limit', '2560', '--report', report, '--save', ck, '--no-progress'], {}, [
            '--import',
            'tsx',
            CLI,
          ]),
        ],
        120_000,
      );
      expect(r!.code, describe_(r!)).to.equal(0);
      expect(r!.stdout.match(/^Epoch 1\/1: /gm)).to.have.length(1);
      expect(r!.stdout).to.match(/global batch 128 = 2 rank\(s\) x 64/);
      expect(r!.stdout).to.match(/allreduce [\d.]+ ms\/batch \(\d+% overlapped with backward\)/);
      const acc = Number(/The total accuracy on the test set is: ([\d.]+)%/.exec(r!.stdout)![1]);
      expect(acc).to.be.greaterThan(30);
      const metrics = JSON.parse(readFileSync(join(report, 'metrics.json'), 'utf8')) as { config: { world_size: number } };
      expect(metrics.config.world_size).to.equal(2);
      expect(existsSync(ck)).to.equal(true);
      const [s] = await withDeadline(
        [
          startRank(['--epochs', '0', '--limit', '1280', '--resume', ck, '--report', 'none', '--no-progress'], {}, [
            '--import',
            'tsx',
            CLI,
          ]),
        ],
        60_000,
      );
      expect(s!.code, describe_(s!)).to.equal(0);
      const resumed = Number(/The total accuracy on the test set is: ([\d.]+)%/.exec(s!.stdout)![1]);
      expect(resumed).to.be.greaterThan(30);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('--nproc with a global batch that does not divide fails in every rank with the reason; the launcher returns it', async () => {
    const [r] = await withDeadline(
      [
        startRank(['--nproc', '2', '--batch-size', '127', '--epochs', '1', '--limit', '512', '--report', 'none', '--no-progress'], {}, [
          '--import',
          'tsx',
          CLI,
        ]),
      ],
      60_000,
    );
    expect(r!.code).to.equal(1);
    expect(r!.stderr).to.match(/--batch-size 127 is the global batch: it must divide by the 2 ranks/);
  });
});
