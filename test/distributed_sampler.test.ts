// data.DistributedSampler against torch 1.13's (test/fixtures/gen_distributed_sampler.py): the same
// indices, exactly, for every size, replica count, shuffle, drop_last, seed and epoch; and the
// DataLoader batches from a sampler.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { torch, data } from '../lib/index.js';

interface Case {
  n: number;
  num_replicas: number;
  rank: number;
  shuffle: boolean;
  drop_last: boolean;
  seed: number;
  epoch: number;
  length: number;
  indices: number[];
}
const cases = JSON.parse(readFileSync(new URL('./fixtures/distributed_sampler.json', import.meta.url), 'utf8')) as Case[];

describe('data.DistributedSampler', () => {
  it(`matches PyTorch's indices exactly (${cases.length} cases)`, () => {
    for (const c of cases) {
      const s = new data.DistributedSampler(
        { length: c.n },
        { num_replicas: c.num_replicas, rank: c.rank, shuffle: c.shuffle, seed: c.seed, drop_last: c.drop_last },
      );
      s.set_epoch(c.epoch);
      expect(s.length, JSON.stringify({ ...c, indices: undefined })).to.equal(c.length);
      expect([...s], JSON.stringify({ ...c, indices: undefined })).to.deep.equal(c.indices);
    }
  });

  it('ranks partition one epoch; set_epoch changes the order; the global generator is untouched', () => {
    const parts = [0, 1, 2].map((rank) => [...new data.DistributedSampler({ length: 30 }, { num_replicas: 3, rank, seed: 1 })]);
    expect(parts.flat().sort((a, b) => a - b)).to.deep.equal(Array.from({ length: 30 }, (_, i) => i));
    const s = new data.DistributedSampler({ length: 30 }, { num_replicas: 3, rank: 0, seed: 1 });
    const e0 = [...s];
    s.set_epoch(1);
    expect([...s]).to.not.deep.equal(e0);
    torch.manual_seed(5);
    const a = torch.rand([3]).tolist();
    torch.manual_seed(5);
    [...s];
    expect(torch.rand([3]).tolist()).to.deep.equal(a);
  });

  it('bad arguments: errors naming them', () => {
    expect(() => new data.DistributedSampler({ length: 10 }, { num_replicas: 2, rank: 2 })).to.throw(
      /Invalid rank 2, rank should be in the interval \[0, 1\]/,
    );
    expect(() => new data.DistributedSampler({ length: 10 }, { num_replicas: 0, rank: 0 })).to.throw(/num_replicas/);
    expect(() => new data.DistributedSampler({ length: 10 })).to.throw(/init_process_group/);
    expect(() => new data.DistributedSampler({ length: 10 }, { num_replicas: 2, rank: 0, shufle: true } as never)).to.throw(
      /Unknown option 'shufle'/,
    );
    const s = new data.DistributedSampler({ length: 10 }, { num_replicas: 2, rank: 0 });
    expect(() => s.set_epoch(-1)).to.throw(/epoch/);
  });

  it("DataLoader({sampler}) batches the sampler's indices; sampler and shuffle exclude each other", () => {
    const x = torch.arange(10, { dtype: 'float32' }).reshape([10, 1]);
    const y = torch.arange(10);
    const ds = new data.TensorDataset(x, y);
    const sampler = new data.DistributedSampler(ds, { num_replicas: 2, rank: 1, shuffle: false });
    const loader = new data.DataLoader(ds, { batch_size: 2, sampler });
    expect(loader.length).to.equal(3);
    expect([...loader].map(([, t]) => t.tolist())).to.deep.equal([[1, 3], [5, 7], [9]]);
    expect(() => new data.DataLoader(ds, { sampler, shuffle: true })).to.throw(/mutually exclusive/);
    expect(() => new data.DataLoader(ds, { sampler: 5 as never })).to.throw(/sampler/);
  });
});
