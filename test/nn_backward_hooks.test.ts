// Module full backward hooks (register_full_backward_hook / register_full_backward_pre_hook) and
// snnTorch's gradient monitors (SF.probe.GradInputMonitor / GradOutputMonitor). Values against
// PyTorch 1.13 (the script is in each test's comment), tolerance 1e-5 absolute + 1e-5 relative.
import { expect } from 'chai';
import { nn, snn, SF, torch } from '../lib/index.js';
import { expectClose } from './assert_close.js';

const TOL = { rtol: 1e-5, atol: 1e-5 };

/** PyTorch: torch.sin(torch.arange(n, dtype=float32) * 0.7 + off) * scale, reshaped. */
function det(shape: number[], scale: number, off: number): torch.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return torch.arange(n).float().mul(0.7).add(off).sin().mul(scale).reshape(shape);
}
const vals = (v: number[], shape: number[]): torch.Tensor => torch.tensor(v).reshape(shape);

// class Net(nn.Module): conv = Conv2d(1, 2, 3); fc = Linear(8, 3)
//   forward(x) = fc(tanh(conv(x)).flatten(1))
// weights det([2,1,3,3], .5, .1), det([2], .1, .2), det([3,8], .4, .3), det([3], .1, .4);
// x = det([2,1,4,4], 1, .5).requires_grad_(); loss = (net(x) * det([2,3], 1, .6)).sum()
class Net extends nn.Module {
  conv = new nn.Conv2d(1, 2, 3);
  fc = new nn.Linear(8, 3);
  forward(x: torch.Tensor): torch.Tensor {
    return this.fc.forward(this.conv.forward(x).tanh().flatten(1));
  }
}
function makeNet(): Net {
  const net = new Net();
  torch.no_grad(() => {
    net.conv.weight.copy_(det([2, 1, 3, 3], 0.5, 0.1));
    net.conv.bias!.copy_(det([2], 0.1, 0.2));
    net.fc.weight.copy_(det([3, 8], 0.4, 0.3));
    net.fc.bias!.copy_(det([3], 0.1, 0.4));
  });
  return net;
}
const input = (): torch.Tensor => det([2, 1, 4, 4], 1, 0.5).requires_grad_();
const lossOf = (y: torch.Tensor): torch.Tensor => y.mul(det([2, 3], 1, 0.6)).sum();

// PyTorch 1.13 values of the hooks' grad_input / grad_output (rounded to 7 decimals).
const FC_GRAD_IN = [
  -0.395774, 0.1798325, 0.6708611, 0.8463734, 0.6238228, 0.1078788, -0.4588025, -0.8097014, 0.3752811, 0.2292589, -0.0245874, -0.26687,
  -0.3836392, -0.3199771, -0.1058247, 0.1580987,
];
const FC_GRAD_OUT = [0.5646425, 0.9635582, 0.9092974, 0.4273801, -0.2555412, -0.8182771];
const CONV_GRAD_IN = [
  0.0105021, 0.0634325, 0.1502913, 0.1138002, 0.0552377, 0.1305237, 0.047236, -0.0321217, -0.0261454, -0.1363664, -0.1503304, -0.0647527,
  -0.0404686, -0.0589152, -0.0470633, -0.0164049, -0.0003312, -0.0003335, -0.0036673, -0.0071272, -0.0002061, -0.0181696, -0.0258607,
  -0.0053815, -0.0160077, -0.006858, 0.0108987, 0.0071605, 0.0166673, 0.0255166, 0.0185877, 0.0052756,
];
const CONV_GRAD_OUT = [
  -0.3097356, 0.1378969, 0.319773, 0.8427962, 0.4455314, 0.0901804, -0.2297719, -0.8038163, 0.0661708, 0.0608569, -0.0060598, -0.0533235,
  -0.0623642, -0.0750682, -0.030108, 0.0350621,
];
// With a fc hook returning grad_input * 2:
const X_GRAD2 = CONV_GRAD_IN.map((v) => v * 2);
const CONV_W_GRAD2 = [
  -1.600688, -2.4314065, -2.1185966, 0.8805039, 2.1562712, 2.4179103, -0.0585726, -1.6319674, -2.4378219, 1.98217, 2.8580883, 2.3898027,
  -1.1697936, -2.5869715, -2.7874563, 0.2222409, 2.0169165, 2.8630037,
];
const FC_W_GRAD2 = [
  0.6511425, 0.0936236, -0.7794695, -0.3455972, 0.6929649, 0.1451977, -0.7604467, -0.3288844, 0.2173422, -0.6843165, -0.4752323, 0.2912325,
  0.2812746, -0.6138462, -0.4646338, 0.3075785, -0.3186772, -1.1404115, 0.0525138, 0.7910907, -0.2627032, -1.0841882, 0.0497034, 0.7993822,
];

describe('nn.Module full backward hooks', () => {
  it('see grad_input and grad_output of a Conv2d / Linear net as PyTorch, last layer first', () => {
    const net = makeNet();
    const rec: [string, (torch.Tensor | null)[], (torch.Tensor | null)[]][] = [];
    for (const [name, m] of [
      ['conv', net.conv],
      ['fc', net.fc],
    ] as const) {
      m.register_full_backward_hook(
        (_m, gi, go) => void rec.push([name, gi.map((g) => g?.clone() ?? null), go.map((g) => g?.clone() ?? null)]),
      );
    }
    const x = input();
    lossOf(net.forward(x)).backward();
    expect(rec.map((r) => r[0])).to.deep.equal(['fc', 'conv']);
    expect(rec.map((r) => [r[1].length, r[2].length])).to.deep.equal([
      [1, 1],
      [1, 1],
    ]);
    expectClose(rec[0]![1][0]!, vals(FC_GRAD_IN, [2, 8]), 'fc grad_input', TOL);
    expectClose(rec[0]![2][0]!, vals(FC_GRAD_OUT, [2, 3]), 'fc grad_output', TOL);
    expectClose(rec[1]![1][0]!, vals(CONV_GRAD_IN, [2, 1, 4, 4]), 'conv grad_input', TOL);
    expectClose(rec[1]![2][0]!, vals(CONV_GRAD_OUT, [2, 2, 2, 2]), 'conv grad_output', TOL);
    expectClose(x.grad, vals(CONV_GRAD_IN, [2, 1, 4, 4]), 'x.grad', TOL);
  });
  it('a hook returning a new grad_input replaces the gradient flowing on, as PyTorch', () => {
    const net = makeNet();
    net.fc.register_full_backward_hook((_m, gi) => gi.map((g) => g!.mul(2)));
    const x = input();
    lossOf(net.forward(x)).backward();
    expectClose(x.grad, vals(X_GRAD2, [2, 1, 4, 4]), 'x.grad', TOL);
    expectClose(net.conv.weight.grad, vals(CONV_W_GRAD2, [2, 1, 3, 3]), 'conv.weight.grad', TOL);
    // fc's own weight gradient does not pass through its grad_input.
    expectClose(net.fc.weight.grad, vals(FC_W_GRAD2, [3, 8]), 'fc.weight.grad', TOL);
  });
  it('a pre-hook sees grad_output first and may replace it (scaling every gradient of the module and below)', () => {
    const ref = makeNet();
    lossOf(ref.forward(input())).backward();
    const net = makeNet();
    const log: string[] = [];
    net.fc.register_full_backward_hook(
      (_m, _gi, go) =>
        void log.push(
          `hook ${
            go[0]!
              .mul(1 / 3)
              .sub(vals(FC_GRAD_OUT, [2, 3]))
              .abs()
              .max()
              .item() < 1e-5
          }`,
        ),
    );
    net.fc.register_full_backward_pre_hook((_m, go) => {
      log.push(`pre ${go.length}`);
      return [go[0]!.mul(3)];
    });
    const x = input();
    lossOf(net.forward(x)).backward();
    expect(log).to.deep.equal(['pre 1', 'hook true']);
    expectClose(net.fc.weight.grad, ref.fc.weight.grad!.mul(3), 'fc.weight.grad', TOL);
    expectClose(x.grad, vals(CONV_GRAD_IN, [2, 1, 4, 4]).mul(3), 'x.grad', TOL);
  });
  it('an input without gradient gives grad_input [null]; changing it then is an error, as PyTorch', () => {
    const net = makeNet();
    const seen: unknown[] = [];
    const h = net.conv.register_full_backward_hook((_m, gi, go) => void seen.push(gi, go.length));
    lossOf(net.forward(det([2, 1, 4, 4], 1, 0.5))).backward();
    expect(seen).to.deep.equal([[null], 1]);
    h.remove();
    net.conv.register_full_backward_hook((_m, gi) => gi.map(() => torch.zeros([2, 1, 4, 4])));
    expect(() => lossOf(net.forward(det([2, 1, 4, 4], 1, 0.5))).backward()).to.throw(
      'Backward hook for Modules where no input requires gradient should always return None or None for all gradients.',
    );
  });
  it('handles remove the hook; no_grad forward sets up nothing; a hook error propagates out of backward', () => {
    const lin = new nn.Linear(3, 2);
    let calls = 0;
    const h = lin.register_full_backward_hook(() => void calls++);
    const x = torch.ones([1, 3]).requires_grad_();
    (lin.forward(x) as torch.Tensor).sum().backward();
    expect(calls).to.equal(1);
    torch.no_grad(() => lin.forward(x));
    h.remove();
    (lin.forward(x) as torch.Tensor).sum().backward();
    expect(calls).to.equal(1);
    lin.register_full_backward_hook(() => {
      throw new RangeError('from the hook');
    });
    expect(() => (lin.forward(x) as torch.Tensor).sum().backward()).to.throw(RangeError, 'from the hook');
  });
  it('checks what a hook returns, and the hook itself', () => {
    const lin = new nn.Linear(3, 2);
    const x = torch.ones([1, 3]).requires_grad_();
    const h1 = lin.register_full_backward_hook(() => [null, null]);
    expect(() => (lin.forward(x) as torch.Tensor).sum().backward()).to.throw(
      'Backward hook returned an invalid number of grad_input, got 2, but expected 1',
    );
    h1.remove();
    const h2 = lin.register_full_backward_hook(() => [torch.ones([2])]);
    expect(() => (lin.forward(x) as torch.Tensor).sum().backward()).to.throw('shape [2] at index 0, but expected [1, 3]');
    h2.remove();
    lin.register_full_backward_pre_hook(() => [1] as unknown as torch.Tensor[]);
    expect(() => (lin.forward(x) as torch.Tensor).sum().backward()).to.throw(TypeError, 'non-Tensor at index 0');
    expect(() => lin.register_full_backward_hook(42 as never)).to.throw(TypeError, 'hook');
    expect(() => lin.register_full_backward_pre_hook(null as never)).to.throw(TypeError, 'hook');
  });
  it('a neuron returning [spk, mem] gets one grad_output per output (null for an unused one)', () => {
    const lif = new snn.Leaky({ beta: 0.9 });
    const got: (torch.Tensor | null)[][] = [];
    lif.register_full_backward_hook((_m, gi, go) => void got.push(gi, go));
    const cur = torch.ones([2, 3]).mul(1.5).requires_grad_();
    const [spk] = lif.forward(cur) as [torch.Tensor, torch.Tensor];
    spk.sum().backward();
    expect(got.length).to.equal(2);
    expect(got[1]!.length).to.equal(2);
    expect(got[1]![0]!.shape).to.deep.equal([2, 3]);
    expect(got[1]![1]).to.equal(null);
    expect(got[0]![0]!.shape).to.deep.equal([2, 3]);
  });
});

describe('SF.probe gradient monitors', () => {
  it("GradInputMonitor / GradOutputMonitor record each layer's gradients per backward, by name", () => {
    const net = makeNet();
    const gin = new SF.probe.GradInputMonitor(net, nn.Linear);
    const gout = new SF.probe.GradOutputMonitor(net, [nn.Linear, nn.Conv2d], (g) => (g as torch.Tensor).abs().sum());
    torch.tidy(() => {
      lossOf(net.forward(input())).backward();
    });
    expect(gin.monitored_layers).to.deep.equal(['fc']);
    expect(gout.monitored_layers).to.deep.equal(['conv', 'fc']);
    expectClose(gin.get('fc') ? (gin.get('fc') as torch.Tensor[])[0]! : null, vals(FC_GRAD_IN, [2, 8]), 'fc grad_input record', TOL);
    expect(gout.records.length).to.equal(2);
    expect(gout.name_records_index).to.deep.equal({ conv: [1], fc: [0] });
    const sum = (v: number[]): number => v.reduce((a, b) => a + Math.abs(b), 0);
    expect((gout.get('fc') as torch.Tensor[])[0]!.item()).to.be.closeTo(sum(FC_GRAD_OUT), 1e-4);
    expect((gout.get('conv') as torch.Tensor[])[0]!.item()).to.be.closeTo(sum(CONV_GRAD_OUT), 1e-4);
    gin.disable();
    lossOf(net.forward(input())).backward();
    expect(gin.records.length).to.equal(1);
    expect(gout.records.length).to.equal(4);
    gout.clear_recorded_data();
    gout.remove_hooks();
    gin.remove_hooks();
    lossOf(net.forward(input())).backward();
    expect(gout.records.length).to.equal(0);
  });
});
