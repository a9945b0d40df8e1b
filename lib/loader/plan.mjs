// Which binary the library loads, and loading it. Candidates in order:
//   1. SNNTORCH_NODE_BINARY: an exact .node file (a build in another folder, doctor's checks);
//   2. build/Release/snntorch_node.node: a source build inside the package;
//   3. the prebuilt matching the LibTorch that discovery finds (naming.mjs), proved in a child
//      process first (proof.mjs), the proof cached (proof-cache.mjs);
//   4. else a NativeLoadError naming what failed and the commands that fix it (remedies.mjs).
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { findLibTorch, LibTorchNotFound } from './libtorch.mjs';
import { BUILT_REL, listPrebuilds, platformTag, selectPrebuilt } from './naming.mjs';
import { classifyFailure } from './proof.mjs';
import { proveCached } from './proof-cache.mjs';
import { NativeLoadError } from './remedies.mjs';

function discover(env) {
  try {
    return { lt: findLibTorch({ env }), error: null };
  } catch (e) {
    if (e instanceof LibTorchNotFound) return { lt: null, error: e };
    return { lt: null, error: e instanceof Error ? e : new Error(String(e)) };
  }
}

/**
 * Candidates in loading order, without loading any. Discovery runs only when a prebuilt is needed
 * (or `discoverAlways`). Returns {candidates: [{kind, path, lt?, tag?}], lt, ltError, notes, available}.
 */
export function planBinary({ root, env = process.env, discoverAlways = false } = {}) {
  const candidates = [];
  const notes = [];
  if (env.SNNTORCH_NODE_BINARY) candidates.push({ kind: 'explicit', path: resolve(env.SNNTORCH_NODE_BINARY) });
  const built = join(root, BUILT_REL);
  if (existsSync(built)) candidates.push({ kind: 'built', path: built });
  let lt = null;
  let ltError = null;
  const files = listPrebuilds(root);
  if (discoverAlways || candidates.length === 0 || files.length > 0) ({ lt, error: ltError } = discover(env));
  if (files.length === 0) {
    notes.push(`no prebuilt binaries in ${join(root, 'prebuilds')}`);
  } else if (lt) {
    const sel = selectPrebuilt(files, lt);
    if (sel.file) candidates.push({ kind: 'prebuilt', path: join(root, 'prebuilds', sel.file), lt, tag: sel.tag });
    else
      notes.push(
        `no prebuilt for ${sel.tag} (LibTorch ${lt.version}, ${lt.cuda ? 'CUDA' : 'CPU'}); prebuilts here: ${sel.available.join(', ') || 'none for ' + platformTag()}`,
      );
  }
  const available = lt ? selectPrebuilt(files, lt).available : [];
  return { candidates, lt, ltError, notes, available };
}

/**
 * Loads the addon: the first candidate of planBinary that loads. A prebuilt is proved in a child
 * process first (cached). `requireFn` loads a .node file in this process.
 * Returns {binding, info: {kind, path, libtorch, proof}}; throws NativeLoadError listing what failed.
 */
export function loadBinding({ root, env = process.env, requireFn, useCache = true }) {
  const plan = planBinary({ root, env });
  const failures = [];
  for (const c of plan.candidates) {
    if (c.kind === 'prebuilt') {
      const p = proveCached(c.path, c.lt, { env, useCache });
      if (!p.ok) {
        failures.push({ kind: c.kind, path: c.path, message: `failed its proof in a child process: ${p.message}`, proofKind: p.kind });
        continue;
      }
      c.proof = p.cached ? 'cached' : 'proved';
    }
    try {
      const binding = requireFn(c.path);
      return { binding, info: { kind: c.kind, path: c.path, libtorch: c.lt ?? plan.lt ?? null, proof: c.proof ?? null } };
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      failures.push({ kind: c.kind, path: c.path, message: classifyFailure(msg).message + ` (${msg.split('\n')[0]})` });
      if (c.kind === 'explicit') break; // an explicit choice is not silently replaced
    }
  }
  let ltError = plan.ltError;
  if (!ltError && !plan.lt && plan.candidates.length > 0) ltError = discover(env).error; // for the message
  throw new NativeLoadError(failures, ltError, plan.notes, plan.available);
}
