// npm's install hook (and `npm rebuild snntorch-node`).
// 1. Find LibTorch (lib/loader/libtorch.mjs; on Debian/Ubuntu as root, installs libtorch-dev with
//    libopenblas0-pthread). When LibTorch's libblas.so.3 is the slow reference BLAS, as root it
//    installs OpenBLAS (saying so), otherwise it prints the one-line fix (lib/loader/blas.mjs).
// 2. A prebuilt for that LibTorch's version and flavour, proved in a child process: done.
// 3. Else a source build with cmake-js (scripts/build-native.mjs), after checking cmake and a C++
//    compiler are there; the result is proved in a child process too.
// Any failure prints what failed and the commands that fix it, and exits non-zero.
// In a git checkout (a developer's clone) it always builds from source: prebuilds/ there may be stale.
// SNNTORCH_NODE_BUILD_FROM_SOURCE=1 forces the source build.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findOrInstallLibTorch, describe, LibTorchNotFound } from '../lib/loader/libtorch.mjs';
import { ensureFastBlas } from '../lib/loader/blas.mjs';
import { BUILT_REL, listPrebuilds, selectPrebuilt } from '../lib/loader/naming.mjs';
import { proveBinary } from '../lib/loader/proof.mjs';
import { proveCached } from '../lib/loader/proof-cache.mjs';
import { checkBuildTools } from '../lib/loader/build-tools.mjs';
import { FIX_BUILD, FIX_TOOLS, FIX_REBUILD, FIX_DOCTOR } from '../lib/loader/remedies.mjs';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const say = (m) => console.log(`snntorch-node: ${m}`);

function fail(what, fixes) {
  console.error(`snntorch-node: install failed: ${what}`);
  console.error('Fix it with:');
  for (const f of fixes) console.error('  ' + f);
  process.exit(1);
}

export async function install({ env = process.env } = {}) {
  let lt;
  try {
    lt = findOrInstallLibTorch({ env });
  } catch (e) {
    if (e instanceof LibTorchNotFound) fail(e.message.replace(/^snntorch-node: /, ''), [`then: ${FIX_REBUILD}`]);
    throw e;
  }
  say(`using ${describe(lt)}`);
  ensureFastBlas(lt, { env });

  const fromSource = env.SNNTORCH_NODE_BUILD_FROM_SOURCE === '1' || existsSync(join(root, '.git'));
  if (!fromSource) {
    const files = listPrebuilds(root);
    const sel = selectPrebuilt(files, lt);
    if (sel.file) {
      const file = join(root, 'prebuilds', sel.file);
      const proof = proveCached(file, lt, { env, useCache: false });
      if (proof.ok) {
        say(`prebuilt binary ${file} fits (${sel.tag}) and loads: no build needed`);
        return;
      }
      say(`prebuilt ${file} does not load here: ${proof.message}; building from source instead`);
    } else {
      say(`no prebuilt for ${sel.tag}${sel.available.length ? ` (prebuilts: ${sel.available.join(', ')})` : ''}; building from source`);
    }
  } else {
    say(existsSync(join(root, '.git')) ? 'git checkout: building from source' : 'SNNTORCH_NODE_BUILD_FROM_SOURCE=1: building from source');
  }

  const missing = checkBuildTools(env).filter((t) => !t.found);
  if (missing.length) {
    const fixes = [FIX_TOOLS, `then: ${FIX_REBUILD}`];
    const available = selectPrebuilt(listPrebuilds(root), lt).available;
    if (available.length) fixes.push(`or point LIBTORCH at a LibTorch a prebuilt fits (${available.join(', ')}), then: ${FIX_REBUILD}`);
    fail(`a source build needs ${missing.map((t) => t.tool).join(' and ')}, not found on PATH.`, fixes);
  }
  const { buildNative } = await import('./build-native.mjs');
  try {
    buildNative();
  } catch (e) {
    fail(e instanceof Error ? e.message.replace(/^snntorch-node: /, '') : String(e), [FIX_TOOLS, FIX_BUILD, FIX_DOCTOR]);
  }
  const built = join(root, BUILT_REL);
  const proof = proveBinary(built, { env });
  if (!proof.ok) fail(`the freshly built ${built} does not load: ${proof.message}\n${proof.output}`, [FIX_DOCTOR, FIX_BUILD]);
  say(`built ${built} and it loads`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    await install();
  } catch (e) {
    fail(e instanceof Error ? e.message : String(e), [FIX_BUILD, FIX_DOCTOR]);
  }
}
