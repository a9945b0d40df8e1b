// Rendering for spikeplot: vega-lite specs to SVG with vega's headless View (as the training report
// does), SVG to PNG with resvg, and frame sequences to an animated GIF (gifenc) or a self-contained
// HTML page that plays them.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, extname } from 'node:path';
import { Resvg } from '@resvg/resvg-js';
import * as gifencModule from 'gifenc';
import type { TopLevelSpec } from 'vega-lite';

// gifenc is CommonJS with an ES build beside it: depending on the loader its functions are the
// namespace's own exports or its default export's.
type Gifenc = Pick<typeof gifencModule, 'GIFEncoder' | 'applyPalette' | 'quantize'>;
function gifenc(): Gifenc {
  const ns = gifencModule as Partial<Gifenc> & { default?: Partial<Gifenc> };
  if (typeof ns.GIFEncoder === 'function') return ns as Gifenc;
  if (typeof ns.default?.GIFEncoder === 'function') return ns.default as Gifenc;
  throw new Error('the gifenc package did not load (no GIFEncoder export); reinstall it with npm install gifenc');
}

export type { TopLevelSpec };

export interface RasterOptions {
  /** Pixels per SVG unit in the PNG (default 2). */
  scale?: number;
}

// vega's ES module graph has a top-level await, which require() of this package (CommonJS
// consumers) cannot load: vega and vega-lite are imported when the first figure is rendered.
let renderer: Promise<[typeof import('vega'), typeof import('vega-lite')]> | null = null;

/** A vega-lite spec as SVG text. */
export async function specToSVG(spec: TopLevelSpec): Promise<string> {
  renderer ??= Promise.all([import('vega'), import('vega-lite')]);
  const [vega, vl] = await renderer;
  const view = new vega.View(vega.parse(vl.compile(spec).spec), { renderer: 'none', logLevel: vega.Warn });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

function rasterise(svg: string, opts: RasterOptions = {}): { png: Buffer; pixels: Buffer; width: number; height: number } {
  const scale = opts.scale ?? 2;
  if (typeof scale !== 'number' || !(scale > 0) || scale > 16)
    throw new RangeError(`Expected a scale in (0, 16] but received ${String(scale)}`);
  const img = new Resvg(svg, {
    background: 'white',
    fitTo: { mode: 'zoom', value: scale },
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans', sansSerifFamily: 'DejaVu Sans' },
  }).render();
  return { png: img.asPng(), pixels: img.pixels, width: img.width, height: img.height };
}

/** An SVG document as PNG bytes. */
export function svgToPNG(svg: string, opts?: RasterOptions): Buffer {
  return rasterise(svg, opts).png;
}

function writeFile(file: string, data: string | Uint8Array): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, data);
}

function checkFile(file: unknown, allowed: readonly string[]): string {
  if (typeof file !== 'string' || file === '') throw new TypeError(`Expected a file path for file but received ${String(file)}`);
  const ext = extname(file).toLowerCase();
  if (!allowed.includes(ext)) throw new RangeError(`Expected a file ending in ${allowed.join(', ')} for file but received '${file}'`);
  return ext;
}

/** One figure: its vega-lite spec, rendered on demand. */
export class Plot {
  readonly spec: TopLevelSpec;
  constructor(spec: TopLevelSpec) {
    this.spec = spec;
  }
  toSVG(): Promise<string> {
    return specToSVG(this.spec);
  }
  async toPNG(opts?: RasterOptions): Promise<Buffer> {
    return svgToPNG(await this.toSVG(), opts);
  }
  /** Writes .svg or .png (by the file's extension); returns the path. */
  async save(file: string, opts?: RasterOptions): Promise<string> {
    const ext = checkFile(file, ['.svg', '.png']);
    const svg = await this.toSVG();
    writeFile(file, ext === '.svg' ? svg : svgToPNG(svg, opts));
    return file;
  }
}

/** A sequence of figures shown interval milliseconds apart (snnTorch returns matplotlib's ArtistAnimation). */
export class Animation {
  readonly frames: readonly TopLevelSpec[];
  readonly interval: number;
  constructor(frames: TopLevelSpec[], interval: number) {
    if (frames.length === 0) throw new RangeError('an animation needs at least one frame');
    if (typeof interval !== 'number' || !(interval > 0))
      throw new RangeError(`Expected a positive interval (ms) but received ${String(interval)}`);
    this.frames = frames;
    this.interval = interval;
  }
  get length(): number {
    return this.frames.length;
  }
  /** Frame i as SVG text. */
  frameSVG(i: number): Promise<string> {
    if (!Number.isInteger(i) || i < 0 || i >= this.frames.length)
      throw new RangeError(`Expected a frame index in [0, ${this.frames.length - 1}] but received ${i}`);
    return specToSVG(this.frames[i]!);
  }
  async toSVGFrames(): Promise<string[]> {
    const out: string[] = [];
    for (const f of this.frames) out.push(await specToSVG(f));
    return out;
  }
  /** An animated GIF that loops forever, every frame rasterised at opts.scale (default 1). */
  async toGIF(opts: RasterOptions = {}): Promise<Uint8Array> {
    const { GIFEncoder, applyPalette, quantize } = gifenc();
    const gif = GIFEncoder();
    let size: [number, number] | null = null;
    for (const f of this.frames) {
      const { pixels, width, height } = rasterise(await specToSVG(f), { scale: opts.scale ?? 1 });
      if (size && (size[0] !== width || size[1] !== height))
        throw new Error(`animation frames differ in size (${size.join('x')} vs ${width}x${height})`);
      size = [width, height];
      const palette = quantize(pixels, 256);
      gif.writeFrame(applyPalette(pixels, palette), width, height, { palette, delay: this.interval, repeat: 0 });
    }
    gif.finish();
    return gif.bytes();
  }
  /** A self-contained HTML page: the frames as inline SVG, shown in turn by a few lines of script. */
  async toHTML(title = 'snntorch-node animation'): Promise<string> {
    const frames = await this.toSVGFrames();
    const divs = frames.map((svg, i) => `<div class="frame"${i ? ' hidden' : ''}>${svg}</div>`).join('\n');
    const esc = title.replace(/[<&>]/g, (c) => ({ '<': '&lt;', '&': '&amp;', '>': '&gt;' })[c]!);
    return `<!doctype html>
<html><head><meta charset="utf-8"><title>${esc}</title></head>
<body style="background:white">
${divs}
<script>
const frames = document.querySelectorAll('.frame');
let i = 0;
setInterval(() => { frames[i].hidden = true; i = (i + 1) % frames.length; frames[i].hidden = false; }, ${this.interval});
</script>
</body></html>
`;
  }
  /** Writes .gif, .html, or a .svg / .png of the last frame (by the file's extension); returns the path. */
  async save(file: string, opts?: RasterOptions): Promise<string> {
    const ext = checkFile(file, ['.gif', '.html', '.svg', '.png']);
    if (ext === '.gif') writeFile(file, await this.toGIF(opts));
    else if (ext === '.html') writeFile(file, await this.toHTML());
    else {
      const svg = await this.frameSVG(this.frames.length - 1);
      writeFile(file, ext === '.svg' ? svg : svgToPNG(svg, opts));
    }
    return file;
  }
}
