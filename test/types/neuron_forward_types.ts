// Type test, compiled by `tsc -p tsconfig.check.json` (npm test's type check): neuron forward()
// types follow the constructor options, so the README example and the tutorial networks compile
// without a single cast. A wrong type here fails the build, not a mocha test.
import { torch, nn, snn } from '../../lib/index.js';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function assertType<T extends true>(): T | void {}
type T = torch.Tensor;

// The README example, with no casts.
export class Net extends nn.Module {
  fc1 = new nn.Linear(784, 128);
  rlif1 = new snn.RLeaky({ beta: 0.9, linear_features: 128 });
  fc2 = new nn.Linear(128, 10);
  rlif2 = new snn.RLeaky({ beta: 0.9, linear_features: 10 });
  forward(x: torch.Tensor): torch.Tensor {
    let [spk1, mem1] = this.rlif1.init_rleaky();
    let [spk2, mem2] = this.rlif2.init_rleaky();
    const spk2_rec: torch.Tensor[] = [];
    for (let step = 0; step < 10; step++) {
      [spk1, mem1] = this.rlif1.forward(this.fc1.forward(x), spk1, mem1);
      [spk2, mem2] = this.rlif2.forward(this.fc2.forward(spk1), spk2, mem2);
      spk2_rec.push(spk2);
    }
    return torch.stack(spk2_rec);
  }
}

// snnTorch tutorial 5's Net (Leaky, explicit membranes), and tutorial 4's Synaptic/Alpha/Lapicque calls.
export class TutorialNet extends nn.Module {
  fc1 = new nn.Linear(784, 1000);
  lif1 = new snn.Leaky({ beta: 0.95 });
  fc2 = new nn.Linear(1000, 10);
  lif2 = new snn.Leaky({ beta: 0.95 });
  forward(x: torch.Tensor): [torch.Tensor, torch.Tensor] {
    let mem1 = this.lif1.init_leaky();
    let mem2 = this.lif2.init_leaky();
    const spk2_rec: torch.Tensor[] = [];
    const mem2_rec: torch.Tensor[] = [];
    for (let step = 0; step < 25; step++) {
      const cur1 = this.fc1.forward(x);
      let spk1: torch.Tensor;
      [spk1, mem1] = this.lif1.forward(cur1, mem1);
      const cur2 = this.fc2.forward(spk1);
      let spk2: torch.Tensor;
      [spk2, mem2] = this.lif2.forward(cur2, mem2);
      spk2_rec.push(spk2);
      mem2_rec.push(mem2);
    }
    return [torch.stack(spk2_rec), torch.stack(mem2_rec)];
  }
}

export function tutorialFour(x: torch.Tensor): T[] {
  const syn = new snn.Synaptic({ alpha: 0.9, beta: 0.8 });
  const [spk, synCur, mem] = syn.forward(x);
  const alpha = new snn.Alpha({ alpha: 0.9, beta: 0.8 });
  const [s2, exc, inh, m2] = alpha.forward(x);
  const lap = new snn.Lapicque({ R: 5.1, C: 5e-3, time_step: 1e-3 });
  const [s3, m3] = lap.forward(x);
  return [spk, synCur, mem, s2, exc, inh, m2, s3, m3];
}

// Exact forward() types by options.
const x = torch.zeros([1]);
assertType<Equal<ReturnType<snn.Leaky<{ beta: 0.9 }>['forward']>, [T, T]>>();
const hidden = new snn.Leaky({ beta: 0.9, init_hidden: true });
assertType<Equal<ReturnType<typeof hidden.forward>, T>>();
const hiddenOut = new snn.Leaky({ beta: 0.9, init_hidden: true, output: true });
assertType<Equal<ReturnType<typeof hiddenOut.forward>, [T, T]>>();
const rsyn = new snn.RSynaptic({ alpha: 0.9, beta: 0.8, linear_features: 4, init_hidden: false });
assertType<Equal<ReturnType<typeof rsyn.forward>, [T, T, T]>>();
const alphaHidden = new snn.Alpha({ alpha: 0.9, beta: 0.8, init_hidden: true });
assertType<Equal<ReturnType<typeof alphaHidden.forward>, T>>();
const slstm = new snn.SLSTM(4, 4);
assertType<Equal<ReturnType<typeof slstm.forward>, [T, T, T]>>();
const lapOut = new snn.Lapicque({ beta: 0.9, init_hidden: true, output: true });
assertType<Equal<ReturnType<typeof lapOut.forward>, [T, T]>>();
// A flag known only as a boolean gives the union; so does the plain class type.
declare const flag: boolean;
const unknownHidden = new snn.Synaptic({ alpha: 0.9, beta: 0.8, init_hidden: flag });
assertType<Equal<ReturnType<typeof unknownHidden.forward>, T | [T, T, T]>>();
assertType<Equal<ReturnType<snn.Leaky['forward']>, T | [T, T]>>();
// Neurons built from literal options are still the plain class type.
export const asPlain: snn.Leaky = hidden;
// @ts-expect-error a spike-only neuron's forward() is not a tuple
export const [notATuple] = hidden.forward(x);
