// Bad constructor options for the neuron family: every junk value either is refused with an error
// that names the option, or (where snnTorch's truthiness makes it mean "not given") is accepted.
import { expect } from 'chai';
import { torch, snn } from '../lib/index.js';

type Make = (o: Record<string, unknown>) => unknown;
const makers: Record<string, [Make, Record<string, unknown>]> = {
  Synaptic: [(o) => new snn.Synaptic(o as unknown as snn.SynapticOptions), { alpha: 0.9, beta: 0.8 }],
  RSynaptic: [(o) => new snn.RSynaptic(o as unknown as snn.RSynapticOptions), { alpha: 0.9, beta: 0.8, linear_features: 2 }],
  Alpha: [(o) => new snn.Alpha(o as unknown as snn.AlphaOptions), { alpha: 0.9, beta: 0.8 }],
  Lapicque: [(o) => new snn.Lapicque(o as unknown as snn.LapicqueOptions), { beta: 0.9 }],
  SLSTM: [(o) => new snn.SLSTM(2, 2, o as snn.SLSTMOptions), {}],
  SConv2dLSTM: [(o) => new snn.SConv2dLSTM(1, 2, 3, o as snn.SConv2dLSTMOptions), {}],
  StateLeaky: [(o) => new snn.StateLeaky(o as unknown as snn.StateLeakyOptions), { beta: 0.9, channels: 2 }],
  LinearLeaky: [(o) => new snn.LinearLeaky(o as unknown as snn.LinearLeakyOptions), { beta: 0.9, in_features: 2, out_features: 2 }],
  DeltaLeaky: [(o) => new snn.DeltaLeaky(o as unknown as snn.DeltaLeakyOptions), { beta: 0.9 }],
  LeakyParallel: [(o) => new snn.LeakyParallel(o as unknown as snn.LeakyParallelOptions), { input_size: 2, hidden_size: 2 }],
};
const JUNK: unknown[] = ['x', Number.NaN, {}, [1, 'a'], -1.5, Symbol('s')];
const OPTIONS = [
  'alpha',
  'beta',
  'threshold',
  'spike_grad',
  'surrogate_disable',
  'init_hidden',
  'inhibition',
  'learn_beta',
  'learn_threshold',
  'reset_mechanism',
  'state_quant',
  'output',
  'reset_delay',
  'V',
  'linear_features',
  'bias',
  'max_pool',
  'channels',
  'kernel_truncation_steps',
  'delta_threshold',
  'graded_spikes_factor',
  'weight_hh_enable',
  'dropout',
];

describe('snn neuron family: bad constructor options', () => {
  for (const [name, [make, base]] of Object.entries(makers)) {
    it(`${name}: junk values are refused with the option's name`, () => {
      const accepted: string[] = [];
      torch.tidy(() => {
        expect(() => make(base)).to.not.throw();
        for (const opt of OPTIONS) {
          let known = true;
          try {
            make({ ...base, [opt]: 1 });
          } catch (e) {
            if (/Unknown option/.test((e as Error).message)) known = false;
          }
          if (!known) continue;
          for (const v of JUNK) {
            let err: unknown = null;
            try {
              make({ ...base, [opt]: v });
            } catch (e) {
              err = e;
            }
            if (err === null) {
              accepted.push(`${opt}=${String(v)}`);
              continue;
            }
            expect(err, `${name} ${opt}=${String(v)}`).to.be.instanceOf(Error);
            expect((err as Error).message, `${name} ${opt}=${String(v)}`).to.match(new RegExp(`${opt}|${name}`));
          }
        }
      });
      // A negative number is a valid value for some tensors (threshold, V, delta_threshold).
      expect(
        accepted.filter((a) => !/=-1\.5$/.test(a)),
        `${name} accepted junk`,
      ).to.deep.equal([]);
    });
  }
});
