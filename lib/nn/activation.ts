// Parameter-free layers: nn.ReLU, nn.Flatten, nn.Dropout, nn.Softmax, nn.LogSoftmax, nn.Softplus, nn.Unflatten.
import { checkBool, checkInt, checkNumber, checkOptions } from '../torch/check.js';
import type { Tensor } from '../torch/tensor.js';
import { tensorArg } from '../torch/tensor.js';
import { dropout, log_softmax, relu, softmax } from './functional.js';
import { softplus } from './functional_layers.js';
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
      throw new RangeError(
        `Flatten(start_dim=${this.start_dim}, end_dim=${this.end_dim}) does not fit an input of shape [${x.shape.join(', ')}]`,
      );
    }
    if (norm(this.start_dim) > norm(this.end_dim))
      throw new RangeError(`Flatten: start_dim (${this.start_dim}) comes after end_dim (${this.end_dim})`);
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

function implicitSoftmaxDim(name: string, ndim: number): number {
  process.emitWarning(`Implicit dimension choice for ${name} has been deprecated. Change the call to include dim=X as an argument.`, {
    code: 'SNNTORCH_IMPLICIT_DIM',
  });
  return ndim === 0 || ndim === 1 || ndim === 3 ? 0 : 1;
}

/** Softmax over dim (PyTorch's implicit choice, with its warning, when dim is null). */
export class Softmax extends Module {
  readonly dim: number | null;
  constructor(dim: number | null = null) {
    super();
    this.dim = dim === null ? null : checkInt('dim', dim);
  }
  forward(input: Tensor): Tensor {
    const x = tensorArg('input', input);
    return softmax(x, this.dim ?? implicitSoftmaxDim('softmax', x.dim()));
  }
  override extra_repr(): string {
    return `dim=${this.dim ?? 'None'}`;
  }
}

export class LogSoftmax extends Module {
  readonly dim: number | null;
  constructor(dim: number | null = null) {
    super();
    this.dim = dim === null ? null : checkInt('dim', dim);
  }
  forward(input: Tensor): Tensor {
    const x = tensorArg('input', input);
    return log_softmax(x, this.dim ?? implicitSoftmaxDim('log_softmax', x.dim()));
  }
  override extra_repr(): string {
    return `dim=${this.dim ?? 'None'}`;
  }
}

export class Softplus extends Module {
  readonly beta: number;
  readonly threshold: number;
  constructor(beta = 1, threshold = 20) {
    super();
    this.beta = checkNumber('beta', beta);
    this.threshold = checkNumber('threshold', threshold);
  }
  forward(input: Tensor): Tensor {
    return softplus(input, this.beta, this.threshold);
  }
  override extra_repr(): string {
    return `beta=${this.beta}, threshold=${this.threshold}`;
  }
}

/** Splits dim into unflattened_size (one entry may be -1), the inverse of Flatten. */
export class Unflatten extends Module {
  readonly dim: number;
  readonly unflattened_size: number[];
  constructor(dim: number, unflattened_size: number[]) {
    super();
    this.dim = checkInt('dim', dim);
    if (
      !Array.isArray(unflattened_size) ||
      unflattened_size.length === 0 ||
      !unflattened_size.every((s) => Number.isSafeInteger(s) && s >= -1)
    ) {
      throw new TypeError(
        `Expected a non-empty array of sizes (one may be -1) for unflattened_size but received ${JSON.stringify(unflattened_size)}`,
      );
    }
    if (unflattened_size.filter((s) => s === -1).length > 1) throw new RangeError('Unflatten: only one size in unflattened_size can be -1');
    this.unflattened_size = [...unflattened_size];
  }
  forward(input: Tensor): Tensor {
    const x = tensorArg('input', input);
    const n = x.dim();
    const d = this.dim < 0 ? this.dim + n : this.dim;
    if (d < 0 || d >= n) throw new RangeError(`Unflatten: dim ${this.dim} is out of range for an input of shape [${x.shape.join(', ')}]`);
    const size = x.shape[d]!;
    const known = this.unflattened_size.filter((s) => s !== -1).reduce((a, b) => a * b, 1);
    const sizes = this.unflattened_size.map((s) => (s === -1 ? (known === 0 ? 0 : size / known) : s));
    const total = sizes.reduce((a, b) => a * b, 1);
    if (total !== size || !sizes.every(Number.isInteger)) {
      throw new RangeError(
        `Unflatten: unflattened_size [${this.unflattened_size.join(', ')}] does not match dim ${this.dim} of size ${size} (input shape [${x.shape.join(', ')}])`,
      );
    }
    return x.reshape([...x.shape.slice(0, d), ...sizes, ...x.shape.slice(d + 1)]);
  }
  override extra_repr(): string {
    return `dim=${this.dim}, unflattened_size=(${this.unflattened_size.join(', ')})`;
  }
}
