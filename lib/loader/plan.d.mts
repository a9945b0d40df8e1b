// Types of plan.mjs: which binary the library loads, and loading it.
import type { LibTorchInfo } from './libtorch.mjs';

/** explicit: SNNTORCH_NODE_BINARY; built: build/Release from source; prebuilt: from prebuilds/. */
export type BinaryKind = 'explicit' | 'built' | 'prebuilt';

export interface Candidate {
  kind: BinaryKind;
  path: string;
  /** For a prebuilt: the LibTorch it was chosen for, and its tag. */
  lt?: LibTorchInfo;
  tag?: string;
}

export interface BinaryPlan {
  candidates: Candidate[];
  lt: LibTorchInfo | null;
  ltError: Error | null;
  notes: string[];
  /** The prebuilts for this platform ('libtorch-<version>-<flavour>'), for error messages. */
  available: string[];
}

/** Which binary is in use. */
export interface NativeInfo {
  kind: BinaryKind;
  path: string;
  /** The LibTorch discovery found (only looked up when a prebuilt was chosen). */
  libtorch: LibTorchInfo | null;
  /** For a prebuilt: proved in a child process now, or a cached proof. */
  proof: 'proved' | 'cached' | null;
}

export declare function planBinary(o: { root: string; env?: NodeJS.ProcessEnv; discoverAlways?: boolean }): BinaryPlan;

/** Throws NativeLoadError (remedies.mjs) when no candidate loads. */
export declare function loadBinding(o: {
  root: string;
  env?: NodeJS.ProcessEnv;
  requireFn: (path: string) => unknown;
  useCache?: boolean;
}): { binding: unknown; info: NativeInfo };
