// torch.backends: process-wide switches, PyTorch-style (`torch.backends.cudnn.benchmark = true`).
// torch.backends.snntorch.loop_invariant_reuse: nn.Linear / nn.Conv2d applied again to the same
// input with unchanged parameters and grad mode return a copy of their first result instead of
// recomputing it (see lib/nn/reuse.ts). On by default; SNNTORCH_LOOP_INVARIANT_REUSE=0 (or false,
// off, no) in the environment turns it off at start-up.
import { checkBool } from './check.js';

function fromEnv(name: string, fallback: boolean): boolean {
  const v = process.env[name];
  if (v === undefined || v === '') return fallback;
  const s = v.trim().toLowerCase();
  if (['0', 'false', 'off', 'no'].includes(s)) return false;
  if (['1', 'true', 'on', 'yes'].includes(s)) return true;
  throw new RangeError(`${name} must be 0/1 (or false/true, off/on, no/yes) but is '${v}'`);
}

let loopInvariantReuse = fromEnv('SNNTORCH_LOOP_INVARIANT_REUSE', true);

export const backends = {
  /** MPS (Apple's Metal): always false, LibTorch on Linux has no Metal backend. */
  mps: {
    is_available(): boolean {
      return false;
    },
    is_built(): boolean {
      return false;
    },
  },
  snntorch: {
    /** Reuse of a layer's result across the steps of a per-step loop (default true). */
    get loop_invariant_reuse(): boolean {
      return loopInvariantReuse;
    },
    set loop_invariant_reuse(v: boolean) {
      loopInvariantReuse = checkBool('torch.backends.snntorch.loop_invariant_reuse', v);
    },
  },
};
