// Reductions. `dims` is an int array or null (all dims), as in PyTorch's optional dim.
#include <ATen/ATen.h>

#include "args.h"
#include "registry.h"

namespace snntorch::binding {

// sum(t, dims|null, keepdim, dtype?)
NATIVE_FN(sum) {
  const at::Tensor& a = argTensor(info, 0);
  if (argIsMissing(info, 1)) return wrap(info, at::sum(a, argOptDtype(info, 3)));
  return wrap(info, at::sum(a, argIntList(info, 1), argBool(info, 2), argOptDtype(info, 3)));
}
NATIVE_FN(mean) {
  const at::Tensor& a = argTensor(info, 0);
  if (argIsMissing(info, 1)) return wrap(info, at::mean(a, argOptDtype(info, 3)));
  return wrap(info, at::mean(a, argIntList(info, 1), argBool(info, 2), argOptDtype(info, 3)));
}
// std/var(t, dims|null, unbiased, keepdim)
NATIVE_FN(std) {
  const at::Tensor& a = argTensor(info, 0);
  at::OptionalIntArrayRef dims;
  std::vector<int64_t> d;
  if (!argIsMissing(info, 1)) dims = (d = argIntList(info, 1));
  return wrap(info, at::std(a, dims, argBool(info, 2), argBool(info, 3)));
}
NATIVE_FN(var) {
  const at::Tensor& a = argTensor(info, 0);
  at::OptionalIntArrayRef dims;
  std::vector<int64_t> d;
  if (!argIsMissing(info, 1)) dims = (d = argIntList(info, 1));
  return wrap(info, at::var(a, dims, argBool(info, 2), argBool(info, 3)));
}
// prod(t, dim|null, keepdim, dtype?)
NATIVE_FN(prod) {
  const at::Tensor& a = argTensor(info, 0);
  if (argIsMissing(info, 1)) return wrap(info, at::prod(a, argOptDtype(info, 3)));
  return wrap(info, at::prod(a, argInt(info, 1), argBool(info, 2), argOptDtype(info, 3)));
}
// max/min(t) -> tensor; max/min(t, dim, keepdim) -> [values, indices]
NATIVE_FN(max) {
  const at::Tensor& a = argTensor(info, 0);
  if (argIsMissing(info, 1)) return wrap(info, at::max(a));
  auto r = at::max(a, argInt(info, 1), argBool(info, 2));
  return wrapList(info, {std::get<0>(r), std::get<1>(r)});
}
NATIVE_FN(min) {
  const at::Tensor& a = argTensor(info, 0);
  if (argIsMissing(info, 1)) return wrap(info, at::min(a));
  auto r = at::min(a, argInt(info, 1), argBool(info, 2));
  return wrapList(info, {std::get<0>(r), std::get<1>(r)});
}
NATIVE_FN(argmax) { return wrap(info, at::argmax(argTensor(info, 0), argOptInt(info, 1), argBool(info, 2))); }
NATIVE_FN(argmin) { return wrap(info, at::argmin(argTensor(info, 0), argOptInt(info, 1), argBool(info, 2))); }
NATIVE_FN(any) {
  const at::Tensor& a = argTensor(info, 0);
  if (argIsMissing(info, 1)) return wrap(info, at::any(a));
  return wrap(info, at::any(a, argInt(info, 1), argBool(info, 2)));
}
NATIVE_FN(all) {
  const at::Tensor& a = argTensor(info, 0);
  if (argIsMissing(info, 1)) return wrap(info, at::all(a));
  return wrap(info, at::all(a, argInt(info, 1), argBool(info, 2)));
}
NATIVE_FN(cumsum) { return wrap(info, at::cumsum(argTensor(info, 0), argInt(info, 1), argOptDtype(info, 2))); }
NATIVE_FN(logsumexp) { return wrap(info, at::logsumexp(argTensor(info, 0), argIntList(info, 1), argBool(info, 2))); }
NATIVE_FN(norm) {
  const at::Tensor& a = argTensor(info, 0);
  at::Scalar p = argOptScalar(info, 1).value_or(at::Scalar(2));
  if (argIsMissing(info, 2)) return wrap(info, at::norm(a, p));
  return wrap(info, at::norm(a, p, argIntList(info, 2), argBool(info, 3)));
}

}  // namespace snntorch::binding
