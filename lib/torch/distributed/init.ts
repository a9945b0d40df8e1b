// init_process_group / destroy_process_group and the queries on the default group, as PyTorch's.
import { native } from '../../native.js';
import { checkOptions, checkString, invalid, isInt, outOfRange } from '../check.js';
import { abortReason, claimMembership, glooAddress, openStore, parseInitMethod } from './rendezvous.js';
import {
  defaultGroup,
  defaultGroupOrNull,
  distributedBuilt,
  nextGeneration,
  requireDistributedBuild,
  setDefaultGroup,
  type Backend,
} from './state.js';

/** PyTorch's default_pg_timeout: 30 minutes. */
export const default_pg_timeout = 30 * 60 * 1000;

export interface InitProcessGroupOptions {
  /** 'gloo' (CPU tensors) or 'nccl' (CUDA tensors, CUDA builds). Default 'gloo'. */
  backend?: Backend;
  /** 'env://' (default), 'tcp://host:port' or 'file:///path'. */
  init_method?: string;
  /** Default: RANK (env://) or the URL's ?rank=. */
  rank?: number;
  /** Default: WORLD_SIZE (env://) or the URL's ?world_size=. */
  world_size?: number;
  /** Milliseconds every rendezvous step and collective may take (default 30 minutes, as PyTorch). */
  timeout?: number;
}

const INIT_KEYS = ['backend', 'init_method', 'rank', 'world_size', 'timeout'] as const;

/** Joins this process to the default group; blocks until all world_size processes joined or timeout. */
export function init_process_group(opts?: InitProcessGroupOptions): void;
export function init_process_group(backend: Backend, opts?: Omit<InitProcessGroupOptions, 'backend'>): void;
export function init_process_group(a?: Backend | InitProcessGroupOptions, b?: Omit<InitProcessGroupOptions, 'backend'>): void {
  const o: InitProcessGroupOptions =
    typeof a === 'string'
      ? { ...checkOptions<InitProcessGroupOptions>('init_process_group options', b, INIT_KEYS), backend: a }
      : checkOptions<InitProcessGroupOptions>('init_process_group options', a, INIT_KEYS);
  requireDistributedBuild();
  exitWithLauncher();
  if (defaultGroupOrNull()) throw new Error('trying to initialize the default process group twice! (call destroy_process_group() first)');
  const backend = checkString('backend', o.backend ?? 'gloo', ['gloo', 'nccl'] as const);
  if (backend === 'nccl' && !native.dist_nccl_available()) {
    throw new Error("backend 'nccl' needs snntorch-node built against a CUDA LibTorch with NCCL; use backend 'gloo' for CPU tensors");
  }
  const timeout = o.timeout ?? default_pg_timeout;
  if (!isInt(timeout) || timeout <= 0) throw outOfRange('timeout', 'a positive integer number of milliseconds', timeout);
  if (o.rank !== undefined && !isInt(o.rank)) throw invalid('rank', 'an integer', o.rank);
  if (o.world_size !== undefined && !isInt(o.world_size)) throw invalid('world_size', 'an integer', o.world_size);
  const rv = parseInitMethod(o.init_method ?? 'env://', o.rank, o.world_size);
  const store = openStore(rv, timeout);
  native.dist_store_set_timeout(store, timeout);
  const prefix = `default_pg/${nextGeneration()}/`;
  claimMembership(store, prefix, rv.rank, rv.world_size);
  const gloo = glooAddress(rv);
  let pg;
  try {
    pg = native.dist_new_group(store, backend, rv.rank, rv.world_size, timeout, prefix, gloo.host, gloo.iface);
  } catch (e) {
    const why = abortReason(store, prefix);
    const msg = (e as Error).message;
    throw new Error(
      why
        ? `${msg}\nAnother process reported: ${why}`
        : `${msg}\n(rendezvous ${rv.description}, world_size ${rv.world_size}: did every rank start, with the same world_size?)`,
    );
  }
  setDefaultGroup({ pg, store, backend, rank: rv.rank, world_size: rv.world_size, timeout, init_method: rv.description });
}

/** A rank started by `snntorch-node run` ends with the launcher (no orphan ranks if it is killed). */
function exitWithLauncher(): void {
  const launcher = Number(process.env.SNNTORCH_LAUNCHER_PID);
  if (!Number.isInteger(launcher) || launcher <= 0 || process.ppid !== launcher) return;
  if (!native.dist_exit_with_parent(launcher))
    throw new Error(`torch.distributed: the launcher (pid ${launcher}) that started this rank has exited`);
}

/** Leaves the default group; collectives fail afterwards until init_process_group is called again. */
export function destroy_process_group(): void {
  const g = defaultGroupOrNull();
  if (!g) throw new Error('Default process group has not been initialized, please make sure to call init_process_group.');
  native.dist_destroy_group(g.pg);
  setDefaultGroup(null);
}

export function is_initialized(): boolean {
  return defaultGroupOrNull() !== null;
}
/** torch.distributed.is_available(): whether this build has c10d. */
export function is_available(): boolean {
  return distributedBuilt();
}
export function is_gloo_available(): boolean {
  return distributedBuilt();
}
export function is_nccl_available(): boolean {
  return distributedBuilt() && native.dist_nccl_available();
}
export function get_rank(): number {
  return defaultGroup().rank;
}
export function get_world_size(): number {
  return defaultGroup().world_size;
}
export function get_backend(): Backend {
  return defaultGroup().backend;
}
