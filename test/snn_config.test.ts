// snn.config: reading and setting the step and sequence implementations, and its errors.
import { expect } from 'chai';
import { torch, snn } from '../lib/index.js';

describe('snn.config', () => {
  let saved: snn.ImplConfig;
  beforeEach(() => {
    saved = snn.config();
  });
  afterEach(() => {
    snn.config(saved);
  });

  it('reads the settings without changing them, and returns a copy', () => {
    const a = snn.config();
    expect(Object.keys(a).sort()).to.deep.equal(['sequence', 'step']);
    expect(['fused', 'composed']).to.include(a.step);
    expect(['native', 'loop']).to.include(a.sequence);
    a.step = a.step === 'fused' ? 'composed' : 'fused';
    expect(snn.config()).to.deep.equal(saved);
  });

  it('sets the keys given, keeps the others, and returns the new settings', () => {
    expect(snn.config({ step: 'composed' })).to.deep.equal({ step: 'composed', sequence: saved.sequence });
    expect(snn.get_step_impl()).to.equal('composed');
    expect(snn.config({ sequence: 'loop' })).to.deep.equal({ step: 'composed', sequence: 'loop' });
    expect(snn.config({ step: 'fused', sequence: 'native' })).to.deep.equal({ step: 'fused', sequence: 'native' });
  });

  it('the settings take effect: composed steps, and the sequence loop instead of the native node', () => {
    torch.tidy(() => {
      const x = torch.rand([3, 2, 4]).requires_grad_(true);
      const lif = new snn.Leaky({ beta: 0.9 });
      snn.config({ step: 'fused', sequence: 'native' });
      expect(lif.sequence(x)[1].grad_fn!.name()).to.include('SeqFn');
      snn.config({ sequence: 'loop' });
      expect(lif.sequence(x)[1].grad_fn!.name()).to.not.include('SeqFn');
      const step = (): string => {
        lif.reset_mem();
        return lif.forward(x.select(0, 0))[1].grad_fn!.name();
      };
      expect(step()).to.include('StepFn');
      snn.config({ step: 'composed' });
      expect(step()).to.not.include('StepFn');
    });
  });

  it('set_step_impl (deprecated) and with_step_impl go through the same setting', () => {
    snn.set_step_impl('composed');
    expect(snn.config().step).to.equal('composed');
    snn.with_step_impl('fused', () => expect(snn.config().step).to.equal('fused'));
    expect(snn.config().step).to.equal('composed');
  });

  it('rejects unknown keys and values with an error naming them, and changes nothing', () => {
    expect(() => snn.config({ engine: 'fused' } as never)).to.throw(TypeError, /Unknown option 'engine'.*step, sequence/);
    expect(() => snn.config({ step: 'fast' as never })).to.throw(TypeError, /'fused', 'composed' for step/);
    expect(() => snn.config({ sequence: true as never })).to.throw(TypeError, /'native', 'loop' for sequence/);
    expect(() => snn.config({ step: 'composed', sequence: 'fused' as never })).to.throw(TypeError, /sequence/);
    expect(snn.config()).to.deep.equal(saved);
    expect(() => snn.config('composed' as never)).to.throw(TypeError, /snn\.config settings/);
    expect(() => snn.set_step_impl('fast' as never)).to.throw(TypeError, /impl/);
  });
});
