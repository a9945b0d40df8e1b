// nn.parallel.DistributedDataParallel over c10d's Reducer: parameters and buffers broadcast from
// rank 0 at construction; during backward, gradients are averaged over ranks in buckets whose
// allreduce starts as soon as the bucket's last gradient is ready (so it overlaps the rest of
// backward); at the end of backward every parameter's .grad holds the mean over ranks.
import { native, type NativeReducer } from '../../native.js';
import { checkBool, checkNumber, checkOptions, invalid } from '../../torch/check.js';
import { is_grad_enabled } from '../../torch/autograd.js';
import { Tensor } from '../../torch/tensor.js';
import { defaultGroup } from '../../torch/distributed/state.js';
import { Module, type LoadResult } from '../module.js';

export interface DistributedDataParallelOptions {
  /** Bucket size in MiB (default 25, as PyTorch). */
  bucket_cap_mb?: number;
  /** Broadcast rank 0's buffers before every forward (default true). */
  broadcast_buffers?: boolean;
  /** Search the forward's outputs for parameters that get no gradient (default false). */
  find_unused_parameters?: boolean;
}

/** One backward's gradient communication, measured by the allreduce hook (milliseconds). */
export interface CommStats {
  /** Buckets reduced in the latest backward. */
  buckets: number;
  /** Wall time during which at least one bucket's allreduce was in flight. */
  allreduce_ms: number;
  /** The part of allreduce_ms before the last bucket was launched (gradients still being computed). */
  overlap_ms: number;
  /** The part after: communication that backward waited for. */
  exposed_ms: number;
}

const BROADCAST_BUCKET_BYTES = 250 * 1024 * 1024; // PyTorch's broadcast_bucket_size
// dist._DEFAULT_FIRST_BUCKET_BYTES; here capped by bucket_cap_mb, so that a small bucket_cap_mb
// gives small buckets from the first gradients on (PyTorch keeps the first bucket at 1 MiB).
const FIRST_BUCKET_BYTES = 1024 * 1024;

type ForwardOf<M extends Module> = M['forward'];

function collectTensors(v: unknown, out: Tensor[], seen = new Set<unknown>()): void {
  if (v instanceof Tensor) {
    out.push(v);
    return;
  }
  if (v === null || typeof v !== 'object' || seen.has(v)) return;
  seen.add(v);
  const items = Array.isArray(v) ? v : v instanceof Map ? [...v.values()] : Object.values(v);
  for (const x of items) collectTensors(x, out, seen);
}

export class DistributedDataParallel<M extends Module = Module> extends Module {
  /** The wrapped module (state_dict keys start with `module.`, as PyTorch's). */
  readonly module: M;
  readonly bucket_cap_mb: number;
  readonly broadcast_buffers: boolean;
  readonly find_unused_parameters: boolean;
  #reducer: NativeReducer | null;
  #sync = true;

  constructor(module: M, opts?: DistributedDataParallelOptions) {
    super();
    if (!(module instanceof Module)) throw invalid('module', 'an nn.Module', module);
    const o = checkOptions<DistributedDataParallelOptions>('DistributedDataParallel options', opts, [
      'bucket_cap_mb',
      'broadcast_buffers',
      'find_unused_parameters',
    ]);
    this.bucket_cap_mb = o.bucket_cap_mb === undefined ? 25 : checkNumber('bucket_cap_mb', o.bucket_cap_mb, { finite: true });
    if (!(this.bucket_cap_mb > 0)) throw invalid('bucket_cap_mb', 'a positive number of MiB', o.bucket_cap_mb);
    this.broadcast_buffers = o.broadcast_buffers === undefined ? true : checkBool('broadcast_buffers', o.broadcast_buffers);
    this.find_unused_parameters =
      o.find_unused_parameters === undefined ? false : checkBool('find_unused_parameters', o.find_unused_parameters);
    this.module = module;
    const g = defaultGroup();
    const named = [...module.named_parameters()].filter(([, p]) => p.requires_grad);
    if (!named.length)
      throw new Error("DistributedDataParallel is not needed when a module doesn't have any parameter that requires a gradient.");
    const devices = new Set(named.map(([, p]) => p.device));
    if (devices.size > 1)
      throw new Error(`DistributedDataParallel: all parameters must be on one device, found ${[...devices].join(', ')}`);
    this.#reducer = native.dist_reducer_create(
      g.pg,
      named.map(([, p]) => p.handle),
      named.map(([n]) => n),
      Math.round(this.bucket_cap_mb * 1024 * 1024),
      Math.min(FIRST_BUCKET_BYTES, Math.round(this.bucket_cap_mb * 1024 * 1024)),
      this.find_unused_parameters,
    );
    // Every rank starts from rank 0's parameters and buffers.
    this.#broadcastStates([...module.parameters(), ...module.buffers()], 'parameters and buffers');
  }

  #broadcastStates(ts: Tensor[], what: string): void {
    if (!ts.length) return;
    const detached = ts.map((t) => t.detach());
    try {
      native.dist_broadcast_coalesced(
        defaultGroup().pg,
        detached.map((t) => t.handle),
        BROADCAST_BUCKET_BYTES,
        0,
        `DistributedDataParallel broadcast of ${what} from rank 0`,
      );
    } finally {
      for (const t of detached) t.dispose();
    }
  }

  #reducerOrThrow(): NativeReducer {
    if (!this.#reducer) throw new Error('DistributedDataParallel was disposed');
    return this.#reducer;
  }

  /** Runs the wrapped module's forward; the next backward averages gradients over ranks (unless in no_sync). */
  forward(...args: Parameters<ForwardOf<M>>): ReturnType<ForwardOf<M>> {
    return this.forward_with((m) => (m.forward as (...a: unknown[]) => ReturnType<ForwardOf<M>>)(...args));
  }

  /**
   * Runs fn(module) as this step's forward, with DDP's bookkeeping around it: for a forward that is
   * not module.forward (a layer-by-layer engine calling the sub-modules itself).
   */
  forward_with<R>(fn: (module: M) => R): R {
    if (typeof fn !== 'function') throw invalid('fn', 'a function', fn);
    const reducer = this.#reducerOrThrow();
    const syncing = is_grad_enabled() && this.#sync;
    if (syncing) native.dist_reducer_prepare_for_forward(reducer);
    if (this.broadcast_buffers) this.#broadcastStates([...this.module.buffers()], 'buffers');
    const out = fn(this.module);
    if (syncing) {
      const outs: Tensor[] = [];
      if (this.find_unused_parameters) collectTensors(out, outs);
      native.dist_reducer_prepare_for_backward(
        reducer,
        outs.map((t) => t.handle),
      );
    }
    return out;
  }

  /**
   * Runs fn with gradient averaging off: backward passes inside accumulate local gradients, and
   * the first synchronized backward after it averages the accumulated sum (gradient accumulation).
   * fn may be async; synchronization resumes when its promise settles.
   */
  no_sync<R>(fn: () => R): R {
    if (typeof fn !== 'function') throw invalid('fn', 'a function', fn);
    const prev = this.#sync;
    this.#sync = false;
    let r: R;
    try {
      r = fn();
    } catch (e) {
      this.#sync = prev;
      throw e;
    }
    if (r instanceof Promise) {
      return r.finally(() => {
        this.#sync = prev;
      }) as R;
    }
    this.#sync = prev;
    return r;
  }

  /** Accepts PyTorch's DDP keys (`module.fc1.weight`) and the wrapped module's (`fc1.weight`). */
  override load_state_dict(state_dict: Map<string, unknown> | Record<string, unknown>, opts?: { strict?: boolean }): LoadResult {
    const entries =
      state_dict instanceof Map
        ? [...state_dict.entries()]
        : state_dict !== null && typeof state_dict === 'object'
          ? Object.entries(state_dict)
          : null;
    if (entries && entries.length && entries.every(([k]) => !k.startsWith('module.'))) {
      return super.load_state_dict(new Map(entries.map(([k, v]) => [`module.${k}`, v])), opts);
    }
    return super.load_state_dict(state_dict, opts);
  }

  /** The latest backward's gradient communication and how much of it overlapped gradient computation. */
  comm_stats(): CommStats {
    const spans = native.dist_reducer_comm_spans(this.#reducerOrThrow()).filter(([, d]) => d >= 0);
    if (!spans.length) return { buckets: 0, allreduce_ms: 0, overlap_ms: 0, exposed_ms: 0 };
    const lastLaunch = Math.max(...spans.map(([l]) => l));
    const sorted = [...spans].sort((a, b) => a[0] - b[0]);
    let total = 0;
    let overlap = 0;
    let cur: [number, number] | null = null;
    const close = (s: [number, number]): void => {
      total += s[1] - s[0];
      overlap += Math.max(0, Math.min(s[1], lastLaunch) - s[0]);
    };
    for (const [l, d] of sorted) {
      if (cur && l <= cur[1]) cur[1] = Math.max(cur[1], d);
      else {
        if (cur) close(cur);
        cur = [l, d];
      }
    }
    if (cur) close(cur);
    return { buckets: spans.length, allreduce_ms: total, overlap_ms: overlap, exposed_ms: total - overlap };
  }

  override extra_repr(): string {
    return `bucket_cap_mb=${this.bucket_cap_mb}, broadcast_buffers=${this.broadcast_buffers}, find_unused_parameters=${this.find_unused_parameters}`;
  }

  /** Removes the gradient hooks (the wrapped module stays usable); dispose() also frees the module. */
  detach_reducer(): void {
    if (this.#reducer) native.dist_reducer_dispose(this.#reducer);
    this.#reducer = null;
  }
  override dispose(): void {
    this.detach_reducer();
    super.dispose();
  }
}
