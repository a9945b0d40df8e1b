// Types of naming.mjs: prebuilt binaries' names and selection.

/** What a prebuilt is made for: a LibTorch version and flavour (LibTorchInfo fits). */
export interface PrebuiltTarget {
  version: string;
  cuda: boolean;
  platform?: string;
  arch?: string;
}

export interface ParsedPrebuilt {
  file: string;
  platform: string;
  arch: string;
  version: string;
  flavour: 'cpu' | 'cuda';
}

export interface PrebuiltSelection {
  /** Relative to prebuilds/; null when none fits. */
  file: string | null;
  /** '<platform>-<arch>/libtorch-<version>-<flavour>', what was looked for. */
  tag: string;
  /** 'libtorch-<version>-<flavour>' of every prebuilt for this platform. */
  available: string[];
}

/** 'snntorch-node.napi.node'. */
export declare const PREBUILT_FILE: string;
/** 'build/Release/snntorch_node.node', relative to the package root. */
export declare const BUILT_REL: string;

export declare function normVersion(v: string): string;
export declare function libtorchTag(lt: { version: string; cuda: boolean }): string;
export declare function platformTag(platform?: string, arch?: string): string;
export declare function prebuiltRelPath(lt: { version: string; cuda: boolean }, platform?: string, arch?: string): string;
export declare function parsePrebuilt(rel: string): ParsedPrebuilt | null;
export declare function selectPrebuilt(files: readonly string[], target: PrebuiltTarget): PrebuiltSelection;
export declare function listPrebuilds(root: string): string[];
