// Which BLAS a LibTorch's libblas.so.3 resolves to, and what the install step does about a slow one.
// Debian's libtorch-dev links the generic libblas.so.3, which the alternatives system points at the
// reference BLAS (libblas3, ~10x slower sgemm) unless an optimised one such as OpenBLAS is
// installed. Pure functions (classifyBlasPath, parseAlternatives, blasDecision) decide from facts;
// inspectBlas gathers the facts (ldd, realpath, update-alternatives) and ensureFastBlas acts.
import { execFileSync } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { join } from 'node:path';

export const OPENBLAS_PACKAGE = 'libopenblas0-pthread';
export const BLAS_ALTERNATIVE = 'libblas.so.3-x86_64-linux-gnu';
export const FIX_BLAS = `sudo apt-get install -y ${OPENBLAS_PACKAGE}   # OpenBLAS for LibTorch's libblas.so.3 (the reference BLAS is ~10x slower)`;

/** What a resolved BLAS library file is: 'openblas' | 'mkl' | 'blis' | 'atlas' | 'reference' | 'unknown'. */
export function classifyBlasPath(path) {
  if (!path) return 'unknown';
  const p = path.toLowerCase();
  if (p.includes('openblas')) return 'openblas';
  if (p.includes('mkl')) return 'mkl';
  if (p.includes('blis')) return 'blis';
  if (p.includes('atlas')) return 'atlas';
  // Debian's reference BLAS (libblas3) installs /usr/lib/<triplet>/blas/libblas.so.3.
  if (/\/blas\/libblas\.so/.test(p)) return 'reference';
  return 'unknown';
}

/** `update-alternatives --query` output -> {value, alternatives: [path...]} (null when not managed). */
export function parseAlternatives(text) {
  if (!text || !/^Name:/m.test(text)) return null;
  const value = /^Value:\s*(\S+)/m.exec(text)?.[1] ?? null;
  const alternatives = [...text.matchAll(/^Alternative:\s*(\S+)/gm)].map((m) => m[1]);
  return { value: value === 'none' ? null : value, alternatives };
}

/** ldd output -> the file libblas.so.3 resolves to (null when the library does not link it). */
export function lddBlas(text) {
  const m = /^\s*libblas\.so\.3\s*=>\s*(\S+)/m.exec(text ?? '');
  return m && m[1] !== 'not' ? m[1] : null;
}

/**
 * What to do about the BLAS: facts {linksGenericBlas, resolved, kind, alternatives, isRoot,
 * isDebian, noAuto} -> {action, message}. Actions:
 *   'ok'      a fast BLAS (or LibTorch brings its own): nothing to do
 *   'install' as root on Debian/Ubuntu: apt-get install libopenblas0-pthread
 *   'select'  as root: OpenBLAS is installed but the alternative points elsewhere; select it
 *   'advise'  not root (or automatic installs off): print the one-line fix
 */
export function blasDecision(f) {
  if (!f.linksGenericBlas) return { action: 'ok', message: 'LibTorch does not use the system libblas.so.3 (it brings its own BLAS)' };
  if (f.kind === 'openblas' || f.kind === 'mkl' || f.kind === 'blis')
    return { action: 'ok', message: `libblas.so.3 is ${f.resolved} (${f.kind})` };
  const what = f.kind === 'reference' ? 'the reference BLAS' : `${f.resolved ?? 'nothing'} (${f.kind})`;
  const openblasAlt = (f.alternatives ?? []).find((a) => classifyBlasPath(a) === 'openblas');
  const canAct = f.isRoot && f.isDebian && !f.noAuto;
  if (openblasAlt) {
    const cmd = `update-alternatives --set ${BLAS_ALTERNATIVE} ${openblasAlt}`;
    return canAct
      ? {
          action: 'select',
          command: ['update-alternatives', '--set', BLAS_ALTERNATIVE, openblasAlt],
          message: `LibTorch's libblas.so.3 is ${what}; OpenBLAS is installed but not selected: selecting it (${cmd})`,
        }
      : { action: 'advise', message: `LibTorch's libblas.so.3 is ${what}, so matrix products run ~10x slower; fix: sudo ${cmd}` };
  }
  if (canAct) {
    return {
      action: 'install',
      command: ['apt-get', 'install', '-y', OPENBLAS_PACKAGE],
      message: `LibTorch's libblas.so.3 is ${what} (~10x slower matrix products); installing ${OPENBLAS_PACKAGE} with apt-get (running as root)...`,
    };
  }
  return {
    action: 'advise',
    message: `LibTorch's libblas.so.3 is ${what}, so matrix products run ~10x slower; fix: ${FIX_BLAS.split('   #')[0]}`,
  };
}

function run(cmd, args) {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return '';
  }
}

/** The facts for blasDecision, for the LibTorch `lt` that discovery found. */
export function inspectBlas(lt, { env = process.env } = {}) {
  const lib = ['libtorch_cpu.so', 'libtorch.so'].map((n) => join(lt.libDir, n)).find((p) => existsSync(p));
  const resolvedLink = lib ? lddBlas(run('ldd', [lib])) : null;
  let resolved = resolvedLink;
  try {
    if (resolvedLink) resolved = realpathSync(resolvedLink);
  } catch {
    /* a dangling link: classified as unknown */
  }
  const alt = parseAlternatives(run('update-alternatives', ['--query', BLAS_ALTERNATIVE]));
  return {
    linksGenericBlas: resolvedLink !== null,
    resolved,
    kind: classifyBlasPath(resolved),
    alternatives: alt?.alternatives ?? [],
    isRoot: typeof process.getuid === 'function' && process.getuid() === 0,
    isDebian: existsSync('/etc/debian_version') && existsSync('/usr/bin/apt-get'),
    noAuto: env.SNNTORCH_NO_AUTO_LIBTORCH === '1' || env.SNNTORCH_NO_AUTO_BLAS === '1',
  };
}

/**
 * Makes LibTorch's libblas.so.3 a fast one when it can (as root on Debian/Ubuntu), saying so; else
 * prints the one-line fix. Never fails the install: a slow BLAS still works.
 */
export function ensureFastBlas(lt, { env = process.env, log = console.log, warn = console.warn, exec = execFileSync } = {}) {
  const facts = inspectBlas(lt, { env });
  const d = blasDecision(facts);
  if (d.action === 'ok') return d;
  if (d.action === 'advise') {
    warn(`snntorch-node: warning: ${d.message}`);
    return d;
  }
  log(`snntorch-node: ${d.message}`);
  try {
    exec(d.command[0], d.command.slice(1), { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    const after = inspectBlas(lt, { env });
    log(`snntorch-node: LibTorch's libblas.so.3 is now ${after.resolved} (${after.kind})`);
  } catch (e) {
    warn(
      `snntorch-node: warning: ${d.command.join(' ')} failed (${e instanceof Error ? e.message.split('\n')[0] : e}); fix by hand: ${FIX_BLAS.split('   #')[0]}`,
    );
  }
  return d;
}
