// Types of proof.mjs: the child-process proof that a binary loads.

/** Why a binary does not load. */
export type FailureKind = 'abi' | 'missing-so' | 'not-a-binary' | 'missing' | 'crashed' | 'load' | 'timeout';

/** The addon's config() as the child saw it (the fields the loader and doctor read, and more). */
export interface ProvedConfig {
  libtorch_version: string;
  cxx11_abi: boolean;
  [key: string]: unknown;
}

export interface Proof {
  ok: boolean;
  config?: ProvedConfig;
  kind?: FailureKind;
  message?: string;
  /** The child's stdout and stderr. */
  output: string;
}

export declare function classifyFailure(
  text: string,
  signal?: string | null,
  status?: number | null,
): { kind: FailureKind; message: string };
export declare function proveBinary(file: string, o?: { env?: NodeJS.ProcessEnv; timeoutMs?: number }): Proof;
