// Types of libtorch.mjs: LibTorch discovery.

/** What discovery reports about a LibTorch. */
export interface LibTorchInfo {
  /** Where it was found: $LIBTORCH, the Python torch package, or a system prefix (/usr, /usr/local). */
  source: 'LIBTORCH' | 'python' | 'system';
  prefix: string;
  /** The folder holding TorchConfig.cmake. */
  cmakeDir: string;
  /** The folder holding libtorch*.so. */
  libDir: string;
  /** As LibTorch declares it ('1.13.0', '2.1.0'), 'unknown' when unreadable. */
  version: string;
  cuda: boolean;
  /** The Python package's _GLIBCXX_USE_CXX11_ABI; null when unknown (a plain LibTorch folder). */
  cxx11Abi: boolean | null;
}

/** The three ways to get a LibTorch, as printed in errors. */
export declare const REMEDIES: readonly string[];

export declare class LibTorchNotFound extends Error {
  constructor(tried: string[]);
  /** What discovery looked at, in order. */
  readonly tried: string[];
}

/** $LIBTORCH -> the Python torch package's LibTorch -> a system LibTorch; throws LibTorchNotFound. */
export declare function findLibTorch(o?: { env?: NodeJS.ProcessEnv }): LibTorchInfo;

/** findLibTorch; as root on Debian/Ubuntu with none found, installs libtorch-dev with apt-get first. */
export declare function findOrInstallLibTorch(o?: { env?: NodeJS.ProcessEnv; log?: (message: string) => void }): LibTorchInfo;

/** 'LibTorch 1.13.0 (CPU) from system: /usr'. */
export declare function describe(lt: LibTorchInfo): string;
