// Types of blas.mjs: which BLAS LibTorch's libblas.so.3 resolves to, and what the install step does.
import type { LibTorchInfo } from './libtorch.mjs';

export type BlasKind = 'openblas' | 'mkl' | 'blis' | 'atlas' | 'reference' | 'unknown';

/** The facts blasDecision decides from (gathered by inspectBlas). */
export interface BlasFacts {
  /** LibTorch links the generic libblas.so.3. */
  linksGenericBlas: boolean;
  /** The file libblas.so.3 resolves to. */
  resolved: string | null;
  kind: BlasKind;
  /** update-alternatives' candidates for libblas.so.3. */
  alternatives: string[];
  isRoot: boolean;
  isDebian: boolean;
  /** SNNTORCH_NO_AUTO_LIBTORCH=1 or SNNTORCH_NO_AUTO_BLAS=1. */
  noAuto: boolean;
}

export interface BlasDecision {
  action: 'ok' | 'install' | 'select' | 'advise';
  message: string;
  /** For install and select: the command run (as root). */
  command?: string[];
}

export declare const OPENBLAS_PACKAGE: string;
export declare const BLAS_ALTERNATIVE: string;
export declare const FIX_BLAS: string;

export declare function classifyBlasPath(path: string | null | undefined): BlasKind;
export declare function parseAlternatives(text: string | null | undefined): { value: string | null; alternatives: string[] } | null;
export declare function lddBlas(text: string | null | undefined): string | null;
export declare function blasDecision(f: BlasFacts): BlasDecision;
export declare function inspectBlas(lt: LibTorchInfo, o?: { env?: NodeJS.ProcessEnv }): BlasFacts;
export declare function ensureFastBlas(
  lt: LibTorchInfo,
  o?: {
    env?: NodeJS.ProcessEnv;
    log?: (message: string) => void;
    warn?: (message: string) => void;
    exec?: (file: string, args: string[], options: object) => unknown;
  },
): BlasDecision;
