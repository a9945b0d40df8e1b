// Devices, threads and build facts.
import { availableParallelism } from 'node:os';
import { native } from '../native.js';
import { checkInt } from './check.js';
import { cudaUnavailable } from './tensor.js';

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

/** Sets LibTorch's intra-op threads and the BLAS's threads together (they must not oversubscribe). */
export function set_num_threads(n: number): void {
  native.set_num_threads(checkInt('n', n, 1, 1024));
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

export function applyDefaultThreads(): void {
  const env = process.env;
  // The first of these that is set and non-empty (an empty value must not hide the next one).
  const explicit = [env.SNNTORCH_NUM_THREADS, env.OMP_NUM_THREADS, env.OPENBLAS_NUM_THREADS].find((v) => v !== undefined && v !== '');
  const n = explicit !== undefined && Number.isInteger(Number(explicit)) && Number(explicit) > 0 ? Number(explicit) : default_num_threads(availableParallelism());
  native.set_num_threads(n);
}

/**
 * The CPU allocator's cache of large freed blocks (>= 128 KiB, page-rounded). A training loop
 * reuses the same sizes every batch, so cached blocks skip the page faults and zeroing of fresh
 * memory; SNNTORCH_CPU_CACHE_MB caps it (default 256, 0 = off). empty_cache() frees it all.
 */
export const cpu = {
  empty_cache(): void {
    native.cpu_empty_cache();
  },
  cache_stats(): { cached_bytes: number; cap_bytes: number; hits: number; misses: number } {
    return native.cpu_cache_stats();
  },
};
