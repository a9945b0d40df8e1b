// The default process group of this process (PyTorch's group.WORLD).
import type { NativeProcessGroup, NativeStore } from '../../native.js';

export type Backend = 'gloo' | 'nccl';

export interface DefaultGroup {
  pg: NativeProcessGroup;
  store: NativeStore;
  backend: Backend;
  rank: number;
  world_size: number;
  timeout: number;
  /** How the group rendezvoused, for messages: 'tcp://127.0.0.1:29500', 'file:///tmp/x', ... */
  init_method: string;
}

let current: DefaultGroup | null = null;
let generation = 0;

export function setDefaultGroup(g: DefaultGroup | null): void {
  current = g;
}
export function defaultGroupOrNull(): DefaultGroup | null {
  return current;
}
/** The next group's store prefix: groups created in the same order on every rank share it. */
export function nextGeneration(): number {
  return generation++;
}

export function defaultGroup(): DefaultGroup {
  if (!current) {
    throw new Error('Default process group has not been initialized, please make sure to call init_process_group.');
  }
  return current;
}
