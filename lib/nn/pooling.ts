// Pooling modules: nn.MaxPool1d, nn.MaxPool2d (optionally returning the argmax indices),
// nn.MaxUnpool1d, nn.MaxUnpool2d, nn.AvgPool2d (PyTorch's options and defaults).
import { checkBool, checkInt, checkOptions } from '../torch/check.js';
import type { Tensor } from '../torch/tensor.js';
import { toPair, type Pair } from './functional.js';
import { avg_pool2d, max_pool1d, max_pool2d, toSingle, type AvgPool2dOptions, type MaxPoolOptions } from './functional_layers.js';
import { max_unpool1d, max_unpool2d, type MaxUnpoolOptions } from './functional_unpool.js';
import { Module } from './module.js';

const KEYS = ['stride', 'padding', 'dilation', 'ceil_mode', 'return_indices'];
/** forward's result: [output, indices] with return_indices true, else the output. */
export type MaxPoolResult<R extends boolean> = R extends true ? [Tensor, Tensor] : Tensor;
const show = (v: number[]): string => (v.length === 1 ? String(v[0]) : `(${v.join(', ')})`);

/** The options every max pooling module keeps, as forward passes them to the functional form. */
interface MaxPoolCall<S> {
  stride: S;
  padding: S;
  dilation: S;
  ceil_mode: boolean;
  return_indices: boolean;
}

/**
 * What MaxPool1d and MaxPool2d share (PyTorch's _MaxPoolNd): the options, checked once by `size`
 * (one number, or a pair), forward through the functional form `pool`, and the repr.
 */
abstract class MaxPoolNd<S extends number | [number, number], R extends boolean> extends Module {
  readonly kernel_size: S;
  readonly stride: S;
  readonly padding: S;
  readonly dilation: S;
  readonly ceil_mode: boolean;
  readonly return_indices: R;
  protected constructor(
    name: string,
    kernel_size: unknown,
    opts: (MaxPoolOptions<unknown> & { return_indices?: R }) | undefined,
    size: (name: string, v: unknown, min: number) => S,
  ) {
    super();
    const o = checkOptions<MaxPoolOptions<unknown>>(`${name} options`, opts, KEYS);
    this.return_indices = checkBool('return_indices', o.return_indices ?? false) as R;
    this.kernel_size = size('kernel_size', kernel_size, 1);
    this.stride = o.stride == null ? this.kernel_size : size('stride', o.stride, 1);
    this.padding = size('padding', o.padding ?? 0, 0);
    this.dilation = size('dilation', o.dilation ?? 1, 1);
    this.ceil_mode = checkBool('ceil_mode', o.ceil_mode ?? false);
  }
  protected abstract pool(input: Tensor, kernel_size: S, opts: MaxPoolCall<S>): Tensor | [Tensor, Tensor];
  forward(input: Tensor): MaxPoolResult<R> {
    const opts = {
      stride: this.stride,
      padding: this.padding,
      dilation: this.dilation,
      ceil_mode: this.ceil_mode,
      return_indices: this.return_indices as boolean,
    };
    return this.pool(input, this.kernel_size, opts) as MaxPoolResult<R>;
  }
  override extra_repr(): string {
    const f = (v: S): string => show(typeof v === 'number' ? [v] : v);
    return `kernel_size=${f(this.kernel_size)}, stride=${f(this.stride)}, padding=${f(this.padding)}, dilation=${f(this.dilation)}, ceil_mode=${this.ceil_mode ? 'True' : 'False'}`;
  }
}

export class MaxPool1d<R extends boolean = false> extends MaxPoolNd<number, R> {
  constructor(kernel_size: number, opts?: MaxPoolOptions<number> & { return_indices?: R }) {
    super('MaxPool1d', kernel_size, opts, (name, v, min) => toSingle(name, v, min)[0]);
  }
  protected pool(input: Tensor, kernel_size: number, opts: MaxPoolCall<number>): Tensor | [Tensor, Tensor] {
    return max_pool1d(input, kernel_size, opts);
  }
}

export class MaxPool2d<R extends boolean = false> extends MaxPoolNd<[number, number], R> {
  constructor(kernel_size: Pair, opts?: MaxPoolOptions<Pair> & { return_indices?: R }) {
    super('MaxPool2d', kernel_size, opts, toPair);
  }
  protected pool(input: Tensor, kernel_size: [number, number], opts: MaxPoolCall<[number, number]>): Tensor | [Tensor, Tensor] {
    return max_pool2d(input, kernel_size, opts);
  }
}

export class AvgPool2d extends Module {
  readonly kernel_size: [number, number];
  readonly stride: [number, number];
  readonly padding: [number, number];
  readonly ceil_mode: boolean;
  readonly count_include_pad: boolean;
  readonly divisor_override: number | null;
  constructor(kernel_size: Pair, opts?: AvgPool2dOptions) {
    super();
    const o = checkOptions<AvgPool2dOptions>('AvgPool2d options', opts, [
      'stride',
      'padding',
      'ceil_mode',
      'count_include_pad',
      'divisor_override',
    ]);
    this.kernel_size = toPair('kernel_size', kernel_size, 1);
    this.stride = o.stride == null ? this.kernel_size : toPair('stride', o.stride, 1);
    this.padding = toPair('padding', o.padding ?? 0, 0);
    this.ceil_mode = checkBool('ceil_mode', o.ceil_mode ?? false);
    this.count_include_pad = checkBool('count_include_pad', o.count_include_pad ?? true);
    this.divisor_override = o.divisor_override == null ? null : checkInt('divisor_override', o.divisor_override, 1);
  }
  forward(input: Tensor): Tensor {
    return avg_pool2d(input, this.kernel_size, {
      stride: this.stride,
      padding: this.padding,
      ceil_mode: this.ceil_mode,
      count_include_pad: this.count_include_pad,
      divisor_override: this.divisor_override,
    });
  }
  override extra_repr(): string {
    return `kernel_size=${show(this.kernel_size)}, stride=${show(this.stride)}, padding=${show(this.padding)}`;
  }
}

const UNPOOL_KEYS = ['stride', 'padding'];

/** The partial inverse of MaxPool1d: forward(input, indices, output_size?). */
export class MaxUnpool1d extends Module {
  readonly kernel_size: [number];
  readonly stride: [number];
  readonly padding: [number];
  constructor(kernel_size: number | [number], opts?: Omit<MaxUnpoolOptions<number | [number]>, 'output_size'>) {
    super();
    const o = checkOptions<MaxUnpoolOptions<number | [number]>>('MaxUnpool1d options', opts, UNPOOL_KEYS);
    this.kernel_size = toSingle('kernel_size', kernel_size, 1);
    this.stride = o.stride == null ? this.kernel_size : toSingle('stride', o.stride, 1);
    this.padding = toSingle('padding', o.padding ?? 0, 0);
  }
  forward(input: Tensor, indices: Tensor, output_size: number[] | null = null): Tensor {
    return max_unpool1d(input, indices, this.kernel_size, { stride: this.stride, padding: this.padding, output_size });
  }
  override extra_repr(): string {
    return `kernel_size=(${this.kernel_size[0]},), stride=(${this.stride[0]},), padding=(${this.padding[0]},)`;
  }
}

/** The partial inverse of MaxPool2d: forward(input, indices, output_size?). */
export class MaxUnpool2d extends Module {
  readonly kernel_size: [number, number];
  readonly stride: [number, number];
  readonly padding: [number, number];
  constructor(kernel_size: Pair, opts?: Omit<MaxUnpoolOptions<Pair>, 'output_size'>) {
    super();
    const o = checkOptions<MaxUnpoolOptions<Pair>>('MaxUnpool2d options', opts, UNPOOL_KEYS);
    this.kernel_size = toPair('kernel_size', kernel_size, 1);
    this.stride = o.stride == null ? this.kernel_size : toPair('stride', o.stride, 1);
    this.padding = toPair('padding', o.padding ?? 0, 0);
  }
  forward(input: Tensor, indices: Tensor, output_size: number[] | null = null): Tensor {
    return max_unpool2d(input, indices, this.kernel_size, { stride: this.stride, padding: this.padding, output_size });
  }
  override extra_repr(): string {
    return `kernel_size=${show(this.kernel_size)}, stride=${show(this.stride)}, padding=${show(this.padding)}`;
  }
}
