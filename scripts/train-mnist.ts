// `npm run train -- [options]`: the training CLI (lib/train/cli.ts, shipped as `snntorch-node train`)
// run from the TypeScript sources. train() and TrainConfig are re-exported for tests and benchmarks.
import { main } from '../lib/train/cli.js';

export { train, type TrainConfig, type TrainResult, type StopSignal } from '../lib/train/train.js';

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('train-mnist.ts')) {
  process.exitCode = await main(process.argv.slice(2));
}
