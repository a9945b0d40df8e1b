// Collectives on the default group, with PyTorch's names and arguments. In place, as PyTorch's.
// Synchronous by default (the calling thread waits); with async_op: true they return a Work whose
// wait() resolves a Promise while the collective runs on c10d's threads.
import { native, type NativeWork } from '../../native.js';
import { checkBool, checkInt, checkOptions, invalid } from '../check.js';
import { isFloating } from '../dtype.js';
import { Tensor } from '../tensor.js';
import { cat } from '../functions.js';
import { no_grad } from '../autograd.js';
import { defaultGroup } from './state.js';
import { Work } from './work.js';

/** Reduction operations (torch.distributed.ReduceOp). */
export const ReduceOp = {
  SUM: 'sum',
  AVG: 'avg',
  PRODUCT: 'product',
  MIN: 'min',
  MAX: 'max',
} as const;
export type ReduceOp = (typeof ReduceOp)[keyof typeof ReduceOp];
const OPS: readonly string[] = Object.values(ReduceOp);

export interface AsyncOption {
  async_op?: boolean;
}
type MaybeWork<O> = O extends { async_op: true } ? Work : void;

function checkOp(op: unknown): ReduceOp {
  if (typeof op !== 'string' || !OPS.includes(op)) throw invalid('op', `a ReduceOp (${OPS.map((s) => `'${s}'`).join(', ')})`, op);
  return op as ReduceOp;
}
function tensor(name: string, t: unknown): Tensor {
  if (!(t instanceof Tensor)) throw invalid(name, 'a Tensor', t);
  return t;
}
function tensorList(name: string, ts: unknown): Tensor[] {
  if (!Array.isArray(ts)) throw invalid(name, 'an array of Tensors', ts);
  ts.forEach((t, i) => tensor(`${name}[${i}]`, t));
  return ts as Tensor[];
}
function sameShape(a: Tensor, b: Tensor): boolean {
  const x = a.shape;
  const y = b.shape;
  return x.length === y.length && x.every((s, i) => s === y[i]) && a.dtype === b.dtype;
}
function checkRank(name: string, r: unknown, world: number): number {
  return checkInt(name, r, 0, world - 1);
}

function finish<O extends AsyncOption>(opts: O | undefined, w: NativeWork, after: (() => void) | null = null): MaybeWork<O> {
  const work = new Work(w, after);
  if (opts?.async_op === true) return work as MaybeWork<O>;
  work.wait_sync();
  return undefined as MaybeWork<O>;
}
function asyncOpts<O extends AsyncOption>(name: string, opts: O | undefined, extra: readonly string[] = []): O | undefined {
  const o = checkOptions<O>(`${name} options`, opts, ['async_op', ...extra]);
  if (o.async_op !== undefined) checkBool('async_op', o.async_op);
  return opts;
}

/**
 * Reduces tensor across all ranks, in place, on every rank. Gloo has no AVG: AVG is SUM followed
 * by a division by world_size (floating-point tensors only).
 */
export function all_reduce<O extends AsyncOption>(t: Tensor, op: ReduceOp = ReduceOp.SUM, opts?: O): MaybeWork<O> {
  tensor('tensor', t);
  const o = checkOp(op);
  asyncOpts('all_reduce', opts);
  const g = defaultGroup();
  if (o === 'avg' && !isFloating(t.dtype))
    throw invalid('op', `SUM, PRODUCT, MIN or MAX for a ${t.dtype} tensor (AVG needs a floating-point tensor)`, op);
  const divide = o === 'avg' && g.backend === 'gloo' ? g.world_size : 1;
  const nativeOp = o === 'avg' ? 'sum' : o;
  return finish(opts, native.dist_all_reduce(g.pg, t.handle, nativeOp, divide));
}

/** Copies rank src's tensor into tensor on every rank. */
export function broadcast<O extends AsyncOption>(t: Tensor, src: number, opts?: O): MaybeWork<O> {
  tensor('tensor', t);
  const g = defaultGroup();
  checkRank('src', src, g.world_size);
  asyncOpts('broadcast', opts);
  return finish(opts, native.dist_broadcast(g.pg, [t.handle], src));
}

/** tensor_list[r] receives rank r's tensor, on every rank. */
export function all_gather<O extends AsyncOption>(tensor_list: Tensor[], t: Tensor, opts?: O): MaybeWork<O> {
  const outs = tensorList('tensor_list', tensor_list);
  tensor('tensor', t);
  const g = defaultGroup();
  if (outs.length !== g.world_size) throw invalid('tensor_list', `an array of world_size (${g.world_size}) Tensors`, tensor_list);
  outs.forEach((x, i) => {
    if (!sameShape(x, t)) throw invalid(`tensor_list[${i}]`, `a ${t.dtype} Tensor of shape [${t.shape.join(', ')}] (as tensor)`, x);
  });
  asyncOpts('all_gather', opts);
  return finish(
    opts,
    native.dist_all_gather(
      g.pg,
      outs.map((x) => x.handle),
      t.handle,
    ),
  );
}

/**
 * output receives the reduction over ranks of input_list[rank]. Gloo in LibTorch 1.13 has no
 * reduce_scatter: it runs as one all_reduce of the concatenated inputs, then rank's slice is copied
 * out (same result, world_size times the traffic).
 */
export function reduce_scatter<O extends AsyncOption>(
  output: Tensor,
  input_list: Tensor[],
  op: ReduceOp = ReduceOp.SUM,
  opts?: O,
): MaybeWork<O> {
  tensor('output', output);
  const ins = tensorList('input_list', input_list);
  const o = checkOp(op);
  asyncOpts('reduce_scatter', opts);
  const g = defaultGroup();
  if (ins.length !== g.world_size) throw invalid('input_list', `an array of world_size (${g.world_size}) Tensors`, input_list);
  ins.forEach((x, i) => {
    if (!sameShape(x, output))
      throw invalid(`input_list[${i}]`, `a ${output.dtype} Tensor of shape [${output.shape.join(', ')}] (as output)`, x);
  });
  if (o === 'avg' && !isFloating(output.dtype))
    throw invalid('op', `SUM, PRODUCT, MIN or MAX for a ${output.dtype} tensor (AVG needs a floating-point tensor)`, op);
  const flat = no_grad(() =>
    cat(
      ins.map((x) => x.detach().reshape([1, -1])),
      0,
    ),
  );
  const divide = o === 'avg' ? g.world_size : 1;
  const w = native.dist_all_reduce(g.pg, flat.handle, o === 'avg' ? 'sum' : o, divide);
  return finish(opts, w, () => {
    no_grad(() => {
      const mine = flat.select(0, g.rank).reshape(output.shape);
      output.copy_(mine);
      mine.dispose();
    });
    flat.dispose();
  });
}

/** Returns when every rank reached the barrier. */
export function barrier<O extends AsyncOption>(opts?: O): MaybeWork<O> {
  asyncOpts('barrier', opts);
  return finish(opts, native.dist_barrier(defaultGroup().pg));
}

export interface P2POptions {
  tag?: number;
}

function p2p(name: string, opts: P2POptions | undefined): number {
  const o = checkOptions<P2POptions>(`${name} options`, opts, ['tag']);
  return o.tag === undefined ? 0 : checkInt('tag', o.tag, 0);
}

/** Sends tensor to rank dst (blocking). */
export function send(t: Tensor, dst: number, opts?: P2POptions): void {
  tensor('tensor', t);
  const g = defaultGroup();
  checkRank('dst', dst, g.world_size);
  if (dst === g.rank) throw invalid('dst', `a rank other than this one (${g.rank})`, dst);
  new Work(native.dist_send(g.pg, t.handle, dst, p2p('send', opts))).wait_sync();
}
/** Receives into tensor from rank src (blocking); returns the sender's rank. */
export function recv(t: Tensor, src: number, opts?: P2POptions): number {
  tensor('tensor', t);
  const g = defaultGroup();
  checkRank('src', src, g.world_size);
  if (src === g.rank) throw invalid('src', `a rank other than this one (${g.rank})`, src);
  new Work(native.dist_recv(g.pg, t.handle, src, p2p('recv', opts))).wait_sync();
  return src;
}
/** Non-blocking send: the returned Work's wait() resolves when the tensor was sent. */
export function isend(t: Tensor, dst: number, opts?: P2POptions): Work {
  tensor('tensor', t);
  const g = defaultGroup();
  checkRank('dst', dst, g.world_size);
  return new Work(native.dist_send(g.pg, t.handle, dst, p2p('isend', opts)));
}
/** Non-blocking receive. */
export function irecv(t: Tensor, src: number, opts?: P2POptions): Work {
  tensor('tensor', t);
  const g = defaultGroup();
  checkRank('src', src, g.world_size);
  return new Work(native.dist_recv(g.pg, t.handle, src, p2p('irecv', opts)));
}
