// Which native binary to load, and proof that it loads, shared by the loader (lib/native.ts), the
// install hook (scripts/install.mjs), `npx snntorch-node doctor` and `npm run prebuildify`.
//
// Prebuilt layout: prebuilds/<platform>-<arch>/libtorch-<version>-<flavour>/snntorch-node.napi.node,
// e.g. prebuilds/linux-x64/libtorch-1.13.0-cpu/snntorch-node.napi.node. The LibTorch tag is a folder
// on purpose: node-gyp-build only reads the files directly in prebuilds/<platform>-<arch>/ and would
// load any *.napi.node there whatever LibTorch it was built for; it never looks into sub-folders, so
// only this loader chooses a prebuilt, by LibTorch version and flavour.
//
// A binary built for another LibTorch (or C++ ABI) links and loads, then kills the process with
// "undefined symbol" at the first call. So a prebuilt is first loaded in a child process with
// LD_BIND_NOW=1 (every symbol resolved at load time) and one call made; only then in this process.
// A successful proof is cached (os.tmpdir()), keyed by the binary (path, size, mtime) and LibTorch.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { spawnSync } from 'node:child_process';
import { findLibTorch, LibTorchNotFound, REMEDIES as LIBTORCH_REMEDIES } from './libtorch.mjs';

export const PREBUILT_FILE = 'snntorch-node.napi.node';
export const BUILT_REL = 'build/Release/snntorch_node.node';
export { LIBTORCH_REMEDIES };

export const FIX_BUILD = 'npx snntorch-node build             # build the addon from source (needs cmake and a C++ compiler)';
export const FIX_REBUILD = 'npm rebuild snntorch-node           # re-run the install step (a fitting prebuilt, else a source build)';
export const FIX_TOOLS = 'sudo apt-get install -y cmake g++    # what a source build needs';
export const FIX_DOCTOR = 'npx snntorch-node doctor            # check the whole setup';

/** '1.13.0+cu117' -> '1.13.0'. */
export function normVersion(v) {
  return String(v).split('+')[0].trim();
}

/** The LibTorch part of a prebuilt's tag: 'libtorch-1.13.0-cpu' or 'libtorch-2.11.0-cuda'. */
export function libtorchTag(lt) {
  return `libtorch-${normVersion(lt.version)}-${lt.cuda ? 'cuda' : 'cpu'}`;
}

export function platformTag(platform = process.platform, arch = process.arch) {
  return `${platform}-${arch}`;
}

/** Where `npm run prebuildify` puts the prebuilt for this LibTorch (relative to prebuilds/). */
export function prebuiltRelPath(lt, platform = process.platform, arch = process.arch) {
  return `${platformTag(platform, arch)}/${libtorchTag(lt)}/${PREBUILT_FILE}`;
}

/**
 * Parses a path relative to prebuilds/ ('linux-x64/libtorch-1.13.0-cpu/snntorch-node.napi.node').
 * Returns {file, platform, arch, version, flavour} or null when it is not a prebuilt of ours.
 */
export function parsePrebuilt(rel) {
  const parts = rel.split(/[\\/]/);
  if (parts.length !== 3 || parts[2] !== PREBUILT_FILE) return null;
  const pa = /^([a-z0-9]+)-([a-z0-9_]+)$/.exec(parts[0]);
  const lt = /^libtorch-(\d+\.\d+\.\d+[^-]*)-(cpu|cuda)$/.exec(parts[1]);
  if (!pa || !lt) return null;
  return { file: rel, platform: pa[1], arch: pa[2], version: lt[1], flavour: lt[2] };
}

/**
 * Pure: picks the prebuilt for a LibTorch among `files` (paths relative to prebuilds/).
 * target: {version, cuda, platform?, arch?}. Version and flavour must match exactly (LibTorch has no
 * stable C++ ABI across releases; a CPU build against a CUDA LibTorch would lose CUDA).
 * Returns {file, tag, available} where file is null when none fits; available lists what exists for
 * this platform (for the error message).
 */
export function selectPrebuilt(files, target) {
  const platform = target.platform ?? process.platform;
  const arch = target.arch ?? process.arch;
  const want = { version: normVersion(target.version), flavour: target.cuda ? 'cuda' : 'cpu' };
  const parsed = files.map(parsePrebuilt).filter((p) => p && p.platform === platform && p.arch === arch);
  const hit = parsed.find((p) => p.version === want.version && p.flavour === want.flavour);
  return {
    file: hit ? hit.file : null,
    tag: `${platform}-${arch}/libtorch-${want.version}-${want.flavour}`,
    available: parsed.map((p) => `libtorch-${p.version}-${p.flavour}`),
  };
}

/** Every file under <root>/prebuilds, as '/'-separated paths relative to prebuilds/. */
export function listPrebuilds(root) {
  const base = join(root, 'prebuilds');
  const out = [];
  const walk = (d, depth) => {
    let entries;
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = join(d, e.name);
      if (e.isDirectory() && depth < 4) walk(p, depth + 1);
      else if (e.isFile()) out.push(relative(base, p).split(sep).join('/'));
    }
  };
  walk(base, 0);
  return out.sort();
}

// ---------------------------------------------------------------------------------------------
// The proof: load in a child process, call config(), report.

const PROOF_SCRIPT = `
const m = { exports: {} };
process.dlopen(m, process.argv[1]);
const c = m.exports.config();
process.stdout.write('\\nSNNTORCH_PROOF ' + JSON.stringify(c) + '\\n');
`;

/** Turns a child's failure into {kind, message}: abi, missing-so, not-a-binary, crashed, load. */
export function classifyFailure(text, signal, status) {
  const t = String(text || '');
  let m;
  if ((m = /undefined symbol: (\S+)/.exec(t))) {
    return { kind: 'abi', message: `undefined symbol ${m[1]}: built for another LibTorch version or C++ ABI` };
  }
  if ((m = /([^\s:]+\.so[.\d]*): cannot open shared object file/.exec(t))) {
    return { kind: 'missing-so', message: `missing shared library ${m[1]} (the LibTorch it was built against is not on this machine)` };
  }
  if (/invalid ELF header|file too short|not an ELF|wrong ELF class|only ET_DYN and ET_EXEC/.test(t)) {
    return { kind: 'not-a-binary', message: 'not a loadable shared object for this machine' };
  }
  if (/ENOENT|no such file/i.test(t) && !/\.so/.test(t)) return { kind: 'missing', message: 'file not found' };
  if (signal) return { kind: 'crashed', message: `the test process was killed by ${signal}` };
  const last = t.trim().split('\n').filter(Boolean).slice(-3).join(' | ');
  return { kind: 'load', message: `loading failed (exit ${status})${last ? ': ' + last : ''}` };
}

/**
 * Loads `file` in a child Node process (LD_BIND_NOW=1) and calls config(). Never throws and never
 * harms this process. Returns {ok, config?, kind?, message?, output}.
 */
export function proveBinary(file, { env = process.env, timeoutMs = 120000 } = {}) {
  if (!existsSync(file)) return { ok: false, kind: 'missing', message: `${file} does not exist`, output: '' };
  const r = spawnSync(process.execPath, ['-e', PROOF_SCRIPT, file], {
    env: { ...env, LD_BIND_NOW: '1', NODE_OPTIONS: '' },
    encoding: 'utf8',
    timeout: timeoutMs,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  const m = /SNNTORCH_PROOF (\{.*\})/.exec(r.stdout ?? '');
  if (r.status === 0 && m) {
    try {
      return { ok: true, config: JSON.parse(m[1]), output };
    } catch {
      /* fall through */
    }
  }
  if (r.error && r.error.code === 'ETIMEDOUT') return { ok: false, kind: 'timeout', message: `no answer in ${timeoutMs / 1000} s`, output };
  return { ok: false, ...classifyFailure(output, r.signal, r.status), output };
}

export function proofCachePath(env = process.env) {
  if (env.SNNTORCH_NODE_PROOF_CACHE) return env.SNNTORCH_NODE_PROOF_CACHE;
  const uid = typeof process.getuid === 'function' ? process.getuid() : 'user';
  return join(tmpdir(), `snntorch-node-proofs-${uid}.json`);
}

export function proofKey(file, lt) {
  const st = statSync(file);
  let real = file;
  try {
    real = realpathSync(file);
  } catch {
    /* keep */
  }
  const key = JSON.stringify({
    file: real, size: st.size, mtime: st.mtimeMs,
    lt: lt ? { prefix: lt.prefix, libDir: lt.libDir, version: lt.version, cuda: lt.cuda } : null,
    napi: process.versions.napi, node: process.versions.modules,
  });
  return createHash('sha256').update(key).digest('hex').slice(0, 32);
}

function readCache(path) {
  try {
    const c = JSON.parse(readFileSync(path, 'utf8'));
    return c && typeof c === 'object' ? c : {};
  } catch {
    return {};
  }
}

/** proveBinary, with successes remembered. Returns the proof plus {cached}. */
export function proveCached(file, lt, { env = process.env, useCache = true } = {}) {
  const path = proofCachePath(env);
  let key = null;
  try {
    key = proofKey(file, lt);
  } catch {
    /* unreadable file: prove (and fail) below */
  }
  if (useCache && key) {
    const hit = readCache(path)[key];
    if (hit && hit.ok) return { ok: true, config: hit.config, cached: true, output: '' };
  }
  const p = proveBinary(file, { env });
  if (p.ok && key) {
    try {
      const c = readCache(path);
      c[key] = { ok: true, file, config: p.config, at: new Date().toISOString() };
      mkdirSync(dirname(path), { recursive: true });
      const tmp = `${path}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify(c, null, 1));
      renameSync(tmp, path);
    } catch {
      /* a cache we cannot write only costs a child process next time */
    }
  }
  return { ...p, cached: false };
}

// ---------------------------------------------------------------------------------------------
// The plan: which binary, without loading it here.

function discover(env) {
  try {
    return { lt: findLibTorch({ env }), error: null };
  } catch (e) {
    if (e instanceof LibTorchNotFound) return { lt: null, error: e };
    return { lt: null, error: e instanceof Error ? e : new Error(String(e)) };
  }
}

/**
 * Candidates in loading order: SNNTORCH_NODE_BINARY (explicit), build/Release (a source build in the
 * package), then the prebuilt matching the LibTorch that discovery finds. Discovery runs only when a
 * prebuilt is needed (or `discoverAlways`). Returns {candidates: [{kind, path, lt?}], lt, ltError, notes}.
 */
export function planBinary({ root, env = process.env, discoverAlways = false } = {}) {
  const candidates = [];
  const notes = [];
  if (env.SNNTORCH_NODE_BINARY) candidates.push({ kind: 'explicit', path: resolve(env.SNNTORCH_NODE_BINARY) });
  const built = join(root, BUILT_REL);
  if (existsSync(built)) candidates.push({ kind: 'built', path: built });
  let lt = null;
  let ltError = null;
  const files = listPrebuilds(root);
  if (discoverAlways || candidates.length === 0 || files.length > 0) ({ lt, error: ltError } = discover(env));
  if (files.length === 0) {
    notes.push(`no prebuilt binaries in ${join(root, 'prebuilds')}`);
  } else if (lt) {
    const sel = selectPrebuilt(files, lt);
    if (sel.file) candidates.push({ kind: 'prebuilt', path: join(root, 'prebuilds', sel.file), lt, tag: sel.tag });
    else notes.push(`no prebuilt for ${sel.tag} (LibTorch ${lt.version}, ${lt.cuda ? 'CUDA' : 'CPU'}); prebuilts here: ${sel.available.join(', ') || 'none for ' + platformTag()}`);
  }
  const available = lt ? selectPrebuilt(files, lt).available : [];
  return { candidates, lt, ltError, notes, available };
}

/** The remedies for a failure report, most specific first. */
export function remedies({ ltError, failures = [], available = [] }) {
  const out = [];
  if (ltError) {
    out.push(...LIBTORCH_REMEDIES, 'then: ' + FIX_REBUILD);
    return out;
  }
  if (failures.some((f) => f.kind === 'explicit')) out.push('unset SNNTORCH_NODE_BINARY, or point it to a built snntorch_node.node');
  out.push(FIX_BUILD, FIX_TOOLS, FIX_REBUILD);
  if (available.length) out.push(`or use a LibTorch that a prebuilt was made for (${available.join(', ')}): export LIBTORCH=/path/to/it`);
  out.push(FIX_DOCTOR);
  return out;
}

export class NativeLoadError extends Error {
  constructor(failures, ltError, notes, available = []) {
    const what = ltError ? 'no LibTorch found' : failures.length ? failures.map((f) => `the ${f.kind} binary does not load`).join('; ') : 'no source build in the package and no prebuilt fits';
    const lines = [`snntorch-node: the native addon could not be loaded: ${what}.`];
    if (ltError) lines.push('LibTorch: ' + ltError.message.replace(/^snntorch-node: /, '').replace(/\nRemedies[\s\S]*$/, ''));
    for (const n of notes) lines.push('- ' + n);
    for (const f of failures) lines.push(`- ${f.kind} ${f.path}: ${f.message}`);
    lines.push('Fix it with one of:');
    for (const r of remedies({ ltError, failures, available })) lines.push('  ' + r);
    super(lines.join('\n'));
    this.name = 'NativeLoadError';
    // Not enumerable: Node prints an uncaught error's own enumerable properties after its message.
    Object.defineProperty(this, 'failures', { value: failures, enumerable: false });
    Object.defineProperty(this, 'notes', { value: notes, enumerable: false });
  }
}

/**
 * Loads the addon: the first candidate of planBinary that loads. A prebuilt is proved in a child
 * process first (cached). `requireFn` loads a .node file in this process.
 * Returns {binding, info: {kind, path, libtorch, proof}}; throws NativeLoadError listing what failed.
 */
export function loadBinding({ root, env = process.env, requireFn, useCache = true }) {
  const plan = planBinary({ root, env });
  const failures = [];
  for (const c of plan.candidates) {
    if (c.kind === 'prebuilt') {
      const p = proveCached(c.path, c.lt, { env, useCache });
      if (!p.ok) {
        failures.push({ kind: c.kind, path: c.path, message: `failed its proof in a child process: ${p.message}`, proofKind: p.kind });
        continue;
      }
      c.proof = p.cached ? 'cached' : 'proved';
    }
    try {
      const binding = requireFn(c.path);
      return { binding, info: { kind: c.kind, path: c.path, libtorch: c.lt ?? plan.lt ?? null, proof: c.proof ?? null } };
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      failures.push({ kind: c.kind, path: c.path, message: classifyFailure(msg).message + ` (${msg.split('\n')[0]})` });
      if (c.kind === 'explicit') break; // an explicit choice is not silently replaced
    }
  }
  let ltError = plan.ltError;
  if (!ltError && !plan.lt && plan.candidates.length > 0) ltError = discover(env).error; // for the message
  throw new NativeLoadError(failures, ltError, plan.notes, plan.available);
}

// ---------------------------------------------------------------------------------------------
// Build tools, checked before a source build.

function probe(cmd, args, env) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 20000, env });
  if (r.error || r.status !== 0) return null;
  return (r.stdout || r.stderr || '').split('\n')[0].trim();
}

/** [{tool, found: string|null}] for cmake and the C++ compiler (CXX or c++/g++/clang++). */
export function checkBuildTools(env = process.env) {
  const cmake = probe('cmake', ['--version'], env);
  let cxx = null;
  for (const c of [env.CXX, 'c++', 'g++', 'clang++'].filter(Boolean)) {
    cxx = probe(c, ['--version'], env);
    if (cxx) break;
  }
  return [
    { name: 'cmake', tool: 'cmake (>= 3.18)', found: cmake },
    { name: 'c++', tool: 'a C++17 compiler (c++, g++ or clang++)', found: cxx },
  ];
}
