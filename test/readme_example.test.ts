// The README's opening example, verbatim: class-field modules, the tutorial loop, loss, Adam.
import { expect } from 'chai';
import { torch, nn, optim, snn, SF } from '../lib/index.js';

class Net extends nn.Module {
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

describe('README example', () => {
  it('class fields register in declaration order and the network trains', () => {
    const net = new Net();
    expect([...net.state_dict().keys()].slice(0, 3)).to.deep.equal(['fc1.weight', 'fc1.bias', 'rlif1.threshold']);
    const loss_fn = SF.mse_count_loss({ correct_rate: 0.8, incorrect_rate: 0.2 });
    const optimizer = new optim.Adam(net.parameters(), { lr: 1e-3 });
    torch.manual_seed(0);
    const x = torch.rand(16, 784);
    const y = torch.randint(0, 10, [16]);
    const losses: number[] = [];
    for (let i = 0; i < 20; i++) {
      losses.push(
        torch.tidy(() => {
          const loss = loss_fn(net.forward(x), y);
          optimizer.zero_grad();
          loss.backward();
          optimizer.step();
          return loss.item();
        }),
      );
    }
    expect(losses[19]!).to.be.lessThan(losses[0]!);
  });
});
