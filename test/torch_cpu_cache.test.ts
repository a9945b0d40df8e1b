// The CPU allocator's cache of large blocks: a freed block is handed out again for the same size,
// the cache stays under its cap, and empty_cache() empties it. Its default limit follows the peak
// of large blocks in use, so a set of blocks larger than 256 MiB (a BPTT graph over many steps)
// is reused whole; SNNTORCH_CPU_CACHE_MB fixes the limit.
import { spawnSync } from 'node:child_process';
import { expect } from 'chai';
import { torch } from '../lib/index.js';

describe('torch.cpu allocator cache', () => {
  it('reuses a freed large block for the next tensor of the same size', () => {
    torch.cpu.empty_cache();
    const a = torch.empty([512, 1024]); // 2 MiB
    a.dispose();
    const cached = torch.cpu.cache_stats();
    expect(cached.cached_bytes).to.be.at.least(2 * 2 ** 20);
    const b = torch.zeros([512, 1024]);
    const after = torch.cpu.cache_stats();
    expect(after.hits).to.equal(cached.hits + 1);
    expect(after.cached_bytes).to.equal(cached.cached_bytes - 2 * 2 ** 20);
    expect(b.sum().item()).to.equal(0); // reused memory is initialised by the op, not assumed zero
    b.dispose();
  });

  it('small tensors bypass the cache, and the cache never exceeds its cap', () => {
    const before = torch.cpu.cache_stats();
    torch.tidy(() => {
      for (let i = 0; i < 100; i++) torch.ones([8, 8]);
    });
    expect(torch.cpu.cache_stats().hits).to.equal(before.hits);
    torch.tidy(() => {
      for (let i = 0; i < 40; i++) torch.empty([1024, 1024 + i]); // 40 different ~4 MiB sizes
    });
    const s = torch.cpu.cache_stats();
    expect(s.cached_bytes).to.be.at.most(s.cap_bytes);
  });

  it('by default, blocks freed together are all reused even past 256 MiB (the limit follows the peak in use)', () => {
    torch.cpu.empty_cache();
    const n = 40; // 40 x 8 MiB = 320 MiB, more than the 256 MiB floor
    const shape = [2048, 1024];
    torch.tidy(() => {
      for (let i = 0; i < n; i++) torch.empty(shape);
    });
    const cached = torch.cpu.cache_stats();
    expect(cached.cap_bytes).to.be.at.least(n * 8 * 2 ** 20);
    expect(cached.cached_bytes).to.be.at.least(n * 8 * 2 ** 20);
    torch.tidy(() => {
      for (let i = 0; i < n; i++) torch.empty(shape);
    });
    expect(torch.cpu.cache_stats().hits - cached.hits).to.equal(n);
    torch.cpu.empty_cache();
  });

  it('SNNTORCH_CPU_CACHE_MB fixes the limit, whatever the peak', () => {
    const snippet = `
      import { torch } from './lib/index.js';
      torch.tidy(() => { for (let i = 0; i < 40; i++) torch.empty([2048, 1024]); });
      console.log(JSON.stringify(torch.cpu.cache_stats()));`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', snippet], {
      encoding: 'utf8',
      timeout: 120_000,
      env: { ...process.env, SNNTORCH_CPU_CACHE_MB: '64' },
    });
    expect(r.status, r.stderr).to.equal(0);
    const s = JSON.parse(r.stdout.trim().split('\n').pop()!) as { cached_bytes: number; cap_bytes: number };
    expect(s.cap_bytes).to.equal(64 * 2 ** 20);
    expect(s.cached_bytes).to.equal(64 * 2 ** 20); // 8 of the 40 blocks
  });

  it('empty_cache() returns every cached block', () => {
    torch.empty([1024, 1024]).dispose();
    expect(torch.cpu.cache_stats().cached_bytes).to.be.greaterThan(0);
    torch.cpu.empty_cache();
    expect(torch.cpu.cache_stats().cached_bytes).to.equal(0);
  });
});
