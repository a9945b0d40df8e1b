// The commands that fix a binary that does not load, and the error that lists them.
import { REMEDIES as LIBTORCH_REMEDIES } from './libtorch.mjs';

export { LIBTORCH_REMEDIES };

export const FIX_BUILD = 'npx snntorch-node build             # build the addon from source (needs cmake and a C++ compiler)';
export const FIX_REBUILD = 'npm rebuild snntorch-node           # re-run the install step (a fitting prebuilt, else a source build)';
export const FIX_TOOLS = 'sudo apt-get install -y cmake g++    # what a source build needs';
export const FIX_DOCTOR = 'npx snntorch-node doctor            # check the whole setup';

/** The remedies for a failure report, most specific first. */
export function remedies({ ltError, failures = [], available = [] }) {
  const out = [];
  if (ltError) {
    out.push(...LIBTORCH_REMEDIES, 'then: ' + FIX_REBUILD);
    return out;
  }
  if (failures.some((f) => f.kind === 'explicit')) out.push('unset SNNTORCH_NODE_BINARY, or point it to a built snntorch_node.node');
  out.push(FIX_BUILD, FIX_TOOLS, FIX_REBUILD);
  if (available.length) out.push(`or use a LibTorch that a prebuilt was made for (${available.join(', ')}): export LIBTORCH=/path/to/it`);
  out.push(FIX_DOCTOR);
  return out;
}

export class NativeLoadError extends Error {
  constructor(failures, ltError, notes, available = []) {
    const what = ltError
      ? 'no LibTorch found'
      : failures.length
        ? failures.map((f) => `the ${f.kind} binary does not load`).join('; ')
        : 'no source build in the package and no prebuilt fits';
    const lines = [`snntorch-node: the native addon could not be loaded: ${what}.`];
    if (ltError) lines.push('LibTorch: ' + ltError.message.replace(/^snntorch-node: /, '').replace(/\nRemedies[\s\S]*$/, ''));
    for (const n of notes) lines.push('- ' + n);
    for (const f of failures) lines.push(`- ${f.kind} ${f.path}: ${f.message}`);
    lines.push('Fix it with one of:');
    for (const r of remedies({ ltError, failures, available })) lines.push('  ' + r);
    super(lines.join('\n'));
    this.name = 'NativeLoadError';
    // Not enumerable: Node prints an uncaught error's own enumerable properties after its message.
    Object.defineProperty(this, 'failures', { value: failures, enumerable: false });
    Object.defineProperty(this, 'notes', { value: notes, enumerable: false });
  }
}
