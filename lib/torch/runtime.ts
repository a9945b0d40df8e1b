// Devices, threads and build facts.
import { availableParallelism } from 'node:os';
import { native } from '../native.js';
import { checkInt } from './check.js';
import { cudaUnavailable } from './device.js';

export const cuda = {
  is_available(): boolean {
    return native.cuda_is_available();
  },
  device_count(): number {
    return native.cuda_device_count();
  },
  synchronize(): void {
    if (!native.cuda_is_available()) throw cudaUnavailable();
    native.cuda_synchronize();
  },
};

/**
 * The most threads set_num_threads and the thread variables may ask for: 4 per core. Each pool
 * (LibTorch's OpenMP one and OpenBLAS's) spins its idle threads, so far more threads than cores
 * only slows work down, and a request of thousands made set_num_threads (and the import, through
 * SNNTORCH_NUM_THREADS) run for minutes creating them.
 */
export function max_num_threads(): number {
  return 4 * availableParallelism();
}

/** Sets LibTorch's intra-op threads and the BLAS's threads together (they must not oversubscribe). */
export function set_num_threads(n: number): void {
  const max = max_num_threads();
  if (typeof n === 'number' && Number.isSafeInteger(n) && n > max) {
    throw new RangeError(
      `Expected an integer in [1, ${max}] (4 per core, ${availableParallelism()} cores) for n but received ${n}; more threads than cores only slow LibTorch and OpenBLAS down`,
    );
  }
  native.set_num_threads(checkInt('n', n, 1, max));
}
export function get_num_threads(): number {
  return native.get_num_threads();
}

export interface Config {
  libtorch_version: string;
  cuda_compiled: boolean;
  cuda_available: boolean;
  cuda_device_count: number;
  num_threads: number;
  num_interop_threads: number;
  blas: string;
  blas_threads: number;
  cxx11_abi: boolean;
  parallel_info: string;
}

/** What this build runs on: LibTorch version, CUDA, threads, BLAS (like torch.__config__.show()). */
export function __config__(): Config {
  const c = native.config();
  return { ...c, cuda_device_count: native.cuda_device_count() };
}

/**
 * The thread defaults applied when the library loads, unless OMP_NUM_THREADS, OPENBLAS_NUM_THREADS
 * or SNNTORCH_NUM_THREADS says otherwise. LibTorch's intra-op pool (OpenMP) and OpenBLAS's pool
 * are separate, and idle threads of one spin while the other works: together they must not exceed
 * the cores. Measured on 2 cores (tutorial network, sequence engine): 1+1 threads 5.4 ms/batch,
 * 1 intra-op + 2 BLAS 6.1 ms, 2 intra-op + 1 BLAS 92 ms. So: one of each up to 2 cores, else half
 * the cores to each pool.
 */
export function default_num_threads(cores: number): number {
  return cores <= 2 ? 1 : Math.floor(cores / 2);
}

/**
 * The thread count the environment asks for, or the default. A value that is not a positive
 * integer, or is above max_num_threads(), is not applied as given: a warning names the variable
 * and what is used instead (the import must neither fail nor hang on a bad variable).
 */
export function threadsFromEnv(env: NodeJS.ProcessEnv, cores: number, warn: (msg: string) => void): number {
  const names = ['SNNTORCH_NUM_THREADS', 'OMP_NUM_THREADS', 'OPENBLAS_NUM_THREADS'] as const;
  // The first of these that is set and non-empty (an empty value must not hide the next one).
  const name = names.find((k) => env[k] !== undefined && env[k] !== '');
  const fallback = default_num_threads(cores);
  if (name === undefined) return fallback;
  const raw = env[name]!.trim();
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(n) || n < 1) {
    warn(`${name}=${JSON.stringify(env[name])} is not a positive integer; using ${fallback} thread(s)`);
    return fallback;
  }
  const max = 4 * cores;
  if (n > max) {
    warn(`${name}=${n} is more than the maximum of ${max} (4 per core, ${cores} cores); using ${max} threads`);
    return max;
  }
  return n;
}

export function applyDefaultThreads(): void {
  const n = threadsFromEnv(process.env, availableParallelism(), (msg) => process.emitWarning(msg, { code: 'SNNTORCH_NUM_THREADS' }));
  native.set_num_threads(n);
}

/**
 * The CPU allocator's cache of large freed blocks (>= 128 KiB, page-rounded). A training loop
 * reuses the same sizes every batch, so cached blocks skip the page faults and zeroing of fresh
 * memory. It holds up to the peak of large blocks in use at once (at least 256 MiB; in use plus
 * cached never exceed that peak), so a BPTT graph freed every iteration is reused whole;
 * SNNTORCH_CPU_CACHE_MB fixes the limit instead (0 = off). empty_cache() frees it all; cap_bytes
 * is the current limit.
 */
export const cpu = {
  empty_cache(): void {
    native.cpu_empty_cache();
  },
  cache_stats(): { cached_bytes: number; cap_bytes: number; hits: number; misses: number } {
    return native.cpu_cache_stats();
  },
};
