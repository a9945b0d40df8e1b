// snntorch.functional.l1_rate_sparsity (reg.py): an L1 penalty on the total spike count.
import { invalid } from '../torch/check.js';
import { Tensor } from '../torch/tensor.js';
import { optNumber, parseArgs } from './common.js';

export interface L1RateSparsityOptions {
  /** The penalty's scale (default 1e-5). Spelled as snnTorch spells it. */
  Lambda?: number;
}

export interface L1RateSparsity {
  (spk_out: Tensor): Tensor;
  readonly __name__: 'l1_rate_sparsity';
  readonly Lambda: number;
}

/** Lambda * sum(spk_out), a 0-dim tensor, for a record of any shape. */
export function l1_rate_sparsity(options?: L1RateSparsityOptions): L1RateSparsity;
export function l1_rate_sparsity(Lambda?: number): L1RateSparsity;
export function l1_rate_sparsity(...args: unknown[]): L1RateSparsity {
  const o = parseArgs<L1RateSparsityOptions>('l1_rate_sparsity', args, ['Lambda']);
  const Lambda = optNumber('Lambda', o.Lambda, 1e-5);
  const fn = (spk_out: Tensor): Tensor => {
    if (!(spk_out instanceof Tensor)) throw invalid('spk_out', 'a Tensor', spk_out);
    const s = spk_out.sum();
    const out = s.mul(Lambda);
    s.dispose();
    return out;
  };
  return Object.freeze(Object.assign(fn, { __name__: 'l1_rate_sparsity' as const, Lambda }));
}
