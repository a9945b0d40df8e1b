// Type fixture (compiled by tsc in test/types.test.ts, never run): checkpoints of state dicts,
// optimizer state dicts and nested containers need no cast, and what cannot be saved is refused.
import { torch, nn, optim } from '../../lib/index.js';

export function checkpointTypes(p: string): void {
  const net = new nn.Sequential(new nn.Linear(784, 128), new nn.ReLU(), new nn.Linear(128, 10));
  const opt = new optim.Adam(net.parameters(), { lr: 1e-3 });

  net.load_state_dict(torch.load(p));
  torch.save(opt.state_dict(), p);

  torch.save(net.state_dict(), p);
  opt.load_state_dict(torch.load(p));
  torch.save({ epoch: 3, model: net.state_dict(), optimizer: opt.state_dict(), losses: [0.5, 0.25], note: null }, p);
  const ckpt = torch.load<Map<string, torch.Checkpoint>>(p);
  const saved: torch.Checkpoint = torch.load(p);
  void ckpt;
  void saved;

  // @ts-expect-error a function cannot be saved
  torch.save({ fn: () => 1 }, p);
  // @ts-expect-error nor a symbol
  torch.save([Symbol('s')], p);
  // @ts-expect-error nor a Map with object keys
  torch.save(new Map([[{}, 1]]), p);
}
