// Parameter-free layers: nn.ReLU, nn.Flatten, nn.Dropout.
import { checkBool, checkInt, checkNumber, checkOptions } from '../torch/check.js';
import type { Tensor } from '../torch/tensor.js';
import { tensorArg } from '../torch/tensor.js';
import { dropout, relu } from './functional.js';
import { Module } from './module.js';

export class ReLU extends Module {
  readonly inplace: boolean;
  constructor(opts?: { inplace?: boolean }) {
    super();
    const o = checkOptions<{ inplace?: boolean }>('ReLU options', opts, ['inplace']);
    this.inplace = checkBool('inplace', o.inplace ?? false);
  }
  forward(input: Tensor): Tensor {
    return relu(input, { inplace: this.inplace });
  }
  override extra_repr(): string {
    return this.inplace ? 'inplace=True' : '';
  }
}

/** Flattens dims start_dim..end_dim (default 1..-1, keeping the batch dim). */
export class Flatten extends Module {
  readonly start_dim: number;
  readonly end_dim: number;
  constructor(start_dim = 1, end_dim = -1) {
    super();
    this.start_dim = checkInt('start_dim', start_dim);
    this.end_dim = checkInt('end_dim', end_dim);
  }
  forward(input: Tensor): Tensor {
    const x = tensorArg('input', input);
    const n = Math.max(x.dim(), 1);
    const norm = (d: number): number => (d < 0 ? d + n : d);
    if (norm(this.start_dim) < 0 || norm(this.start_dim) >= n || norm(this.end_dim) < 0 || norm(this.end_dim) >= n) {
      throw new RangeError(`Flatten(start_dim=${this.start_dim}, end_dim=${this.end_dim}) does not fit an input of shape [${x.shape.join(', ')}]`);
    }
    if (norm(this.start_dim) > norm(this.end_dim)) throw new RangeError(`Flatten: start_dim (${this.start_dim}) comes after end_dim (${this.end_dim})`);
    return x.flatten(this.start_dim, this.end_dim);
  }
  override extra_repr(): string {
    return `start_dim=${this.start_dim}, end_dim=${this.end_dim}`;
  }
}

/** Zeroes elements with probability p while training; the identity in eval(). */
export class Dropout extends Module {
  readonly p: number;
  readonly inplace: boolean;
  constructor(p = 0.5, opts?: { inplace?: boolean }) {
    super();
    this.p = checkNumber('p', p);
    if (this.p < 0 || this.p > 1) throw new RangeError(`dropout probability has to be between 0 and 1, but got ${this.p}`);
    const o = checkOptions<{ inplace?: boolean }>('Dropout options', opts, ['inplace']);
    this.inplace = checkBool('inplace', o.inplace ?? false);
  }
  forward(input: Tensor): Tensor {
    return dropout(input, { p: this.p, training: this.training, inplace: this.inplace });
  }
  override extra_repr(): string {
    return `p=${this.p}, inplace=${this.inplace ? 'True' : 'False'}`;
  }
}
