// Shared by the training CLI (lib/train), the benchmarks and the tests, and shipped in the package.
// The network of snnTorch's tutorial "Regression with SNNs, Part II", section 4, line by line:
// fc1 -> RLeaky -> fc2 -> RLeaky, run for num_steps on a static image. forward returns the output
// spike record [T, B, 10] and the output membrane record (section 6 trains on it).
import { torch, nn, snn } from '../../lib/index.js';

export interface TutorialNetOptions {
  num_inputs?: number;
  num_hidden?: number;
  num_outputs?: number;
  beta?: number;
  num_steps?: number;
}

export class Net extends nn.Module {
  declare fc1: nn.Linear;
  declare rlif1: snn.RLeaky;
  declare fc2: nn.Linear;
  declare rlif2: snn.RLeaky;
  readonly num_steps: number;

  constructor({ num_inputs = 784, num_hidden = 128, num_outputs = 10, beta = 0.9, num_steps = 10 }: TutorialNetOptions = {}) {
    super();
    this.num_steps = num_steps;
    // Registered in the tutorial's order, so state_dict keys and Adam's parameter order match.
    this.fc1 = new nn.Linear(num_inputs, num_hidden);
    this.rlif1 = new snn.RLeaky({ beta, linear_features: num_hidden });
    this.fc2 = new nn.Linear(num_hidden, num_outputs);
    this.rlif2 = new snn.RLeaky({ beta, linear_features: num_outputs });
  }

  /** The tutorial's loop verbatim: fc1 is recomputed on the same image every step. */
  forward(x: torch.Tensor): [torch.Tensor, torch.Tensor] {
    let [spk1, mem1] = this.rlif1.init_rleaky();
    let [spk2, mem2] = this.rlif2.init_rleaky();
    const spk2_rec: torch.Tensor[] = [];
    const mem2_rec: torch.Tensor[] = [];
    for (let step = 0; step < this.num_steps; step++) {
      const cur1 = this.fc1.forward(x);
      [spk1, mem1] = this.rlif1.forward(cur1, spk1, mem1) as [torch.Tensor, torch.Tensor];
      const cur2 = this.fc2.forward(spk1);
      [spk2, mem2] = this.rlif2.forward(cur2, spk2, mem2) as [torch.Tensor, torch.Tensor];
      spk2_rec.push(spk2);
      mem2_rec.push(mem2);
    }
    return [torch.stack(spk2_rec), torch.stack(mem2_rec)];
  }
}
