// Leaky/RLeaky's step and sequence natives and snn_spike take the same named config as the generic
// neuron step (native/binding/snn_args.h): names, not integer codes. Good names give the module's
// results; a wrong name, type or missing field is a JS Error naming the field and the choices.
import { expect } from 'chai';
import { torch, snn } from '../lib/index.js';
import { native, type SnnStepConfig } from '../lib/native.js';
import { wrap } from '../lib/torch/tensor.js';

const CFG: SnnStepConfig = { reset: 'zero', reset_delay: false, surrogate: 'fast_sigmoid', surrogate_param: 25, surrogate_disable: false };

describe('snn natives: the named step config', () => {
  it('snn_leaky_step with a named config gives what Leaky(reset_mechanism="zero", reset_delay=false) gives', () => {
    torch.tidy(() => {
      torch.manual_seed(3);
      const x = torch.rand([4, 5]).mul(2);
      const m = torch.rand([4, 5]);
      const lif = new snn.Leaky({ beta: 0.8, reset_mechanism: 'zero', reset_delay: false, spike_grad: snn.surrogate.fast_sigmoid(25) });
      const [s0, m0] = lif.forward(x, m) as [torch.Tensor, torch.Tensor];
      const one = torch.tensor(1.0);
      const [s1, m1] = native.snn_leaky_step(x.handle, m.handle, torch.tensor(0.8).handle, one.handle, one.handle, CFG);
      same(s0, wrap(s1));
      same(m0, wrap(m1));
    });
  });

  it('refuses a bad or missing field by name', () => {
    torch.tidy(() => {
      const t = torch.zeros([2, 3]);
      const one = torch.tensor(1.0);
      const step = (cfg: unknown) => () =>
        native.snn_leaky_step(t.handle, t.handle, one.handle, one.handle, one.handle, cfg as SnnStepConfig);
      expect(step({ ...CFG, reset: 'half' })).to.throw(/config\.reset must be 'subtract', 'zero' or 'none', got 'half'/);
      expect(step({ ...CFG, surrogate: 'tanh' })).to.throw(/config\.surrogate must be one of .*got 'tanh'/);
      expect(step({ ...CFG, reset_delay: 1 })).to.throw(/config\.reset_delay must be a boolean/);
      expect(step({ reset: 'zero' })).to.throw(/config\.reset_delay is missing/);
      expect(step(0)).to.throw(/expected a neuron step config object/);
      expect(() =>
        native.snn_rleaky_step(t.handle, t.handle, t.handle, one.handle, one.handle, {
          ...CFG,
          surrogate_param: '2',
        } as unknown as SnnStepConfig),
      ).to.throw(/config\.surrogate_param must be a number/);
      expect(() => native.snn_spike(t.handle, 'erf' as SnnStepConfig['surrogate'], 1)).to.throw(/config\.surrogate must be one of/);
    });
  });

  it('the sequence natives take the config and a named feedback; a bad feedback kind is refused by name', () => {
    torch.tidy(() => {
      torch.manual_seed(4);
      const x = torch.rand([3, 2, 4]).mul(2);
      const z = torch.zeros([2, 4]);
      const b = torch.tensor(0.9);
      const th = torch.tensor(1.0);
      const V = torch.rand([4]);
      const [spk, mem] = native.snn_rleaky_sequence(
        x.handle,
        0,
        z.handle,
        z.handle,
        b.handle,
        th.handle,
        { kind: 'one_to_one', V: V.handle },
        CFG,
      );
      const r = new snn.RLeaky({
        beta: 0.9,
        all_to_all: false,
        V,
        reset_mechanism: 'zero',
        reset_delay: false,
        spike_grad: snn.surrogate.fast_sigmoid(25),
      });
      const [spk2, mem2] = r.sequence(x, { spk: z, mem: z });
      same(wrap(spk), spk2);
      same(wrap(mem), mem2);
      expect(() =>
        native.snn_rleaky_sequence(x.handle, 0, z.handle, z.handle, b.handle, th.handle, { kind: 'dense' as 'linear' }, CFG),
      ).to.throw(/feedback\.kind must be 'one_to_one', 'linear' or 'conv', got 'dense'/);
      expect(() =>
        native.snn_rleaky_sequence(
          x.handle,
          0,
          z.handle,
          z.handle,
          b.handle,
          th.handle,
          { kind: 'conv', padding: [1] as unknown as [number, number] },
          CFG,
        ),
      ).to.throw(/feedback\.padding must be an array of two integers/);
      const [ls] = native.snn_leaky_sequence(x.handle, 0, z.handle, b.handle, th.handle, th.handle, CFG);
      expect(wrap(ls).shape).to.deep.equal([3, 2, 4]);
      expect(() =>
        native.snn_leaky_sequence(x.handle, 0, z.handle, b.handle, th.handle, th.handle, { ...CFG, reset: 1 } as unknown as SnnStepConfig),
      ).to.throw(/config\.reset must be a string/);
    });
  });

  it('a config parsed once (snn_step_config) is accepted wherever a config is; a neuron keeps one per setting', () => {
    torch.tidy(() => {
      torch.manual_seed(5);
      const x = torch.rand([4, 5]).mul(2);
      const m = torch.rand([4, 5]);
      const b = torch.tensor(0.8);
      const one = torch.tensor(1.0);
      const h = native.snn_step_config(CFG);
      const [s0, m0] = native.snn_leaky_step(x.handle, m.handle, b.handle, one.handle, one.handle, CFG);
      const [s1, m1] = native.snn_leaky_step(x.handle, m.handle, b.handle, one.handle, one.handle, h);
      same(wrap(s0), wrap(s1));
      same(wrap(m0), wrap(m1));
      expect(() => native.snn_step_config({ ...CFG, reset: 'half' } as unknown as SnnStepConfig)).to.throw(/config\.reset must be/);
      // Anything else is read as the named object, and refused by its first missing field.
      expect(() =>
        native.snn_leaky_step(x.handle, m.handle, b.handle, one.handle, one.handle, x.handle as unknown as SnnStepConfig),
      ).to.throw(/config\.reset is missing/);
      const lif = new snn.Leaky({ beta: 0.8 });
      const cfgOf = (n: snn.Leaky): unknown => (n as unknown as { _fusedConfig(): unknown })._fusedConfig();
      const c1 = cfgOf(lif);
      expect(cfgOf(lif)).to.equal(c1);
      lif.reset_mechanism = 'zero';
      const c2 = cfgOf(lif);
      expect(c2).to.not.equal(c1);
      expect(cfgOf(lif)).to.equal(c2);
      // The new setting reaches the kernel: zero reset gives the module's composed result.
      const [sf, mf] = lif.forward(x, m) as [torch.Tensor, torch.Tensor];
      const [sc, mc] = snn.with_step_impl('composed', () => lif.forward(x, m)) as [torch.Tensor, torch.Tensor];
      same(sf, sc);
      same(mf, mc);
    });
  });
});

/** Bit-for-bit equality (the fused natives and the modules run the same kernel). */
function same(a: torch.Tensor, b: torch.Tensor): void {
  expect(a.tolist()).to.deep.equal(b.tolist());
}
