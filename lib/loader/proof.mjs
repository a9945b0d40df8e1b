// The proof that a binary loads: it is loaded in a child Node process and config() called.
// A binary built for another LibTorch (or C++ ABI) links and loads, then kills the process with
// "undefined symbol" at the first call. So the child runs with LD_BIND_NOW=1 (every symbol resolved
// at load time); only a binary that passes is loaded in the caller's process.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

const PROOF_SCRIPT = `
const m = { exports: {} };
process.dlopen(m, process.argv[1]);
const c = m.exports.config();
process.stdout.write('\\nSNNTORCH_PROOF ' + JSON.stringify(c) + '\\n');
`;

/** Turns a child's failure into {kind, message}: abi, missing-so, not-a-binary, missing, crashed, load. */
export function classifyFailure(text, signal, status) {
  const t = String(text || '');
  let m;
  if ((m = /undefined symbol: (\S+)/.exec(t))) {
    return { kind: 'abi', message: `undefined symbol ${m[1]}: built for another LibTorch version or C++ ABI` };
  }
  if ((m = /([^\s:]+\.so[.\d]*): cannot open shared object file/.exec(t))) {
    return { kind: 'missing-so', message: `missing shared library ${m[1]} (the LibTorch it was built against is not on this machine)` };
  }
  if (/invalid ELF header|file too short|not an ELF|wrong ELF class|only ET_DYN and ET_EXEC/.test(t)) {
    return { kind: 'not-a-binary', message: 'not a loadable shared object for this machine' };
  }
  if (/ENOENT|no such file/i.test(t) && !/\.so/.test(t)) return { kind: 'missing', message: 'file not found' };
  if (signal) return { kind: 'crashed', message: `the test process was killed by ${signal}` };
  const last = t.trim().split('\n').filter(Boolean).slice(-3).join(' | ');
  return { kind: 'load', message: `loading failed (exit ${status})${last ? ': ' + last : ''}` };
}

/**
 * Loads `file` in a child Node process (LD_BIND_NOW=1) and calls config(). Never throws and never
 * harms this process. Returns {ok, config?, kind?, message?, output}.
 */
export function proveBinary(file, { env = process.env, timeoutMs = 120000 } = {}) {
  if (!existsSync(file)) return { ok: false, kind: 'missing', message: `${file} does not exist`, output: '' };
  const r = spawnSync(process.execPath, ['-e', PROOF_SCRIPT, file], {
    env: { ...env, LD_BIND_NOW: '1', NODE_OPTIONS: '' },
    encoding: 'utf8',
    timeout: timeoutMs,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  const m = /SNNTORCH_PROOF (\{.*\})/.exec(r.stdout ?? '');
  if (r.status === 0 && m) {
    try {
      return { ok: true, config: JSON.parse(m[1]), output };
    } catch {
      /* fall through */
    }
  }
  if (r.error && r.error.code === 'ETIMEDOUT') return { ok: false, kind: 'timeout', message: `no answer in ${timeoutMs / 1000} s`, output };
  return { ok: false, ...classifyFailure(output, r.signal, r.status), output };
}
