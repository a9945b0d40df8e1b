// Builds the addon from source with cmake-js against the LibTorch that discovery finds.
// Usage: node scripts/build-native.mjs [--rebuild] [--debug] [--out <build dir>]
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { availableParallelism } from 'node:os';
import { findOrInstallLibTorch, describe } from '../lib/loader/libtorch.mjs';

const root = dirname(dirname(fileURLToPath(import.meta.url)));

export function buildNative({ rebuild = false, debug = false, out = null } = {}) {
  const lt = findOrInstallLibTorch();
  console.log(`snntorch-node: building against ${describe(lt)}`);
  const require = createRequire(join(root, 'package.json'));
  const cmakeJs = join(dirname(require.resolve('cmake-js/package.json')), 'bin', 'cmake-js');
  const args = [cmakeJs, rebuild ? 'rebuild' : 'build', `--CDCMAKE_PREFIX_PATH=${lt.cmakeDir}`];
  if (lt.cxx11Abi !== null) args.push(`--CDCMAKE_CXX_FLAGS=-D_GLIBCXX_USE_CXX11_ABI=${lt.cxx11Abi ? 1 : 0}`);
  if (debug) args.push('--debug');
  if (out) args.push('--out', out);
  const env = { ...process.env, CMAKE_BUILD_PARALLEL_LEVEL: process.env.CMAKE_BUILD_PARALLEL_LEVEL ?? String(availableParallelism()) };
  const r = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit', env });
  if (r.status !== 0) {
    throw new Error(
      'snntorch-node: the native build failed (see the compiler output above).\n' +
        'It needs cmake >= 3.18 and a C++17 compiler: sudo apt-get install -y cmake g++',
    );
  }
  return lt;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    const i = process.argv.indexOf('--out');
    buildNative({
      rebuild: process.argv.includes('--rebuild'),
      debug: process.argv.includes('--debug'),
      out: i > 0 ? process.argv[i + 1] : null,
    });
  } catch (e) {
    console.error(e.message);
    process.exit(1);
  }
}
