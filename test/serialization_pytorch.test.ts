// torch.save / torch.load against Debian's real PyTorch (/usr/bin/python3 with torch): files
// written here load in Python and files written by Python load here, with the same values,
// requires_grad, nn.Parameter type, and storages shared between views in both directions.
// Skipped, with the reason printed, where /usr/bin/python3 or its torch is missing.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as torch from '../lib/torch/index.js';
import { native } from '../lib/native.js';
import { Parameter } from '../lib/nn/parameter.js';
import { ZipReader } from '../lib/torch/serialization/zip.js';

const PYTHON = '/usr/bin/python3';

function python(script: string, ...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(PYTHON, ['-c', script, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? String(r.error ?? '') };
}

function pythonTorchMissing(): string | null {
  if (!existsSync(PYTHON)) return `${PYTHON} is not installed`;
  const r = python('import torch; print(torch.__version__)');
  if (r.status !== 0) return `${PYTHON} has no torch (apt-get install python3-torch): ${r.stderr.trim().split('\n').pop()}`;
  return null;
}

const storageId = (t: torch.Tensor): number => native.storage_info(t.handle)[0];
const values = (t: torch.Tensor): number[] => Array.from(t.contiguous().data() as Float32Array);

// Loads a file and describes every entry as JSON: type, dtype, requires_grad, storage pointer,
// offset, stride, shape and values.
const DESCRIBE = `
import json, sys, torch
d = torch.load(sys.argv[1])
def ptr(t):
    s = t.untyped_storage() if hasattr(t, 'untyped_storage') else t.storage()
    return s.data_ptr()
out = {k: {'type': type(v).__name__, 'dtype': str(v.dtype), 'requires_grad': v.requires_grad, 'ptr': ptr(v),
           'offset': v.storage_offset(), 'stride': list(v.stride()), 'shape': list(v.shape),
           'values': v.detach().flatten().tolist()} for k, v in d.items()}
print(json.dumps(out))
`;

interface Described {
  type: string;
  dtype: string;
  requires_grad: boolean;
  ptr: number;
  offset: number;
  stride: number[];
  shape: number[];
  values: number[];
}

describe('torch.save / torch.load with PyTorch (Debian python3-torch)', function () {
  this.timeout(180_000);
  let dir: string;
  before(function () {
    const reason = pythonTorchMissing();
    if (reason) {
      console.log(`      skipped: ${reason}`);
      this.skip();
    }
    dir = mkdtempSync(join(tmpdir(), 'snn-pytorch-'));
  });
  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('a file written here loads in PyTorch: values, requires_grad, Parameters, and one shared storage for views', () => {
    const base = torch.arange(0, 12, 1, { dtype: 'float32' }).reshape([3, 4]);
    const view = base.transpose(0, 1);
    const slice = base.narrow(0, 1, 2).narrow(1, 2, 2);
    const weight = new Parameter(torch.full([2, 3], 0.5));
    const frozen = new Parameter(torch.full([2], 2), false);
    const leaf = torch.ones([3], { requires_grad: true });
    const ints = torch.tensor([7, -8, 9]);
    const path = join(dir, 'ours.pt');
    torch.save({ base, view, slice, weight, frozen, leaf, ints }, path);

    const zip = new ZipReader(new Uint8Array(readFileSync(path)));
    // base/view/slice -> one storage; weight, frozen, leaf, ints -> one each.
    expect(zip.entries.filter((e) => e.name.startsWith('archive/data/')).length).to.equal(5);

    const r = python(DESCRIBE, path);
    expect(r.status, r.stderr).to.equal(0);
    const d = JSON.parse(r.stdout) as Record<string, Described>;
    expect(d.view!.ptr).to.equal(d.base!.ptr);
    expect(d.slice!.ptr).to.equal(d.base!.ptr);
    expect(d.view!.stride).to.deep.equal([1, 4]);
    expect(d.slice!.offset).to.equal(6);
    expect(d.slice!.values).to.deep.equal([6, 7, 10, 11]);
    expect(d.view!.values).to.deep.equal([0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11]);
    expect(d.weight).to.include({ type: 'Parameter', requires_grad: true });
    expect(d.weight!.values).to.deep.equal([0.5, 0.5, 0.5, 0.5, 0.5, 0.5]);
    expect(d.frozen).to.include({ type: 'Parameter', requires_grad: false });
    expect(d.leaf).to.include({ type: 'Tensor', requires_grad: true });
    expect(d.base).to.include({ type: 'Tensor', requires_grad: false });
    expect(d.ints).to.include({ dtype: 'torch.int64' });
    expect(d.ints!.values).to.deep.equal([7, -8, 9]);
    expect(new Set(Object.values(d).map((x) => x.ptr)).size).to.equal(5);
  });

  it('a file written by PyTorch loads here: values, requires_grad, Parameters, and views sharing their storage', () => {
    const path = join(dir, 'theirs.pt');
    const r = python(
      `
import sys, torch
from collections import OrderedDict
base = torch.arange(12, dtype=torch.float32).reshape(3, 4)
torch.save(OrderedDict([('base', base), ('view', base.t()), ('slice', base[1:, 2:]),
    ('weight', torch.nn.Parameter(torch.full((2, 3), 0.5))), ('frozen', torch.nn.Parameter(torch.ones(2), requires_grad=False)),
    ('leaf', torch.ones(3, requires_grad=True)), ('other', torch.zeros(2))]), sys.argv[1])
`,
      path,
    );
    expect(r.status, r.stderr).to.equal(0);
    const d = torch.load<Map<string, torch.Tensor>>(path);
    const [base, view, slice, weight, frozen, leaf, other] = ['base', 'view', 'slice', 'weight', 'frozen', 'leaf', 'other'].map((k) =>
      d.get(k)!,
    );
    expect(storageId(view!)).to.equal(storageId(base!));
    expect(storageId(slice!)).to.equal(storageId(base!));
    expect(storageId(other!)).to.not.equal(storageId(base!));
    expect(view!.stride()).to.deep.equal([1, 4]);
    expect(values(slice!)).to.deep.equal([6, 7, 10, 11]);
    // Sharing is real: a write through one is seen through the others.
    base!.add_(100);
    expect(values(view!)).to.deep.equal([100, 104, 108, 101, 105, 109, 102, 106, 110, 103, 107, 111]);
    expect(values(slice!)).to.deep.equal([106, 107, 110, 111]);
    expect(weight).to.be.instanceOf(Parameter);
    expect(weight!.requires_grad).to.equal(true);
    expect(values(weight!)).to.deep.equal([0.5, 0.5, 0.5, 0.5, 0.5, 0.5]);
    expect(frozen).to.be.instanceOf(Parameter);
    expect(frozen!.requires_grad).to.equal(false);
    expect(leaf).to.not.be.instanceOf(Parameter);
    expect(leaf!.requires_grad).to.equal(true);
    expect(base!.requires_grad).to.equal(false);
  });

  it('a model state_dict round-trips both ways with PyTorch nn.Linear', () => {
    const path = join(dir, 'linear.pt');
    const r = python(
      `
import sys, torch
torch.manual_seed(0)
torch.save(torch.nn.Linear(3, 2).state_dict(), sys.argv[1])
`,
      path,
    );
    expect(r.status, r.stderr).to.equal(0);
    const sd = torch.load<Map<string, torch.Tensor>>(path);
    const back = join(dir, 'linear-back.pt');
    torch.save(sd, back);
    const check = python(
      `
import sys, torch
a, b = torch.load(sys.argv[1]), torch.load(sys.argv[2])
assert list(a) == list(b) == ['weight', 'bias'], (list(a), list(b))
assert all(torch.equal(a[k], b[k]) for k in a)
m = torch.nn.Linear(3, 2); m.load_state_dict(b)
print('ok')
`,
      path,
      back,
    );
    expect(check.status, check.stderr).to.equal(0);
    expect(check.stdout.trim()).to.equal('ok');
  });
});
