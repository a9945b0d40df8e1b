// Finds a snnTorch environment for the benchmark's baseline row: SNNTORCH_PYTHONPATH (a folder on
// which `import snntorch` works, e.g. snnTorch's source tree) and SNNTORCH_PYTHON (a Python with
// torch; default /usr/bin/python3). Proved by importing both in a child before it is used.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { data } from '../../lib/index.js';

export type Baseline =
  { ok: true; version: string; run: { cmd: string; args: string[]; env: NodeJS.ProcessEnv } } | { ok: false; reason: string };

export function snntorchBaseline(batches: string, threads: number): Baseline {
  const path = process.env.SNNTORCH_PYTHONPATH;
  const python = process.env.SNNTORCH_PYTHON || '/usr/bin/python3';
  if (!path)
    return {
      ok: false,
      reason:
        'SNNTORCH_PYTHONPATH is not set (e.g. SNNTORCH_PYTHONPATH=/path/to/snntorch_src; SNNTORCH_PYTHON picks the Python with torch, default /usr/bin/python3)',
    };
  const env = {
    ...process.env,
    PYTHONPATH: path,
    OPENBLAS_NUM_THREADS: String(threads),
    OMP_NUM_THREADS: String(threads),
    MKL_NUM_THREADS: String(threads),
  };
  const probe = spawnSync(python, ['-c', 'import torch, snntorch; print(snntorch.__version__, torch.__version__)'], {
    encoding: 'utf8',
    env,
  });
  if (probe.error)
    return { ok: false, reason: `${python} cannot run (${probe.error.message}); set SNNTORCH_PYTHON to a Python with torch` };
  if (probe.status !== 0)
    return {
      ok: false,
      reason: `${python} with PYTHONPATH=${path} cannot import torch and snntorch: ${probe.stderr.trim().split('\n').pop()}`,
    };
  const script = fileURLToPath(new URL('./snntorch_child.py', import.meta.url));
  return {
    ok: true,
    version: probe.stdout.trim(),
    run: { cmd: python, args: [script, data.datasets.mnistDataRoot(), batches, String(threads)], env },
  };
}
