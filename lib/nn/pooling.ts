// Pooling modules: nn.MaxPool1d, nn.MaxPool2d, nn.AvgPool2d (PyTorch's options and defaults).
import { checkBool, checkInt, checkOptions } from '../torch/check.js';
import type { Tensor } from '../torch/tensor.js';
import { toPair, type Pair } from './functional.js';
import { avg_pool2d, max_pool1d, max_pool2d, toSingle, type AvgPool2dOptions, type MaxPoolOptions } from './functional_layers.js';
import { Module } from './module.js';

const KEYS = ['stride', 'padding', 'dilation', 'ceil_mode'];
const show = (v: number[]): string => (v.length === 1 ? String(v[0]) : `(${v.join(', ')})`);

export class MaxPool1d extends Module {
  readonly kernel_size: number;
  readonly stride: number;
  readonly padding: number;
  readonly dilation: number;
  readonly ceil_mode: boolean;
  constructor(kernel_size: number, opts?: MaxPoolOptions<number>) {
    super();
    const o = checkOptions<MaxPoolOptions<number>>('MaxPool1d options', opts, KEYS);
    this.kernel_size = toSingle('kernel_size', kernel_size, 1)[0];
    this.stride = o.stride == null ? this.kernel_size : toSingle('stride', o.stride, 1)[0];
    this.padding = toSingle('padding', o.padding ?? 0, 0)[0];
    this.dilation = toSingle('dilation', o.dilation ?? 1, 1)[0];
    this.ceil_mode = checkBool('ceil_mode', o.ceil_mode ?? false);
  }
  forward(input: Tensor): Tensor {
    return max_pool1d(input, this.kernel_size, { stride: this.stride, padding: this.padding, dilation: this.dilation, ceil_mode: this.ceil_mode });
  }
  override extra_repr(): string {
    return `kernel_size=${this.kernel_size}, stride=${this.stride}, padding=${this.padding}, dilation=${this.dilation}, ceil_mode=${this.ceil_mode ? 'True' : 'False'}`;
  }
}

export class MaxPool2d extends Module {
  readonly kernel_size: [number, number];
  readonly stride: [number, number];
  readonly padding: [number, number];
  readonly dilation: [number, number];
  readonly ceil_mode: boolean;
  constructor(kernel_size: Pair, opts?: MaxPoolOptions<Pair>) {
    super();
    const o = checkOptions<MaxPoolOptions<Pair>>('MaxPool2d options', opts, KEYS);
    this.kernel_size = toPair('kernel_size', kernel_size, 1);
    this.stride = o.stride == null ? this.kernel_size : toPair('stride', o.stride, 1);
    this.padding = toPair('padding', o.padding ?? 0, 0);
    this.dilation = toPair('dilation', o.dilation ?? 1, 1);
    this.ceil_mode = checkBool('ceil_mode', o.ceil_mode ?? false);
  }
  forward(input: Tensor): Tensor {
    return max_pool2d(input, this.kernel_size, { stride: this.stride, padding: this.padding, dilation: this.dilation, ceil_mode: this.ceil_mode });
  }
  override extra_repr(): string {
    return `kernel_size=${show(this.kernel_size)}, stride=${show(this.stride)}, padding=${show(this.padding)}, dilation=${show(this.dilation)}, ceil_mode=${this.ceil_mode ? 'True' : 'False'}`;
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
    const o = checkOptions<AvgPool2dOptions>('AvgPool2d options', opts, ['stride', 'padding', 'ceil_mode', 'count_include_pad', 'divisor_override']);
    this.kernel_size = toPair('kernel_size', kernel_size, 1);
    this.stride = o.stride == null ? this.kernel_size : toPair('stride', o.stride, 1);
    this.padding = toPair('padding', o.padding ?? 0, 0);
    this.ceil_mode = checkBool('ceil_mode', o.ceil_mode ?? false);
    this.count_include_pad = checkBool('count_include_pad', o.count_include_pad ?? true);
    this.divisor_override = o.divisor_override == null ? null : checkInt('divisor_override', o.divisor_override, 1);
  }
  forward(input: Tensor): Tensor {
    return avg_pool2d(input, this.kernel_size, {
      stride: this.stride, padding: this.padding, ceil_mode: this.ceil_mode, count_include_pad: this.count_include_pad, divisor_override: this.divisor_override,
    });
  }
  override extra_repr(): string {
    return `kernel_size=${show(this.kernel_size)}, stride=${show(this.stride)}, padding=${show(this.padding)}`;
  }
}
