// nn.Conv1d and nn.ConvTranspose2d with PyTorch's options, parameter names and default
// initialisation (kaiming_uniform_(W, a=√5), b ~ U(±1/√fan_in), fan_in from W as PyTorch computes it).
import { checkBool, checkInt, checkOptions, checkString } from '../torch/check.js';
import type { Tensor } from '../torch/tensor.js';
import { toPair, type Pair } from './functional.js';
import {
  conv1d,
  conv_transpose2d,
  resolveConv1dOptions,
  resolveConvTranspose2dOptions,
  toSingle,
  type Conv1dPadding,
} from './functional_layers.js';
import { _calculate_fan_in_and_fan_out, kaiming_uniform_, uniform_ } from './init.js';
import { emptyParameter, type FactoryOptions, type Parameter } from './parameter.js';
import { Module } from './module.js';

function resetConv(weight: Parameter, bias: Parameter | null): void {
  kaiming_uniform_(weight, Math.sqrt(5));
  if (bias) {
    const [fanIn] = _calculate_fan_in_and_fan_out(weight);
    if (fanIn !== 0) uniform_(bias, -1 / Math.sqrt(fanIn), 1 / Math.sqrt(fanIn));
  }
}
function checkGroups(name: string, inC: number, outC: number, groups: number): void {
  if (inC % groups !== 0) throw new RangeError(`${name}: in_channels (${inC}) must be divisible by groups (${groups})`);
  if (outC % groups !== 0) throw new RangeError(`${name}: out_channels (${outC}) must be divisible by groups (${groups})`);
}
const tuple = (p: readonly number[]): string => (p.length === 1 ? `(${p[0]},)` : `(${p.join(', ')})`);

export interface Conv1dModuleOptions extends FactoryOptions {
  stride?: number | [number];
  padding?: Conv1dPadding;
  dilation?: number | [number];
  groups?: number;
  bias?: boolean;
  /** Only 'zeros' (PyTorch's default) is supported. */
  padding_mode?: 'zeros';
}

export class Conv1d extends Module {
  readonly in_channels: number;
  readonly out_channels: number;
  readonly kernel_size: [number];
  readonly stride: [number];
  readonly padding: [number] | 'same' | 'valid';
  readonly dilation: [number];
  readonly groups: number;
  readonly padding_mode = 'zeros' as const;
  weight: Parameter;
  bias: Parameter | null;

  constructor(in_channels: number, out_channels: number, kernel_size: number | [number], opts?: Conv1dModuleOptions) {
    super();
    const o = checkOptions<Conv1dModuleOptions>('Conv1d options', opts, [
      'stride',
      'padding',
      'dilation',
      'groups',
      'bias',
      'padding_mode',
      'dtype',
      'device',
    ]);
    this.in_channels = checkInt('in_channels', in_channels, 1);
    this.out_channels = checkInt('out_channels', out_channels, 1);
    this.kernel_size = toSingle('kernel_size', kernel_size, 1);
    const r = resolveConv1dOptions({ stride: o.stride, padding: o.padding, dilation: o.dilation, groups: o.groups }, 'Conv1d options');
    this.stride = r.stride;
    this.padding = r.padding;
    this.dilation = r.dilation;
    this.groups = r.groups;
    checkGroups('Conv1d', this.in_channels, this.out_channels, this.groups);
    if (o.padding_mode !== undefined) checkString('padding_mode', o.padding_mode, ['zeros'] as const);
    this.weight = emptyParameter([this.out_channels, this.in_channels / this.groups, this.kernel_size[0]], o);
    this.bias = checkBool('bias', o.bias ?? true) ? emptyParameter([this.out_channels], o) : null;
    this.reset_parameters();
  }
  reset_parameters(): void {
    resetConv(this.weight, this.bias);
  }
  forward(input: Tensor): Tensor {
    return conv1d(input, this.weight, this.bias, {
      stride: this.stride,
      padding: this.padding,
      dilation: this.dilation,
      groups: this.groups,
    });
  }
  override extra_repr(): string {
    let s = `${this.in_channels}, ${this.out_channels}, kernel_size=${tuple(this.kernel_size)}, stride=${tuple(this.stride)}`;
    if (typeof this.padding === 'string') s += `, padding=${this.padding}`;
    else if (this.padding[0] !== 0) s += `, padding=${tuple(this.padding)}`;
    if (this.dilation[0] !== 1) s += `, dilation=${tuple(this.dilation)}`;
    if (this.groups !== 1) s += `, groups=${this.groups}`;
    if (!this.bias) s += ', bias=False';
    return s;
  }
}

export interface ConvTranspose2dModuleOptions extends FactoryOptions {
  stride?: Pair;
  padding?: Pair;
  output_padding?: Pair;
  groups?: number;
  bias?: boolean;
  dilation?: Pair;
  padding_mode?: 'zeros';
}

export class ConvTranspose2d extends Module {
  readonly in_channels: number;
  readonly out_channels: number;
  readonly kernel_size: [number, number];
  readonly stride: [number, number];
  readonly padding: [number, number];
  readonly output_padding: [number, number];
  readonly groups: number;
  readonly dilation: [number, number];
  readonly padding_mode = 'zeros' as const;
  weight: Parameter;
  bias: Parameter | null;

  constructor(in_channels: number, out_channels: number, kernel_size: Pair, opts?: ConvTranspose2dModuleOptions) {
    super();
    const o = checkOptions<ConvTranspose2dModuleOptions>('ConvTranspose2d options', opts, [
      'stride',
      'padding',
      'output_padding',
      'groups',
      'bias',
      'dilation',
      'padding_mode',
      'dtype',
      'device',
    ]);
    this.in_channels = checkInt('in_channels', in_channels, 1);
    this.out_channels = checkInt('out_channels', out_channels, 1);
    this.kernel_size = toPair('kernel_size', kernel_size, 1);
    const r = resolveConvTranspose2dOptions(
      { stride: o.stride, padding: o.padding, output_padding: o.output_padding, groups: o.groups, dilation: o.dilation },
      'ConvTranspose2d options',
    );
    this.stride = r.stride;
    this.padding = r.padding;
    this.output_padding = r.output_padding;
    this.groups = r.groups;
    this.dilation = r.dilation;
    checkGroups('ConvTranspose2d', this.in_channels, this.out_channels, this.groups);
    if (o.padding_mode !== undefined) checkString('padding_mode', o.padding_mode, ['zeros'] as const);
    this.weight = emptyParameter([this.in_channels, this.out_channels / this.groups, ...this.kernel_size], o);
    this.bias = checkBool('bias', o.bias ?? true) ? emptyParameter([this.out_channels], o) : null;
    this.reset_parameters();
  }
  reset_parameters(): void {
    resetConv(this.weight, this.bias);
  }
  /**
   * output_size ([H, W], or with leading batch/channel dims) picks the output_padding that gives it,
   * as PyTorch's forward(input, output_size) does when a stride makes the size ambiguous.
   */
  forward(input: Tensor, output_size?: number[] | null): Tensor {
    const output_padding = output_size == null ? this.output_padding : this._output_padding(input, output_size);
    return conv_transpose2d(input, this.weight, this.bias, {
      stride: this.stride,
      padding: this.padding,
      output_padding,
      groups: this.groups,
      dilation: this.dilation,
    });
  }

  _output_padding(input: Tensor, output_size: number[]): [number, number] {
    if (!Array.isArray(output_size) || !output_size.every((s) => Number.isSafeInteger(s) && s >= 0)) {
      throw new TypeError(`Expected an array of non-negative integers for output_size but received ${JSON.stringify(output_size)}`);
    }
    const size = output_size.length > 2 ? output_size.slice(-2) : output_size;
    if (size.length !== 2) throw new RangeError(`ConvTranspose2d: output_size must have 2 (or 4) elements but has ${output_size.length}`);
    const spatial = input.shape.slice(-2);
    return [0, 1].map((d) => {
      const min = (spatial[d]! - 1) * this.stride[d]! - 2 * this.padding[d]! + this.dilation[d]! * (this.kernel_size[d]! - 1) + 1;
      const max = min + this.stride[d]! - 1;
      if (size[d]! < min || size[d]! > max) {
        throw new RangeError(
          `ConvTranspose2d: requested an output size of [${size.join(', ')}], but valid sizes range from [${min}] to [${max}] in dim ${d} (for an input of [${input.shape.join(', ')}])`,
        );
      }
      return size[d]! - min;
    }) as [number, number];
  }
  override extra_repr(): string {
    let s = `${this.in_channels}, ${this.out_channels}, kernel_size=${tuple(this.kernel_size)}, stride=${tuple(this.stride)}`;
    if (this.padding[0] !== 0 || this.padding[1] !== 0) s += `, padding=${tuple(this.padding)}`;
    if (this.output_padding[0] !== 0 || this.output_padding[1] !== 0) s += `, output_padding=${tuple(this.output_padding)}`;
    if (this.dilation[0] !== 1 || this.dilation[1] !== 1) s += `, dilation=${tuple(this.dilation)}`;
    if (this.groups !== 1) s += `, groups=${this.groups}`;
    if (!this.bias) s += ', bias=False';
    return s;
  }
}
