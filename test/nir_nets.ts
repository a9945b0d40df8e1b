// Networks the NIR tests share: the formula the fixture generator uses for weights and inputs, and
// the small conv network.
import { nn, snn, torch } from '../lib/index.js';

/** wave(shape, seed)[i] = 0.5 sin(0.7 i + seed) over the flat index, float32 (as make_fixtures.py). */
export function wave(shape: number[], seed: number): torch.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return torch.from_typed_array(
    Float32Array.from({ length: n }, (_, i) => 0.5 * Math.sin(0.7 * i + seed)),
    shape,
  );
}

/** Copies values into a module's parameters by state_dict name. */
export function setParams(m: nn.Module, values: Record<string, torch.Tensor>): void {
  torch.no_grad(() => {
    const sd = m.state_dict();
    for (const [k, v] of Object.entries(values)) sd.get(k)!.copy_(v);
  });
}

/** Conv2d -> Leaky -> Flatten -> Linear -> Leaky on [B, 1, 8, 8]. */
export class ConvNet extends nn.Module {
  declare conv1: nn.Conv2d;
  declare lif1: snn.Leaky;
  declare flat: nn.Flatten;
  declare fc1: nn.Linear;
  declare lif2: snn.Leaky;
  constructor() {
    super();
    this.conv1 = new nn.Conv2d(1, 4, 3, { padding: 1 });
    this.lif1 = new snn.Leaky({ beta: 0.8, threshold: 0.2, init_hidden: true });
    this.flat = new nn.Flatten();
    this.fc1 = new nn.Linear(4 * 8 * 8, 5);
    this.lif2 = new snn.Leaky({ beta: 0.9, threshold: 0.3, init_hidden: true });
  }
  forward(x: torch.Tensor): torch.Tensor {
    const s1 = this.lif1.forward(this.conv1.forward(x)) as torch.Tensor;
    return this.lif2.forward(this.fc1.forward(this.flat.forward(s1))) as torch.Tensor;
  }
  reset_hidden(): void {
    this.lif1.reset_hidden();
    this.lif2.reset_hidden();
  }
}

/** Bitwise equality of two float tensors (shape and every element). */
export function sameValues(a: torch.Tensor, b: torch.Tensor): boolean {
  if (a.shape.join(',') !== b.shape.join(',')) return false;
  const x = a.data();
  const y = b.data();
  for (let i = 0; i < x.length; i++) if (!Object.is(Number(x[i]), Number(y[i]))) return false;
  return true;
}
