// metrics.json for a training run: what was run (config, environment), the loss per iteration,
// the results per epoch and the final figures. Independent of the library: plain JSON values.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export interface IterationRecord {
  epoch: number;
  iteration: number;
  /** null when the loss was not finite (a diverged step). */
  loss: number | null;
  [key: string]: JsonValue;
}

export interface EpochRecord {
  epoch: number;
  train_loss?: number | null;
  test_loss?: number | null;
  train_accuracy?: number | null;
  /** A fraction in [0, 1]. */
  test_accuracy?: number | null;
  seconds?: number;
  [key: string]: JsonValue | undefined;
}

export interface Metrics {
  /** Hyper-parameters and choices (batch size, beta, steps, device, seed, ...). */
  config?: { [key: string]: JsonValue };
  /** Versions and machine (node, LibTorch, CUDA, threads, ...). */
  environment?: { [key: string]: JsonValue };
  iterations?: IterationRecord[];
  epochs?: EpochRecord[];
  /** The headline figures (final test accuracy, total seconds, ...). */
  final?: { [key: string]: JsonValue };
  /** Anything else JSON can hold (checked when written). */
  [key: string]: unknown;
}

/**
 * JSON text of the metrics, 2-space indented. NaN and +-Infinity (a diverged loss) are written as
 * null, as JSON has no such numbers; bigints as numbers; undefined fields are left out. Anything
 * else that JSON cannot hold (functions, class instances, cycles) is an error naming its path.
 */
export function metricsToJson(metrics: Metrics): string {
  const seen = new Set<object>();
  const clean = (v: unknown, path: string): JsonValue | undefined => {
    if (v === undefined) return undefined;
    if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
    if (typeof v === 'number') return Number.isFinite(v) ? v : null;
    if (typeof v === 'bigint') return Number(v);
    if (typeof v === 'object') {
      if (seen.has(v)) throw new TypeError(`writeMetrics: ${path} refers back to itself`);
      seen.add(v);
      let out: JsonValue;
      if (Array.isArray(v)) {
        out = v.map((x, i) => clean(x, `${path}[${i}]`) ?? null);
      } else if (ArrayBuffer.isView(v) && !(v instanceof DataView)) {
        out = Array.from(v as unknown as ArrayLike<number | bigint>, (x) => clean(x, path) as JsonValue);
      } else if (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null) {
        const o: { [key: string]: JsonValue } = {};
        for (const [k, x] of Object.entries(v)) {
          const c = clean(x, `${path}.${k}`);
          if (c !== undefined) o[k] = c;
        }
        out = o;
      } else {
        throw new TypeError(`writeMetrics: ${path} is a ${(v as object).constructor?.name ?? 'object'}, which JSON cannot hold`);
      }
      seen.delete(v);
      return out;
    }
    throw new TypeError(`writeMetrics: ${path} is a ${typeof v}, which JSON cannot hold`);
  };
  if (typeof metrics !== 'object' || metrics === null || Array.isArray(metrics)) {
    throw new TypeError(
      `Expected a metrics object for metrics but received ${String(metrics)} of type ${Array.isArray(metrics) ? 'array' : typeof metrics}`,
    );
  }
  return JSON.stringify(clean(metrics, 'metrics'), null, 2) + '\n';
}

/** Writes dir/metrics.json (creating dir; written to a temporary file, then renamed). Returns its path. */
export function writeMetrics(dir: string, metrics: Metrics): string {
  if (typeof dir !== 'string' || dir === '')
    throw new TypeError(`Expected a folder path for dir but received ${String(dir)} of type ${typeof dir}`);
  const text = metricsToJson(metrics);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'metrics.json');
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
  return file;
}

/** Reads dir/metrics.json back. */
export function readMetrics(dir: string): Metrics {
  return JSON.parse(readFileSync(join(dir, 'metrics.json'), 'utf8')) as Metrics;
}
