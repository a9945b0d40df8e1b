// The only module that touches the native addon, typed by binding.d.ts. Which file it loads
// (lib/loader/plan.mjs, shared with the install step and `doctor`):
//   1. SNNTORCH_NODE_BINARY: an exact .node file (a build in another folder, doctor's checks);
//   2. build/Release/snntorch_node.node: a source build inside the package (npm install, `npx snntorch-node build`);
//   3. prebuilds/<platform>-<arch>/libtorch-<version>-<cpu|cuda>/snntorch-node.napi.node matching the
//      LibTorch that discovery finds (lib/loader/libtorch.mjs, as the build), proved in a child process
//      first (a binary for another LibTorch kills its process with "undefined symbol"), proof cached;
//   4. else an error naming what failed and the commands that fix it.
// The loader is plain JavaScript (it runs at `npm install`, before TypeScript is compiled); the build
// copies it beside this file into dist/lib/loader/.
// Internal entry point: `native` is the raw binding, for the library and for benchmarks and tests that
// time or probe a kernel without the library's wrappers; applications use lib/index.ts.
import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Binding } from '../binding.js';
import { loadBinding, type NativeInfo } from './loader/plan.mjs';

export type * from '../binding.js';
export type { NativeInfo } from './loader/plan.mjs';
export type { LibTorchInfo } from './loader/libtorch.mjs';

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

function load(): { binding: Binding; info: NativeInfo } {
  const root = packageRoot();
  const require = createRequire(join(root, 'package.json'));
  const { binding, info } = loadBinding({ root, env: process.env, requireFn: (p) => require(p) });
  return { binding: binding as Binding, info };
}

const loaded = load();
export const native: Binding = loaded.binding;
/** The binary in use (for `doctor` and bug reports). */
export const nativeInfo: NativeInfo = loaded.info;
