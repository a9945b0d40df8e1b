// The CPU allocator's cache of large blocks: a freed block is handed out again for the same size,
// the cache stays under its cap, and empty_cache() empties it.
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

  it('empty_cache() returns every cached block', () => {
    torch.empty([1024, 1024]).dispose();
    expect(torch.cpu.cache_stats().cached_bytes).to.be.greaterThan(0);
    torch.cpu.empty_cache();
    expect(torch.cpu.cache_stats().cached_bytes).to.equal(0);
  });
});
