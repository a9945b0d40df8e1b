// The tutorial network computed layer by layer (--engine sequence): the same mathematics as
// Net.forward, in fewer, larger passes. fc1 runs once on the static image (the tutorial recomputes
// it every step), rlif1 runs all steps in one call, fc2 is one matmul over all T*B spikes, then
// rlif2 runs all steps.
import type { torch } from '../../lib/index.js';
import type { Net } from './tutorial-net.js';

export function forwardSequence(net: Net, x: torch.Tensor): [torch.Tensor, torch.Tensor] {
  const T = net.num_steps;
  net.rlif1.init_rleaky();
  net.rlif2.init_rleaky();
  const cur1 = net.fc1.forward(x);
  const [spk1] = net.rlif1.sequence(cur1, { num_steps: T });
  const cur2 = net.fc2.forward(spk1);
  return net.rlif2.sequence(cur2);
}
