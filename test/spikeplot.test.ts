// spikeplot: each figure renders to SVG that parses (resvg reads it) with one mark per spike /
// label / neuron / pixel, to a PNG of the expected size, and animations to a GIF with one image
// per frame and to a self-contained HTML page.
import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Resvg } from '@resvg/resvg-js';
import { spikeplot, torch } from '../lib/index.js';

/** The marks vega drew in groups of this class (e.g. 'mark-symbol'), after checking the SVG parses. */
function marks(svg: string, cls: string): number {
  expect(() => new Resvg(svg)).to.not.throw();
  let n = 0;
  const open = new RegExp(`<g class="${cls} role-mark[^"]*"[^>]*>`, 'g');
  for (const m of svg.matchAll(open)) {
    const body = svg.slice(m.index! + m[0].length, svg.indexOf('</g>', m.index! + m[0].length));
    n += (body.match(/<(path|line)[ >]/g) ?? []).length;
  }
  return n;
}

function svgSize(svg: string): [number, number] {
  const m = /<svg[^>]*width="([\d.]+)" height="([\d.]+)"/.exec(svg);
  expect(m, 'svg size').to.not.equal(null);
  return [Number(m![1]), Number(m![2])];
}

function pngSize(png: Uint8Array): [number, number] {
  expect(Array.from(png.subarray(0, 8))).to.deep.equal([137, 80, 78, 71, 13, 10, 26, 10]);
  const v = new DataView(png.buffer, png.byteOffset, png.byteLength);
  return [v.getUint32(16), v.getUint32(20)];
}

/** Images in a GIF, by walking its blocks (header, screen descriptor, extensions, images, trailer). */
function gifFrames(gif: Uint8Array): number {
  expect(new TextDecoder().decode(gif.subarray(0, 6))).to.equal('GIF89a');
  let p = 13;
  if (gif[10]! & 0x80) p += 3 * 2 ** ((gif[10]! & 7) + 1);
  const skipSubBlocks = (): void => {
    while (gif[p] !== 0) p += gif[p]! + 1;
    p++;
  };
  let frames = 0;
  for (;;) {
    const b = gif[p];
    if (b === 0x3b) return frames;
    if (b === 0x21) {
      p += 2;
      skipSubBlocks();
    } else if (b === 0x2c) {
      frames++;
      const flags = gif[p + 9]!;
      p += 10;
      if (flags & 0x80) p += 3 * 2 ** ((flags & 7) + 1);
      p++; // LZW minimum code size
      skipSubBlocks();
    } else {
      throw new Error(`bad GIF block 0x${b?.toString(16)} at ${p}`);
    }
  }
}

describe('spikeplot', function () {
  this.timeout(120000);
  const dir = mkdtempSync(join(tmpdir(), 'spikeplot-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('raster: one dot per spike; SVG and PNG files', async () => {
    const spk = torch.tensor(
      [
        [1, 0, 0],
        [0, 1, 1],
        [0, 0, 0],
        [1, 0, 1],
      ],
      { dtype: 'float32' },
    );
    const plot = spikeplot.raster(spk, { s: 25, c: 'black', title: 'Input' });
    const svg = await plot.toSVG();
    expect(marks(svg, 'mark-symbol')).to.equal(5);
    expect(svg).to.include('Input');
    const [w, h] = svgSize(svg);
    expect(pngSize(await plot.toPNG())).to.deep.equal([Math.round(2 * w), Math.round(2 * h)]);
    await plot.save(join(dir, 'raster.png'));
    await plot.save(join(dir, 'raster.svg'));
    expect(pngSize(readFileSync(join(dir, 'raster.png')))[0]).to.equal(Math.round(2 * w));
    expect(marks(readFileSync(join(dir, 'raster.svg'), 'utf8'), 'mark-symbol')).to.equal(5);
    const ticks = await spikeplot.raster(spk, { s: 100, c: 'black', marker: '|' }).toSVG();
    expect(marks(ticks, 'mark-symbol')).to.equal(5);
    expect(ticks).to.include('M0,-');
    expect(() => spikeplot.raster(spk, { marker: '*' as never })).to.throw(/marker/);
    // A 1-D train puts every spike on neuron 0.
    expect(marks(await spikeplot.raster(torch.tensor([0, 1, 1, 0, 1], { dtype: 'float32' })).toSVG(), 'mark-symbol')).to.equal(3);
  });

  it('spike_count: one lollipop per label; animated, one frame per step and interpolation', async () => {
    const spk = torch.tensor(
      [
        [1, 0, 0, 1],
        [1, 1, 0, 0],
        [0, 1, 0, 1],
      ],
      { dtype: 'float32' },
    );
    const labels = ['a', 'b', 'c', 'd'];
    const svg = await spikeplot.spike_count(spk, labels).toSVG();
    expect(marks(svg, 'mark-symbol')).to.equal(4);
    for (const l of labels) expect(svg).to.include(`>${l}</text>`);
    const anim = spikeplot.spike_count(spk, labels, { animate: true, interpolate: 2, interval: 50 });
    expect(anim.length).to.equal(6);
    expect(marks(await anim.frameSVG(3), 'mark-rule')).to.equal(1);
    const gif = await anim.toGIF();
    expect(gifFrames(gif)).to.equal(6);
    await anim.save(join(dir, 'count.gif'));
    expect(gifFrames(readFileSync(join(dir, 'count.gif')))).to.equal(6);
  });

  it('traces: one line per panel of the grid', async () => {
    const mem = torch.rand([20, 6]);
    const spk = mem.gt(0.9).float();
    const svg = await spikeplot.traces(mem, { spk, dim: [2, 3], titles: ['n0', 'n1'] }).toSVG();
    expect(marks(svg, 'mark-line')).to.equal(6);
    expect(svg).to.include('n1');
    expect(() => spikeplot.traces(mem, { dim: [3, 3] })).to.throw(/needs 9 neurons/);
  });

  it('animator: a heat map per step; GIF frames and a self-contained HTML page', async () => {
    const data = torch.rand([4, 5, 6]);
    const anim = spikeplot.animator(data, { interval: 80 });
    expect(anim.length).to.equal(4);
    expect(marks(await anim.frameSVG(0), 'mark-rect')).to.equal(30);
    expect(gifFrames(await anim.toGIF())).to.equal(4);
    const html = await anim.toHTML();
    expect((html.match(/<svg/g) ?? []).length).to.equal(4);
    expect(html).to.include('setInterval').and.not.include('src="http');
    await anim.save(join(dir, 'anim.html'));
    expect(readFileSync(join(dir, 'anim.html'), 'utf8')).to.equal(html);
    expect(spikeplot.animator(torch.rand([3, 1, 4, 4]), { num_steps: 2 }).length).to.equal(2);
  });

  it('bad input gets a clear error', async () => {
    expect(() => spikeplot.raster(torch.rand([2, 3, 4]))).to.throw(/1-D \[time\] or 2-D/);
    expect(() => spikeplot.spike_count(torch.rand([3, 2]), ['a'])).to.throw(/expected 2 labels/);
    expect(() => spikeplot.animator(torch.rand([3, 4]))).to.throw(/\[time, H, W\]/);
    expect(() => spikeplot.raster(torch.rand([3]), { color: 'red' } as never)).to.throw(/Unknown option 'color'/);
    let err: unknown = null;
    await spikeplot
      .raster(torch.rand([3]))
      .save(join(dir, 'x.jpg'))
      .catch((e: unknown) => (err = e));
    expect(String(err)).to.match(/\.svg, \.png/);
  });
});
