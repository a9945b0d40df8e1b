// Runs a TypeScript snippet in a child Node process (with tsx), so that a crash, an abort or a hang
// shows up as an exit code, a signal or a timeout in the test instead of ending the test runner.
// The snippet can import the library as `LIB` (the absolute URL of lib/index.ts).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const LIB = pathToFileURL(join(ROOT, 'lib', 'index.ts')).href;
const TSX = pathToFileURL(join(ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;

export interface ChildResult {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Wall time of the whole child, import included. */
  ms: number;
  timedOut: boolean;
}

export interface ChildOptions {
  env?: Record<string, string | undefined>;
  timeoutMs?: number;
  nodeArgs?: string[];
}

/** Runs `code` (an ES module; `LIB` is substituted) and resolves when the child ends or is killed at the timeout. */
export function runChild(code: string, opts: ChildOptions = {}): Promise<ChildResult> {
  const dir = mkdtempSync(join(tmpdir(), 'snn-child-'));
  const file = join(dir, 'child.mts');
  writeFileSync(file, code.replaceAll('LIB', JSON.stringify(LIB)));
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), '--import', TSX, file], {
      cwd: ROOT,
      env: { ...process.env, ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, opts.timeoutMs ?? 60000);
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      rmSync(dir, { recursive: true, force: true });
      resolve({ status, signal, stdout, stderr, ms: Date.now() - started, timedOut });
    });
  });
}

/** The exit as a readable string for assertion messages. */
export function describeExit(r: ChildResult): string {
  return `status ${r.status}, signal ${r.signal}${r.timedOut ? ' (timed out)' : ''} after ${r.ms} ms; stderr: ${r.stderr.slice(-1500)}`;
}
