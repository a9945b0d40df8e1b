// One rank of the data-parallel benchmark (started by scripts/bench/distributed.ts through
// `snntorch-node run`): trains the tutorial network and rank 0 writes the result to argv[2].
import { writeFileSync } from 'node:fs';
import { trainDistributed } from '../../lib/train/distributed.js';

const [out, epochs, limit, bucket, sync] = process.argv.slice(2);
const r = await trainDistributed({
  epochs: Number(epochs),
  batch_size: 128,
  hidden: 128,
  num_steps: 10,
  beta: 0.9,
  lr: 1e-3,
  seed: 0,
  dataset: 'mnist',
  limit: limit === 'all' ? null : Number(limit),
  loss: 'count',
  engine: 'sequence',
  save: null,
  resume: null,
  report: null,
  progress: false,
  quiet: true,
  bucket_cap_mb: Number(bucket),
  sync_gradients: sync !== 'nosync',
});
if (process.env.RANK === '0') writeFileSync(out!, JSON.stringify(r));
