// nn.BatchNorm1d / nn.BatchNorm2d with PyTorch's parameters (weight, bias), buffers (running_mean,
// running_var, num_batches_tracked; saved in state_dict), momentum (null: cumulative average) and
// train/eval behaviour.
import { checkBool, checkInt, checkNumber, checkOptions } from '../torch/check.js';
import { ones, tensor, zeros } from '../torch/creation.js';
import { no_grad } from '../torch/autograd.js';
import { checkDevice, checkDtype, type DType, type Device } from '../torch/dtype.js';
import { tensorArg, type Tensor } from '../torch/tensor.js';
import { batch_norm } from './functional_layers.js';
import { ones_, zeros_ } from './init.js';
import { emptyParameter, type FactoryOptions, type Parameter } from './parameter.js';
import { Module } from './module.js';

export interface BatchNormModuleOptions extends FactoryOptions {
  eps?: number;
  /** Default 0.1; null uses a cumulative moving average (factor 1 / num_batches_tracked). */
  momentum?: number | null;
  affine?: boolean;
  track_running_stats?: boolean;
}

abstract class _BatchNorm extends Module {
  readonly num_features: number;
  readonly eps: number;
  momentum: number | null;
  readonly affine: boolean;
  readonly track_running_stats: boolean;
  weight: Parameter | null;
  bias: Parameter | null;
  declare running_mean: Tensor | null;
  declare running_var: Tensor | null;
  declare num_batches_tracked: Tensor | null;

  constructor(num_features: number, opts: BatchNormModuleOptions | undefined, name: string) {
    super();
    const o = checkOptions<BatchNormModuleOptions>(`${name} options`, opts, [
      'eps',
      'momentum',
      'affine',
      'track_running_stats',
      'dtype',
      'device',
    ]);
    this.num_features = checkInt('num_features', num_features, 1);
    this.eps = checkNumber('eps', o.eps ?? 1e-5);
    this.momentum = o.momentum === null ? null : checkNumber('momentum', o.momentum ?? 0.1);
    this.affine = checkBool('affine', o.affine ?? true);
    this.track_running_stats = checkBool('track_running_stats', o.track_running_stats ?? true);
    const dtype: DType = o.dtype === undefined ? 'float32' : checkDtype('dtype', o.dtype);
    const device: Device = o.device === undefined ? 'cpu' : checkDevice('device', o.device);
    this.weight = this.affine ? emptyParameter([this.num_features], o) : null;
    this.bias = this.affine ? emptyParameter([this.num_features], o) : null;
    if (this.track_running_stats) {
      // register_buffer keeps its own handle, so the temporaries are freed at once.
      const buffers: [string, Tensor][] = [
        ['running_mean', zeros([this.num_features], { dtype, device })],
        ['running_var', ones([this.num_features], { dtype, device })],
        ['num_batches_tracked', tensor(0, { dtype: 'int64', device })],
      ];
      for (const [name, t] of buffers) {
        this.register_buffer(name, t);
        t.dispose();
      }
    } else {
      this.register_buffer('running_mean', null);
      this.register_buffer('running_var', null);
      this.register_buffer('num_batches_tracked', null);
    }
    this.reset_parameters();
  }

  /** Running statistics back to mean 0, variance 1, no batches seen. */
  reset_running_stats(): void {
    no_grad(() => {
      this.running_mean?.zero_();
      this.running_var?.fill_(1);
      this.num_batches_tracked?.zero_();
    });
  }
  reset_parameters(): void {
    this.reset_running_stats();
    if (this.weight) ones_(this.weight);
    if (this.bias) zeros_(this.bias);
  }

  protected abstract _check_input_dim(input: Tensor): void;

  forward(input: Tensor): Tensor {
    const x = tensorArg('input', input);
    this._check_input_dim(x);
    let factor = this.momentum ?? 0;
    if (this.training && this.track_running_stats && this.num_batches_tracked) {
      no_grad(() => this.num_batches_tracked!.add_(1));
      factor = this.momentum === null ? 1 / this.num_batches_tracked.item() : this.momentum;
    }
    const bnTraining = this.training || (!this.running_mean && !this.running_var);
    const useRunning = !this.training || this.track_running_stats;
    return batch_norm(x, useRunning ? this.running_mean : null, useRunning ? this.running_var : null, {
      weight: this.weight,
      bias: this.bias,
      training: bnTraining,
      momentum: factor,
      eps: this.eps,
    });
  }

  override extra_repr(): string {
    return `${this.num_features}, eps=${this.eps}, momentum=${this.momentum ?? 'None'}, affine=${this.affine ? 'True' : 'False'}, track_running_stats=${this.track_running_stats ? 'True' : 'False'}`;
  }
}

/** Batch norm over [N, C] or [N, C, L]. */
export class BatchNorm1d extends _BatchNorm {
  constructor(num_features: number, opts?: BatchNormModuleOptions) {
    super(num_features, opts, 'BatchNorm1d');
  }
  protected _check_input_dim(input: Tensor): void {
    if (input.dim() !== 2 && input.dim() !== 3) throw new RangeError(`BatchNorm1d: expected 2D or 3D input (got ${input.dim()}D input)`);
  }
}

/** Batch norm over [N, C, H, W]. */
export class BatchNorm2d extends _BatchNorm {
  constructor(num_features: number, opts?: BatchNormModuleOptions) {
    super(num_features, opts, 'BatchNorm2d');
  }
  protected _check_input_dim(input: Tensor): void {
    if (input.dim() !== 4) throw new RangeError(`BatchNorm2d: expected 4D input (got ${input.dim()}D input)`);
  }
}
