// The only module that touches the native addon. It is loaded through node-gyp-build from the
// package root (build/Release from a source build, else prebuilds/), or from the file that
// SNNTORCH_NODE_BINARY names, typed by binding.d.ts.
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

function load(): Binding {
  const root = packageRoot();
  const require = createRequire(join(root, 'package.json'));
  const nodeGypBuild = require('node-gyp-build') as (dir: string) => unknown;
  // SNNTORCH_NODE_BINARY names an exact .node file (a build in another folder, doctor's checks).
  const explicit = process.env.SNNTORCH_NODE_BINARY;
  try {
    return (explicit ? require(explicit) : nodeGypBuild(root)) as Binding;
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    throw new Error(
      `snntorch-node: the native addon could not be loaded (${msg}).\n` +
        'Build it from source:  npm run build        (needs LibTorch: see README "LibTorch discovery")\n' +
        'Check the setup:       npx snntorch-node doctor',
    );
  }
}

export const native: Binding = load();
