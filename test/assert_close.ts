// Numeric comparison for parity tests: |a - b| <= atol + rtol * |b| elementwise (NaN equals NaN),
// with a message naming the worst element.
import { expect } from 'chai';
import { torch } from '../lib/index.js';
import { decodeFixtureTensor, type FixtureTensor } from './fixture_tensors.js';

export function fixtureTensor(t: FixtureTensor, opts: { requires_grad?: boolean } = {}): torch.Tensor {
  const d = decodeFixtureTensor(t);
  if (d.values instanceof Float32Array) return torch.from_typed_array(d.values, d.shape, { requires_grad: opts.requires_grad ?? false });
  return torch.from_typed_array(
    BigInt64Array.from(d.values, (v) => BigInt(v)),
    d.shape,
    { dtype: d.dtype === 'int64' ? 'int64' : 'float32' },
  );
}

export function expectClose(
  actual: torch.Tensor | null,
  expected: FixtureTensor | torch.Tensor,
  what: string,
  tol: { rtol: number; atol: number },
): void {
  expect(actual, `${what}: missing`).to.not.equal(null);
  const exp =
    expected instanceof torch.Tensor
      ? { shape: expected.shape, values: Array.from(expected.data() as Float32Array, Number) }
      : decodeFixtureTensor(expected);
  expect(actual!.shape, `${what}: shape`).to.deep.equal(exp.shape);
  const a = actual!.data();
  let worst = -1;
  let worstErr = 0;
  for (let i = 0; i < exp.values.length; i++) {
    const x = Number(a[i]);
    const y = Number(exp.values[i]);
    if (Number.isNaN(x) && Number.isNaN(y)) continue;
    const err = Math.abs(x - y) - (tol.atol + tol.rtol * Math.abs(y));
    if (!(err <= 0) && (worst < 0 || err > worstErr || Number.isNaN(err))) {
      worst = i;
      worstErr = err;
    }
  }
  if (worst >= 0) {
    expect.fail(
      `${what}: element ${worst} is ${Number(a[worst])}, expected ${Number(exp.values[worst])} (rtol ${tol.rtol}, atol ${tol.atol})`,
    );
  }
}

export function expectExact(actual: torch.Tensor, expected: FixtureTensor, what: string): void {
  expectClose(actual, expected, what, { rtol: 0, atol: 0 });
}
