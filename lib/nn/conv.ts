// nn.Conv2d with PyTorch's options, parameter names and default initialisation.
import { checkBool, checkInt, checkOptions, checkString } from '../torch/check.js';
import type { Tensor } from '../torch/tensor.js';
import { conv2d, resolveConv2dOptions, toPair, type Conv2dPadding, type Pair } from './functional.js';
import { _calculate_fan_in_and_fan_out, kaiming_uniform_, uniform_ } from './init.js';
import { emptyParameter, type FactoryOptions, type Parameter } from './parameter.js';
import { Module } from './module.js';
import { layerReuse } from './reuse.js';

export interface Conv2dOptions extends FactoryOptions {
  stride?: Pair;
  padding?: Conv2dPadding;
  dilation?: Pair;
  groups?: number;
  bias?: boolean;
  /** Only 'zeros' (PyTorch's default) is supported. */
  padding_mode?: 'zeros';
}

const OPTION_KEYS = ['stride', 'padding', 'dilation', 'groups', 'bias', 'padding_mode', 'dtype', 'device'];
const tuple = (p: readonly number[]): string => `(${p.join(', ')})`;

export class Conv2d extends Module {
  readonly in_channels: number;
  readonly out_channels: number;
  readonly kernel_size: [number, number];
  readonly stride: [number, number];
  readonly padding: [number, number] | 'same' | 'valid';
  readonly dilation: [number, number];
  readonly groups: number;
  readonly padding_mode = 'zeros' as const;
  weight: Parameter;
  bias: Parameter | null;

  constructor(in_channels: number, out_channels: number, kernel_size: Pair, opts?: Conv2dOptions) {
    super();
    const o = checkOptions<Conv2dOptions>('Conv2d options', opts, OPTION_KEYS);
    this.in_channels = checkInt('in_channels', in_channels, 1);
    this.out_channels = checkInt('out_channels', out_channels, 1);
    this.kernel_size = toPair('kernel_size', kernel_size, 1);
    const r = resolveConv2dOptions({ stride: o.stride, padding: o.padding, dilation: o.dilation, groups: o.groups }, 'Conv2d options');
    this.stride = r.stride;
    this.padding = r.padding;
    this.dilation = r.dilation;
    this.groups = r.groups;
    if (this.in_channels % this.groups !== 0)
      throw new RangeError(`Conv2d: in_channels (${this.in_channels}) must be divisible by groups (${this.groups})`);
    if (this.out_channels % this.groups !== 0)
      throw new RangeError(`Conv2d: out_channels (${this.out_channels}) must be divisible by groups (${this.groups})`);
    if (o.padding_mode !== undefined) checkString('padding_mode', o.padding_mode, ['zeros'] as const);
    const hasBias = checkBool('bias', o.bias ?? true);
    this.weight = emptyParameter([this.out_channels, this.in_channels / this.groups, ...this.kernel_size], o);
    this.bias = hasBias ? emptyParameter([this.out_channels], o) : null;
    this.reset_parameters();
  }

  /** PyTorch's default: kaiming_uniform_(W, a=√5) and b ~ U(±1/√fan_in), fan_in = C/groups·kH·kW. */
  reset_parameters(): void {
    kaiming_uniform_(this.weight, Math.sqrt(5));
    if (this.bias) {
      const [fanIn] = _calculate_fan_in_and_fan_out(this.weight);
      if (fanIn !== 0) uniform_(this.bias, -1 / Math.sqrt(fanIn), 1 / Math.sqrt(fanIn));
    }
  }

  /** Applied again to the same input with unchanged parameters, a copy of the first result (lib/nn/reuse.ts). */
  forward(input: Tensor): Tensor {
    const opts = { stride: this.stride, padding: this.padding, dilation: this.dilation, groups: this.groups };
    return layerReuse(this).apply(input, this.weight, this.bias, () => conv2d(input, this.weight, this.bias, opts));
  }

  override extra_repr(): string {
    let s = `${this.in_channels}, ${this.out_channels}, kernel_size=${tuple(this.kernel_size)}, stride=${tuple(this.stride)}`;
    if (typeof this.padding === 'string') s += `, padding=${this.padding}`;
    else if (this.padding[0] !== 0 || this.padding[1] !== 0) s += `, padding=${tuple(this.padding)}`;
    if (this.dilation[0] !== 1 || this.dilation[1] !== 1) s += `, dilation=${tuple(this.dilation)}`;
    if (this.groups !== 1) s += `, groups=${this.groups}`;
    if (!this.bias) s += ', bias=False';
    return s;
  }
}
