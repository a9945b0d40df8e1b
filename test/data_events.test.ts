// Event data: N-MNIST's 40-bit event files and ST-MNIST's MAT samples, written by the test itself
// byte by byte, read back; Tonic's Denoise, ToFrame (all four slicing modes) and PadTensors on
// hand-made streams whose results are worked out by hand in the comments.
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { expect } from 'chai';
import { torch, data } from '../lib/index.js';

const E = data.events;

describe('data.events: N-MNIST files', () => {
  it('decodes x, y, polarity and the 23-bit timestamp of each 5-byte event', () => {
    // x=3, y=7, p=1, t=0x012345; x=33, y=0, p=0, t=0x7fffff
    const bytes = Uint8Array.from([3, 7, 0x80 | 0x01, 0x23, 0x45, 33, 0, 0x7f, 0xff, 0xff]);
    const ev = E.parseNMNIST(bytes);
    expect(Array.from(ev.x)).to.deep.equal([3, 33]);
    expect(Array.from(ev.y)).to.deep.equal([7, 0]);
    expect(Array.from(ev.p)).to.deep.equal([1, 0]);
    expect(Array.from(ev.t)).to.deep.equal([0x012345, 0x7fffff]);
  });

  it('drops y == 240 overflow events and adds 2^13 us to every later timestamp', () => {
    const bytes = Uint8Array.from([
      1, 2, 0, 0, 10, /* overflow */ 0, 240, 0, 0, 0, 4, 5, 0x80, 0, 20, /* overflow */ 0, 240, 0, 0, 0, 6, 7, 0, 0, 30,
    ]);
    const ev = E.parseNMNIST(bytes);
    expect(Array.from(ev.x)).to.deep.equal([1, 4, 6]);
    expect(Array.from(ev.t)).to.deep.equal([10, 20 + 8192, 30 + 2 * 8192]);
    expect(Array.from(ev.p)).to.deep.equal([0, 1, 0]);
  });

  it('encodeNMNIST round-trips; truncated data and out-of-format events are clear errors', () => {
    const ev = E.eventsFrom([0, 5, 33], [1, 2, 33], [0, 70000, 8388607], [1, 0, 1]);
    const back = E.parseNMNIST(E.encodeNMNIST(ev));
    expect(back).to.deep.equal(ev);
    expect(() => E.parseNMNIST(new Uint8Array(7))).to.throw(/5-byte events/);
    expect(() => E.encodeNMNIST(E.eventsFrom([0], [240], [0], [0]))).to.throw(/does not fit/);
    expect(() => E.encodeNMNIST(E.eventsFrom([0], [0], [2 ** 23], [0]))).to.throw(/does not fit/);
  });

  it("NMNIST reads Tonic's extracted layout, labels from the folder names", () => {
    const root = mkdtempSync(join(tmpdir(), 'nmnist-'));
    try {
      for (const [label, n] of [
        [0, 2],
        [7, 1],
      ] as const) {
        mkdirSync(join(root, 'NMNIST', 'Test', String(label)), { recursive: true });
        for (let i = 0; i < n; i++)
          E.writeNMNISTFile(join(root, 'NMNIST', 'Test', String(label), `0000${i}.bin`), E.eventsFrom([label], [i], [100 * (i + 1)], [1]));
      }
      const ds = new E.NMNIST({ save_to: root, train: false });
      expect(ds.length).to.equal(3);
      expect(ds.targets).to.deep.equal([0, 0, 7]);
      const [ev, y] = ds.get(2) as [data.events.Events, number];
      expect(y).to.equal(7);
      expect(Array.from(ev.x)).to.deep.equal([7]);
      expect(() => new E.NMNIST({ save_to: root, train: true })).to.throw(/does not exist/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('data.events: MAT files and ST-MNIST', () => {
  const spiketrain = (): data.events.MatArray => {
    // 3 events: event 0 taxel 0 ON and taxel 57 OFF at 0.5 s; event 1 none at 1.25 s; event 2 taxel 99 ON at 2.0000015 s.
    const rows = 101,
      cols = 3;
    const d = new Float64Array(rows * cols);
    d[0 + 0 * rows] = 1;
    d[57 + 0 * rows] = -1;
    d[100 + 0 * rows] = 0.5;
    d[100 + 1 * rows] = 1.25;
    d[99 + 2 * rows] = 1;
    d[100 + 2 * rows] = 2.0000015;
    return { name: 'spiketrain', dims: [rows, cols], data: d };
  };

  for (const compress of [false, true]) {
    it(`parseMat reads a double matrix back (${compress ? 'zlib-compressed, as -v7' : 'uncompressed'})`, () => {
      const m = spiketrain();
      const vars = E.parseMat(E.encodeMat([{ name: 'other', dims: [1, 2], data: Float64Array.of(4, 5) }, m], { compress }));
      expect(vars.get('spiketrain')!.dims).to.deep.equal([101, 3]);
      expect(Array.from(vars.get('spiketrain')!.data)).to.deep.equal(Array.from(m.data));
      expect(Array.from(vars.get('other')!.data)).to.deep.equal([4, 5]);
    });
  }

  it('parseMat reads small-element tags and integer-typed storage of a double array', () => {
    // A hand-built miMATRIX: flags, dims [2, 2] (int32), name 'a' in the 4-byte small form, data as miINT8.
    const parts: number[] = [];
    const u32 = (v: number): void => void parts.push(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff);
    u32(6);
    u32(8);
    u32(6);
    u32(0); // array flags: mxDOUBLE_CLASS
    u32(5);
    u32(8);
    u32(2);
    u32(2); // dims
    u32((1 << 16) | 1);
    parts.push(97, 0, 0, 0); // small element: miINT8, 1 byte, 'a'
    u32(1);
    u32(4);
    parts.push(1, 0xff, 3, 4, 0, 0, 0, 0); // miINT8 data [1, -1, 3, 4], padded to 8
    const body = Uint8Array.from(parts);
    const header = new Uint8Array(128);
    header[126] = 73;
    header[127] = 77;
    const el = new Uint8Array(8 + body.length);
    new DataView(el.buffer).setUint32(0, 14, true);
    new DataView(el.buffer).setUint32(4, body.length, true);
    el.set(body, 8);
    const file = new Uint8Array(128 + el.length);
    file.set(header);
    file.set(el, 128);
    const a = E.parseMat(file).get('a')!;
    expect(a.dims).to.deep.equal([2, 2]);
    expect(Array.from(a.data)).to.deep.equal([1, -1, 3, 4]);
    // The same element inside miCOMPRESSED.
    const z = deflateSync(el);
    const c = new Uint8Array(128 + 8 + z.length);
    c.set(header);
    new DataView(c.buffer).setUint32(128, 15, true);
    new DataView(c.buffer).setUint32(132, z.length, true);
    c.set(z, 136);
    expect(Array.from(E.parseMat(c).get('a')!.data)).to.deep.equal([1, -1, 3, 4]);
    expect(() => E.parseMat(new Uint8Array(10))).to.throw(/too short/);
    const big = new Uint8Array(128);
    big[126] = 77;
    big[127] = 73;
    expect(() => E.parseMat(big)).to.throw(/little-endian/);
  });

  it('ST-MNIST: address a -> (a % 10, a // 10), seconds -> integer microseconds, -1 -> polarity 0', () => {
    const ev = E.stmnistEvents(spiketrain());
    expect(Array.from(ev.x)).to.deep.equal([0, 7, 9]);
    expect(Array.from(ev.y)).to.deep.equal([0, 5, 9]);
    expect(Array.from(ev.p)).to.deep.equal([1, 0, 1]);
    expect(Array.from(ev.t)).to.deep.equal([500000, 500000, 2000001]);
    expect(() => E.stmnistEvents({ name: 's', dims: [100, 1], data: new Float64Array(100) })).to.throw(/101, n_events/);
  });

  it('STMNIST reads <root>/<label>/*.mat and skips LUT files', () => {
    const root = mkdtempSync(join(tmpdir(), 'stmnist-'));
    try {
      mkdirSync(join(root, '3'));
      writeFileSync(join(root, '3', 'sample.mat'), E.encodeMat([spiketrain()]));
      writeFileSync(join(root, '3', 'LUT.mat'), E.encodeMat([{ name: 'x', dims: [1, 1], data: Float64Array.of(0) }]));
      const ds = new E.STMNIST({ root, transform: E.ToFrame({ sensor_size: E.STMNIST_SENSOR_SIZE, n_time_bins: 2 }) });
      expect(ds.length).to.equal(1);
      const [frames, y] = ds.get(0) as [torch.Tensor, number];
      expect(y).to.equal(3);
      expect(frames.shape).to.deep.equal([2, 2, 10, 10]);
      expect(frames.sum().item()).to.equal(2); // the last event sits exactly at the end of bin 2 and falls outside it, as in Tonic
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('data.events: Denoise, ToFrame, PadTensors', () => {
  it('Denoise keeps an event only when a 4-neighbour fired within filter_time before it', () => {
    // (5,5)@0: memory starts at filter_time (Tonic's initialisation), 1000 > 0 -> kept; (6,5)@100: neighbour (5,5) fired at 0, memory 0+1000 > 100 -> kept;
    // (6,6)@5000: neighbour (6,5) memory 1100 < 5000 -> dropped; (9,9)@5100 isolated -> dropped;
    // (6,7)@5200: neighbour (6,6) memory 6000 > 5200 -> kept.
    const ev = E.eventsFrom([5, 6, 6, 9, 6], [5, 5, 6, 9, 7], [0, 100, 5000, 5100, 5200], [1, 1, 0, 0, 1]);
    const out = E.Denoise({ filter_time: 1000 })(ev);
    expect(Array.from(out.t)).to.deep.equal([0, 100, 5200]);
    expect(Array.from(out.x)).to.deep.equal([5, 6, 6]);
    expect(() => E.Denoise({ filter_time: 0 })).to.throw(/filter_time/);
  });

  const ev = E.eventsFrom([0, 1, 2, 0, 1, 3], [0, 0, 1, 1, 2, 3], [0, 400, 999, 1000, 2500, 2999], [0, 1, 1, 0, 0, 1]);
  const sensor = [4, 4, 2] as const;

  it('ToFrame(time_window): windows [t0 + k*stride, +window), incomplete last window dropped unless asked', () => {
    torch.tidy(() => {
      // duration 2999, window 1000: floor((2999-1000)/1000 + 1) = 2 frames; include_incomplete: ceil(...) = 3.
      const f = E.ToFrame({ sensor_size: sensor, time_window: 1000 })(ev);
      expect(f.shape).to.deep.equal([2, 2, 4, 4]);
      expect(f.sum([1, 2, 3]).tolist()).to.deep.equal([3, 1]);
      // frame 0: p0 at (y0,x0), p1 at (y0,x1) and (y1,x2)
      expect(f.select(0, 0).select(0, 1).select(0, 0).select(0, 1).item()).to.equal(1);
      expect(f.select(0, 0).select(0, 1).select(0, 1).select(0, 2).item()).to.equal(1);
      const g = E.ToFrame({ sensor_size: sensor, time_window: 1000, include_incomplete: true })(ev);
      expect(g.sum([1, 2, 3]).tolist()).to.deep.equal([3, 1, 2]);
    });
  });

  it('ToFrame(event_count / n_event_bins / n_time_bins) slice as Tonic does', () => {
    torch.tidy(() => {
      expect(E.ToFrame({ sensor_size: sensor, event_count: 4 })(ev).sum([1, 2, 3]).tolist()).to.deep.equal([4]);
      expect(E.ToFrame({ sensor_size: sensor, event_count: 4, include_incomplete: true })(ev).sum([1, 2, 3]).tolist()).to.deep.equal([
        4, 2,
      ]);
      expect(E.ToFrame({ sensor_size: sensor, event_count: 2, overlap: 1 })(ev).sum([1, 2, 3]).tolist()).to.deep.equal([2, 2, 2, 2, 2]);
      expect(E.ToFrame({ sensor_size: sensor, n_event_bins: 3 })(ev).sum([1, 2, 3]).tolist()).to.deep.equal([2, 2, 2]);
      // n_time_bins 3: window floor(2999/3) = 999: [0,999) [999,1998) [1998,2997) -> 2, 2, 1 (t=2999 falls after).
      expect(E.ToFrame({ sensor_size: sensor, n_time_bins: 3 })(ev).sum([1, 2, 3]).tolist()).to.deep.equal([2, 2, 1]);
      // One polarity channel: every event counts in channel 0.
      expect(E.ToFrame({ sensor_size: [4, 4, 1], n_event_bins: 1 })(ev).shape).to.deep.equal([1, 1, 4, 4]);
    });
  });

  it('ToFrame counts from zero on every call (its count buffer is reused, also after a failed call)', () => {
    torch.tidy(() => {
      const big = E.eventsFrom([0, 1, 2, 3], [0, 1, 2, 3], [0, 10, 20, 30], [1, 1, 1, 1]);
      const bad = E.eventsFrom([0, 9], [0, 0], [0, 10], [0, 0]); // x=9 lies outside [4, 4, 2] after one event counted
      const toFrame = E.ToFrame({ sensor_size: sensor, n_event_bins: 1 });
      expect(toFrame(big).sum().item()).to.equal(4);
      expect(() => toFrame(bad)).to.throw(/outside sensor_size/);
      const f = E.ToFrame({ sensor_size: sensor, time_window: 1000 })(ev);
      expect(f.sum([1, 2, 3]).tolist()).to.deep.equal([3, 1]);
      expect(f.select(0, 0).select(0, 0).select(0, 0).select(0, 0).item()).to.equal(1); // (x0,y0,p0) only once
    });
  });

  it('ToFrame rejects bad options and events outside the sensor', () => {
    expect(() => E.ToFrame({ sensor_size: sensor })).to.throw(/exactly one/);
    expect(() => E.ToFrame({ sensor_size: sensor, time_window: 10, event_count: 2 })).to.throw(/exactly one/);
    expect(() => E.ToFrame({ sensor_size: [4, 4] as unknown as [number, number, number], time_window: 10 })).to.throw(/sensor_size/);
    expect(() => E.ToFrame({ sensor_size: [2, 2, 2], time_window: 1000 })(ev)).to.throw(/outside sensor_size/);
    expect(() => E.ToFrame({ sensor_size: sensor, time_window: 1000 })(E.makeEvents(0))).to.throw(/empty/);
  });

  it('PadTensors pads frames to the longest and stacks time-first when batch_first is false', () => {
    torch.tidy(() => {
      const a = torch.ones([2, 2, 4, 4]);
      const b = torch.ones([3, 2, 4, 4]);
      const batch = E.PadTensors({ batch_first: false })([a, b]);
      expect(batch.shape).to.deep.equal([3, 2, 2, 4, 4]);
      expect(batch.sum([2, 3, 4]).tolist()).to.deep.equal([
        [32, 32],
        [32, 32],
        [0, 32],
      ]);
      expect(E.PadTensors()([a, b]).shape).to.deep.equal([2, 3, 2, 4, 4]);
    });
  });

  it('PadTensors writes zeros after each shorter recording even into reused memory, and keeps each recording in place', () => {
    torch.tidy(() => {
      // 300 KiB batches come from the allocator's block cache: leave a block full of 7s there first.
      torch.full([10, 2, 2, 34, 34], 7).dispose();
      const a = torch.ones([3, 2, 34, 34]);
      const b = torch.arange(10).float().reshape([10, 1, 1, 1]).expand([10, 2, 34, 34]);
      const tf = E.PadTensors({ batch_first: false })([a, b]);
      expect(
        tf
          .sum([2, 3, 4])
          .div(2 * 34 * 34)
          .tolist(),
      ).to.deep.equal(Array.from({ length: 10 }, (_, t) => [t < 3 ? 1 : 0, t]));
      const bf = E.PadTensors({ batch_first: true })([a, b]);
      expect(
        bf
          .select(0, 0)
          .sum([1, 2, 3])
          .div(2 * 34 * 34)
          .tolist(),
      ).to.deep.equal([1, 1, 1, 0, 0, 0, 0, 0, 0, 0]);
      expect(bf.select(1, 9).select(0, 1).sum().item()).to.equal(9 * 2 * 34 * 34);
    });
  });

  it('PadTensors names the tensor whose trailing shape or dtype differs', () => {
    torch.tidy(() => {
      expect(() => E.PadTensors()([torch.ones([2, 2, 4, 4]), torch.ones([2, 2, 4, 5])])).to.throw(/tensor 1 is float32 \[2, 2, 4, 5\]/);
      expect(() => E.PadTensors()([torch.ones([2, 2]), torch.ones([2, 2], { dtype: 'float64' })])).to.throw(/tensor 1 is float64/);
      expect(() => E.PadTensors()([])).to.throw(/no tensors/);
    });
  });
});
