import { expect } from 'chai';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  readMetrics,
  renderAccuracyPlot,
  renderLossPlot,
  renderRaster,
  writeMetrics,
  metricsToJson,
  lossHistoryPoints,
  plotsAvailable,
} from '../lib/train/report/index.js';

interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
}

/** A strict little XML parser: throws on unbalanced or malformed tags, bad attributes or stray '<'. */
function parseXml(text: string): XmlElement {
  const root: XmlElement = { name: '#document', attrs: {}, children: [] };
  const stack: XmlElement[] = [root];
  const tag = /<(\/?)([A-Za-z_][\w:.-]*)((?:\s+[A-Za-z_][\w:.-]*\s*=\s*(?:"[^"<]*"|'[^'<]*'))*)\s*(\/?)>/y;
  const attr = /([A-Za-z_][\w:.-]*)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;
  let i = text.startsWith('<?xml') ? text.indexOf('?>') + 2 : 0;
  while (i < text.length) {
    const lt = text.indexOf('<', i);
    if (lt < 0) break;
    const between = text.slice(i, lt);
    if (/&(?!(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/.test(between)) throw new Error(`bad entity near ${lt}`);
    if (text.startsWith('<!--', lt)) {
      const end = text.indexOf('-->', lt);
      if (end < 0) throw new Error('unclosed comment');
      i = end + 3;
      continue;
    }
    tag.lastIndex = lt;
    const m = tag.exec(text);
    if (!m) throw new Error(`malformed tag at ${lt}: ${text.slice(lt, lt + 40)}`);
    const [, close, name, attrText, selfClose] = m;
    if (close) {
      const open = stack.pop();
      if (!open || open.name !== name || stack.length === 0) throw new Error(`</${name}> closes <${open?.name}>`);
    } else {
      const el: XmlElement = { name: name!, attrs: {}, children: [] };
      for (const a of attrText!.matchAll(attr)) {
        if (a[1]! in el.attrs) throw new Error(`duplicate attribute ${a[1]} on <${name}>`);
        el.attrs[a[1]!] = a[2] ?? a[3] ?? '';
      }
      stack[stack.length - 1]!.children.push(el);
      if (!selfClose) stack.push(el);
    }
    i = tag.lastIndex;
  }
  if (stack.length !== 1) throw new Error(`unclosed <${stack[stack.length - 1]!.name}>`);
  if (root.children.length !== 1) throw new Error('expected one root element');
  return root.children[0]!;
}

function all(el: XmlElement, pred: (e: XmlElement) => boolean, out: XmlElement[] = []): XmlElement[] {
  if (pred(el)) out.push(el);
  for (const c of el.children) all(c, pred, out);
  return out;
}

/** The marks vega drew for the data (not axes or grid): the elements inside `role-mark` groups. */
function dataMarks(svg: XmlElement, kind: string): XmlElement[] {
  const groups = all(
    svg,
    (e) => e.name === 'g' && (e.attrs.class ?? '').split(' ').includes(`mark-${kind}`) && (e.attrs.class ?? '').includes('role-mark'),
  );
  return groups.flatMap((g) => g.children);
}

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected the promise to reject');
}

const texts = (svg: string): string => svg.replace(/<[^>]*>/g, ' ');

describe('report: metrics.json and SVG plots', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'snn-report-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('the XML checker rejects broken SVG (so the checks below can fail)', () => {
    expect(() => parseXml('<svg><g></svg>')).to.throw();
    expect(() => parseXml('<svg><g a="1" a="2"/></svg>')).to.throw(/duplicate/);
    expect(() => parseXml('<svg>a < b</svg>')).to.throw(/malformed/);
    expect(parseXml('<svg><g x="1"><path d="M0"/></g></svg>').children[0]!.children[0]!.name).to.equal('path');
  });

  it('writeMetrics writes metrics.json that reads back, with non-finite numbers as null', () => {
    const file = writeMetrics(join(dir, 'run1'), {
      config: { batch_size: 128, beta: 0.95, device: 'cpu' },
      iterations: [
        { epoch: 0, iteration: 0, loss: 2.5 },
        { epoch: 0, iteration: 1, loss: NaN },
      ],
      epochs: [{ epoch: 0, train_loss: 2.1, test_accuracy: 0.93, seconds: 12.5, skipped: undefined }],
      final: { test_accuracy: 0.93 },
    });
    expect(file).to.equal(join(dir, 'run1', 'metrics.json'));
    const back = readMetrics(join(dir, 'run1'));
    expect(back.config).to.deep.equal({ batch_size: 128, beta: 0.95, device: 'cpu' });
    expect(back.iterations![1]!.loss).to.equal(null);
    expect(back.epochs![0]).to.deep.equal({ epoch: 0, train_loss: 2.1, test_accuracy: 0.93, seconds: 12.5 });
    expect(readFileSync(file, 'utf8')).to.match(/^\{\n {2}"config": \{/);
    expect(() => metricsToJson({ final: { when: new Date() as unknown as string } })).to.throw(TypeError, /metrics\.final\.when is a Date/);
    const loop: Record<string, unknown> = {};
    loop.self = loop;
    expect(() => metricsToJson({ config: loop as never })).to.throw(TypeError, /refers back/);
  });

  it('renderLossPlot draws one line per series and writes the file', async () => {
    const file = join(dir, 'plots', 'loss.svg');
    const points = [
      ...Array.from({ length: 50 }, (_, i) => ({ iteration: i, loss: 2.3 * Math.exp(-i / 20) })),
      ...[0, 25, 49].map((i) => ({ iteration: i, loss: 2.4 * Math.exp(-i / 25), series: 'test' })),
    ];
    const svg = await renderLossPlot(points, { file, title: 'Training loss' });
    expect(readFileSync(file, 'utf8')).to.equal(svg);
    const doc = parseXml(svg);
    expect(doc.name).to.equal('svg');
    const lines = dataMarks(doc, 'line');
    expect(lines).to.have.length(2);
    for (const l of lines) expect(l.name).to.equal('path');
    // 50 points: the train path has 49 segments after its first move.
    const trainPath = lines.map((l) => l.attrs.d!).sort((a, b) => b.length - a.length)[0]!;
    expect(trainPath.match(/L/g)).to.have.length(49);
    expect(texts(svg)).to.include('Training loss').and.include('Iteration').and.include('Loss').and.include('test');
    const plain = parseXml(await renderLossPlot([2, 1.5, 1.2]));
    expect(dataMarks(plain, 'line')).to.have.length(1);
    const err = await rejection(renderLossPlot([{ iteration: 0, loss: 'x' as unknown as number }]));
    expect(err).to.be.instanceOf(TypeError);
    expect(err.message).to.match(/Expected a finite number for points\[0\]\.loss/);
  });

  it('lossHistoryPoints: the per-iteration loss_hist and its trailing running mean, as two series', () => {
    const pts = lossHistoryPoints([4, 2, NaN, 6, 0], 2);
    const raw = pts.filter((p) => p.series === 'loss');
    const mean = pts.filter((p) => p.series === 'running mean (2)');
    expect(raw.map((p) => [p.iteration, p.loss])).to.deep.equal([
      [1, 4],
      [2, 2],
      [3, null],
      [4, 6],
      [5, 0],
    ]);
    // Window 2: mean of the last two finite values inside the window; a NaN leaves a gap in the raw line only.
    expect(mean.map((p) => p.loss)).to.deep.equal([4, 3, 2, 6, 3]);
    expect(lossHistoryPoints([], 50)).to.deep.equal([]);
    expect(() => lossHistoryPoints([1], 0)).to.throw(TypeError, /integer >= 1 for window/);
  });

  it('the loss plot of a loss_hist has one point per iteration and the running-mean line', async () => {
    const hist = Array.from({ length: 120 }, (_, i) => 0.3 * Math.exp(-i / 40) + 0.02 * Math.sin(i));
    const doc = parseXml(await renderLossPlot(lossHistoryPoints(hist, 25)));
    const lines = dataMarks(doc, 'line');
    expect(lines).to.have.length(2);
    for (const l of lines) expect(l.attrs.d!.match(/L/g)).to.have.length(119);
    expect(await plotsAvailable()).to.equal(true);
  });

  it('renderAccuracyPlot draws the line and a point per epoch', async () => {
    const file = join(dir, 'plots', 'accuracy.svg');
    const svg = await renderAccuracyPlot([0.91, 0.95, 0.962], { file, title: 'Test accuracy' });
    expect(existsSync(file)).to.equal(true);
    const doc = parseXml(svg);
    expect(dataMarks(doc, 'line')).to.have.length(1);
    expect(dataMarks(doc, 'symbol')).to.have.length(3);
    expect(texts(svg)).to.include('Test accuracy').and.include('96.0%');
    const err = await rejection(renderAccuracyPlot([95]));
    expect(err).to.be.instanceOf(TypeError);
    expect(err.message).to.match(/accuracy in \[0, 1\]/);
  });

  it('renderRaster draws one tick per spike, one panel per digit (empty ones too)', async () => {
    const T = 20;
    const N = 3;
    const K = 10;
    // digit 0: neuron (t % 10) fires at every step; digit 1: neuron 7 fires at even steps; digit 2: silent.
    const spikes = Array.from({ length: T }, (_, t) => [
      Array.from({ length: K }, (_, k) => (k === t % 10 ? 1 : 0)),
      Array.from({ length: K }, (_, k) => (k === 7 && t % 2 === 0 ? 1 : 0)),
      new Array<number>(K).fill(0),
    ]);
    const file = join(dir, 'plots', 'raster.svg');
    const svg = await renderRaster(spikes, { file, labels: [3, 7, 1], predictions: [3, 7, 0], title: 'Output spikes' });
    const doc = parseXml(svg);
    const rules = dataMarks(doc, 'rule');
    expect(rules.filter((r) => r.name === 'line')).to.have.length(T + T / 2);
    const t = texts(svg);
    for (let n = 0; n < N; n++) expect(t).to.include(`digit ${n}`);
    expect(t).to.include('label 1, predicted 0').and.include('Time step').and.include('Neuron');
    // The same record given flat with its shape draws the same marks.
    const flat = Float32Array.from(spikes.flat(2));
    const svg2 = await renderRaster(
      { data: flat, shape: [T, N, K] },
      { labels: [3, 7, 1], predictions: [3, 7, 0], title: 'Output spikes' },
    );
    expect(svg2).to.equal(svg);
    // Digit 1's ticks all sit in neuron 7's row: they share one y.
    const panelRules = all(doc, (e) => e.name === 'g' && (e.attrs.class ?? '').includes('mark-rule role-mark'));
    expect(panelRules).to.have.length(N);
    const ys = new Set(panelRules[1]!.children.map((l) => `${l.attrs.y1},${l.attrs.y2}`));
    expect(ys.size).to.equal(1);
    expect(panelRules[2]!.children).to.have.length(0);
    expect(await rejection(renderRaster({ data: flat, shape: [T, N, K + 1] }))).to.be.instanceOf(RangeError);
  });
});
