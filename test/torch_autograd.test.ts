// Autograd: backward (with a gradient, retain_graph), torch.autograd.grad, grad mode and its
// thread-locality. Gradients are derived by hand; float32 comparisons use a tolerance of 1e-5.
import { expect } from 'chai';
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { torch } from '../lib/index.js';

const TOL = 1e-5;
function close(t: torch.Tensor | null, expected: number[]): void {
  expect(t).to.not.equal(null);
  const a = Array.from(t!.data() as Float32Array);
  expect(a.length).to.equal(expected.length);
  for (let i = 0; i < a.length; i++) expect(a[i]!, `element ${i}`).to.be.closeTo(expected[i]!, TOL);
}

describe('torch autograd: backward', () => {
  it('scalar backward fills leaf grads (y = sum(w*x + b) -> dw = x, db = 1)', () => {
    const w = torch.tensor([1, 2, 3], { requires_grad: true });
    const b = torch.tensor(0.5, { requires_grad: true });
    const x = torch.tensor([4, 5, 6], { dtype: 'float32' });
    w.mul(x).add(b).sum().backward();
    close(w.grad, [4, 5, 6]);
    close(b.grad, [3]);
    expect(x.grad).to.equal(null);
  });

  it('a non-scalar output takes the gradient argument (vector-Jacobian product)', () => {
    const x = torch.tensor([1, 2], { requires_grad: true });
    const y = x.pow(2); // dy/dx = 2x
    y.backward(torch.tensor([1, 10], { dtype: 'float32' }));
    close(x.grad, [2, 40]);
    const z = x.mul(3);
    expect(() => z.backward()).to.throw(Error, /grad can be implicitly created only for scalar outputs/);
  });

  it('grads accumulate; retain_graph allows a second backward', () => {
    const x = torch.tensor([2], { requires_grad: true });
    const y = x.mul(x).sum(); // dy/dx = 2x = 4
    y.backward(null, { retain_graph: true });
    y.backward();
    close(x.grad, [8]);
    expect(() => y.backward()).to.throw(Error, /backward through the graph a second time/);
    x.grad = null;
    expect(x.grad).to.equal(null);
  });

  it('torch.autograd.grad returns grads without touching .grad, and create_graph gives second derivatives', () => {
    const x = torch.tensor([3], { requires_grad: true });
    const y = x.pow(3).sum(); // y' = 3x^2 = 27, y'' = 6x = 18
    const [g] = torch.autograd.grad(y, x, { create_graph: true });
    close(g!, [27]);
    expect(x.grad).to.equal(null);
    const [g2] = torch.autograd.grad(g!.sum(), [x]);
    close(g2!, [18]);
    const unused = torch.tensor([1], { requires_grad: true });
    const [a, b] = torch.autograd.grad(x.mul(2).sum(), [x, unused], { allow_unused: true });
    close(a!, [2]);
    expect(b).to.equal(null);
  });

  it('is_leaf, grad_fn, detach and requires_grad_', () => {
    const x = torch.ones([2], { requires_grad: true });
    const y = x.add(1);
    expect([x.is_leaf, y.is_leaf]).to.deep.equal([true, false]);
    expect(y.grad_fn!.name()).to.match(/AddBackward/);
    const d = y.detach();
    expect([d.requires_grad, d.is_leaf, d.grad_fn]).to.deep.equal([false, true, null]);
    const z = torch.zeros(2);
    expect(z.requires_grad_().requires_grad).to.equal(true);
    z.requires_grad_(false);
    expect(z.requires_grad).to.equal(false);
  });
});

describe('torch autograd: grad mode', () => {
  afterEach(() => torch.set_grad_enabled(true));

  it('no_grad(fn) turns tracking off inside and restores it, even when fn throws', () => {
    const x = torch.ones([1], { requires_grad: true });
    const y = torch.no_grad(() => {
      expect(torch.is_grad_enabled()).to.equal(false);
      return x.mul(2);
    });
    expect(y.requires_grad).to.equal(false);
    expect(torch.is_grad_enabled()).to.equal(true);
    expect(() =>
      torch.no_grad(() => {
        throw new Error('boom');
      }),
    ).to.throw('boom');
    expect(torch.is_grad_enabled()).to.equal(true);
  });

  it('enable_grad inside no_grad; set_grad_enabled / is_grad_enabled', () => {
    const x = torch.ones([1], { requires_grad: true });
    const y = torch.no_grad(() => torch.enable_grad(() => x.mul(2)));
    expect(y.requires_grad).to.equal(true);
    torch.set_grad_enabled(false);
    expect(torch.is_grad_enabled()).to.equal(false);
    expect(x.mul(2).requires_grad).to.equal(false);
    torch.set_grad_enabled(true);
    expect(x.mul(2).requires_grad).to.equal(true);
    expect(() => torch.set_grad_enabled('no' as never)).to.throw(TypeError, /mode/);
    expect(() => torch.no_grad(async () => 1)).to.throw(TypeError, /synchronous/);
  });

  it('grad mode is per thread in LibTorch: a worker thread does not inherit no_grad', async () => {
    // Every op runs on the thread that calls it; a worker starts with grad mode on, whatever the
    // main thread set. The worker loads the same addon file directly (plain JS, no tsx needed).
    const root = join(dirname(fileURLToPath(import.meta.url)), '..');
    const require = createRequire(join(root, 'package.json'));
    const addon = process.env.SNNTORCH_NODE_BINARY ?? (require('node-gyp-build') as { path(dir: string): string }).path(root);
    torch.set_grad_enabled(false);
    const code = `
      const { parentPort, workerData } = require('node:worker_threads');
      const native = require(workerData);
      const before = native.is_grad_enabled();
      native.set_grad_enabled(false);
      parentPort.postMessage({ before, after: native.is_grad_enabled() });`;
    const result = await new Promise<{ before: boolean; after: boolean }>((resolve, reject) => {
      const w = new Worker(code, { eval: true, workerData: addon });
      w.once('message', resolve);
      w.once('error', reject);
    });
    expect(result).to.deep.equal({ before: true, after: false });
    expect(torch.is_grad_enabled()).to.equal(false); // the worker's setting did not reach this thread
  });
});
