// The only module that touches the native addon, typed by binding.d.ts. Which file it loads, in order:
//   1. SNNTORCH_NODE_BINARY: an exact .node file (a build in another folder, doctor's checks);
//   2. build/Release/snntorch_node.node: a source build inside the package (npm install, `npx snntorch-node build`);
//   3. prebuilds/<platform>-<arch>/libtorch-<version>-<cpu|cuda>/snntorch-node.napi.node matching the
//      LibTorch that discovery finds (scripts/libtorch.mjs, as the build), proved in a child process
//      first (a binary for another LibTorch kills its process with "undefined symbol"), proof cached;
//   4. else an error naming what failed and the commands that fix it.
// The logic lives in scripts/prebuilds.mjs, shared with the install hook and `doctor`; it is loaded
// from the package root so that the same path works from lib/ (tsx) and from dist/lib/.
import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Binding } from '../binding.js';

export type * from '../binding.js';

/** The package root: the nearest folder above this file whose package.json names snntorch-node. */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pj = join(dir, 'package.json');
    if (existsSync(pj) && (JSON.parse(readFileSync(pj, 'utf8')) as { name?: string }).name === 'snntorch-node') return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error('snntorch-node: cannot find the package root from ' + fileURLToPath(import.meta.url));
    dir = up;
  }
}

/** What discovery reports about a LibTorch (scripts/libtorch.mjs). */
export interface LibTorchInfo {
  source: 'LIBTORCH' | 'python' | 'system';
  prefix: string;
  cmakeDir: string;
  libDir: string;
  version: string;
  cuda: boolean;
  cxx11Abi: boolean | null;
}

/** Which binary is in use. */
export interface NativeInfo {
  /** explicit: SNNTORCH_NODE_BINARY; built: build/Release from source; prebuilt: from prebuilds/. */
  kind: 'explicit' | 'built' | 'prebuilt';
  path: string;
  /** The LibTorch discovery found (only looked up when a prebuilt was chosen). */
  libtorch: LibTorchInfo | null;
  /** For a prebuilt: proved in a child process now, or a cached proof. */
  proof: 'proved' | 'cached' | null;
}

interface PrebuiltsModule {
  loadBinding(o: { root: string; env: NodeJS.ProcessEnv; requireFn: (p: string) => unknown }): { binding: unknown; info: NativeInfo };
}

function load(): { binding: Binding; info: NativeInfo } {
  const root = packageRoot();
  const require = createRequire(join(root, 'package.json'));
  // require() of an ES module without top-level await: synchronous (Node >= 20.19).
  const prebuilds = require(join(root, 'scripts', 'prebuilds.mjs')) as PrebuiltsModule;
  const { binding, info } = prebuilds.loadBinding({ root, env: process.env, requireFn: (p) => require(p) });
  return { binding: binding as Binding, info };
}

const loaded = load();
export const native: Binding = loaded.binding;
/** The binary in use (for `doctor` and bug reports). */
export const nativeInfo: NativeInfo = loaded.info;
