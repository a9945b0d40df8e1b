// LibTorch discovery: order, and the error that lists the remedies.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findLibTorch as find, LibTorchNotFound, REMEDIES } from '../lib/loader/libtorch.mjs';

describe('LibTorch discovery', () => {
  it('finds a LibTorch on this machine and reports version and flavour', () => {
    const lt = find({ env: { ...process.env, LIBTORCH: '' } });
    expect(lt.cmakeDir).to.match(/cmake\/Torch$/);
    expect(lt.version).to.match(/^\d+\.\d+\.\d+/);
    expect(lt.cuda).to.be.a('boolean');
  });

  it('with LIBTORCH pointing nowhere and the rest disabled, lists the three remedies', () => {
    const nowhere = mkdtempSync(join(tmpdir(), 'no-libtorch-'));
    let err: unknown;
    try {
      find({ env: { LIBTORCH: nowhere, SNNTORCH_NO_AUTO_LIBTORCH: '1' } });
    } catch (e) {
      err = e;
    }
    expect(err).to.be.instanceOf(LibTorchNotFound);
    const msg = (err as Error).message;
    expect(msg).to.include(nowhere);
    expect(msg).to.include('export LIBTORCH=');
    expect(msg).to.include('pip install torch');
    expect(msg).to.include('apt-get install -y libtorch-dev');
    expect(REMEDIES.length).to.equal(3);
  });

  it('the build script prints the remedies and fails when no LibTorch is found', () => {
    const r = spawnSync(process.execPath, ['scripts/build-native.mjs'], {
      env: { ...process.env, LIBTORCH: '/nonexistent/libtorch', SNNTORCH_NO_AUTO_LIBTORCH: '1' },
      encoding: 'utf8',
    });
    expect(r.status).to.not.equal(0);
    expect(r.stderr).to.include('no LibTorch found');
    expect(r.stderr).to.include('apt-get install -y libtorch-dev');
  });

  it('a LIBTORCH folder is preferred over the system LibTorch', () => {
    const sys = find({ env: { ...process.env, LIBTORCH: '' } });
    // The system prefix is itself a valid LIBTORCH folder only if it has share/cmake or lib/cmake;
    // use the prefix discovery found, whatever it is, and expect LIBTORCH to win as the source.
    const prefix = sys.cmakeDir.replace(/\/(share|lib(\/[^/]+)?)\/cmake\/Torch$/, '');
    const lt = find({ env: { LIBTORCH: prefix, SNNTORCH_NO_AUTO_LIBTORCH: '1' } });
    expect(lt.source).to.equal('LIBTORCH');
  });
});
