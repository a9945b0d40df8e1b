// Worker threads and process lifetime: stopping a worker while it is inside a native call (with
// worker.terminate() or process.exit) never aborts the process, and each worker thread has its own
// CPU random generator, so a worker's manual_seed never reseeds the main thread. Crashes are
// observed in child processes.
import { expect } from 'chai';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describeExit, ROOT, runChild, type ChildResult } from './child_run.js';

const WORKER = pathToFileURL(join(ROOT, 'test', 'children', 'busy_worker.mjs')).href;
const TSX_API = pathToFileURL(join(ROOT, 'node_modules', 'tsx', 'dist', 'esm', 'api', 'index.mjs')).href;

/** A child that starts a busy worker `rounds` times and stops it with `stop` each time. */
function stopBusyWorker(stop: 'terminate' | 'exit', rounds: number): Promise<ChildResult> {
  return runChild(
    `
import { Worker } from 'node:worker_threads';
for (let i = 0; i < ${rounds}; i++) {
  const w = new Worker(new URL(${JSON.stringify(WORKER)}), { workerData: { lib: LIB, tsx: ${JSON.stringify(TSX_API)} } });
  await new Promise((resolve, reject) => { w.once('message', resolve); w.once('error', reject); });
  await new Promise((r) => setTimeout(r, 50));
  ${stop === 'terminate' ? "await w.terminate(); console.log('terminated ' + i);" : 'process.exit(0);'}
}
console.log('done');
`,
    { timeoutMs: 90000 },
  );
}

describe('workers: stopping a worker inside a native call', function () {
  this.timeout(300000);

  it('worker.terminate() while the worker is inside library calls: 6 of 6 exit 0 (3 children x 2)', async () => {
    const results: ChildResult[] = [];
    for (let i = 0; i < 3; i++) results.push(await stopBusyWorker('terminate', 2));
    for (const r of results) {
      expect(r.signal, describeExit(r)).to.equal(null);
      expect(r.status, describeExit(r)).to.equal(0);
      expect(r.stdout).to.contain('done');
    }
  });

  it('process.exit(0) with a worker inside library calls: 6 of 6 exit 0', async () => {
    const results: ChildResult[] = [];
    for (let i = 0; i < 3; i++) results.push(...(await Promise.all([stopBusyWorker('exit', 1), stopBusyWorker('exit', 1)])));
    expect(results).to.have.length(6);
    for (const r of results) {
      expect(r.signal, describeExit(r)).to.equal(null);
      expect(r.status, describeExit(r)).to.equal(0);
    }
  });
});

describe('workers: random generators are per thread', function () {
  this.timeout(120000);

  it("a worker's manual_seed leaves the main thread's stream alone; a seeded worker repeats the main thread's numbers", async () => {
    const r = await runChild(`
import { Worker } from 'node:worker_threads';
const { torch } = await import(LIB);
const workerCode = \`
  const { parentPort, workerData } = require('node:worker_threads');
  (async () => {
    const { register } = await import(workerData.tsx);
    register();
    const { torch } = await import(workerData.lib);
    const fresh = torch.initial_seed();
    torch.manual_seed(123);
    const a = torch.rand(4).tolist();
    torch.manual_seed(7);
    const b = torch.randn(3).tolist();
    parentPort.postMessage({ fresh, a, b, threadLocal: true });
  })();
\`;
torch.manual_seed(7);
const expectedB = torch.randn(3).tolist();
torch.manual_seed(123);
const expectedA = torch.rand(4).tolist();
torch.manual_seed(0);
const first = torch.rand(2).tolist();
const w = new Worker(workerCode, { eval: true, workerData: { lib: LIB, tsx: ${JSON.stringify(TSX_API)} } });
const msg = await new Promise((resolve, reject) => { w.once('message', resolve); w.once('error', reject); });
await w.terminate();
const after = torch.rand(2).tolist();
torch.manual_seed(0);
const reference = torch.rand(4).tolist();
console.log(JSON.stringify({ msg, expectedA, expectedB, first, after, reference, mainSeed: torch.initial_seed() }));
`);
    expect(r.status, describeExit(r)).to.equal(0);
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as {
      msg: { fresh: number; a: number[]; b: number[] };
      expectedA: number[];
      expectedB: number[];
      first: number[];
      after: number[];
      reference: number[];
      mainSeed: number;
    };
    // The main thread's stream continued as if no worker had seeded anything.
    expect([...out.first, ...out.after]).to.deep.equal(out.reference);
    expect(out.mainSeed).to.equal(0);
    // The worker's own generator: PyTorch's default seed when fresh, and the same numbers as the main thread for the same seed.
    expect(out.msg.fresh).to.equal(67280421310721);
    expect(out.msg.a).to.deep.equal(out.expectedA);
    expect(out.msg.b).to.deep.equal(out.expectedB);
  });
});
