// optim.Adam over torch::optim::Adam (the same update as torch 1.13's _single_tensor_adam).
import type { Tensor } from '../torch/tensor.js';
import { checkBool } from '../torch/check.js';
import { Optimizer, betas, boolean, nonNegative, type OptimizerSpec, type Params } from './optimizer.js';

export interface AdamOptions {
  lr?: number;
  betas?: [number, number];
  eps?: number;
  weight_decay?: number;
  amsgrad?: boolean;
}
export type AdamHyperparameters = Required<AdamOptions>;

/** How the update runs (PyTorch's implementation switch; not a hyperparameter, not in state_dict). */
export interface AdamImplementation {
  /**
   * true: each parameter's update is one pass over it, its grad and its moments (CPU float32/float64
   * contiguous parameters; others take the default path). Same arithmetic in the same order, so the
   * results equal the default path's within float rounding (ATen's vectorised add fuses a multiply
   * and an add), and the step reads and writes memory once instead of about eight times.
   * Default false (null, as PyTorch's None, is false).
   */
  fused?: boolean | null;
}

/** The `fused` option, checked before the optimizer is built; a non-object is left to the base class to reject. */
function fusedOption(name: string, opts: unknown): boolean {
  if (opts === null || typeof opts !== 'object' || !('fused' in opts)) return false;
  const fused = (opts as AdamImplementation).fused;
  return fused == null ? false : checkBool(`${name} fused`, fused);
}

/** The Adam-family spec with the given defaults (AdamW differs only in kind and weight_decay). */
export function adamSpec(kind: 'adam' | 'adamw', name: string, weight_decay: number): OptimizerSpec<AdamHyperparameters> {
  return {
    kind,
    name,
    defaults: { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weight_decay, amsgrad: false },
    checks: { lr: nonNegative, betas, eps: nonNegative, weight_decay: nonNegative, amsgrad: boolean },
    stateTensors: ['exp_avg', 'exp_avg_sq', 'max_exp_avg_sq'],
    optionalState: ['max_exp_avg_sq'],
    hasStep: true,
    implementationKeys: ['fused'],
  };
}

const SPEC = adamSpec('adam', 'Adam', 0);

/** Adam and AdamW: the same hyperparameters, state and `fused` switch; the update rule is the spec's kind. */
export abstract class AdamFamily extends Optimizer<AdamHyperparameters> {
  /** Whether step() runs the fused update (the `fused` option). */
  readonly fused: boolean;
  protected constructor(
    spec: OptimizerSpec<AdamHyperparameters>,
    params: Params<AdamOptions> | Iterable<Tensor>,
    opts: (AdamOptions & AdamImplementation) | undefined,
  ) {
    const fused = fusedOption(spec.name, opts);
    super(spec, params, opts);
    this.fused = fused;
    if (fused) this.setFused(true);
  }
}

export class Adam extends AdamFamily {
  /** new Adam(model.parameters(), {lr, betas, eps, weight_decay, amsgrad, fused}); params may be [{params, lr, ...}, ...]. */
  constructor(params: Params<AdamOptions> | Iterable<Tensor>, opts?: AdamOptions & AdamImplementation) {
    super(SPEC, params, opts);
  }
}
