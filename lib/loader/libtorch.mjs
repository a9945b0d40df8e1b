// LibTorch discovery, shared by the loader (plan.mjs), the install step, the source build and `doctor`.
// Order: $LIBTORCH -> the Python torch package's LibTorch -> a system LibTorch (Debian libtorch-dev).
// SNNTORCH_NO_AUTO_LIBTORCH=1 keeps only $LIBTORCH (no Python, no system, no apt-get install): used
// by tests and by anyone who wants the build to use exactly the LibTorch they name.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';

const CONFIG_SUBDIRS = ['share/cmake/Torch', 'lib/cmake/Torch', 'lib/x86_64-linux-gnu/cmake/Torch', 'lib/aarch64-linux-gnu/cmake/Torch'];
const SYSTEM_PREFIXES = ['/usr', '/usr/local'];

export const REMEDIES = [
  'export LIBTORCH=/path/to/libtorch            # a LibTorch folder (from pytorch.org or a build), holding share/cmake/Torch',
  "python3 -m pip install torch                  # then the Python torch package's LibTorch is used",
  'sudo apt-get install -y libtorch-dev          # Debian/Ubuntu system LibTorch',
];

export class LibTorchNotFound extends Error {
  constructor(tried) {
    super(
      'snntorch-node: no LibTorch found.\nTried:\n' +
        tried.map((t) => '  - ' + t).join('\n') +
        '\nRemedies (any one):\n' +
        REMEDIES.map((r) => '  ' + r).join('\n'),
    );
    this.name = 'LibTorchNotFound';
    this.tried = tried;
  }
}

/** Folder holding TorchConfig.cmake under a prefix, or null. */
function configDir(prefix) {
  for (const sub of CONFIG_SUBDIRS) {
    const d = join(prefix, sub);
    if (existsSync(join(d, 'TorchConfig.cmake'))) return d;
  }
  return null;
}

/** The version LibTorch's headers declare (torch/version.h), or the folder's build-version file. */
function readVersion(prefix, includeDirs) {
  for (const inc of includeDirs) {
    const f = join(inc, 'torch/csrc/api/include/torch/version.h');
    if (existsSync(f)) {
      const m = /TORCH_VERSION\s+"([^"]+)"/.exec(readFileSync(f, 'utf8'));
      if (m) return m[1];
      const maj = /TORCH_VERSION_MAJOR (\d+)/.exec(readFileSync(f, 'utf8'));
      const min = /TORCH_VERSION_MINOR (\d+)/.exec(readFileSync(f, 'utf8'));
      const pat = /TORCH_VERSION_PATCH (\d+)/.exec(readFileSync(f, 'utf8'));
      if (maj && min && pat) return `${maj[1]}.${min[1]}.${pat[1]}`;
    }
  }
  const bv = join(prefix, 'build-version');
  if (existsSync(bv)) return readFileSync(bv, 'utf8').trim();
  return 'unknown';
}

/** Library folder holding libtorch*.so for a prefix. */
function libDir(prefix) {
  for (const d of [join(prefix, 'lib'), join(prefix, 'lib/x86_64-linux-gnu'), join(prefix, 'lib/aarch64-linux-gnu')]) {
    if (existsSync(join(d, 'libtorch.so')) || existsSync(join(d, 'libtorch_cpu.so'))) return d;
  }
  return null;
}

function hasCuda(dir) {
  try {
    return readdirSync(dir).some((f) => f.startsWith('libtorch_cuda'));
  } catch {
    return false;
  }
}

function fromPrefix(prefix, source, extra = {}) {
  const cmakeDir = configDir(prefix);
  const lib = libDir(prefix);
  if (!cmakeDir || !lib) return null;
  const includeDirs = [join(prefix, 'include'), '/usr/include'];
  return {
    source,
    prefix,
    cmakeDir,
    libDir: lib,
    version: extra.version ?? readVersion(prefix, includeDirs),
    cuda: extra.cuda ?? hasCuda(lib),
    cxx11Abi: extra.cxx11Abi ?? null,
  };
}

function fromPython(tried) {
  const py = process.env.PYTHON || 'python3';
  const code =
    'import json, torch, torch.utils\n' +
    'print(json.dumps({"cmake": torch.utils.cmake_prefix_path, "abi": bool(torch._C._GLIBCXX_USE_CXX11_ABI),' +
    ' "version": torch.__version__, "cuda": torch.version.cuda}))';
  const r = spawnSync(py, ['-c', code], { encoding: 'utf8', timeout: 60000 });
  if (r.status !== 0 || !r.stdout) {
    tried.push(`Python torch (${py}): not importable`);
    return null;
  }
  try {
    const info = JSON.parse(r.stdout.trim().split('\n').pop());
    // cmake_prefix_path is <torch>/share/cmake; the LibTorch prefix is <torch>.
    const prefix = dirname(dirname(info.cmake));
    const found = fromPrefix(prefix, 'python', {
      version: String(info.version).split('+')[0],
      cuda: info.cuda != null,
      cxx11Abi: info.abi,
    });
    if (!found) tried.push(`Python torch at ${prefix}: no TorchConfig.cmake or libtorch.so`);
    return found;
  } catch {
    tried.push(`Python torch (${py}): unreadable answer`);
    return null;
  }
}

/**
 * Finds LibTorch. Returns {source, prefix, cmakeDir, libDir, version, cuda, cxx11Abi} or throws
 * LibTorchNotFound listing what was tried and the remedies.
 */
export function findLibTorch({ env = process.env } = {}) {
  const tried = [];
  if (env.LIBTORCH) {
    const found = fromPrefix(env.LIBTORCH, 'LIBTORCH');
    if (found) return found;
    tried.push(`LIBTORCH=${env.LIBTORCH}: no share/cmake/Torch/TorchConfig.cmake and lib/libtorch.so there`);
  } else {
    tried.push('LIBTORCH: not set');
  }
  if (env.SNNTORCH_NO_AUTO_LIBTORCH === '1') {
    tried.push('Python torch and system LibTorch: skipped (SNNTORCH_NO_AUTO_LIBTORCH=1)');
    throw new LibTorchNotFound(tried);
  }
  const py = fromPython(tried);
  if (py) return py;
  for (const p of SYSTEM_PREFIXES) {
    const found = fromPrefix(p, 'system');
    if (found) return found;
  }
  tried.push(`system LibTorch: none under ${SYSTEM_PREFIXES.join(', ')}`);
  throw new LibTorchNotFound(tried);
}

function isDebianLike() {
  try {
    return existsSync('/etc/debian_version') && existsSync('/usr/bin/apt-get');
  } catch {
    return false;
  }
}

/**
 * findLibTorch, and when nothing is found on Debian/Ubuntu as root, installs libtorch-dev and
 * libopenblas0-pthread with apt-get (saying so) and looks again.
 */
export function findOrInstallLibTorch({ env = process.env, log = console.log } = {}) {
  try {
    return findLibTorch({ env });
  } catch (e) {
    const root = typeof process.getuid === 'function' && process.getuid() === 0;
    if (!(e instanceof LibTorchNotFound) || env.SNNTORCH_NO_AUTO_LIBTORCH === '1' || !root || !isDebianLike()) throw e;
    // OpenBLAS with it: libtorch-dev's libblas.so.3 is otherwise the reference BLAS (~10x slower).
    log(
      "snntorch-node: no LibTorch found; installing Debian's libtorch-dev and libopenblas0-pthread (its fast BLAS) with apt-get (running as root)...",
    );
    const opts = { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } };
    execFileSync('apt-get', ['update'], opts);
    execFileSync('apt-get', ['install', '-y', 'libtorch-dev', 'libopenblas0-pthread'], opts);
    return findLibTorch({ env });
  }
}

export function describe(lt) {
  return `LibTorch ${lt.version} (${lt.cuda ? 'CUDA' : 'CPU'}) from ${lt.source}: ${lt.prefix}`;
}
