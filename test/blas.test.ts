// The BLAS under LibTorch: the install step's detection and decision (pure functions fed the
// outputs of ldd and update-alternatives), the runtime verdict shared by doctor and the training
// header, and doctor's report on the reference BLAS (run for real through LD_LIBRARY_PATH when
// Debian's libblas3 is installed).
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { blasDecision, classifyBlasPath, lddBlas, parseAlternatives, OPENBLAS_PACKAGE, type BlasFacts } from '../lib/loader/blas.mjs';
import { judgeBlas, mappedBlas, measureSgemm, blasFacts, BLAS_FIX } from '../lib/train/blas.js';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const REF = '/usr/lib/x86_64-linux-gnu/blas/libblas.so.3';
const OPENBLAS = '/usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3';

const LDD = `	linux-vdso.so.1 (0x00007ffd)
	libc10.so => /lib/x86_64-linux-gnu/libc10.so (0x00007f5b)
	libblas.so.3 => /lib/x86_64-linux-gnu/libblas.so.3 (0x00007f5b5e155000)
	libopenblas.so.0 => /lib/x86_64-linux-gnu/libopenblas.so.0 (0x00007f5b54b18000)`;
const ALT_REF = `Name: libblas.so.3-x86_64-linux-gnu
Link: /usr/lib/x86_64-linux-gnu/libblas.so.3
Status: auto
Best: ${REF}
Value: ${REF}

Alternative: ${REF}
Priority: 10
`;
const ALT_BOTH_MANUAL = `Name: libblas.so.3-x86_64-linux-gnu
Link: /usr/lib/x86_64-linux-gnu/libblas.so.3
Status: manual
Best: ${OPENBLAS}
Value: ${REF}

Alternative: ${OPENBLAS}
Priority: 100

Alternative: ${REF}
Priority: 10
`;

const facts = (over: Partial<BlasFacts>): BlasFacts => ({
  linksGenericBlas: true,
  resolved: REF + '.11.0',
  kind: 'reference',
  alternatives: [REF],
  isRoot: true,
  isDebian: true,
  noAuto: false,
  ...over,
});

describe('BLAS: install-time detection and decision', () => {
  it('classifies the resolved library by its path', () => {
    expect(classifyBlasPath(REF + '.11.0')).to.equal('reference');
    expect(classifyBlasPath(OPENBLAS)).to.equal('openblas');
    expect(classifyBlasPath('/opt/intel/mkl/lib/libmkl_rt.so')).to.equal('mkl');
    expect(classifyBlasPath('/usr/lib/x86_64-linux-gnu/blis-pthread/libblas.so.3')).to.equal('blis');
    expect(classifyBlasPath('/usr/lib/libsomething.so')).to.equal('unknown');
    expect(classifyBlasPath(null)).to.equal('unknown');
  });

  it('reads ldd and update-alternatives output', () => {
    expect(lddBlas(LDD)).to.equal('/lib/x86_64-linux-gnu/libblas.so.3');
    expect(lddBlas('\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x1)')).to.equal(null);
    expect(lddBlas('\tlibblas.so.3 => not found')).to.equal(null);
    expect(parseAlternatives(ALT_REF)).to.deep.equal({ value: REF, alternatives: [REF] });
    expect(parseAlternatives(ALT_BOTH_MANUAL)).to.deep.equal({ value: REF, alternatives: [OPENBLAS, REF] });
    expect(parseAlternatives('')).to.equal(null);
  });

  it('as root on Debian with the reference BLAS: installs OpenBLAS, saying so', () => {
    const d = blasDecision(facts({}));
    expect(d.action).to.equal('install');
    expect(d.command).to.deep.equal(['apt-get', 'install', '-y', OPENBLAS_PACKAGE]);
    expect(d.message).to.match(/reference BLAS.*installing libopenblas0-pthread with apt-get \(running as root\)/);
  });

  it('not root (or automatic installs off): prints the one-line fix', () => {
    for (const f of [facts({ isRoot: false }), facts({ noAuto: true }), facts({ isDebian: false })]) {
      const d = blasDecision(f);
      expect(d.action).to.equal('advise');
      expect(d.message).to.match(/reference BLAS.*fix: sudo apt-get install -y libopenblas0-pthread$/);
    }
  });

  it('OpenBLAS installed but not selected: selects it as root, else names the update-alternatives command', () => {
    const alternatives = parseAlternatives(ALT_BOTH_MANUAL)!.alternatives;
    const d = blasDecision(facts({ alternatives }));
    expect(d.action).to.equal('select');
    expect(d.command).to.deep.equal(['update-alternatives', '--set', 'libblas.so.3-x86_64-linux-gnu', OPENBLAS]);
    expect(blasDecision(facts({ alternatives, isRoot: false })).message).to.match(
      /fix: sudo update-alternatives --set libblas\.so\.3-x86_64-linux-gnu .*openblas-pthread/,
    );
  });

  it('a fast BLAS, or a LibTorch with its own BLAS: nothing to do', () => {
    expect(blasDecision(facts({ resolved: OPENBLAS, kind: 'openblas' })).action).to.equal('ok');
    expect(blasDecision(facts({ linksGenericBlas: false, resolved: null, kind: 'unknown' })).action).to.equal('ok');
  });
});

describe('BLAS: the runtime verdict (doctor, training header)', () => {
  it('judges the reference BLAS slow even when OpenBLAS symbols are loaded, and names the fix', () => {
    const v = judgeBlas({ name: 'OpenBLAS', library: REF + '.11.0', threads: 1, gflops: 1.9 });
    expect(v.ok).to.equal(false);
    expect(v.summary).to.equal(`reference BLAS (${REF}.11.0), 1 thread, 1.9 GFLOP/s (sgemm 256x256)`);
    expect(v.problem).to.equal(`LibTorch's libblas.so.3 is the reference BLAS: matrix products run about 10x slower; fix: ${BLAS_FIX}`);
    expect(judgeBlas({ name: 'none found', library: null, threads: 0, gflops: null }).ok).to.equal(false);
  });

  it('OpenBLAS is fine; measured slow (a busy machine) it is only noted', () => {
    expect(judgeBlas({ name: 'OpenBLAS', library: OPENBLAS, threads: 2, gflops: 60 })).to.deep.equal({
      ok: true,
      summary: 'OpenBLAS, 2 threads, 60.0 GFLOP/s (sgemm 256x256)',
      problem: null,
    });
    const busy = judgeBlas({ name: 'OpenBLAS', library: OPENBLAS, threads: 1, gflops: 3 });
    expect(busy.ok).to.equal(true);
    expect(busy.summary).to.equal('OpenBLAS, 1 thread, 3.0 GFLOP/s (sgemm 256x256) (below 8 GFLOP/s: is the machine busy?)');
  });

  it('finds the mapped libblas.so.3 in /proc/self/maps text, and measures a finite rate here', () => {
    const maps = `7f5b5e155000-7f5b5e160000 r-xp 00000000 fe:01 123 ${REF}.11.0\n7f5b54b18000-7f5b54c00000 r-xp 00000000 fe:01 456 /usr/lib/x86_64-linux-gnu/libopenblas.so.0\n`;
    expect(mappedBlas(maps)).to.equal(`${REF}.11.0`);
    expect(mappedBlas('7f-8f r-xp 0 0 0 /usr/lib/libc.so.6\n')).to.equal(null);
    const g = measureSgemm(64, 5);
    expect(g).to.be.greaterThan(0);
    expect(Number.isFinite(g)).to.equal(true);
    expect(blasFacts(false).gflops).to.equal(null);
  });
});

describe('BLAS: doctor on the reference BLAS', function () {
  this.timeout(120_000);
  const haveRef = existsSync(REF) && existsSync(join(root, 'dist', 'lib', 'train', 'blas.js'));
  (haveRef ? it : it.skip)('reports FAILED with the remedy and exits 1 (libblas.so.3 -> the reference BLAS via LD_LIBRARY_PATH)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'refblas-'));
    symlinkSync(REF, join(dir, 'libblas.so.3'));
    const r = spawnSync(process.execPath, [join(root, 'bin/snntorch-node.mjs'), 'doctor'], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, LD_LIBRARY_PATH: dir },
    });
    expect(r.stdout).to.match(
      /BLAS: {9}reference BLAS \(\/usr\/lib\/x86_64-linux-gnu\/blas\/libblas\.so\.3[.\d]*\), \d+ threads?, [\d.]+ GFLOP\/s \(sgemm 256x256\)/,
    );
    expect(r.stdout).to.match(/\nFAILED:\n {2}- slow BLAS: LibTorch's libblas\.so\.3 is the reference BLAS/);
    expect(r.stdout).to.match(/Remedies:\n(.*\n)* {2}sudo apt-get install -y libopenblas0-pthread/);
    expect(r.status).to.equal(1);
  });

  (existsSync(join(root, 'dist', 'lib', 'train', 'blas.js')) ? it : it.skip)(
    'on this machine (OpenBLAS) prints the measured GFLOP/s and no BLAS failure',
    () => {
      const r = spawnSync(process.execPath, [join(root, 'bin/snntorch-node.mjs'), 'doctor'], { cwd: root, encoding: 'utf8' });
      expect(r.stdout).to.match(/BLAS: {9}OpenBLAS, \d+ threads?, [\d.]+ GFLOP\/s \(sgemm 256x256\)/);
      expect(r.stdout).not.to.match(/slow BLAS/);
    },
  );
});
