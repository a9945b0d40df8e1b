// Shared plumbing for the tutorial ports: command-line flags (--quick, --out, --epochs, --seed),
// MNIST / Fashion-MNIST loaders with the tutorials' transform, checks that fail the run, and the
// one-line result every example prints last (`RESULT {...}`, read by test/examples.test.ts).
import { parseArgs } from 'node:util';
import { mkdirSync, existsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { torch, data } from '../lib/index.js';

export interface ExampleArgs {
  /** A small subset and few steps: seconds instead of minutes. */
  quick: boolean;
  /** Folder for plots and other files the example writes. */
  out: string;
  /** Epochs (or iterations, where the tutorial counts those) to train; null = the tutorial's. */
  epochs: number | null;
  seed: number;
}

export function parseExampleArgs(name: string): ExampleArgs {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      out: { type: 'string' },
      epochs: { type: 'string' },
      seed: { type: 'string', default: '0' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`Usage: npx tsx examples/${name}.ts [--quick] [--out DIR] [--epochs N] [--seed N]\n`);
    process.exit(0);
  }
  const out = values.out ?? join(tmpdir(), 'snntorch-node-examples', name);
  mkdirSync(out, { recursive: true });
  const epochs = values.epochs === undefined ? null : Number(values.epochs);
  if (epochs !== null && (!Number.isInteger(epochs) || epochs < 1))
    throw new Error(`--epochs must be an integer >= 1, got '${values.epochs}'`);
  const seed = Number(values.seed);
  if (!Number.isInteger(seed) || seed < 0) throw new Error(`--seed must be an integer >= 0, got '${values.seed}'`);
  // One LibTorch thread: the examples are small, and on a shared 2-core machine more threads only slow them.
  torch.set_num_threads(1);
  torch.manual_seed(seed);
  return { quick: values.quick!, out, epochs, seed };
}

/** Fails the example (non-zero exit) with a message when cond is false. */
export function check(cond: boolean, what: string): void {
  if (!cond) throw new Error(`check failed: ${what}`);
  console.log(`ok: ${what}`);
}

/** Checks a file exists and is not empty. */
export function checkFile(path: string): void {
  check(existsSync(path) && statSync(path).size > 0, `${path} written`);
}

/** Prints the example's result as the last line. */
export function result(values: Record<string, number | string | boolean>): void {
  console.log(`RESULT ${JSON.stringify(values)}`);
}

/**
 * The tutorials' MNIST: Resize(28) -> Grayscale -> ToTensor -> Normalize((0,), (1,)), batches of
 * batch_size with shuffle and drop_last. limit: the first n training and n/6 (at least one batch)
 * test images.
 */
export function mnistLoaders(opts: {
  batch_size: number;
  limit: number | null;
  fashion?: boolean;
  seed?: number;
  normalize?: [number, number];
}): {
  train_loader: data.DataLoader;
  test_loader: data.DataLoader;
} {
  const [mean, std] = opts.normalize ?? [0, 1];
  const transform = data.transforms.Compose([
    data.transforms.Resize(28),
    data.transforms.Grayscale(),
    data.transforms.ToTensor(),
    data.transforms.Normalize([mean], [std]),
  ]);
  const Cls = opts.fashion ? data.datasets.FashionMNIST : data.datasets.MNIST;
  const train_full = new Cls({ train: true, transform });
  const test_full = new Cls({ train: false, transform });
  const train_set = opts.limit === null ? train_full : train_full.subset(Math.min(opts.limit, train_full.length));
  const test_set =
    opts.limit === null ? test_full : test_full.subset(Math.min(Math.max(Math.floor(opts.limit / 6), opts.batch_size), test_full.length));
  const seed = opts.seed ?? 0;
  return {
    train_loader: new data.DataLoader(train_set, { batch_size: opts.batch_size, shuffle: true, drop_last: true, seed }),
    test_loader: new data.DataLoader(test_set, { batch_size: opts.batch_size, shuffle: true, drop_last: true, seed: seed + 1 }),
  };
}

/** Lets the event loop turn (native finalizers run there) every n calls. */
export async function breathe(i: number, every = 32): Promise<void> {
  if (i % every === 0) await new Promise((r) => setImmediate(r));
}

/** Seconds since t0 (a Date.now() value). */
export function since(t0: number): number {
  return (Date.now() - t0) / 1000;
}

/** A small seeded PRNG (mulberry32): uniform numbers in [0, 1). */
export function rng(seed: number): () => number {
  let a = (seed ^ 0x9e3779b9) >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
