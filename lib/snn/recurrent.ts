// The recurrent feedback Rec(S) of RLeaky and RSynaptic: all-to-all Linear, all-to-all Conv2d
// (padding kernel_size//2) or one-to-one S ⊙ V, with snnTorch's argument rules and registration.
import { checkBool, checkInt, invalid, isInt } from '../torch/check.js';
import { Tensor } from '../torch/tensor.js';
import { Module } from '../nn/module.js';
import { Parameter } from '../nn/parameter.js';
import { Linear } from '../nn/linear.js';
import { Conv2d } from '../nn/conv.js';
import { asTensor, type TensorInit } from './neuron.js';

export interface RecurrentOptions {
  V?: TensorInit;
  all_to_all?: boolean;
  linear_features?: number | null;
  conv2d_channels?: number | null;
  kernel_size?: number | readonly [number, number] | null;
  learn_recurrent?: boolean;
}
export const RECURRENT_KEYS = ['V', 'all_to_all', 'linear_features', 'conv2d_channels', 'kernel_size', 'learn_recurrent'] as const;

/** One-to-one feedback: S ⊙ V (snnTorch's RecurrentOneToOne). */
export class RecurrentOneToOne extends Module {
  declare V: Tensor;
  constructor(V: Tensor) {
    super();
    // A plain field: registered (so it is saved as recurrent.V) only when V is a Parameter.
    this.V = V;
  }
  forward(x: Tensor): Tensor {
    return x.mul(this.V);
  }
}

export interface RecurrentConfig {
  all_to_all: boolean;
  learn_recurrent: boolean;
  linear_features: number | null;
  conv2d_channels: number | null;
  kernel_size: [number, number] | null;
}

/** Validates the feedback options (snnTorch's truthiness: 0 counts as not given). */
export function recurrentConfig(cls: string, o: RecurrentOptions): RecurrentConfig {
  const all_to_all = checkBool('all_to_all', o.all_to_all ?? true);
  const learn_recurrent = checkBool('learn_recurrent', o.learn_recurrent ?? true);
  const lf = o.linear_features ? checkInt('linear_features', o.linear_features, 1) : null;
  const cc = o.conv2d_channels ? checkInt('conv2d_channels', o.conv2d_channels, 1) : null;
  const ks = o.kernel_size ? kernelPair(o.kernel_size) : null;
  if (all_to_all) {
    if ((cc && !ks) || (!cc && ks)) throw new TypeError(`${cls}: conv2d_channels and kernel_size must be given together`);
    if (!lf && !(cc && ks)) throw new TypeError(`${cls}: all_to_all=true needs linear_features, or conv2d_channels and kernel_size`);
    if (lf && (cc || ks)) throw new TypeError(`${cls}: give linear_features or conv2d_channels/kernel_size, not both`);
    if (ks && (ks[0] % 2 === 0 || ks[1] % 2 === 0)) {
      throw new RangeError(
        `${cls}: kernel_size must be odd so the feedback keeps the spatial size (padding is kernel_size//2), got [${ks.join(', ')}]`,
      );
    }
  } else if (lf || cc || ks) {
    throw new TypeError(`${cls}: linear_features, conv2d_channels and kernel_size apply only with all_to_all=true`);
  }
  return { all_to_all, learn_recurrent, linear_features: lf, conv2d_channels: cc, kernel_size: ks };
}

/** Registers V (one-to-one: a Parameter when learn_recurrent, else a buffer) and `recurrent` on the neuron. */
export function registerRecurrent(m: Module & { V?: Tensor }, c: RecurrentConfig, V: TensorInit | undefined): void {
  if (c.all_to_all) {
    // V is unused with all-to-all feedback (as in snnTorch), but a malformed one is still refused.
    if (V !== undefined && !(V instanceof Tensor)) asTensor('V', V).dispose();
    const lf = c.linear_features;
    const ks = c.kernel_size;
    m.register_module(
      'recurrent',
      lf ? new Linear(lf, lf) : new Conv2d(c.conv2d_channels!, c.conv2d_channels!, ks!, { padding: [ks![0] >> 1, ks![1] >> 1] }),
    );
    if (!c.learn_recurrent) for (const p of (m as unknown as { recurrent: Module }).recurrent.parameters()) p.requires_grad_(false);
  } else {
    const v = asTensor('V', V ?? 1.0);
    if (c.learn_recurrent) m.register_parameter('V', new Parameter(v));
    else m.register_buffer('V', v);
    m.register_module('recurrent', new RecurrentOneToOne(m.V!));
  }
}

function kernelPair(k: unknown): [number, number] {
  if (isInt(k) && k > 0) return [k, k];
  if (Array.isArray(k) && k.length === 2 && k.every((x) => isInt(x) && x > 0)) return [k[0], k[1]];
  throw invalid('kernel_size', 'a positive integer or [kh, kw]', k);
}
