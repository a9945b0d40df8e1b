// The tutorial's training loop on a few hundred real MNIST images: the loss falls and accuracy
// beats chance (10%) by a wide margin, for the count loss and for section 6's membrane loss, with
// both engines; a checkpoint saved by --save resumes with --resume.
import { expect } from 'chai';
import { mkdtempSync, existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { train, type TrainConfig } from '../scripts/train-mnist.js';

function config(over: Partial<TrainConfig>): TrainConfig {
  return {
    epochs: 3,
    batch_size: 64,
    hidden: 128,
    num_steps: 10,
    beta: 0.9,
    lr: 2e-3,
    seed: 0,
    threads: 1,
    device: 'cpu',
    dataset: 'mnist',
    limit: 1536,
    loss: 'count',
    engine: 'sequence',
    save: null,
    resume: null,
    report: null,
    progress: false,
    ...over,
  };
}

describe('train-mnist: a short real run', function () {
  this.timeout(120000);
  const quiet = { log: console.log };
  beforeEach(() => {
    console.log = () => {};
  });
  afterEach(() => {
    console.log = quiet.log;
  });

  for (const engine of ['sequence', 'step'] as const) {
    it(`count loss (${engine} engine): loss falls, accuracy well above chance`, async () => {
      const r = await train(config({ engine }));
      const losses = r.epochs.map((e) => e.train_loss as number);
      expect(losses[2]!).to.be.lessThan(losses[0]! * 0.8);
      expect(r.accuracy).to.be.greaterThan(0.5);
    });
  }

  it('membrane loss (section 6): trains too', async () => {
    const r = await train(config({ loss: 'membrane' }));
    const losses = r.epochs.map((e) => e.train_loss as number);
    expect(losses[2]!).to.be.lessThan(losses[0]!);
    expect(r.accuracy).to.be.greaterThan(0.4);
  });

  it('--save writes a PyTorch checkpoint that --resume continues from; --report writes metrics and plots', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'train-'));
    const ckpt = join(dir, 'net.pt');
    const first = await train(config({ epochs: 2, save: ckpt, report: join(dir, 'report') }));
    expect(existsSync(ckpt)).to.equal(true);
    for (const f of ['metrics.json', 'loss.svg', 'accuracy.svg', 'raster.svg'])
      expect(existsSync(join(dir, 'report', f)), f).to.equal(true);
    const metrics = JSON.parse(readFileSync(join(dir, 'report', 'metrics.json'), 'utf8')) as {
      epochs: { train_loss: number }[];
      loss_hist: number[];
      iterations: { epoch: number; iteration: number; loss: number }[];
    };
    expect(metrics.epochs).to.have.length(2);
    // The tutorial's loss_hist: one loss per iteration (1536 / 64 = 24 batches per epoch), in order.
    expect(metrics.loss_hist).to.have.length(48);
    expect(metrics.iterations.map((i) => i.iteration)).to.deep.equal(Array.from({ length: 48 }, (_, i) => i + 1));
    expect(metrics.iterations.map((i) => i.loss)).to.deep.equal(metrics.loss_hist);
    const epoch1 = metrics.loss_hist.slice(0, 24).reduce((a, b) => a + b, 0) / 24;
    expect(metrics.epochs[0]!.train_loss).to.be.closeTo(epoch1, 1e-9);
    expect(first.loss_hist).to.deep.equal(metrics.loss_hist);
    expect(first.stopped).to.equal(null);
    const resumed = await train(config({ epochs: 0, resume: ckpt }));
    expect(resumed.accuracy).to.be.closeTo(first.accuracy, 0.02);
  });
});
