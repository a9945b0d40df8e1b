// Types of proof-cache.mjs: successful proofs, remembered.
import type { LibTorchInfo } from './libtorch.mjs';
import type { Proof } from './proof.mjs';

export interface CachedProof extends Proof {
  /** True when the answer came from the cache (no child process). */
  cached: boolean;
}

export declare function proofCachePath(env?: NodeJS.ProcessEnv): string;
export declare function proofKey(file: string, lt: LibTorchInfo | null): string;
export declare function proveCached(
  file: string,
  lt: LibTorchInfo | null,
  o?: { env?: NodeJS.ProcessEnv; useCache?: boolean },
): CachedProof;
