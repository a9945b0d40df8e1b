// Devices: 'cpu', 'cuda', 'cuda:N'. On a build without CUDA every CUDA request throws a clear error;
// on a CUDA machine those checks are skipped (with the reason printed) and a round trip runs instead.
import { expect } from 'chai';
import { torch, nn } from '../lib/index.js';

const cuda = torch.cuda.is_available();

describe('torch devices', () => {
  it('device strings are checked by form', () => {
    expect(torch.zeros([1], { device: 'cpu' }).device).to.equal('cpu');
    for (const bad of ['gpu', 'cuda:', 'cuda:x', 'CPU', '']) {
      expect(() => torch.zeros([1], { device: bad }), bad).to.throw(
        TypeError,
        /Expected a device \('cpu', 'cuda' or 'cuda:N'\) for device/,
      );
    }
    expect(torch.cuda.device_count()).to.be.a('number');
    expect(torch.__config__().cuda_available).to.equal(cuda);
  });

  describe('without CUDA', function () {
    before(function () {
      if (cuda) {
        console.log(`      (skipped: CUDA is available here with ${torch.cuda.device_count()} device(s); these check the CPU-only errors)`);
        this.skip();
      }
    });
    const clear = /CUDA is not available/;
    it('is_available() is false and device_count() is 0', () => {
      expect(torch.cuda.is_available()).to.equal(false);
      expect(torch.cuda.device_count()).to.equal(0);
    });
    it('creating, moving or synchronizing on cuda throws a clear error and the process goes on', () => {
      expect(() => torch.zeros([2], { device: 'cuda' })).to.throw(Error, clear);
      expect(() => torch.ones([2], { device: 'cuda:1' })).to.throw(Error, clear);
      expect(() => torch.tensor([1, 2], { device: 'cuda:0' })).to.throw(Error, clear);
      const x = torch.ones(2);
      expect(() => x.cuda()).to.throw(Error, clear);
      expect(() => x.cuda(0)).to.throw(Error, clear);
      expect(() => x.to('cuda')).to.throw(Error, clear);
      expect(() => x.to({ device: 'cuda:0', dtype: 'float64' })).to.throw(Error, clear);
      expect(() => torch.zeros_like(x, { device: 'cuda' })).to.throw(Error, clear);
      expect(() => torch.cuda.synchronize()).to.throw(Error, clear);
      expect(x.add(1).tolist()).to.deep.equal([2, 2]);
    });
    it('the error says how to get CUDA', () => {
      expect(() => torch.zeros([1], { device: 'cuda' })).to.throw(Error, /CUDA LibTorch|no CUDA device/);
    });
  });

  describe('with CUDA', function () {
    before(function () {
      if (!cuda) {
        console.log('      (skipped: this build or machine has no CUDA)');
        this.skip();
      }
    });
    it('round-trips a tensor through cuda:0 and computes there', () => {
      const x = torch.tensor([1, 2, 3], { dtype: 'float32' }).cuda();
      expect(x.device).to.equal('cuda:0');
      expect(x.is_cuda).to.equal(true);
      const y = x.mul(2).add(1);
      torch.cuda.synchronize();
      expect(y.cpu().tolist()).to.deep.equal([3, 5, 7]);
      expect(String(y)).to.equal("tensor([3., 5., 7.], device='cuda:0')");
      expect(() => torch.zeros([1], { device: `cuda:${torch.cuda.device_count()}` })).to.throw(Error);
    });
  });

  it('Module.to takes torch.device objects and names unavailable devices, never a dtype error', () => {
    const lin = new nn.Linear(2, 2);
    expect(lin.to(torch.device('cpu')).weight.device).to.equal('cpu');
    expect(() => lin.to('mps' as never)).to.throw(/MPS .*not available in LibTorch on Linux/);
    expect(() => lin.to('meta' as never)).to.throw(/'meta' device/);
    expect(lin.to('float64').weight.dtype).to.equal('float64');
    lin.dispose();
  });
});
