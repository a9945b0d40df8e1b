// Thread defaults: LibTorch's intra-op pool and the BLAS pool together never exceed the cores.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { torch } from '../lib/index.js';

function configIn(env: NodeJS.ProcessEnv): { num_threads: number; blas_threads: number } {
  const r = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      '-e',
      "import {torch} from './lib/index.ts'; const c = torch.__config__(); console.log(JSON.stringify({num_threads: c.num_threads, blas_threads: c.blas_threads}))",
    ],
    {
      encoding: 'utf8',
      env: { ...process.env, SNNTORCH_NUM_THREADS: '', OMP_NUM_THREADS: '', OPENBLAS_NUM_THREADS: '', ...env },
    },
  );
  expect(r.status, r.stderr).to.equal(0);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as { num_threads: number; blas_threads: number };
}

describe('torch threads', () => {
  it('default_num_threads: one per pool up to 2 cores, half the cores per pool above', () => {
    expect(torch.default_num_threads(1)).to.equal(1);
    expect(torch.default_num_threads(2)).to.equal(1);
    expect(torch.default_num_threads(4)).to.equal(2);
    expect(torch.default_num_threads(16)).to.equal(8);
  });

  it('by default the two pools together fit the cores of this machine', () => {
    const c = configIn({});
    expect(c.num_threads).to.equal(torch.default_num_threads(availableParallelism()));
    if (torch.__config__().blas !== 'none found') expect(c.num_threads + c.blas_threads).to.be.at.most(Math.max(2, availableParallelism()));
  });

  it('SNNTORCH_NUM_THREADS (or OMP_NUM_THREADS) overrides the default for both pools', () => {
    const c = configIn({ SNNTORCH_NUM_THREADS: '3' });
    expect(c.num_threads).to.equal(3);
    if (torch.__config__().blas === 'OpenBLAS') expect(c.blas_threads).to.equal(3);
  });

  it('set_num_threads reaches LibTorch and the BLAS', () => {
    const before = torch.get_num_threads();
    torch.set_num_threads(2);
    expect(torch.get_num_threads()).to.equal(2);
    if (torch.__config__().blas === 'OpenBLAS') expect(torch.__config__().blas_threads).to.equal(2);
    torch.set_num_threads(before);
  });
});

describe('torch threads: environment', () => {
  it('an empty SNNTORCH_NUM_THREADS does not hide OMP_NUM_THREADS', () => {
    const r = spawnSync(
      process.execPath,
      ['--import', 'tsx', '-e', "import {torch} from './lib/index.ts'; console.log(torch.get_num_threads())"],
      {
        encoding: 'utf8',
        env: { ...process.env, SNNTORCH_NUM_THREADS: '', OMP_NUM_THREADS: '2', OPENBLAS_NUM_THREADS: '' },
      },
    );
    expect(r.status, r.stderr).to.equal(0);
    expect(Number(r.stdout.trim().split('\n').pop())).to.equal(2);
  });
});
