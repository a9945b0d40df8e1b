// N-MNIST's binary event files (Orchard et al. 2015; read as Tonic's io.read_mnist_file does):
// each event is 40 bits, big-endian fields in 5 bytes:
//   byte 0: x (0-33)    byte 1: y (0-33)
//   byte 2: bit 7 polarity, bits 6-0 timestamp bits 22-16
//   bytes 3-4: timestamp bits 15-0 (microseconds)
// An event with y == 240 marks a timestamp overflow: it is dropped and 2^13 us are added to the
// timestamps of every later event. The dataset folder is Tonic's extracted layout:
// <root>/Train/<label>/<id>.bin and <root>/Test/<label>/<id>.bin.
import { readFileSync, readdirSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeEvents, type Events, type SensorSize } from './events.js';

export const NMNIST_SENSOR_SIZE: SensorSize = [34, 34, 2];
const OVERFLOW_Y = 240;
const TIME_INCREMENT = 2 ** 13;

/** Parses the bytes of one N-MNIST .bin file. */
export function parseNMNIST(bytes: Uint8Array): Events {
  if (bytes.length % 5 !== 0) {
    throw new RangeError(`N-MNIST data must be a whole number of 5-byte events, got ${bytes.length} bytes (a truncated or foreign file)`);
  }
  const n = bytes.length / 5;
  let kept = 0;
  for (let i = 0; i < n; i++) if (bytes[5 * i + 1] !== OVERFLOW_Y) kept++;
  const ev = makeEvents(kept);
  let offset = 0;
  let j = 0;
  for (let i = 0; i < n; i++) {
    const b = 5 * i;
    if (bytes[b + 1] === OVERFLOW_Y) {
      offset += TIME_INCREMENT;
      continue;
    }
    ev.x[j] = bytes[b]!;
    ev.y[j] = bytes[b + 1]!;
    ev.p[j] = (bytes[b + 2]! & 0x80) >> 7;
    ev.t[j] = (((bytes[b + 2]! & 0x7f) << 16) | (bytes[b + 3]! << 8) | bytes[b + 4]!) + offset;
    j++;
  }
  return ev;
}

/** Encodes events in N-MNIST's format (timestamps must fit 23 bits; x, y < 240; p 0 or 1). */
export function encodeNMNIST(ev: Events): Uint8Array {
  const n = ev.x.length;
  const out = new Uint8Array(5 * n);
  for (let i = 0; i < n; i++) {
    const x = ev.x[i]!,
      y = ev.y[i]!,
      t = ev.t[i]!,
      p = ev.p[i]!;
    if (x < 0 || x > 255 || y < 0 || y >= OVERFLOW_Y || (p !== 0 && p !== 1) || !Number.isInteger(t) || t < 0 || t >= 2 ** 23) {
      throw new RangeError(
        `encodeNMNIST: event ${i} (x=${x}, y=${y}, t=${t}, p=${p}) does not fit the format (x < 256, y < 240, p 0/1, 0 <= t < 2^23)`,
      );
    }
    const b = 5 * i;
    out[b] = x;
    out[b + 1] = y;
    out[b + 2] = (p << 7) | ((t >> 16) & 0x7f);
    out[b + 3] = (t >> 8) & 0xff;
    out[b + 4] = t & 0xff;
  }
  return out;
}

export function readNMNISTFile(path: string): Events {
  return parseNMNIST(readFileSync(path));
}

export function writeNMNISTFile(path: string, ev: Events): void {
  writeFileSync(path, encodeNMNIST(ev));
}

/** A folder of labelled event files: item i is [events, label]. */
export class EventFolder {
  readonly files: string[] = [];
  readonly targets: number[] = [];
  constructor(
    readonly root: string,
    readonly ext: string,
    private readonly read: (path: string) => Events,
    readonly sensor_size: SensorSize,
    readonly transform: ((ev: Events) => unknown) | null = null,
  ) {
    if (!existsSync(root)) throw new Error(`event dataset folder ${root} does not exist`);
    const labels = readdirSync(root, { withFileTypes: true })
      .filter((d) => d.isDirectory() && /^\d+$/.test(d.name))
      .map((d) => d.name)
      .sort((a, b) => Number(a) - Number(b));
    if (labels.length === 0) throw new Error(`${root} holds no label folders (expected <root>/<label>/*${ext})`);
    for (const label of labels) {
      for (const f of readdirSync(join(root, label))
        .filter((f) => f.endsWith(ext) && !f.includes('LUT'))
        .sort()) {
        this.files.push(join(root, label, f));
        this.targets.push(Number(label));
      }
    }
  }
  get length(): number {
    return this.files.length;
  }
  /** [events, label], or [transform(events), label] when a transform was given. */
  get(i: number): [unknown, number] {
    if (!Number.isInteger(i) || i < 0 || i >= this.files.length)
      throw new RangeError(`index ${i} is out of range for ${this.files.length} items`);
    const ev = this.read(this.files[i]!);
    return [this.transform ? this.transform(ev) : ev, this.targets[i]!];
  }
}

/** tonic.datasets.NMNIST over an extracted copy: <save_to>/NMNIST/{Train,Test}/<label>/*.bin or <save_to>/{Train,Test}/... */
export class NMNIST extends EventFolder {
  static readonly sensor_size = NMNIST_SENSOR_SIZE;
  constructor(opts: { save_to: string; train?: boolean; transform?: ((ev: Events) => unknown) | null }) {
    const split = opts.train === false ? 'Test' : 'Train';
    const nested = join(opts.save_to, 'NMNIST', split);
    super(existsSync(nested) ? nested : join(opts.save_to, split), '.bin', readNMNISTFile, NMNIST_SENSOR_SIZE, opts.transform ?? null);
  }
}
