// Successful proofs, remembered in os.tmpdir() (or SNNTORCH_NODE_PROOF_CACHE), keyed by the binary
// (real path, size, mtime), the LibTorch and Node's ABI: a child process per start costs ~1 s.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, realpathSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { proveBinary } from './proof.mjs';

export function proofCachePath(env = process.env) {
  if (env.SNNTORCH_NODE_PROOF_CACHE) return env.SNNTORCH_NODE_PROOF_CACHE;
  const uid = typeof process.getuid === 'function' ? process.getuid() : 'user';
  return join(tmpdir(), `snntorch-node-proofs-${uid}.json`);
}

export function proofKey(file, lt) {
  const st = statSync(file);
  let real = file;
  try {
    real = realpathSync(file);
  } catch {
    /* keep */
  }
  const key = JSON.stringify({
    file: real,
    size: st.size,
    mtime: st.mtimeMs,
    lt: lt ? { prefix: lt.prefix, libDir: lt.libDir, version: lt.version, cuda: lt.cuda } : null,
    napi: process.versions.napi,
    node: process.versions.modules,
  });
  return createHash('sha256').update(key).digest('hex').slice(0, 32);
}

function readCache(path) {
  try {
    const c = JSON.parse(readFileSync(path, 'utf8'));
    return c && typeof c === 'object' ? c : {};
  } catch {
    return {};
  }
}

/** proveBinary, with successes remembered. Returns the proof plus {cached}. */
export function proveCached(file, lt, { env = process.env, useCache = true } = {}) {
  const path = proofCachePath(env);
  let key = null;
  try {
    key = proofKey(file, lt);
  } catch {
    /* unreadable file: prove (and fail) below */
  }
  if (useCache && key) {
    const hit = readCache(path)[key];
    if (hit && hit.ok) return { ok: true, config: hit.config, cached: true, output: '' };
  }
  const p = proveBinary(file, { env });
  if (p.ok && key) {
    try {
      const c = readCache(path);
      c[key] = { ok: true, file, config: p.config, at: new Date().toISOString() };
      mkdirSync(dirname(path), { recursive: true });
      const tmp = `${path}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify(c, null, 1));
      renameSync(tmp, path);
    } catch {
      /* a cache we cannot write only costs a child process next time */
    }
  }
  return { ...p, cached: false };
}
