// nn: bad input gives a clear Error (what was expected, what was received), never a crash; the
// process keeps working afterwards.
import { expect } from 'chai';
import * as torch from '../lib/torch/index.js';
import { native } from '../lib/native.js';
import { Module } from '../lib/nn/module.js';
import { Linear } from '../lib/nn/linear.js';
import { Conv2d } from '../lib/nn/conv.js';
import { Sequential } from '../lib/nn/container.js';
import { Dropout, Flatten, ReLU } from '../lib/nn/activation.js';
import { CrossEntropyLoss, MSELoss } from '../lib/nn/loss.js';
import * as F from '../lib/nn/functional.js';
import * as init from '../lib/nn/init.js';
import { SGD } from '../lib/optim/index.js';

const bad = <T>(v: unknown): T => v as T;

describe('nn: bad input', () => {
  describe('layer constructors', () => {
    it('Linear rejects bad sizes, unknown options and non-floating dtypes', () => {
      expect(() => new Linear(-1, 2)).to.throw(RangeError, /Expected an integer >= 0 for in_features but received -1/);
      expect(() => new Linear(1.5, 2)).to.throw(TypeError, /Expected an integer for in_features but received 1.5 of type number/);
      expect(() => new Linear(bad('3'), 2)).to.throw(TypeError, /in_features but received "3" of type string/);
      expect(() => new Linear(2, 2, bad({ bais: false }))).to.throw(
        TypeError,
        /Unknown option 'bais' for Linear options; known options: bias, dtype, device/,
      );
      expect(() => new Linear(2, 2, bad({ bias: 'no' }))).to.throw(TypeError, /a boolean for bias/);
      expect(() => new Linear(2, 2, { dtype: 'int64' })).to.throw(TypeError, /a floating point dtype for dtype but received "int64"/);
      expect(() => new Linear(2, 2, bad({ dtype: 'float' + '128' }))).to.throw(TypeError, /Expected a dtype/);
      expect(() => new Linear(2, 2, { device: 'gpu' })).to.throw(TypeError, /Expected a device/);
    });

    it('Conv2d rejects bad kernel, stride, padding, dilation, groups and padding_mode', () => {
      expect(() => new Conv2d(1, 1, 0)).to.throw(RangeError, /kernel_size >= 1/);
      expect(() => new Conv2d(1, 1, bad([3, 3, 3]))).to.throw(TypeError, /an integer or a pair of integers for kernel_size/);
      expect(() => new Conv2d(1, 1, 3, { stride: 0 })).to.throw(RangeError, /stride >= 1/);
      expect(() => new Conv2d(1, 1, 3, { padding: -1 })).to.throw(RangeError, /padding >= 0/);
      expect(() => new Conv2d(1, 1, 3, { padding: bad('full') })).to.throw(TypeError, /padding/);
      expect(() => new Conv2d(1, 1, 3, { dilation: [1, 0] })).to.throw(RangeError, /dilation >= 1/);
      expect(() => new Conv2d(1, 1, 3, { padding: 'same', stride: 2 })).to.throw(
        RangeError,
        /padding='same' is not supported for strided convolutions/,
      );
      expect(() => new Conv2d(3, 4, 3, { groups: 2 })).to.throw(RangeError, /in_channels \(3\) must be divisible by groups \(2\)/);
      expect(() => new Conv2d(4, 3, 3, { groups: 2 })).to.throw(RangeError, /out_channels \(3\) must be divisible by groups \(2\)/);
      expect(() => new Conv2d(1, 1, 3, { groups: 0 })).to.throw(RangeError, /groups/);
      expect(() => new Conv2d(1, 1, 3, { padding_mode: bad('reflect') })).to.throw(
        TypeError,
        /one of 'zeros' for padding_mode but received "reflect"/,
      );
      expect(() => new Conv2d(1, 1, 3, bad({ strides: 2 }))).to.throw(TypeError, /Unknown option 'strides' for Conv2d options/);
      expect(() => new Conv2d(0, 1, 3)).to.throw(RangeError, /in_channels/);
    });

    it('containers, activations and losses check theirs', () => {
      expect(() => new Sequential(new ReLU(), bad<ReLU>({ forward: () => 1 }))).to.throw(
        TypeError,
        /Expected an nn.Module for Sequential argument 1/,
      );
      expect(() => new Sequential(new Map([['a.b', new ReLU()]]))).to.throw(TypeError, /name/);
      expect(() => new Sequential(new ReLU()).at(1)).to.throw(RangeError, /index/);
      expect(() => new ReLU(bad({ inplce: true }))).to.throw(TypeError, /Unknown option 'inplce'/);
      expect(() => new Dropout(1.5)).to.throw(RangeError, /between 0 and 1/);
      expect(() => new Flatten(bad('1'))).to.throw(TypeError, /start_dim/);
      expect(() => new MSELoss({ reduction: bad('avg') })).to.throw(
        TypeError,
        /one of 'mean', 'sum', 'none' for reduction but received "avg"/,
      );
      expect(() => new CrossEntropyLoss(bad({ ignore_idx: 0 }))).to.throw(
        TypeError,
        /Unknown option 'ignore_idx' for CrossEntropyLoss options/,
      );
      expect(() => new CrossEntropyLoss({ label_smoothing: 1.5 })).to.throw(RangeError, /label_smoothing must be between 0.0 and 1.0/);
      expect(() => new CrossEntropyLoss({ weight: bad([1, 2]) })).to.throw(TypeError, /a Tensor for weight/);
    });
  });

  describe('wrong shapes and types into layers', () => {
    it('Linear: the last dim must be in_features; dtypes must agree', () => {
      const l = new Linear(784, 128);
      expect(() => l.forward(torch.zeros([4, 10]))).to.throw(
        RangeError,
        /expected input with last dim 784 \(weight \[128, 784\]\) but received input of shape \[4, 10\]/,
      );
      expect(() => l.forward(torch.tensor(1))).to.throw(RangeError, /shape \[\]/);
      expect(() => l.forward(bad([[1, 2]]))).to.throw(TypeError, /Expected a Tensor for input but received \[object\] of type array/);
      expect(() => l.forward(torch.zeros([2, 784], { dtype: 'float64' }))).to.throw(
        TypeError,
        /input dtype float64 does not match weight dtype float32/,
      );
    });

    it('Conv2d: channels, rank, and kernel vs input size', () => {
      const c = new Conv2d(3, 8, 5);
      expect(() => c.forward(torch.zeros([1, 4, 8, 8]))).to.throw(
        RangeError,
        /expected input with 3 channels \(weight \[8, 3, 5, 5\], groups=1\) but received input of shape \[1, 4, 8, 8\]/,
      );
      expect(() => c.forward(torch.zeros([8, 8]))).to.throw(RangeError, /3-D \(unbatched\) or 4-D \(batched\) input .* shape \[8, 8\]/);
      expect(() => c.forward(torch.zeros([1, 1, 3, 8, 8]))).to.throw(RangeError, /shape \[1, 1, 3, 8, 8\]/);
      expect(() => c.forward(torch.zeros([1, 3, 4, 8]))).to.throw(RangeError, /input is 4x8 but the \(dilated\) kernel is 5x5/);
      expect(() => c.forward(torch.zeros([1, 3, 8, 8], { dtype: 'int64' }))).to.throw(
        TypeError,
        /dtype int64 does not match weight dtype float32/,
      );
    });

    it('Flatten and Sequential pass the errors through with the layer named', () => {
      expect(() => new Flatten(1, 3).forward(torch.zeros([2, 3]))).to.throw(
        RangeError,
        /Flatten\(start_dim=1, end_dim=3\) does not fit an input of shape \[2, 3\]/,
      );
      expect(() => new Flatten(2, 1).forward(torch.zeros([2, 3, 4]))).to.throw(RangeError, /start_dim \(2\) comes after end_dim \(1\)/);
      const s = new Sequential(new Linear(4, 3), new Linear(4, 2));
      expect(() => s.forward(torch.zeros([1, 4]))).to.throw(RangeError, /last dim 4 .* shape \[1, 3\]/);
    });
  });

  describe('nn.functional arguments', () => {
    const x = (): torch.Tensor => torch.randn([4, 3]);
    it('cross_entropy / nll_loss: target dtype, shape and range, weight shape, options', () => {
      expect(() => F.cross_entropy(x(), torch.tensor([0, 1, 2, 1], { dtype: 'int32' }))).to.throw(
        TypeError,
        /int64 class indices .* received a int32 target; use target.long\(\)/,
      );
      expect(() => F.cross_entropy(x(), torch.tensor([0, 1, 2]))).to.throw(
        RangeError,
        /expected target of shape \[4\] for input of shape \[4, 3\] but received target of shape \[3\]/,
      );
      expect(() => F.cross_entropy(x(), torch.tensor([0, 1, 2, 7]))).to.throw(Error, /out of bounds/);
      expect(() => F.cross_entropy(x(), torch.rand([4, 2]))).to.throw(
        RangeError,
        /probability target must have the input's shape \[4, 3\] but has shape \[4, 2\]/,
      );
      expect(() => F.cross_entropy(x(), torch.tensor([0, 1, 2, 1]), { weight: torch.ones([4]) })).to.throw(
        RangeError,
        /weight must have shape \[3\]/,
      );
      expect(() => F.cross_entropy(x(), torch.tensor([0, 1, 2, 1]), bad({ smoothing: 0.1 }))).to.throw(
        TypeError,
        /Unknown option 'smoothing' for cross_entropy options/,
      );
      expect(() => F.cross_entropy(x(), torch.tensor([0, 1, 2, 1]), { reduction: bad('max') })).to.throw(TypeError, /reduction/);
      expect(() => F.cross_entropy(x(), torch.tensor([0, 1, 2, 1]), { ignore_index: 0.5 })).to.throw(TypeError, /ignore_index/);
      expect(() => F.cross_entropy(torch.tensor(1.5), torch.tensor(0))).to.throw(RangeError, /class dim/);
      expect(() => F.nll_loss(x(), torch.tensor([0.5, 1, 2, 1], { dtype: 'float32' }))).to.throw(TypeError, /int64 class indices/);
    });

    it("mse_loss: shapes that cannot broadcast give LibTorch's error as a JS Error", () => {
      expect(() => F.mse_loss(torch.zeros([3]), torch.zeros([4]))).to.throw(
        Error,
        /size of tensor a \(3\) must match the size of tensor b \(4\)/,
      );
      expect(() => F.mse_loss(torch.zeros([3]), bad(3))).to.throw(TypeError, /a Tensor for target/);
    });

    it('linear / conv2d / one_hot / dropout / softmax check their arguments', () => {
      expect(() => F.linear(torch.zeros([2, 3]), torch.zeros([4, 3]), torch.zeros([5]))).to.throw(
        RangeError,
        /bias of shape \[5\] does not match weight \[4, 3\]/,
      );
      expect(() => F.linear(torch.zeros([2, 3]), torch.zeros([4, 3, 1]))).to.throw(RangeError, /weight must have 1 or 2 dims/);
      expect(() => F.conv2d(torch.zeros([1, 2, 5, 5]), torch.zeros([4, 2, 3]))).to.throw(RangeError, /weight must have 4 dims/);
      expect(() => F.conv2d(torch.zeros([1, 2, 5, 5]), torch.zeros([4, 2, 3, 3]), torch.zeros([3]))).to.throw(
        RangeError,
        /bias must have shape \[4\]/,
      );
      expect(() => F.conv2d(torch.zeros([1, 2, 5, 5]), torch.zeros([4, 2, 3, 3]), null, bad({ pad: 1 }))).to.throw(
        TypeError,
        /Unknown option 'pad' for conv2d options/,
      );
      expect(() => F.one_hot(torch.tensor([0.5], { dtype: 'float32' }))).to.throw(
        TypeError,
        /one_hot is only applicable to int64 index tensors/,
      );
      expect(() => F.one_hot(torch.tensor([0, 3]), 2)).to.throw(Error, /smaller than num_classes/);
      expect(() => F.one_hot(torch.tensor([-1, 0]))).to.throw(Error, /non-negative/);
      expect(() => F.one_hot(torch.tensor([0]), -2)).to.throw(RangeError, /num_classes/);
      expect(() => F.dropout(torch.zeros([2]), 1.5)).to.throw(RangeError, /between 0 and 1/);
      expect(() => F.dropout(torch.zeros([2]), bad({ prob: 0.1 }))).to.throw(TypeError, /Unknown option 'prob'/);
      expect(() => F.softmax(torch.zeros([2, 2]), 2)).to.throw(RangeError, /dim/);
      expect(() => F.relu(torch.zeros([2]), bad({ in_place: true }))).to.throw(TypeError, /Unknown option 'in_place'/);
    });

    it('nn.init: dtypes, ranks, nonlinearities and modes', () => {
      expect(() => init.uniform_(torch.zeros([2], { dtype: 'int64' }))).to.throw(TypeError, /floating point Tensor for tensor/);
      expect(() => init.uniform_(torch.zeros([2]), 1, 0)).to.throw(RangeError, /a <= b/);
      expect(() => init.normal_(torch.zeros([2]), 0, -1)).to.throw(RangeError, /std >= 0/);
      expect(() => init.kaiming_uniform_(torch.zeros([3]))).to.throw(RangeError, /fewer than 2 dimensions \(shape \[3\]\)/);
      expect(() => init.kaiming_uniform_(torch.zeros([3, 3]), { nonlinearity: bad('gelu') })).to.throw(
        TypeError,
        /nonlinearity but received "gelu"/,
      );
      expect(() => init.kaiming_uniform_(torch.zeros([3, 3]), 0, bad('fan_avg'))).to.throw(TypeError, /'fan_in', 'fan_out' for mode/);
      expect(() => init.kaiming_uniform_(torch.zeros([3, 3]), bad({ slope: 1 }))).to.throw(TypeError, /Unknown option 'slope'/);
      expect(() => init.xavier_uniform_(torch.zeros([3]))).to.throw(RangeError, /fewer than 2 dimensions/);
      expect(() => init.calculate_gain(bad('swish'))).to.throw(TypeError, /nonlinearity/);
      // A zero-element tensor is a no-op, as in PyTorch.
      expect(init.kaiming_uniform_(torch.zeros([0, 3])).shape).to.deep.equal([0, 3]);
    });
  });

  describe('Module.to', () => {
    it('parses its argument as Tensor.to does: bad dtypes, devices and objects are named, not ignored', () => {
      const l = new Linear(2, 2);
      expect(() => l.to(bad('float33'))).to.throw(TypeError, /dtype/);
      expect(() => l.to(bad({ dtype: 'float32', copy: true }))).to.throw(TypeError, /Unknown option 'copy'/);
      expect(() => l.to('mps')).to.throw(Error, /mps.*not available/);
      // A Tensor is not a device: it used to pass as an empty options object and do nothing.
      expect(() => l.to(bad(torch.zeros([1], { dtype: 'float64' })))).to.throw(TypeError, /device/);
      expect(l.weight.dtype).to.equal('float32');
      expect(() => torch.zeros([1]).to(bad(new Linear(1, 1)))).to.throw(TypeError, /device/);
    });
  });

  describe('state dicts', () => {
    it('load_state_dict names non-Tensor values, shape mismatches and bad options', () => {
      const l = new Linear(2, 2);
      expect(() =>
        l.load_state_dict(
          new Map<string, unknown>([
            ['weight', [1, 2]],
            ['bias', torch.zeros([2])],
          ]),
        ),
      ).to.throw(Error, /value for weight is not a Tensor/);
      expect(() => l.load_state_dict({ weight: torch.zeros([3, 2]), bias: torch.zeros([2]) })).to.throw(
        Error,
        /size mismatch for weight: copying a param with shape \[3, 2\] from checkpoint, the shape in current model is \[2, 2\]/,
      );
      expect(() => l.load_state_dict({}, bad({ strcit: false }))).to.throw(TypeError, /Unknown option 'strcit'/);
      expect(() => l.load_state_dict(bad(5))).to.throw(TypeError, /state_dict/);
    });
  });

  describe('native entry points with garbage arguments', () => {
    it('throw TypeErrors / Errors instead of crashing', () => {
      const t = torch.zeros([2, 2]);
      expect(() => native.init_uniform_(bad({}), 0, 1)).to.throw(TypeError, /Expected a Tensor/);
      expect(() => native.init_uniform_(t.handle, bad('0'), 1)).to.throw(TypeError, /Expected a number/);
      expect(() => native.init_kaiming_uniform_(t.handle, 0, bad('sideways'), 'relu')).to.throw(
        Error,
        /mode must be 'fan_in' or 'fan_out'/,
      );
      expect(() => native.init_kaiming_uniform_(t.handle, 0, 'fan_in', bad('gelu'))).to.throw(Error, /unsupported nonlinearity 'gelu'/);
      expect(() => native.init_fan_in_and_fan_out(torch.zeros([2]).handle)).to.throw(Error, /fewer than 2 dimensions/);
      expect(() => native.init_constant_(t.handle, bad(null))).to.throw(TypeError);
      const gone = torch.zeros([2, 2]);
      const h = gone.handle;
      gone.dispose();
      expect(() => native.init_ones_(h)).to.throw(Error, /after dispose/);
      expect(() => native.linear(bad(null), t.handle)).to.throw(TypeError);
      expect(() =>
        native.conv2d(torch.zeros([1, 1, 3, 3]).handle, torch.zeros([1, 1, 3, 3]).handle, null, [0, 0], [0, 0], [1, 1], 1),
      ).to.throw(Error, /stride/);
    });
  });

  describe('afterwards', () => {
    it('the process still trains: forward, backward, step', () => {
      const model = new Sequential(new Linear(3, 4), new ReLU(), new Linear(4, 2));
      const opt = new SGD(model.parameters(), { lr: 0.1 });
      const loss = F.cross_entropy(model.forward(torch.randn([5, 3])), torch.tensor([0, 1, 1, 0, 1]));
      loss.backward();
      opt.step();
      expect(Number.isFinite(loss.item())).to.equal(true);
      expect(model).to.be.instanceOf(Module);
    });
  });
});
