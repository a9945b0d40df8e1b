// Module forward hooks (register_forward_pre_hook / register_forward_hook with removable handles)
// and snnTorch's probe monitors built on them.
import { expect } from 'chai';
import { nn, snn, SF, torch } from '../lib/index.js';

class Net extends nn.Module {
  fc1 = new nn.Linear(4, 3);
  lif1 = new snn.Leaky({ beta: 0.9 });
  fc2 = new nn.Linear(3, 2);
  lif2 = new snn.Leaky({ beta: 0.8 });
  forward(x: torch.Tensor): torch.Tensor {
    const [spk1] = this.lif1.forward(this.fc1.forward(x)) as [torch.Tensor, torch.Tensor];
    const [spk2] = this.lif2.forward(this.fc2.forward(spk1)) as [torch.Tensor, torch.Tensor];
    return spk2;
  }
}

describe('nn.Module forward hooks', () => {
  it('run in registration order, pre-hooks before forward, and see the args and output', () => {
    const lin = new nn.Linear(2, 2);
    const log: string[] = [];
    lin.register_forward_pre_hook((m, args) => void log.push(`pre1 ${m === lin} ${(args[0] as torch.Tensor).shape}`));
    lin.register_forward_pre_hook(() => void log.push('pre2'));
    lin.register_forward_hook((_m, args, out) => void log.push(`post ${args.length} ${(out as torch.Tensor).shape}`));
    lin.forward(torch.rand([5, 2]));
    expect(log).to.deep.equal(['pre1 true 5,2', 'pre2', 'post 1 5,2']);
  });
  it('a pre-hook can replace the input and a forward hook the output', () => {
    const relu = new nn.ReLU();
    relu.register_forward_pre_hook((_m, args) => (args[0] as torch.Tensor).neg());
    const h = relu.register_forward_hook((_m, _a, out) => (out as torch.Tensor).mul(10));
    expect(relu.forward(torch.tensor([-1.5, 2])).tolist()).to.deep.equal([15, 0]);
    h.remove();
    expect(relu.forward(torch.tensor([-1.5, 2])).tolist()).to.deep.equal([1.5, 0]);
  });
  it('removing (or disposing) a handle stops the hook; removing twice is harmless', () => {
    const lin = new nn.Linear(2, 2);
    let calls = 0;
    const h = lin.register_forward_hook(() => void calls++);
    lin.forward(torch.rand([1, 2]));
    h.remove();
    h.remove();
    lin.forward(torch.rand([1, 2]));
    {
      using _h2 = lin.register_forward_hook(() => void calls++);
      lin.forward(torch.rand([1, 2]));
    }
    lin.forward(torch.rand([1, 2]));
    expect(calls).to.equal(2);
  });
  it('hooks fire for children called from a parent forward, keep subclass overrides, and leave fields and state_dict alone', () => {
    const net = new Net();
    const seen: string[] = [];
    for (const [name, m] of net.named_modules()) if (name) m.register_forward_hook(() => void seen.push(name));
    const keys = [...net.state_dict().keys()];
    net.forward(torch.rand([2, 4]));
    expect(seen).to.deep.equal(['fc1', 'lif1', 'fc2', 'lif2']);
    expect([...net.state_dict().keys()]).to.deep.equal(keys);
    expect(Object.keys(net.fc1)).to.not.include('forward');
  });
  it('rejects a hook that is not a function', () => {
    expect(() => new nn.ReLU().register_forward_hook(42 as never)).to.throw(/Expected a function/);
  });
});

describe('SF.probe monitors', () => {
  it("OutputMonitor records each Leaky layer's outputs per call, by index and by name", () => {
    const net = new Net();
    const mon = new SF.probe.OutputMonitor(net, snn.Leaky);
    expect(mon.monitored_layers).to.deep.equal(['lif1', 'lif2']);
    for (let t = 0; t < 3; t++) torch.tidy(() => void net.forward(torch.rand([2, 4])));
    expect(mon.records.length).to.equal(6);
    const lif2 = mon.get('lif2') as [torch.Tensor, torch.Tensor][];
    expect(lif2.length).to.equal(3);
    // The Leaky output is [spk, mem]; records survive the tidy scope of the forward pass.
    expect(lif2[2]![1].shape).to.deep.equal([2, 2]);
    expect(Number.isFinite(lif2[2]![1].sum().item())).to.equal(true);
    mon.disable();
    net.forward(torch.rand([2, 4]));
    expect(mon.records.length).to.equal(6);
    mon.enable();
    mon.clear_recorded_data();
    expect(mon.records.length).to.equal(0);
    mon.remove_hooks();
    net.forward(torch.rand([2, 4]));
    expect(mon.records.length).to.equal(0);
  });
  it('OutputMonitor applies function_on_output; InputMonitor records inputs', () => {
    const net = new Net();
    const out = new SF.probe.OutputMonitor(net, nn.Linear, (y) => (y as torch.Tensor).shape);
    const inp = new SF.probe.InputMonitor(net, [nn.Linear]);
    const x = torch.rand([2, 4]);
    net.forward(x);
    expect(out.records).to.deep.equal([
      [2, 3],
      [2, 2],
    ]);
    expect((inp.get(0) as torch.Tensor).tolist()).to.deep.equal(x.tolist());
  });
  it('AttributeMonitor reads an attribute before or after forward', () => {
    const net = new Net();
    const mon = new SF.probe.AttributeMonitor('weight', false, net, nn.Linear, (w) => (w as torch.Tensor).shape);
    net.forward(torch.rand([1, 4]));
    expect(mon.get('fc2')).to.deep.equal([[2, 3]]);
    expect(() => new SF.probe.AttributeMonitor('nope', true, net, nn.Linear).constructor).to.not.throw();
    const bad = new SF.probe.AttributeMonitor('nope', true, net, nn.Linear);
    expect(() => net.forward(torch.rand([1, 4]))).to.throw(/has no attribute 'nope'/);
    bad.remove_hooks();
  });
  it('rejects what is not a module or a class', () => {
    expect(() => new SF.probe.OutputMonitor({} as never, nn.Linear)).to.throw(/nn.Module/);
    expect(() => new SF.probe.OutputMonitor(new Net(), 'Linear' as never)).to.throw(/class/);
  });
});
