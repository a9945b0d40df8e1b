// A pending collective: c10d's Work plus an optional completion step run once after it succeeds
// (AVG's division, reduce_scatter's copy-out). wait() resolves a Promise; the wait itself runs on a
// libuv worker thread, so the event loop keeps turning while the collective runs.
import { native, type NativeWork } from '../../native.js';
import { checkInt } from '../check.js';

export class Work {
  #w: NativeWork;
  #finish: (() => void) | null;
  #done: Promise<boolean> | null = null;

  /** Internal: built by the collectives with async_op: true. */
  constructor(w: NativeWork, finish: (() => void) | null = null) {
    this.#w = w;
    this.#finish = finish;
  }

  /**
   * Resolves true when the collective finished on this rank; rejects with an Error naming the rank
   * and the op when it failed or when timeout (ms, default: the group's timeout) passed first.
   */
  wait(timeout?: number): Promise<boolean> {
    if (!this.#done) {
      const t = timeout === undefined ? null : checkInt('timeout', timeout, 0);
      this.#done = native.dist_work_wait_async(this.#w, t).then((ok) => {
        this.#runFinish();
        return ok;
      });
    }
    return this.#done;
  }

  /** Blocks the calling thread until the collective finished (PyTorch's synchronous wait). */
  wait_sync(timeout?: number): boolean {
    const t = timeout === undefined ? null : checkInt('timeout', timeout, 0);
    native.dist_work_wait(this.#w, t);
    this.#runFinish();
    return true;
  }

  /** Whether the collective finished (successfully or not); never blocks. */
  is_completed(): boolean {
    return native.dist_work_is_completed(this.#w);
  }

  #runFinish(): void {
    const f = this.#finish;
    this.#finish = null;
    if (f) f();
  }
}
