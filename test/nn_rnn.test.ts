// nn.LSTMCell against PyTorch 1.13 (test/fixtures/neurons/lstm_cell.json): default initialisation
// after manual_seed(0) (exact), one step's values (rtol 1e-5) and gradients (rtol 1e-4).
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { torch, nn } from '../lib/index.js';
import type { FixtureTensor } from './fixture_tensors.js';
import { expectClose, fixtureTensor } from './assert_close.js';

const F = JSON.parse(readFileSync(new URL('./fixtures/neurons/lstm_cell.json', import.meta.url), 'utf8')) as {
  state_dict: Record<string, FixtureTensor>;
  x: FixtureTensor;
  h: FixtureTensor;
  c: FixtureTensor;
  g_h: FixtureTensor;
  g_c: FixtureTensor;
  hy: FixtureTensor;
  cy: FixtureTensor;
  grad: Record<string, FixtureTensor>;
};

describe('nn.LSTMCell', () => {
  it("has PyTorch's state_dict keys, shapes and default initialisation", () => {
    torch.tidy(() => {
      torch.manual_seed(0);
      const cell = new nn.LSTMCell(3, 4);
      const sd = cell.state_dict();
      expect([...sd.keys()]).to.deep.equal(['weight_ih', 'weight_hh', 'bias_ih', 'bias_hh']);
      for (const [k, v] of Object.entries(F.state_dict)) expectClose(sd.get(k)!, v, k, { rtol: 0, atol: 0 });
    });
  });

  it('matches one PyTorch step, values and gradients', () => {
    torch.tidy(() => {
      const cell = new nn.LSTMCell(3, 4);
      cell.load_state_dict(new Map(Object.entries(F.state_dict).map(([k, v]) => [k, fixtureTensor(v)])));
      const x = fixtureTensor(F.x, { requires_grad: true });
      const h = fixtureTensor(F.h, { requires_grad: true });
      const c = fixtureTensor(F.c, { requires_grad: true });
      const [hy, cy] = cell.forward(x, [h, c]);
      expectClose(hy, F.hy, 'hy', { rtol: 1e-5, atol: 1e-6 });
      expectClose(cy, F.cy, 'cy', { rtol: 1e-5, atol: 1e-6 });
      hy.mul(fixtureTensor(F.g_h))
        .sum()
        .add(cy.mul(fixtureTensor(F.g_c)).sum())
        .backward();
      const params = new Map(cell.named_parameters());
      for (const [k, g] of Object.entries(F.grad)) {
        const t = k === 'x' ? x : k === 'h' ? h : k === 'c' ? c : params.get(k)!;
        expectClose(t.grad, g, `grad ${k}`, { rtol: 1e-4, atol: 1e-5 });
      }
    });
  });

  it('works unbatched, without hx, and without bias; refuses wrong shapes by name', () => {
    torch.tidy(() => {
      const cell = new nn.LSTMCell(3, 2, { bias: false });
      expect([...cell.state_dict().keys()]).to.deep.equal(['weight_ih', 'weight_hh']);
      const [h, c] = cell.forward(torch.randn([3]));
      expect(h.shape).to.deep.equal([2]);
      expect(c.shape).to.deep.equal([2]);
      const [h2] = cell.forward(torch.randn([5, 3]));
      expect(h2.shape).to.deep.equal([5, 2]);
      expect(() => cell.forward(torch.randn([5, 4]))).to.throw(/input_size=3/);
      expect(() => cell.forward(torch.randn([5, 3]), [torch.zeros([5, 3]), torch.zeros([5, 2])])).to.throw(/h has shape \[5, 3\]/);
    });
  });
});

const R = JSON.parse(readFileSync(new URL('./fixtures/neurons/rnn.json', import.meta.url), 'utf8')) as Record<
  string,
  {
    kwargs: Record<string, unknown>;
    state_dict: Record<string, FixtureTensor>;
    x: FixtureTensor;
    h0: FixtureTensor;
    output: FixtureTensor;
    h_n: FixtureTensor;
    g_output: FixtureTensor;
    g_h_n: FixtureTensor;
    grad: Record<string, FixtureTensor>;
  }
>;

describe('nn.RNN against PyTorch 1.13', () => {
  for (const [name, c] of Object.entries(R)) {
    if (name === 'meta') continue;
    it(`${name}: init after manual_seed(0) exact; output and h_n rtol 1e-5; gradients rtol 1e-4`, () => {
      torch.tidy(() => {
        torch.manual_seed(0);
        const m = new nn.RNN(3, 4, c.kwargs as nn.RNNOptions);
        const sd = m.state_dict();
        expect([...sd.keys()]).to.deep.equal(Object.keys(c.state_dict));
        for (const [k, v] of Object.entries(c.state_dict)) expectClose(sd.get(k)!, v, k, { rtol: 0, atol: 0 });
        const x = fixtureTensor(c.x, { requires_grad: true });
        const h0 = fixtureTensor(c.h0, { requires_grad: true });
        const [y, hn] = m.forward(x, h0);
        expectClose(y, c.output, 'output', { rtol: 1e-5, atol: 1e-6 });
        expectClose(hn, c.h_n, 'h_n', { rtol: 1e-5, atol: 1e-6 });
        y.mul(fixtureTensor(c.g_output))
          .sum()
          .add(hn.mul(fixtureTensor(c.g_h_n)).sum())
          .backward();
        const params = new Map(m.named_parameters());
        for (const [k, g] of Object.entries(c.grad))
          expectClose((k === 'x' ? x : k === 'h0' ? h0 : params.get(k)!).grad, g, `grad ${k}`, { rtol: 1e-4, atol: 1e-5 });
      });
    });
  }

  it('batch_first and unbatched inputs, and clear errors', () => {
    torch.tidy(() => {
      const m = new nn.RNN(3, 2, { batch_first: true });
      const [y, hn] = m.forward(torch.randn([5, 7, 3]));
      expect(y.shape).to.deep.equal([5, 7, 2]);
      expect(hn.shape).to.deep.equal([1, 5, 2]);
      const [y1] = m.forward(torch.randn([7, 3]));
      expect(y1.shape).to.deep.equal([7, 2]);
      expect(() => m.forward(torch.randn([5, 7, 4]))).to.throw(/input_size=3/);
      expect(() => new nn.RNN(3, 2, { bidirectional: true })).to.throw(RangeError, /bidirectional/);
    });
  });
});
