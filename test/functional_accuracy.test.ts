// snntorch.functional accuracy: parity with snnTorch 0.9.4 (test/fixtures/accuracy.json, exact)
// and hand-computed accuracy_temporal.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as torch from '../lib/torch/index.js';
import * as SF from '../lib/functional/index.js';
import { predict_rate } from '../lib/functional/accuracy.js';
import { decodeFixtureTensor, type FixtureTensor } from './fixture_tensors.js';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');

interface AccCase {
  record: string;
  labels: string;
  kwargs: { population_code?: boolean; num_classes?: number };
  accuracy: number;
  derived: { class_counts: FixtureTensor; predicted: FixtureTensor };
}
interface AccFile {
  records: Record<string, FixtureTensor>;
  labels: Record<string, FixtureTensor>;
  cases: AccCase[];
}
const file = JSON.parse(readFileSync(join(FIXTURES, 'accuracy.json'), 'utf8')) as AccFile;

function toTensor(t: FixtureTensor): torch.Tensor {
  const d = decodeFixtureTensor(t);
  if (d.dtype === 'int64')
    return torch.from_typed_array(
      BigInt64Array.from(d.values as number[], (v) => BigInt(v)),
      d.shape,
    );
  return torch.from_typed_array(Float32Array.from(d.values), d.shape);
}

describe('functional accuracy_rate: parity with snnTorch 0.9.4 (accuracy.json, exact)', () => {
  it('has the three cases the README lists', () => {
    expect(file.cases.map((c) => c.record)).to.deep.equal(['rand_T10_B8_C5', 'ties_T4_B4_C3', 'pop_T10_B6_C10']);
  });

  for (const c of file.cases) {
    it(`${c.record} ${JSON.stringify(c.kwargs)}: accuracy ${c.accuracy} exactly, as a JS number`, () => {
      const spk = toTensor(file.records[c.record]!);
      const y = toTensor(file.labels[c.labels]!);
      const acc = SF.accuracy_rate(spk, y, c.kwargs);
      expect(acc).to.be.a('number');
      expect(acc).to.equal(c.accuracy);
      if (c.kwargs.population_code) {
        // snnTorch's positional form: accuracy_rate(spk, targets, population_code, num_classes)
        expect(SF.accuracy_rate(spk, y, true, c.kwargs.num_classes)).to.equal(c.accuracy);
      }
    });

    it(`${c.record}: class counts and predictions (ties to the lowest index) match exactly`, () => {
      const spk = toTensor(file.records[c.record]!);
      const { counts, predicted } = predict_rate(spk, c.kwargs);
      const wantCounts = decodeFixtureTensor(c.derived.class_counts);
      expect(counts.shape).to.deep.equal(wantCounts.shape);
      expect(Array.from(counts.data() as Float32Array)).to.deep.equal(Array.from(wantCounts.values as Float32Array));
      expect(predicted.dtype).to.equal('int64');
      expect(Array.from(predicted.data(), Number)).to.deep.equal(decodeFixtureTensor(c.derived.predicted).values);
    });
  }

  it('a silent sample predicts class 0', () => {
    const spk = torch.zeros(3, 2, 4);
    expect(SF.accuracy_rate(spk, torch.tensor([0, 1]))).to.equal(0.5);
  });

  it('does not record gradients or leave tensors behind', () => {
    const spk = toTensor(file.records['rand_T10_B8_C5']!).requires_grad_(true);
    const y = toTensor(file.labels['y_B8']!);
    SF.accuracy_rate(spk, y);
    const before = torch.memory().live_tensors;
    for (let i = 0; i < 10; i++) SF.accuracy_rate(spk, y);
    for (let i = 0; i < 10; i++) SF.accuracy_temporal(spk, y);
    // At most: the GC (which now frees during the collection) may also free earlier garbage meanwhile.
    expect(torch.memory().live_tensors).to.be.at.most(before);
  });
});

describe('functional accuracy_temporal (hand-computed)', () => {
  it('predicts the earliest-spiking output, silent outputs at T-1, ties to the lowest index', () => {
    // T=4, B=4, N=3
    //   b0: n2 first at t=0                     -> 2
    //   b1: n0 at t=2, n1 at t=1                -> 1
    //   b2: silent everywhere (all T-1)         -> 0
    //   b3: n1 and n2 both first at t=1 (tie)   -> 1
    const spk = torch.zeros(4, 4, 3);
    const on: [number, number, number][] = [
      [0, 0, 2],
      [2, 1, 0],
      [1, 1, 1],
      [3, 1, 1],
      [1, 3, 2],
      [1, 3, 1],
    ];
    const vals = spk.tolist() as number[][][];
    for (const [t, b, n] of on) vals[t]![b]![n] = 1;
    const rec = torch.tensor(vals);
    expect(SF.accuracy_temporal(rec, torch.tensor([2, 1, 0, 1]))).to.equal(1);
    expect(SF.accuracy_temporal(rec, torch.tensor([2, 0, 0, 2]))).to.equal(0.5);
    expect(SF.accuracy_temporal(rec, torch.tensor([0, 0, 1, 2]))).to.equal(0);
  });
});
