// Row-major (C-contiguous) strides: the last dim has stride 1, each earlier dim the product of the
// sizes after it, as PyTorch gives a contiguous tensor.
export function contiguousStrides(shape: readonly number[]): number[] {
  const strides: number[] = new Array<number>(shape.length);
  for (let d = shape.length - 1, st = 1; d >= 0; d--) {
    strides[d] = st;
    st *= shape[d]!;
  }
  return strides;
}
