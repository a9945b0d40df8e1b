// Bounds on work a single argument can ask for: RNG ranges, permutation lengths, thread counts
// (argument and environment), printing and copying huge tensors. Each case must end with a clear
// error or a bounded result; hangs and fatal out-of-memory errors are checked in child processes
// with a time limit.
import { expect } from 'chai';
import { availableParallelism } from 'node:os';
import { torch, data } from '../lib/index.js';
import { threadsFromEnv } from '../lib/torch/runtime.js';
import { describeExit, runChild } from './child_run.js';

describe('bounds: hang-prone calls end quickly (in a child process with a time limit)', function () {
  this.timeout(120000);

  it('below(2^33), randomPermutation([2^40]), set_num_threads(1024) each throw within a second', async () => {
    const r = await runChild(
      `
const { torch, data } = await import(LIB);
const time = (label, f) => {
  const t0 = Date.now();
  try { f(); console.log(label, 'returned'); } catch (e) { console.log(label, e.constructor.name, Date.now() - t0); }
};
time('below', () => new data.Xoshiro128(1).below(2 ** 33));
time('below-inf', () => new data.Xoshiro128(1).below(Infinity));
time('below-1e12', () => new data.Xoshiro128(1).below(1e12));
time('below-2^32+1', () => new data.Xoshiro128(1).below(2 ** 32 + 1));
time('permutation', () => data.randomPermutation([2 ** 40], new data.Xoshiro128(1)));
time('threads', () => torch.set_num_threads(1024));
`,
      { timeoutMs: 60000 },
    );
    expect(r.status, describeExit(r)).to.equal(0);
    for (const label of ['below', 'below-inf', 'below-1e12', 'below-2\\^32\\+1', 'permutation', 'threads']) {
      const m = new RegExp(`^${label} (\\w+Error) (\\d+)$`, 'm').exec(r.stdout);
      expect(m, `${label}: ${r.stdout}`).to.not.equal(null);
      expect(Number(m![2])).to.be.below(1000);
    }
  });
});

describe('bounds: data.Xoshiro128.below and randomPermutation', () => {
  it('below(n) takes integers in [1, 2^32] and refuses the rest', () => {
    const rng = new data.Xoshiro128(1);
    // Values that used to loop forever are checked in the child above; these used to return junk.
    for (const n of [-Infinity, NaN, 0, -1, 1.5]) {
      const t0 = Date.now();
      expect(() => rng.below(n), String(n)).to.throw(RangeError, /Expected an integer in \[1, 2\^32\] for n/);
      expect(Date.now() - t0).to.be.below(1000);
    }
    expect(() => rng.below('3' as never)).to.throw(RangeError, /for n/);
    for (const n of [1, 2, 7, 2 ** 31, 2 ** 32]) {
      const v = rng.below(n);
      expect(Number.isInteger(v) && v >= 0 && v < n, `${n} -> ${v}`).to.equal(true);
    }
  });

  it('randomPermutation refuses lengths beyond int32 indices, non-integers and arrays, and a non-generator', () => {
    const rng = new data.Xoshiro128(1);
    expect(() => data.randomPermutation([2 ** 40] as never, rng)).to.throw(TypeError, /Expected an integer for n/);
    expect(() => data.randomPermutation(2 ** 40, rng)).to.throw(RangeError, /Expected an integer in \[0, 2147483647\] for n/);
    expect(() => data.randomPermutation(2.5, rng)).to.throw(TypeError, /for n/);
    expect(() => data.randomPermutation(-1, rng)).to.throw(RangeError, /for n/);
    expect(() => data.randomPermutation(3, {} as never)).to.throw(TypeError, /Expected a data.Xoshiro128 for rng/);
    expect([...data.randomPermutation(5, rng)].sort()).to.deep.equal([0, 1, 2, 3, 4]);
  });
});

describe('bounds: thread counts', function () {
  this.timeout(120000);
  const max = 4 * availableParallelism();

  it('set_num_threads(n) refuses more than 4 threads per core, naming n and the limit', () => {
    const before = torch.get_num_threads();
    expect(() => torch.set_num_threads(1024)).to.throw(
      RangeError,
      new RegExp(`Expected an integer in \\[1, ${max}\\].*for n but received 1024`),
    );
    expect(() => torch.set_num_threads(max + 1)).to.throw(RangeError, /for n/);
    expect(torch.max_num_threads()).to.equal(max);
    expect(torch.get_num_threads()).to.equal(before);
  });

  it('the thread variables are capped (with a warning) and junk falls back to the default', () => {
    const warnings: string[] = [];
    const w = (m: string): void => void warnings.push(m);
    expect(threadsFromEnv({ SNNTORCH_NUM_THREADS: '4096' }, 2, w)).to.equal(8);
    expect(threadsFromEnv({ OMP_NUM_THREADS: '100000000000' }, 4, w)).to.equal(16);
    expect(threadsFromEnv({ OPENBLAS_NUM_THREADS: '-3' }, 2, w)).to.equal(1);
    expect(threadsFromEnv({ SNNTORCH_NUM_THREADS: '2.5' }, 2, w)).to.equal(1);
    expect(threadsFromEnv({ SNNTORCH_NUM_THREADS: '', OMP_NUM_THREADS: '2' }, 8, w)).to.equal(2);
    expect(threadsFromEnv({}, 8, w)).to.equal(4);
    expect(warnings).to.have.length(4);
    expect(warnings[0]).to.match(/SNNTORCH_NUM_THREADS=4096 is more than the maximum of 8 \(4 per core, 2 cores\); using 8 threads/);
    expect(warnings[2]).to.match(/OPENBLAS_NUM_THREADS="-3" is not a positive integer/);
  });

  it('SNNTORCH_NUM_THREADS=4096: the import returns promptly with the capped count', async () => {
    const r = await runChild(`const { torch } = await import(LIB); console.log('threads', torch.get_num_threads());`, {
      env: { SNNTORCH_NUM_THREADS: '4096' },
      timeoutMs: 60000,
    });
    expect(r.status, describeExit(r)).to.equal(0);
    expect(r.stdout).to.contain(`threads ${max}`);
    expect(r.stderr).to.match(/SNNTORCH_NUM_THREADS=4096 is more than the maximum/);
  });
});

describe('bounds: printing and copying huge tensors', function () {
  this.timeout(120000);

  it('toString of 1e8 elements summarises natively (only the shown elements are read)', () => {
    const big = torch.zeros(100_000_000);
    const t0 = Date.now();
    const s = big.toString();
    const ms = Date.now() - t0;
    big.dispose();
    expect(s).to.equal('tensor([0., 0., 0.,  ..., 0., 0., 0.])');
    expect(ms).to.be.below(3000);
  });

  it('toString of a [2^30] expanded view allocates nothing large', () => {
    const one = torch.tensor([1.5]);
    const view = one.expand(2 ** 30);
    const rss0 = process.memoryUsage().rss;
    const s = view.toString();
    const grown = process.memoryUsage().rss - rss0;
    expect(s).to.equal('tensor([1.5000, 1.5000, 1.5000,  ..., 1.5000, 1.5000, 1.5000])');
    expect(grown).to.be.below(64 * 2 ** 20);
    view.dispose();
    one.dispose();
  });

  it('the summary matches PyTorch for 2-D and 3-D tensors (threshold 1000, edgeitems 3)', () => {
    const a = torch.arange(6000).reshape(2000, 3);
    // Printed by torch 1.13: print(torch.arange(6000).reshape(2000, 3))
    expect(a.toString()).to.equal(
      'tensor([[   0,    1,    2],\n        [   3,    4,    5],\n        [   6,    7,    8],\n        ...,\n        [5991, 5992, 5993],\n        [5994, 5995, 5996],\n        [5997, 5998, 5999]])',
    );
    const b = torch.arange(100, 1200, { dtype: 'float32' }).reshape(10, 10, 11);
    // print(torch.arange(100, 1200, dtype=torch.float32).reshape(10, 10, 11))
    expect(b.toString()).to.equal(
      'tensor([[[ 100.,  101.,  102.,  ...,  108.,  109.,  110.],\n         [ 111.,  112.,  113.,  ...,  119.,  120.,  121.],\n         [ 122.,  123.,  124.,  ...,  130.,  131.,  132.],\n         ...,\n         [ 177.,  178.,  179.,  ...,  185.,  186.,  187.],\n         [ 188.,  189.,  190.,  ...,  196.,  197.,  198.],\n         [ 199.,  200.,  201.,  ...,  207.,  208.,  209.]],\n\n        [[ 210.,  211.,  212.,  ...,  218.,  219.,  220.],\n         [ 221.,  222.,  223.,  ...,  229.,  230.,  231.],\n         [ 232.,  233.,  234.,  ...,  240.,  241.,  242.],\n         ...,\n         [ 287.,  288.,  289.,  ...,  295.,  296.,  297.],\n         [ 298.,  299.,  300.,  ...,  306.,  307.,  308.],\n         [ 309.,  310.,  311.,  ...,  317.,  318.,  319.]],\n\n        [[ 320.,  321.,  322.,  ...,  328.,  329.,  330.],\n         [ 331.,  332.,  333.,  ...,  339.,  340.,  341.],\n         [ 342.,  343.,  344.,  ...,  350.,  351.,  352.],\n         ...,\n         [ 397.,  398.,  399.,  ...,  405.,  406.,  407.],\n         [ 408.,  409.,  410.,  ...,  416.,  417.,  418.],\n         [ 419.,  420.,  421.,  ...,  427.,  428.,  429.]],\n\n        ...,\n\n        [[ 870.,  871.,  872.,  ...,  878.,  879.,  880.],\n         [ 881.,  882.,  883.,  ...,  889.,  890.,  891.],\n         [ 892.,  893.,  894.,  ...,  900.,  901.,  902.],\n         ...,\n         [ 947.,  948.,  949.,  ...,  955.,  956.,  957.],\n         [ 958.,  959.,  960.,  ...,  966.,  967.,  968.],\n         [ 969.,  970.,  971.,  ...,  977.,  978.,  979.]],\n\n        [[ 980.,  981.,  982.,  ...,  988.,  989.,  990.],\n         [ 991.,  992.,  993.,  ...,  999., 1000., 1001.],\n         [1002., 1003., 1004.,  ..., 1010., 1011., 1012.],\n         ...,\n         [1057., 1058., 1059.,  ..., 1065., 1066., 1067.],\n         [1068., 1069., 1070.,  ..., 1076., 1077., 1078.],\n         [1079., 1080., 1081.,  ..., 1087., 1088., 1089.]],\n\n        [[1090., 1091., 1092.,  ..., 1098., 1099., 1100.],\n         [1101., 1102., 1103.,  ..., 1109., 1110., 1111.],\n         [1112., 1113., 1114.,  ..., 1120., 1121., 1122.],\n         ...,\n         [1167., 1168., 1169.,  ..., 1175., 1176., 1177.],\n         [1178., 1179., 1180.,  ..., 1186., 1187., 1188.],\n         [1189., 1190., 1191.,  ..., 1197., 1198., 1199.]]])',
    );
  });

  it('tolist() refuses, before allocating, what would not fit in the JS heap (a child with a 64 MiB heap)', async () => {
    const r = await runChild(
      `
const { torch } = await import(LIB);
const t = torch.zeros(20_000_000);
try { t.tolist(); console.log('no error'); } catch (e) { console.log(e.constructor.name + ': ' + e.message); }
const small = torch.ones(3).tolist();
console.log('small', JSON.stringify(small));
`,
      { nodeArgs: ['--max-old-space-size=64'], timeoutMs: 60000 },
    );
    expect(r.status, describeExit(r)).to.equal(0);
    expect(r.stdout).to.match(
      /RangeError: tolist\(\): the tensor has 20000000 elements, which would take about \d+ MiB of JavaScript heap/,
    );
    expect(r.stdout).to.contain('small [1,1,1]');
  });

  it('data() checks the size first: more elements than a typed array holds is a RangeError', () => {
    const v = torch.tensor([1.0]).expand(2 ** 32 + 8);
    expect(() => v.data()).to.throw(RangeError, /more than a JavaScript typed array can hold/);
    expect(() => v.tolist()).to.throw(RangeError, /tolist\(\)/);
  });
});
