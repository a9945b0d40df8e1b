// Devices, threads and build facts.
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
