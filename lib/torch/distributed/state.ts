// The default process group of this process (PyTorch's group.WORLD).
import { native, type Binding, type NativeProcessGroup, type NativeStore } from '../../native.js';

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

/** Whether this build of the addon has c10d (native/binding/distributed.cpp compiled in). */
export function distributedBuilt(): boolean {
  return typeof (native as Partial<Binding>).dist_new_group === 'function';
}

export function requireDistributedBuild(): void {
  if (distributedBuilt()) return;
  throw new Error(
    "torch.distributed is not available in this build of snntorch-node. It needs Gloo's headers at build time " +
      "(Debian/Ubuntu: sudo apt-get install -y libgloo-dev, then npx snntorch-node build), and LibTorch 1.13's c10d API: " +
      'with another LibTorch the build leaves it out and its CMake output says why.',
  );
}
