// Train the network of snnTorch's tutorial (fc1 -> RLeaky -> fc2 -> RLeaky) on MNIST for a few
// batches, export it to NIR (the format neuromorphic hardware toolchains read), write the file,
// import it back and check that both networks give the same spikes and the same state_dict.
//   npx tsx examples/nir_roundtrip.ts [--batches 50] [--out net.nir] [--quick]
import { parseArgs } from 'node:util';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { data, nir, optim, SF, snn, torch } from '../lib/index.js';
import { Net } from './models/tutorial-net.js';

const { values: args } = parseArgs({
  options: {
    batches: { type: 'string', default: '50' },
    batch_size: { type: 'string', default: '128' },
    out: { type: 'string' },
    quick: { type: 'boolean', default: false },
  },
});
const batches = args.quick ? 3 : Number(args.batches);
const batch_size = args.quick ? 32 : Number(args.batch_size);
if (!Number.isInteger(batches) || batches < 1) throw new RangeError(`--batches must be a positive integer, got ${args.batches}`);
if (!Number.isInteger(batch_size) || batch_size < 1)
  throw new RangeError(`--batch_size must be a positive integer, got ${args.batch_size}`);
torch.set_num_threads(1);
torch.manual_seed(0);

const transform = data.transforms.Compose([data.transforms.ToTensor(), data.transforms.Normalize([0], [1])]);
const train_set = new data.datasets.MNIST({ train: true, transform }).subset(batches * batch_size);
const test_set = new data.datasets.MNIST({ train: false, transform }).subset(batch_size);
const train_loader = new data.DataLoader(train_set, { batch_size, shuffle: true, drop_last: true, seed: 0 });

// 1. Train, as the tutorial does.
const net = new Net({ num_hidden: args.quick ? 32 : 128 });
const optimizer = new optim.Adam(net.parameters(), { lr: 5e-4, betas: [0.9, 0.999] });
const loss_fn = SF.mse_count_loss({ correct_rate: 0.8, incorrect_rate: 0.2 });
let step = 0;
for (const [x, y] of train_loader) {
  const loss = torch.tidy(() => {
    const [spk] = net.forward(x.view(x.size(0), -1));
    const l = loss_fn(spk, y);
    optimizer.zero_grad();
    l.backward();
    optimizer.step();
    return l.item();
  });
  if (++step % Math.max(1, Math.floor(batches / 5)) === 0 || step === batches)
    console.log(`batch ${step}/${batches}: loss ${loss.toFixed(4)}`);
}

// 2. Export to NIR and write the file.
const [tx, ty] = new data.DataLoader(test_set, { batch_size })[Symbol.iterator]().next().value as [torch.Tensor, torch.Tensor];
const x = tx.view(tx.size(0), -1);
const graph = snn.export_to_nir(net, x);
const dir = args.out ? null : mkdtempSync(join(tmpdir(), 'nir-example-'));
const path = args.out ?? join(dir!, 'tutorial_net.nir');
await nir.write(path, graph);
console.log(
  `wrote ${path}: ${Object.entries(graph.nodes)
    .map(([k, n]) => `${k} (${n.type})`)
    .join(' -> ')}`,
);

// 3. Import it back and compare: the imported network runs one time step per forward call.
const imported = await snn.import_from_nir(path);
const [spk_ref] = torch.no_grad(() => net.forward(x));
imported.reset_hidden();
const spk_nir = torch.no_grad(() => torch.stack(Array.from({ length: net.num_steps }, () => imported.forward(x))));
const same = (a: torch.Tensor, b: torch.Tensor): boolean =>
  a.shape.join() === b.shape.join() && (a.data() as Float32Array).every((v, i) => Object.is(v, (b.data() as Float32Array)[i]));
const sdA = net.state_dict();
const sdB = imported.state_dict();
const stateSame = sdA.size === sdB.size && [...sdA].every(([k, v]) => sdB.has(k) && same(v, sdB.get(k)!));
const acc = (spk: torch.Tensor): number => SF.accuracy_rate(spk, ty);
console.log(
  `spike records equal: ${same(spk_ref, spk_nir)} (${spk_ref.sum().item()} spikes); state_dict equal: ${stateSame} (${sdA.size} entries)`,
);
console.log(`test-batch accuracy: trained ${(acc(spk_ref) * 100).toFixed(1)}%, imported ${(acc(spk_nir) * 100).toFixed(1)}%`);
if (dir) rmSync(dir, { recursive: true, force: true });
if (!same(spk_ref, spk_nir) || !stateSame) {
  console.error('NIR round trip changed the network');
  process.exit(1);
}
