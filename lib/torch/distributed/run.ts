// `snntorch-node run`: torchrun for Node. Starts --nproc-per-node processes of a script on this
// machine with torchrun's variables (RANK, LOCAL_RANK, WORLD_SIZE, LOCAL_WORLD_SIZE, GROUP_RANK,
// MASTER_ADDR, MASTER_PORT), one LibTorch/BLAS thread per rank unless told otherwise, and stops
// every rank as soon as one fails, exiting with that rank's code (128 + signal for a signal).
//
// One machine (--nnodes 1, the default): the ranks rendezvous through a c10d FileStore in a
// private folder (mode 0700, removed afterwards; SNNTORCH_STORE_FILE) and Gloo binds to
// 127.0.0.1, so no port is reachable from another machine. MASTER_ADDR=127.0.0.1 and a free
// MASTER_PORT are still set for scripts that read them. Several machines: rank 0's node serves a
// c10d TCPStore at --master-addr:--master-port, which has no authentication: run it on a private
// network only.
//
// This module loads no native code: the launcher itself needs no LibTorch.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { constants } from 'node:os';

export const RUN_USAGE = `usage: snntorch-node run [options] script.(ts|js|mjs) [script args...]

Starts one process per rank (as torchrun), each with RANK, LOCAL_RANK, WORLD_SIZE, LOCAL_WORLD_SIZE,
GROUP_RANK, MASTER_ADDR and MASTER_PORT set; the script calls
torch.distributed.init_process_group() (init_method 'env://').

  --nproc-per-node N     processes on this machine (default 1)
  --nnodes M             machines (default 1)
  --node-rank R          this machine's index in [0, M-1] (required when M > 1)
  --master-addr A        address of node 0 (required when M > 1; default 127.0.0.1)
  --master-port P        port of the rendezvous store on node 0 (default: a free port; 29500 when M > 1)
  --threads-per-rank T   LibTorch and BLAS threads per rank (default 1: ranks never oversubscribe)
  -h, --help             this help

On one machine nothing listens beyond loopback. With M > 1 the store on node 0 accepts any
client that reaches MASTER_PORT: use a private network (or a firewall that admits only the nodes).`;

export interface RunOptions {
  nproc_per_node: number;
  nnodes: number;
  node_rank: number;
  master_addr: string;
  master_port: number | null;
  threads_per_rank: number;
  script: string;
  args: string[];
}

export class UsageError extends Error {}

function positiveInt(flag: string, v: string | undefined, min: number): number {
  const n = Number(v);
  if (v === undefined || v === '' || !Number.isInteger(n) || n < min)
    throw new UsageError(`${flag} expects an integer >= ${min}, got ${v === undefined ? 'nothing' : JSON.stringify(v)}`);
  return n;
}

/** Parses the launcher's options; everything from the script on belongs to the script. */
export function parseRunArgs(argv: string[]): RunOptions | 'help' {
  const o: Partial<RunOptions> & { args: string[] } = { args: [] };
  let i = 0;
  for (; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '-h' || a === '--help') return 'help';
    if (!a.startsWith('--')) break;
    const [flag, inline] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const value = (): string | undefined => (inline !== undefined ? inline : argv[++i]);
    switch (flag) {
      case '--nproc-per-node':
      case '--nproc_per_node':
        o.nproc_per_node = positiveInt('--nproc-per-node', value(), 1);
        break;
      case '--nnodes':
        o.nnodes = positiveInt('--nnodes', value(), 1);
        break;
      case '--node-rank':
      case '--node_rank':
        o.node_rank = positiveInt('--node-rank', value(), 0);
        break;
      case '--master-addr':
      case '--master_addr': {
        const v = value();
        if (!v) throw new UsageError('--master-addr expects an address');
        o.master_addr = v;
        break;
      }
      case '--master-port':
      case '--master_port': {
        const p = positiveInt('--master-port', value(), 1);
        if (p > 65535) throw new UsageError(`--master-port expects a port in [1, 65535], got ${p}`);
        o.master_port = p;
        break;
      }
      case '--threads-per-rank':
        o.threads_per_rank = positiveInt('--threads-per-rank', value(), 1);
        break;
      default:
        throw new UsageError(`unknown option ${flag}`);
    }
  }
  const script = argv[i];
  if (!script) throw new UsageError('missing the script to run');
  const nnodes = o.nnodes ?? 1;
  if (nnodes > 1) {
    if (o.node_rank === undefined) throw new UsageError(`--node-rank is required with --nnodes ${nnodes}`);
    if (!o.master_addr) throw new UsageError(`--master-addr (node 0's address) is required with --nnodes ${nnodes}`);
  }
  const node_rank = o.node_rank ?? 0;
  if (node_rank >= nnodes) throw new UsageError(`--node-rank expects an integer in [0, ${nnodes - 1}], got ${node_rank}`);
  return {
    nproc_per_node: o.nproc_per_node ?? 1,
    nnodes,
    node_rank,
    master_addr: o.master_addr ?? '127.0.0.1',
    master_port: o.master_port ?? (nnodes > 1 ? 29500 : null),
    threads_per_rank: o.threads_per_rank ?? 1,
    script,
    args: argv.slice(i + 1),
  };
}

function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

/** The node arguments that run a script: TypeScript through tsx's loader. */
function nodeArgsFor(script: string): string[] {
  const ext = extname(script);
  if (!['.ts', '.mts', '.cts'].includes(ext)) return [script];
  let loader: string;
  try {
    loader = import.meta.resolve('tsx');
  } catch {
    throw new UsageError(`running a TypeScript script needs tsx: npm install --save-dev tsx (or run the compiled .js)`);
  }
  return ['--import', loader, script];
}

/** Starts the ranks of this node and resolves with the launcher's exit code. */
export async function launch(o: RunOptions, io: { log: (s: string) => void } = { log: (s) => console.error(s) }): Promise<number> {
  const world = o.nproc_per_node * o.nnodes;
  const singleNode = o.nnodes === 1;
  const loopback = o.master_addr === '127.0.0.1' || o.master_addr === 'localhost' || o.master_addr === '::1';
  const port = o.master_port ?? (await freeLoopbackPort());
  // One machine on loopback: a FileStore in a private folder, no rendezvous port at all.
  const storeDir = singleNode && loopback ? mkdtempSync(join(tmpdir(), 'snntorch-node-run-')) : null;
  const nodeArgs = nodeArgsFor(o.script);
  const children: ChildProcess[] = [];
  let failure: { code: number; why: string } | null = null;
  const threads = String(o.threads_per_rank);
  const stopAll = (signal: NodeJS.Signals): void => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill(signal);
  };
  let killTimer: NodeJS.Timeout | null = null;
  const fail = (code: number, why: string): void => {
    if (failure) return;
    failure = { code, why };
    io.log(`snntorch-node run: ${why}; stopping the other ranks`);
    stopAll('SIGTERM');
    killTimer = setTimeout(() => stopAll('SIGKILL'), 5000);
    killTimer.unref();
  };
  const onSignal = (sig: NodeJS.Signals): void => fail(128 + (constants.signals[sig] ?? 15), `received ${sig}`);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const exits = [];
    for (let local = 0; local < o.nproc_per_node; local++) {
      const rank = o.node_rank * o.nproc_per_node + local;
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        RANK: String(rank),
        LOCAL_RANK: String(local),
        WORLD_SIZE: String(world),
        LOCAL_WORLD_SIZE: String(o.nproc_per_node),
        GROUP_RANK: String(o.node_rank),
        MASTER_ADDR: o.master_addr,
        MASTER_PORT: String(port),
        SNNTORCH_NUM_THREADS: threads,
        OMP_NUM_THREADS: threads,
        OPENBLAS_NUM_THREADS: threads,
        // The rank ends when the launcher does, even if the launcher is killed (see init.ts).
        SNNTORCH_LAUNCHER_PID: String(process.pid),
      };
      if (storeDir) env.SNNTORCH_STORE_FILE = join(storeDir, 'store');
      else delete env.SNNTORCH_STORE_FILE;
      const child = spawn(process.execPath, [...nodeArgs, ...o.args], { env, stdio: 'inherit' });
      children.push(child);
      exits.push(
        new Promise<void>((resolve) => {
          child.on('error', (e) => {
            fail(1, `rank ${rank} could not start: ${e.message}`);
            resolve();
          });
          child.on('exit', (code, signal) => {
            if (signal) fail(128 + (constants.signals[signal] ?? 0), `rank ${rank} was killed by ${signal}`);
            else if (code !== 0) fail(code ?? 1, `rank ${rank} exited with code ${code}`);
            resolve();
          });
        }),
      );
    }
    await Promise.all(exits);
  } finally {
    if (killTimer) clearTimeout(killTimer);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    if (storeDir) rmSync(storeDir, { recursive: true, force: true });
  }
  return (failure as { code: number } | null)?.code ?? 0;
}

/** The CLI: returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  let o: RunOptions | 'help';
  try {
    o = parseRunArgs(argv);
    if (o === 'help') {
      console.log(RUN_USAGE);
      return 0;
    }
    return await launch(o);
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`snntorch-node run: ${e.message}\n\n${RUN_USAGE}`);
      return 2;
    }
    throw e;
  }
}
