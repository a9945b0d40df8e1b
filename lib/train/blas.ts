// Which BLAS LibTorch's matrix products run on, and how fast: a short sgemm timing through the
// addon, and the verdict shared by `npm run train`'s header and `snntorch-node doctor`. Debian's
// libtorch-dev links the generic libblas.so.3; without OpenBLAS installed that resolves to the
// reference BLAS, which the runtime cannot name (no openblas_* / MKL_* symbols) and which runs
// sgemm about ten times slower. Debian's LibTorch also links libopenblas.so.0 directly, so the
// runtime may name OpenBLAS while sgemm still runs in the reference libblas.so.3: the file this
// process mapped for libblas.so.3 (/proc/self/maps) settles which one runs.
import { readFileSync } from 'node:fs';
import * as torch from '../torch/index.js';

/** The one-line fix for the reference BLAS on Debian/Ubuntu. */
export const BLAS_FIX = 'sudo apt-get install -y libopenblas0-pthread';

/** Below this sgemm rate (GFLOP/s, one thread, 256x256) an optimised BLAS is noted as running slow. */
export const SLOW_GFLOPS = 8;

export interface BlasFacts {
  /** What the runtime found: 'OpenBLAS', 'MKL' or 'none found' (the reference BLAS or an unknown one). */
  name: string;
  /** The libblas.so.3 file mapped into this process (null when none is). */
  library: string | null;
  threads: number;
  /** Measured sgemm GFLOP/s, or null when not measured. */
  gflops: number | null;
}

export interface BlasVerdict {
  ok: boolean;
  /** e.g. "OpenBLAS, 1 thread, 61.3 GFLOP/s (sgemm 256x256)". */
  summary: string;
  /** Why it is slow and the fix (only when not ok). */
  problem: string | null;
}

/** What a BLAS library file is, from its path: 'openblas' | 'mkl' | 'blis' | 'atlas' | 'reference' | 'unknown'. */
export function classifyBlasPath(path: string | null): string {
  if (!path) return 'unknown';
  const p = path.toLowerCase();
  for (const k of ['openblas', 'mkl', 'blis', 'atlas']) if (p.includes(k)) return k;
  // Debian's reference BLAS (libblas3) lives in /usr/lib/<triplet>/blas/.
  return /\/blas\/libblas\.so/.test(p) ? 'reference' : 'unknown';
}

/** The libblas.so.3 file in a /proc/<pid>/maps text (null when none is mapped). */
export function mappedBlas(maps: string): string | null {
  const m = /\s(\/\S*\/libblas\.so[.\d]*)\s*$/m.exec(maps);
  return m ? m[1]! : null;
}

/** Decides whether the BLAS is a fast one: an optimised BLAS behind libblas.so.3, and not measured slow. */
export function judgeBlas(f: BlasFacts): BlasVerdict {
  const reference = classifyBlasPath(f.library) === 'reference';
  const known = !reference && (f.name === 'OpenBLAS' || f.name === 'MKL');
  const label = reference
    ? `reference BLAS (${f.library})`
    : known
      ? f.name
      : 'reference BLAS (or unknown: no OpenBLAS or MKL symbols found)';
  const rate = f.gflops === null ? '' : `, ${f.gflops.toFixed(1)} GFLOP/s (sgemm 256x256)`;
  // A named optimised BLAS measured slow is only noted: a busy machine times low, and the fix below
  // would not help. The failure is the reference (or an unknown) BLAS behind libblas.so.3.
  const busy = known && f.gflops !== null && f.gflops < SLOW_GFLOPS ? ' (below ' + SLOW_GFLOPS + ' GFLOP/s: is the machine busy?)' : '';
  const summary = `${label}, ${f.threads || 1} thread${f.threads > 1 ? 's' : ''}${rate}${busy}`;
  if (known) return { ok: true, summary, problem: null };
  return {
    ok: false,
    summary,
    problem: `LibTorch's libblas.so.3 is the reference BLAS: matrix products run about 10x slower; fix: ${BLAS_FIX}`,
  };
}

/**
 * sgemm GFLOP/s through LibTorch: float32 [n, n] x [n, n] products, repeated for about `ms`
 * milliseconds after one warm-up (so about 50 ms at the default; a few ms on a fast BLAS).
 */
export function measureSgemm(n = 256, ms = 50): number {
  return torch.tidy(() => {
    // Constant operands: the timing must not draw from (and so shift) the seeded generator.
    const a = torch.full([n, n], 0.5);
    const b = torch.full([n, n], 0.25);
    torch.matmul(a, b).dispose();
    let reps = 0;
    const t0 = process.hrtime.bigint();
    let elapsed = 0;
    do {
      torch.matmul(a, b).dispose();
      reps++;
      elapsed = Number(process.hrtime.bigint() - t0) / 1e6;
    } while (elapsed < ms && reps < 1000);
    return (2 * n ** 3 * reps) / (elapsed / 1000) / 1e9;
  });
}

/** The BLAS in use, measured. */
export function blasFacts(measure = true): BlasFacts {
  const c = torch.__config__();
  let library: string | null = null;
  try {
    library = mappedBlas(readFileSync('/proc/self/maps', 'utf8'));
  } catch {
    /* not Linux: the runtime's name decides */
  }
  return { name: c.blas, library, threads: c.blas_threads, gflops: measure ? measureSgemm() : null };
}
