// Bad input never crashes: every function, class and method the library exports is called with junk
// (wrong types, disposed tensors, NaN, absurd sizes, out-of-range dims, mismatched shapes and dtypes).
// Each call must throw an Error (or reject with one) or return a valid result. The sweep runs one
// child process per namespace of lib/index.ts (test/sweep_child.ts, groups in test/sweep_groups.ts),
// so that a crash shows up as a failed test naming the namespace, not a dead test runner.
//
// In `npm test` each target gets its first calls and a time-bounded share of the junk values, rotated
// per target so that a group's targets together try every junk value and argument pattern (all
// groups: about a minute of calls plus each child's start, about 2 minutes on a loaded 2-core machine). SNNTORCH_SWEEP=full calls every target with
// every junk value (nightly: tens of minutes). SNN_SWEEP_SLOW=<ms> names the calls and targets slower
// than that; SNN_SWEEP_TRACE=1 names each call before it runs (to find one that hangs).
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as lib from '../lib/index.js';
import { torch } from '../lib/index.js';
import { FULL, type SweepReport } from './sweep_core.js';
import { ALIASES, GROUPS } from './sweep_groups.js';

/**
 * What each group must reach (a lost namespace or class fails here): targets swept, instance methods
 * called, calls made. Set a little under what the sweep measured.
 */
const FLOORS: Record<string, { targets: number; methods: number; calls: number }> = {
  torch: { targets: 155, methods: 0, calls: 5000 },
  'torch.Tensor': { targets: 135, methods: 0, calls: 5000 },
  nn: { targets: 58, methods: 650, calls: 8000 },
  optim: { targets: 7, methods: 35, calls: 550 },
  snn: { targets: 60, methods: 170, calls: 3500 },
  functional: { targets: 15, methods: 7, calls: 600 },
  data: { targets: 40, methods: 13, calls: 1500 },
  spikegen: { targets: 14, methods: 0, calls: 500 },
  spikeplot: { targets: 8, methods: 7, calls: 350 },
  nir: { targets: 24, methods: 1, calls: 900 },
};

function runGroup(group: string): { report: SweepReport; status: number | null; signal: string | null; stderr: string } {
  const here = dirname(fileURLToPath(import.meta.url));
  const child = join(here, 'sweep_child.ts');
  const cwd = mkdtempSync(join(tmpdir(), 'snn-bad-input-')); // torch.save('abc') writes here
  try {
    const loader = pathToFileURL(join(here, '..', 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
    const r = spawnSync(process.execPath, ['--import', loader, child], {
      cwd,
      env: { ...process.env, SNN_SWEEP_GROUP: group },
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
      timeout: FULL ? 2_400_000 : 300_000,
    });
    const line = r.stdout.split('\n').find((l) => l.startsWith('SWEEP '));
    const report: SweepReport = line
      ? (JSON.parse(line.slice(6)) as SweepReport)
      : {
          group,
          calls: 0,
          threw: 0,
          returned: 0,
          bad: ['no report'],
          targets: 0,
          methods: 0,
          minJunk: 0,
          junkSeen: 0,
          junkCount: 0,
          rotated: 0,
          ms: 0,
          slowest: [],
        };
    return { report, status: r.status, signal: r.signal, stderr: r.stderr.slice(-20_000) };
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
}

describe('junk sweep: every namespace of lib/index.ts has a group', () => {
  it('each is swept, or is another name for one that is', () => {
    for (const name of Object.keys(lib)) {
      if (name in ALIASES) {
        const [alias, of] = [lib[name as keyof typeof lib], lib[ALIASES[name] as keyof typeof lib]] as Record<string, unknown>[];
        expect(Object.keys(alias), name).to.deep.equal(Object.keys(of));
        for (const k of Object.keys(of)) expect(alias[k], `${name}.${k}`).to.equal(of[k]);
      } else expect(GROUPS, `lib/index.ts exports ${name}: add a group for it to test/sweep_groups.ts`).to.have.property(name);
    }
    expect(Object.keys(FLOORS).sort()).to.deep.equal(Object.keys(GROUPS).sort());
  });
});

for (const group of Object.keys(GROUPS)) {
  describe(`junk sweep: ${group}${FULL ? ' (full)' : ''}`, function () {
    // A group takes seconds to a minute on 2 cores; the child is killed past 5 minutes (40 when full).
    this.timeout(FULL ? 2_700_000 : 360_000);
    let run: ReturnType<typeof runGroup>;
    before(() => {
      run = runGroup(group);
    });

    it('the child process survives every call and exits normally', () => {
      expect(run.signal, run.stderr).to.equal(null);
      expect(run.status, run.stderr).to.equal(0);
    });
    it('every failure is a thrown Error; disposed receivers always throw', () => {
      expect(run.report.bad).to.deep.equal([]);
      expect(run.report.threw).to.be.greaterThan(0);
    });
    it('covers every export, every instance method and every junk value', () => {
      const r = run.report;
      console.log(
        `      (${r.calls} calls in ${(r.ms / 1000).toFixed(1)} s: ${r.targets} exports, ${r.methods} instance methods, >= ${r.minJunk} junk values each; slowest ${r.slowest.slice(0, 2).join(', ')})`,
      );
      const floor = FLOORS[group];
      expect(r.targets, JSON.stringify(r)).to.be.at.least(floor.targets);
      expect(r.methods, JSON.stringify(r)).to.be.at.least(floor.methods);
      expect(r.calls, JSON.stringify(r)).to.be.at.least(floor.calls);
      // Every target gets its first calls and several junk values; together, every junk value.
      expect(r.minJunk).to.be.at.least(FULL ? r.junkCount : 4);
      expect(r.junkSeen).to.be.at.least(Math.min(r.junkCount, r.rotated * 4));
    });
  });
}

describe('torch bad input: messages name the argument, the expectation and the value', () => {
  it('types, dims, sizes, options', () => {
    const x = torch.ones(2, 3);
    expect(() => torch.zeros(-1)).to.throw(TypeError, /Expected an array of non-negative integers for size but received \[-1\]/);
    expect(() => x.sum(5)).to.throw(RangeError, /Expected a dim in \[-2, 1\] for dim but received 5 of type number/);
    expect(() => x.add('1' as never)).to.throw(TypeError, /Expected a Tensor or a number for other but received "1" of type string/);
    expect(() => x.narrow(0, 0, -1)).to.throw(RangeError, /length/);
    expect(() => x.to('float33' as never)).to.throw(TypeError, /for dtype but received "float33"/);
    expect(() => torch.cat([x, 1 as never])).to.throw(TypeError, /tensors\[1\]/);
    expect(() => torch.manual_seed(NaN)).to.throw(TypeError, /seed.*NaN/);
    expect(() => torch.set_num_threads(0)).to.throw(RangeError, /n/);
  });
  it("LibTorch errors keep LibTorch's message: mismatched shapes and dtypes", () => {
    const x = torch.ones(2, 3);
    expect(() => x.add(torch.ones(4))).to.throw(Error, /The size of tensor a \(3\) must match the size of tensor b \(4\)/);
    expect(() => x.mm(torch.ones([3, 2], { dtype: 'float64' }))).to.throw(Error, /expected .*(same dtype|scalar type)/i);
    expect(() => x.index_select(0, torch.ones(1))).to.throw(Error, /index_select\(\): Expected dtype int32 or int64 for index/);
    expect(() => x.gather(0, torch.ones(1, 3))).to.throw(Error, /gather\(\): Expected dtype int64 for index/);
  });
  it('a disposed tensor throws a named error, as receiver and as argument', () => {
    const d = torch.ones(1);
    d.dispose();
    expect(() => d.sum()).to.throw(Error, /Tensor was disposed/);
    expect(() => torch.stack([torch.ones(1), d])).to.throw(Error, /disposed/);
    expect(() => String(d)).to.throw(Error, /disposed/);
  });
});
