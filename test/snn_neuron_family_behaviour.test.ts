// Options, errors and departures of Synaptic, RSynaptic, Alpha, Lapicque and SLSTM beyond the
// golden values, and the reset_mechanism_val a state dict loads into any neuron.
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { torch, snn, nn } from '../lib/index.js';
import type { FixtureTensor } from './fixture_tensors.js';
import { expectClose, expectExact, fixtureTensor } from './assert_close.js';

interface Case {
  name: string;
  ctor: Record<string, unknown>;
  T: number;
  parameters: Record<string, FixtureTensor>;
  x: FixtureTensor;
  records: Record<string, FixtureTensor>;
}

describe('snn neuron family: options and errors', () => {
  it('init_hidden returns the spike alone, output: true the full tuple; state arguments are refused', () => {
    torch.tidy(() => {
      const x = torch.randn([2, 3]);
      const a = new snn.Synaptic({ alpha: 0.9, beta: 0.8, init_hidden: true });
      const s: torch.Tensor = a.forward(x);
      expect(s.shape).to.deep.equal([2, 3]);
      expect(a.syn.shape).to.deep.equal([2, 3]);
      expect(() => a.forward(x, torch.zeros([2, 3]))).to.throw(TypeError, /init_hidden/);
      const b = new snn.Alpha({ alpha: 0.9, beta: 0.8, init_hidden: true, output: true });
      const [spk, exc, inh, mem] = b.forward(x);
      for (const t of [spk, exc, inh, mem]) expect(t.shape).to.deep.equal([2, 3]);
      const c = new snn.RSynaptic({ alpha: 0.9, beta: 0.8, linear_features: 3 });
      const out = c.forward(x);
      expect(out).to.have.length(3);
    });
  });

  it("checks constructor arguments with snnTorch's rules", () => {
    expect(() => new snn.Synaptic({ beta: 0.8 } as unknown as snn.SynapticOptions)).to.throw(TypeError, /alpha is required/);
    expect(() => new snn.Synaptic({ alpha: 0.9, beta: 0.8, reset_delay: 'no' as unknown as boolean })).to.throw(/reset_delay/);
    expect(() => new snn.Alpha({ alpha: 0.5, beta: 0.8 })).to.throw(RangeError, /alpha must be greater than beta/);
    // beta = 1 always fails the alpha > beta check first (alpha is clamped to [0, 1]), as in snnTorch.
    expect(() => new snn.Alpha({ alpha: 1.2, beta: 1 })).to.throw(RangeError, /alpha must be greater than beta/);
    expect(() => new snn.Alpha({ alpha: 0.9, beta: 0.8, reset_delay: false } as unknown as snn.AlphaOptions)).to.throw(
      TypeError,
      /Unknown option 'reset_delay'/,
    );
    expect(() => new snn.Lapicque()).to.throw(TypeError, /give beta, or R and C/);
    expect(() => new snn.Lapicque({ R: 2 })).to.throw(TypeError, /give beta, or R and C/);
    expect(() => new snn.RSynaptic({ alpha: 0.9, beta: 0.8 })).to.throw(TypeError, /linear_features/);
    expect(() => new snn.RSynaptic({ alpha: 0.9, beta: 0.8, all_to_all: false, linear_features: 3 })).to.throw(
      TypeError,
      /only with all_to_all=true/,
    );
    expect(() => new snn.SLSTM(0, 3)).to.throw(/input_size/);
  });

  it('defaults: Alpha resets to zero, SLSTM does not reset, the others subtract', () => {
    expect(new snn.Alpha({ alpha: 0.9, beta: 0.8 }).reset_mechanism).to.equal('zero');
    expect(new snn.SLSTM(2, 2).reset_mechanism).to.equal('none');
    expect(new snn.Synaptic({ alpha: 0.9, beta: 0.8 }).reset_mechanism).to.equal('subtract');
    expect(new snn.Lapicque({ beta: 0.9 }).reset_mechanism).to.equal('subtract');
  });

  it('Alpha(learn_alpha: true) works (snnTorch 0.9.4 raises): alpha is a Parameter, clamped in the step, and learns', () => {
    torch.tidy(() => {
      const n = new snn.Alpha({ alpha: 0.9, beta: 0.5, learn_alpha: true });
      expect(n.alpha).to.be.instanceOf(nn.Parameter);
      expect([...n.named_parameters()].map(([k]) => k)).to.deep.equal(['alpha']);
      const x = torch.ones([1, 2]).mul(0.7);
      let mem = torch.zeros([1, 2]);
      for (let t = 0; t < 4; t++) [, , , mem] = n.forward(x);
      mem.sum().backward();
      expect(Math.abs(n.alpha.grad!.item())).to.be.greaterThan(0);
    });
  });

  it('Lapicque derives beta = exp(-Δt/(R·C)) as a [1] buffer, and C from beta and R', () => {
    torch.tidy(() => {
      const a = new snn.Lapicque({ R: 5.1, C: 5e-3, time_step: 1e-3 });
      expect(a.beta.shape).to.deep.equal([1]);
      expect(a.beta.item()).to.be.closeTo(Math.exp(-1e-3 / (5.1 * 5e-3)), 1e-6);
      const b = new snn.Lapicque({ beta: 0.8, R: 2 });
      expect(b.C.item()).to.be.closeTo(1 / (2 * Math.log(1 / 0.8)), 1e-6);
    });
  });

  it('SLSTM keeps its state across steps when input_size != hidden_size (snnTorch 0.9.4 zeroes it every step)', () => {
    torch.tidy(() => {
      torch.manual_seed(3);
      const n = new snn.SLSTM(4, 2, { threshold: 0.1 });
      const x = torch.randn([3, 4]);
      const [, syn1, mem1] = n.forward(x);
      expect(syn1.shape).to.deep.equal([3, 2]);
      const [, syn2] = n.forward(x);
      // From a nonzero state the second step differs from the first.
      expect(syn2.sub(syn1).abs().max().item()).to.be.greaterThan(1e-4);
      // Passing the states explicitly is the same as letting the neuron keep them.
      const m = new snn.SLSTM(4, 2, { threshold: 0.1 });
      m.load_state_dict(n.state_dict());
      const [, syn2b] = m.forward(x, syn1, mem1);
      expectClose(syn2b, syn2, 'syn', { rtol: 0, atol: 0 });
    });
  });

  it('RSynaptic(reset_delay: false) applies the immediate reset (snnTorch 0.9.4 drops it): with V = 0 it equals Synaptic', () => {
    const cases = (
      JSON.parse(readFileSync(new URL('./fixtures/neurons/synaptic.json', import.meta.url), 'utf8')) as { cases: Case[] }
    ).cases.filter((c) => c.name.startsWith('synaptic_reset_delay_false'));
    expect(cases).to.have.length(2);
    for (const c of cases) {
      torch.tidy(() => {
        const n = new snn.RSynaptic({
          alpha: c.ctor.alpha as number,
          beta: c.ctor.beta as number,
          reset_mechanism: c.ctor.reset_mechanism as snn.ResetMechanism | undefined,
          reset_delay: false,
          all_to_all: false,
          V: 0,
          learn_recurrent: false,
        });
        const [S, SYN, MEM] = n.sequence(fixtureTensor(c.x));
        expectExact(S, c.records.spk!, `${c.name}: spk`);
        expectClose(SYN, c.records.syn!, `${c.name}: syn`, { rtol: 1e-5, atol: 1e-6 });
        expectClose(MEM, c.records.mem!, `${c.name}: mem`, { rtol: 1e-5, atol: 1e-6 });
      });
    }
  });

  it('sequence() checks its options by name and refuses init_hidden', () => {
    torch.tidy(() => {
      const n = new snn.Synaptic({ alpha: 0.9, beta: 0.8 });
      expect(() => n.sequence(torch.randn([4, 2, 3]), { spk: torch.zeros([2, 3]) })).to.throw(TypeError, /Unknown option 'spk'/);
      const [S] = n.sequence(torch.randn([2, 3]), { num_steps: 5 });
      expect(S.shape).to.deep.equal([5, 2, 3]);
      const h = new snn.Synaptic({ alpha: 0.9, beta: 0.8, init_hidden: true });
      expect(() => h.sequence(torch.randn([4, 2, 3]))).to.throw(TypeError, /init_hidden/);
    });
  });
});

describe('reset_mechanism_val loaded from a state dict', () => {
  for (const impl of ['fused', 'composed'] as const) {
    it(`a loaded valid value takes effect (${impl} step)`, () => {
      snn.with_step_impl(impl, () =>
        torch.tidy(() => {
          const n = new snn.Leaky({ beta: 0.5 });
          const sd = n.state_dict();
          sd.set('reset_mechanism_val', torch.tensor(1, { dtype: 'int64' }));
          n.load_state_dict(sd);
          expect(n.reset_mechanism).to.equal('zero');
          // mem_prev 3 (above threshold 1), x 1, beta 0.5: zero reset gives 0.5·0·3 + 1 = 1; subtract would give 1.5 + 1 - 1 = 1.5.
          const [, m] = n.forward(torch.tensor([1.0], { dtype: 'float32' }), torch.tensor([3.0], { dtype: 'float32' }));
          expect(m.item()).to.be.closeTo(1.0, 1e-6);
        }),
      );
    });
  }

  it('an invalid value is refused with a clear error and the neuron keeps its mechanism', () => {
    torch.tidy(() => {
      for (const bad of [7, -1, 3]) {
        const n = new snn.RLeaky({ beta: 0.5, linear_features: 2 });
        const sd = n.state_dict();
        sd.set('reset_mechanism_val', torch.tensor(bad, { dtype: 'int64' }));
        expect(() => n.load_state_dict(sd)).to.throw(
          RangeError,
          new RegExp(`reset_mechanism_val is ${bad}; expected 0 \\(subtract\\), 1 \\(zero\\) or 2 \\(none\\)`),
        );
        expect(n.reset_mechanism).to.equal('subtract');
        expect(n.reset_mechanism_val.item()).to.equal(0);
      }
    });
  });

  it('a neuron nested in a network picks up the loaded value', () => {
    torch.tidy(() => {
      const net = new nn.Sequential(new nn.Linear(2, 2), new snn.Synaptic({ alpha: 0.9, beta: 0.8, init_hidden: true }));
      const sd = net.state_dict();
      sd.set('1.reset_mechanism_val', torch.tensor(2, { dtype: 'int64' }));
      net.load_state_dict(sd);
      expect((net as unknown as Record<string, snn.Synaptic>)['1']!.reset_mechanism).to.equal('none');
    });
  });
});
