// Starts test ranks as real processes (test/distributed/worker.ts) and collects what they print.
// Every run is bounded: past its deadline every rank still alive is killed and the run fails.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const WORKER = join(ROOT, 'test', 'distributed', 'worker.ts');

export interface RankResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** The parsed {"ok": true, ...} line, if the rank printed one. */
  result: Record<string, unknown> | null;
  ms: number;
}

/** A TCP port free on loopback right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

export interface StartedRank {
  child: ChildProcess;
  done: Promise<RankResult>;
  /** Resolves when the rank printed a line containing text. */
  printed(text: string): Promise<void>;
}

export function startRank(
  args: string[],
  env: NodeJS.ProcessEnv = {},
  command: string[] = ['--import', 'tsx', WORKER],
  exe: string = process.execPath,
): StartedRank {
  const t0 = Date.now();
  const child = spawn(exe, [...command, ...args], {
    cwd: ROOT,
    env: { ...process.env, SNNTORCH_NUM_THREADS: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const waiters: { text: string; resolve: () => void }[] = [];
  child.stdout!.on('data', (d: Buffer) => {
    stdout += d.toString();
    for (const w of waiters.filter((w) => stdout.includes(w.text))) w.resolve();
  });
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<RankResult>((resolve) => {
    child.on('close', (code, signal) => {
      const line = stdout.split('\n').find((l) => l.startsWith('{"ok":true'));
      resolve({ code, signal, stdout, stderr, result: line ? (JSON.parse(line) as Record<string, unknown>) : null, ms: Date.now() - t0 });
    });
  });
  return {
    child,
    done,
    printed: (text) =>
      new Promise<void>((resolve) => {
        if (stdout.includes(text)) resolve();
        else waiters.push({ text, resolve });
      }),
  };
}

/** Runs world_size ranks of a worker mode; kills them all if deadlineMs passes. */
export async function runRanks(
  mode: string,
  world_size: number,
  init_method: string,
  deadlineMs: number,
  env: NodeJS.ProcessEnv = {},
): Promise<RankResult[]> {
  const ranks = Array.from({ length: world_size }, (_, r) => startRank([mode, String(r), String(world_size), init_method], env));
  return withDeadline(ranks, deadlineMs);
}

export async function withDeadline(ranks: StartedRank[], deadlineMs: number): Promise<RankResult[]> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      for (const r of ranks) if (r.child.exitCode === null && r.child.signalCode === null) r.child.kill('SIGKILL');
      reject(new Error(`ranks still running after ${deadlineMs} ms: killed`));
    }, deadlineMs);
  });
  try {
    return await Promise.race([Promise.all(ranks.map((r) => r.done)), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

export function describe_(r: RankResult): string {
  return `exit ${r.code} signal ${r.signal}\nstdout: ${r.stdout.slice(-2000)}\nstderr: ${r.stderr.slice(-2000)}`;
}

/** Skips a suite, saying why, where this build has no torch.distributed (see README). */
export async function skipWithoutC10d(ctx: Mocha.Context): Promise<void> {
  const { torch } = await import('../../lib/index.js');
  if (!torch.distributed.is_available()) {
    console.log(
      '      skipped: this build of snntorch-node has no torch.distributed (Gloo headers missing, or c10d API of another LibTorch)',
    );
    ctx.skip();
  }
}
