// Types of remedies.mjs: the fixes for a binary that does not load, and the error listing them.

export declare const LIBTORCH_REMEDIES: readonly string[];
export declare const FIX_BUILD: string;
export declare const FIX_REBUILD: string;
export declare const FIX_TOOLS: string;
export declare const FIX_DOCTOR: string;

/** One candidate binary that did not load. */
export interface LoadFailure {
  kind: string;
  path?: string;
  message?: string;
  proofKind?: string;
}

export declare function remedies(o: { ltError: Error | null; failures?: readonly LoadFailure[]; available?: readonly string[] }): string[];

export declare class NativeLoadError extends Error {
  constructor(failures: LoadFailure[], ltError: Error | null, notes: string[], available?: string[]);
  readonly failures: LoadFailure[];
  readonly notes: string[];
}
