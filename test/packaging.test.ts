// Packaging: prebuilt selection (a pure function over a file list and LibTorch info), the
// child-process proof that keeps a bad binary from killing this process, the loading order, and
// `doctor` on this machine and with no LibTorch. The whole pack/install path is scripts/test-pack.sh.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { findLibTorch } from '../lib/loader/libtorch.mjs';
import { PREBUILT_FILE, parsePrebuilt, prebuiltRelPath, selectPrebuilt } from '../lib/loader/naming.mjs';
import { classifyFailure, proveBinary } from '../lib/loader/proof.mjs';
import { proveCached } from '../lib/loader/proof-cache.mjs';
import { loadBinding, planBinary } from '../lib/loader/plan.mjs';
import { checkBuildTools } from '../lib/loader/build-tools.mjs';

const lt = findLibTorch();

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const builtAddon = join(root, 'build/Release/snntorch_node.node');
const made: string[] = [];
const tmp = (p: string) => {
  const d = mkdtempSync(join(tmpdir(), p));
  made.push(d);
  return d;
};
after(() => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});

/** A fake package root with the given files (relative path -> content or a file to copy). */
function fakeRoot(files: Record<string, string | { copy: string }>): string {
  const r = tmp('snntorch-pkg-');
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(dirname(join(r, rel)), { recursive: true });
    if (typeof content === 'string') writeFileSync(join(r, rel), content);
    else copyFileSync(content.copy, join(r, rel));
  }
  return r;
}

/** Compiles a tiny C "addon"; null when no C compiler is here. */
function compileC(name: string, source: string): string | null {
  const dir = tmp('snntorch-so-');
  writeFileSync(join(dir, 'a.c'), source);
  const out = join(dir, name);
  for (const cc of ['cc', 'gcc', 'clang']) {
    const r = spawnSync(cc, ['-shared', '-fPIC', '-o', out, join(dir, 'a.c')], { encoding: 'utf8' });
    if (!r.error && r.status === 0) return out;
  }
  return null;
}

describe('packaging: prebuilt selection', () => {
  const files = [
    'linux-x64/libtorch-1.13.0-cpu/snntorch-node.napi.node',
    'linux-x64/libtorch-2.1.0-cuda/snntorch-node.napi.node',
    'linux-x64/libtorch-2.1.0-cpu/snntorch-node.napi.node',
    'linux-arm64/libtorch-1.13.0-cpu/snntorch-node.napi.node',
    'linux-x64/snntorch-node.napi.node', // a flat node-gyp-build style file: never ours
    'linux-x64/libtorch-1.13.0-cpu/README',
    'darwin-x64/libtorch-1.13.0-cpu/snntorch-node.napi.node',
  ];
  const x64 = { platform: 'linux', arch: 'x64' };

  it('picks the prebuilt whose LibTorch version and flavour match', () => {
    expect(selectPrebuilt(files, { ...x64, version: '1.13.0', cuda: false }).file).to.equal(
      'linux-x64/libtorch-1.13.0-cpu/snntorch-node.napi.node',
    );
    expect(selectPrebuilt(files, { ...x64, version: '2.1.0', cuda: true }).file).to.equal(
      'linux-x64/libtorch-2.1.0-cuda/snntorch-node.napi.node',
    );
    expect(selectPrebuilt(files, { ...x64, version: '2.1.0', cuda: false }).file).to.equal(
      'linux-x64/libtorch-2.1.0-cpu/snntorch-node.napi.node',
    );
    expect(selectPrebuilt(files, { platform: 'linux', arch: 'arm64', version: '1.13.0', cuda: false }).file).to.equal(
      'linux-arm64/libtorch-1.13.0-cpu/snntorch-node.napi.node',
    );
  });

  it('ignores a local version suffix (+cu121) but not a different version or flavour', () => {
    expect(selectPrebuilt(files, { ...x64, version: '2.1.0+cu121', cuda: true }).file).to.equal(
      'linux-x64/libtorch-2.1.0-cuda/snntorch-node.napi.node',
    );
    const none = selectPrebuilt(files, { ...x64, version: '1.13.1', cuda: false });
    expect(none.file).to.equal(null);
    expect(none.tag).to.equal('linux-x64/libtorch-1.13.1-cpu');
    expect(none.available).to.have.members(['libtorch-1.13.0-cpu', 'libtorch-2.1.0-cuda', 'libtorch-2.1.0-cpu']);
    expect(selectPrebuilt(files, { ...x64, version: '1.13.0', cuda: true }).file).to.equal(null);
    expect(selectPrebuilt(files, { platform: 'win32', arch: 'x64', version: '1.13.0', cuda: false }).file).to.equal(null);
    expect(selectPrebuilt([], { ...x64, version: '1.13.0', cuda: false })).to.deep.equal({
      file: null,
      tag: 'linux-x64/libtorch-1.13.0-cpu',
      available: [],
    });
  });

  it('names prebuilts so that prebuildify-shim and the loader agree', () => {
    const rel = prebuiltRelPath({ version: '1.13.0', cuda: false }, 'linux', 'x64');
    expect(rel).to.equal('linux-x64/libtorch-1.13.0-cpu/snntorch-node.napi.node');
    expect(parsePrebuilt(rel)).to.include({ version: '1.13.0', flavour: 'cpu', platform: 'linux', arch: 'x64' });
    expect(parsePrebuilt('linux-x64/snntorch-node.napi.node')).to.equal(null);
    expect(parsePrebuilt('linux-x64/libtorch-1.13.0-rocm/snntorch-node.napi.node')).to.equal(null);
  });

  it('node-gyp-build never loads one of our prebuilts by itself (they sit in LibTorch folders)', () => {
    const r = fakeRoot({
      'package.json': JSON.stringify({ name: 'fake-addon' }),
      [`prebuilds/${process.platform}-${process.arch}/libtorch-1.13.0-cpu/${PREBUILT_FILE}`]: 'junk',
    });
    const ngb = createRequire(import.meta.url)('node-gyp-build') as { resolve(dir: string): string };
    expect(() => ngb.resolve(r)).to.throw(/No native build was found/);
  });
});

describe('packaging: proof in a child process', function () {
  this.timeout(120000);

  it('rejects a junk .node file, and this process lives on', () => {
    const junk = join(tmp('snntorch-junk-'), 'junk.node');
    writeFileSync(junk, 'this is not a shared object\n');
    const p = proveBinary(junk);
    expect(p.ok).to.equal(false);
    expect(p.kind).to.equal('not-a-binary');
    expect(proveBinary(join(tmpdir(), 'does-not-exist.node')).kind).to.equal('missing');
  });

  it('rejects a binary with an undefined symbol (an ABI mismatch) that kills the process that loads it', function () {
    const bad = compileC(
      'bad.node',
      [
        'extern void snntorch_symbol_from_another_libtorch(void);',
        'void *napi_register_module_v1(void *env, void *exports) { snntorch_symbol_from_another_libtorch(); return exports; }',
      ].join('\n'),
    );
    if (!bad) this.skip();
    // Loaded the ordinary (lazy) way, it kills its process with "undefined symbol" at the first call.
    const lazy = spawnSync(process.execPath, ['-e', 'process.dlopen({ exports: {} }, process.argv[1]); console.log("survived")', bad!], {
      encoding: 'utf8',
      env: { ...process.env, LD_BIND_NOW: '' },
    });
    expect(lazy.stdout).to.not.include('survived');
    expect(lazy.status).to.not.equal(0);
    expect(lazy.stderr).to.include('undefined symbol');
    // The proof catches it in its child and reports it; this process is unharmed.
    const p = proveBinary(bad!);
    expect(p.ok).to.equal(false);
    expect(p.kind).to.equal('abi');
    expect(p.message).to.include('snntorch_symbol_from_another_libtorch');
  });

  it('reports a binary whose loading kills the child by a signal', function () {
    const crash = compileC(
      'crash.node',
      ['#include <stdlib.h>', 'void *napi_register_module_v1(void *env, void *exports) { abort(); return exports; }'].join('\n'),
    );
    if (!crash) this.skip();
    const p = proveBinary(crash!);
    expect(p.ok).to.equal(false);
    expect(p.kind).to.equal('crashed');
    expect(p.message).to.include('SIGABRT');
  });

  it('classifies a missing shared library', () => {
    const c = classifyFailure('Error: libtorch_cpu.so: cannot open shared object file: No such file or directory', null, 1);
    expect(c.kind).to.equal('missing-so');
    expect(c.message).to.include('libtorch_cpu.so');
  });

  it('proves the real addon, then answers from the cache', function () {
    if (!existsSync(builtAddon)) this.skip();
    const env = { ...process.env, SNNTORCH_NODE_PROOF_CACHE: join(tmp('snntorch-cache-'), 'proofs.json') };
    const first = proveCached(builtAddon, lt, { env });
    expect(first.ok, first.output).to.equal(true);
    expect(first.cached).to.equal(false);
    expect(first.config!.libtorch_version).to.match(/^\d+\.\d+/);
    const second = proveCached(builtAddon, lt, { env });
    expect(second).to.include({ ok: true, cached: true });
  });
});

describe('packaging: loading order and errors', function () {
  this.timeout(120000);
  const tag = () => prebuiltRelPath(lt);

  it('SNNTORCH_NODE_BINARY, then build/Release, then the matching prebuilt', () => {
    const r = fakeRoot({ 'build/Release/snntorch_node.node': 'x', [`prebuilds/${tag()}`]: 'x' });
    const plan = planBinary({ root: r, env: { ...process.env, SNNTORCH_NODE_BINARY: '/somewhere/explicit.node' } });
    expect(plan.candidates.map((c) => c.kind)).to.deep.equal(['explicit', 'built', 'prebuilt']);
    expect(plan.candidates[2].path).to.equal(join(r, 'prebuilds', tag()));
    const env = { ...process.env };
    delete env.SNNTORCH_NODE_BINARY;
    expect(planBinary({ root: r, env }).candidates.map((c) => c.kind)).to.deep.equal(['built', 'prebuilt']);
  });

  it('loads a matching prebuilt only after its proof', function () {
    if (!existsSync(builtAddon)) this.skip();
    const r = fakeRoot({ [`prebuilds/${tag()}`]: { copy: builtAddon } });
    const env: NodeJS.ProcessEnv = { ...process.env, SNNTORCH_NODE_PROOF_CACHE: join(tmp('snntorch-cache-'), 'proofs.json') };
    delete env.SNNTORCH_NODE_BINARY;
    const loaded: string[] = [];
    // A stand-in for require(): the real addon is already loaded in this process by other tests.
    const requireFn = (p: string) => (loaded.push(p), { fake: true });
    const a = loadBinding({ root: r, env, requireFn });
    expect(a.info).to.include({ kind: 'prebuilt', path: join(r, 'prebuilds', tag()), proof: 'proved' });
    expect(loadBinding({ root: r, env, requireFn }).info.proof).to.equal('cached');
    expect(loaded).to.have.length(2);
  });

  it('a prebuilt that fails its proof is never loaded here; the error names it and the fixes', () => {
    const r = fakeRoot({ [`prebuilds/${tag()}`]: 'junk' });
    const env: NodeJS.ProcessEnv = { ...process.env, SNNTORCH_NODE_PROOF_CACHE: join(tmp('snntorch-cache-'), 'proofs.json') };
    delete env.SNNTORCH_NODE_BINARY;
    let called = false;
    expect(() => loadBinding({ root: r, env, requireFn: () => (called = true) })).to.throw(
      /failed its proof[\s\S]*npx snntorch-node build[\s\S]*npm rebuild snntorch-node/,
    );
    expect(called).to.equal(false);
  });

  it('no prebuilt for this LibTorch: says which LibTorch and which prebuilts exist', () => {
    const r = fakeRoot({ 'prebuilds/linux-x64/libtorch-0.9.9-cpu/snntorch-node.napi.node': 'x' });
    const env: NodeJS.ProcessEnv = { ...process.env };
    delete env.SNNTORCH_NODE_BINARY;
    expect(() => loadBinding({ root: r, env, requireFn: () => ({}) })).to.throw(
      new RegExp(
        `no prebuilt for ${process.platform}-${process.arch}/libtorch-${lt.version.split('+')[0].replace(/\./g, '\\.')}[\\s\\S]*libtorch-0\\.9\\.9-cpu[\\s\\S]*npx snntorch-node build`,
      ),
    );
  });

  it('no LibTorch: the error lists the LibTorch remedies', () => {
    const r = fakeRoot({ [`prebuilds/${tag()}`]: 'x' });
    const env = { LIBTORCH: tmp('no-libtorch-'), SNNTORCH_NO_AUTO_LIBTORCH: '1', PATH: process.env.PATH };
    expect(() => loadBinding({ root: r, env, requireFn: () => ({}) })).to.throw(
      /no LibTorch found[\s\S]*export LIBTORCH=[\s\S]*apt-get install -y libtorch-dev/,
    );
  });

  it('checks for cmake and a C++ compiler before a source build', () => {
    const none = checkBuildTools({ PATH: tmp('empty-path-') });
    expect(none.map((t) => t.found)).to.deep.equal([null, null]);
  });
});

describe('packaging: the loader (lib/loader)', () => {
  const dir = join(root, 'lib/loader');
  const modules = readdirSync(dir).filter((f) => f.endsWith('.mjs'));

  it('every module has its .d.mts beside it, and nothing else is there', () => {
    expect(modules.length).to.be.greaterThan(0);
    const rest = readdirSync(dir).filter((f) => !f.endsWith('.mjs'));
    expect(rest.sort()).to.deep.equal(modules.map((m) => m.replace(/\.mjs$/, '.d.mts')).sort());
  });

  it('each .d.mts declares exactly the values its module exports', async () => {
    for (const m of modules) {
      const decl = readFileSync(join(dir, m.replace(/\.mjs$/, '.d.mts')), 'utf8');
      const declared = [...decl.matchAll(/^export declare (?:const|function|class) (\w+)/gm)].map((x) => x[1]!);
      const exported = Object.keys((await import(pathToFileURL(join(dir, m)).href)) as object);
      expect(declared.sort(), m).to.deep.equal(exported.sort());
    }
  });

  it('imports only node: built-ins and its own modules (it runs at install time, before any build)', () => {
    for (const m of modules) {
      const specs = [...readFileSync(join(dir, m), 'utf8').matchAll(/^(?:import|export)\b[^'"]*from\s+'([^']+)'/gm)].map((x) => x[1]!);
      for (const s of specs) expect(s, `${m} imports ${s}`).to.match(/^(node:|\.\/[a-z-]+\.mjs$)/);
    }
  });

  it('is published: in package.json "files", and copied into dist/ by build:ts', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { files: string[]; scripts: Record<string, string> };
    expect(pkg.files).to.include('lib/loader/');
    expect(pkg.scripts['build:ts']).to.include("cpSync('lib/loader','dist/lib/loader'");
    if (!existsSync(join(root, 'dist/lib/native.js'))) throw new Error('dist/ is missing: run npm run build:ts (npm ci does it)');
    for (const m of modules) expect(existsSync(join(root, 'dist/lib/loader', m)), `dist/lib/loader/${m}`).to.equal(true);
  });
});

describe('packaging: doctor', function () {
  this.timeout(180000);
  const doctor = (env: NodeJS.ProcessEnv) =>
    spawnSync(process.execPath, [join(root, 'bin/snntorch-node.mjs'), 'doctor'], { cwd: root, env, encoding: 'utf8' });

  it('reports LibTorch, the binary, threads, BLAS, CUDA, a forward/backward, and OK on this machine', function () {
    if (!existsSync(join(root, 'dist/lib/index.js'))) throw new Error('dist/ is missing: run npm run build:ts (npm ci does it)');
    const env: NodeJS.ProcessEnv = { ...process.env };
    delete env.SNNTORCH_NODE_BINARY;
    const r = doctor(env);
    expect(r.status, r.stdout + r.stderr).to.equal(0);
    const out = r.stdout;
    expect(out).to.match(new RegExp(`LibTorch: +${lt.version.split('+')[0].replace(/\./g, '\\.')} \\((CPU|CUDA)\\)`));
    expect(out).to.include(lt.prefix);
    expect(out).to.match(/binary: +(built from source|prebuilt)/);
    expect(out).to.match(/loads: +yes/);
    expect(out).to.match(/threads: +intra-op \d+/);
    expect(out).to.match(/BLAS: +\S+/);
    expect(out).to.match(/CUDA devices: +\S+/);
    expect(out).to.match(/forward\/back: +OK/);
    expect(out.trim().split('\n').pop()).to.equal('OK');
  });

  it('with LIBTORCH at an empty folder (and no fallback) reports no LibTorch and the remedies, exit 1', () => {
    const r = doctor({ ...process.env, LIBTORCH: tmp('no-libtorch-'), SNNTORCH_NO_AUTO_LIBTORCH: '1' });
    expect(r.status).to.equal(1);
    expect(r.stdout).to.match(/LibTorch: +NOT FOUND/);
    expect(r.stdout).to.include('FAILED');
    expect(r.stdout).to.include('export LIBTORCH=');
    expect(r.stdout).to.include('pip install torch');
    expect(r.stdout).to.include('apt-get install -y libtorch-dev');
    expect(r.stdout).to.not.match(/^OK$/m);
  });

  it('with LIBTORCH at an empty folder (discovery falls back): says LIBTORCH was ignored, exit 1', () => {
    const empty = tmp('no-libtorch-');
    const env: NodeJS.ProcessEnv = { ...process.env, LIBTORCH: empty };
    delete env.SNNTORCH_NO_AUTO_LIBTORCH;
    const r = doctor(env);
    expect(r.status).to.equal(1);
    expect(r.stdout).to.include(`LIBTORCH=${empty} holds no LibTorch`);
    expect(r.stdout).to.include('unset LIBTORCH');
    expect(r.stdout).to.include('export LIBTORCH=');
  });
});
