// Shape, view, join/split, indexing and conversion ops.
#include <ATen/ATen.h>

#include "args.h"
#include "registry.h"

namespace snntorch::binding {

NATIVE_FN(reshape) { return wrap(info, at::reshape(argTensor(info, 0), argIntList(info, 1))); }
NATIVE_FN(view) { return wrap(info, argTensor(info, 0).view(argIntList(info, 1))); }
NATIVE_FN(flatten) { return wrap(info, at::flatten(argTensor(info, 0), argInt(info, 1), argInt(info, 2))); }
NATIVE_FN(squeeze) {
  const at::Tensor& a = argTensor(info, 0);
  return wrap(info, argIsMissing(info, 1) ? at::squeeze(a) : at::squeeze(a, argInt(info, 1)));
}
NATIVE_FN(unsqueeze) { return wrap(info, at::unsqueeze(argTensor(info, 0), argInt(info, 1))); }
NATIVE_FN(permute) { return wrap(info, at::permute(argTensor(info, 0), argIntList(info, 1))); }
NATIVE_FN(transpose) { return wrap(info, at::transpose(argTensor(info, 0), argInt(info, 1), argInt(info, 2))); }
NATIVE_FN(t) { return wrap(info, at::t(argTensor(info, 0))); }
NATIVE_FN(expand) { return wrap(info, argTensor(info, 0).expand(argIntList(info, 1))); }
NATIVE_FN(repeat) { return wrap(info, argTensor(info, 0).repeat(argIntList(info, 1))); }
NATIVE_FN(contiguous) { return wrap(info, argTensor(info, 0).contiguous()); }
NATIVE_FN(flip) { return wrap(info, at::flip(argTensor(info, 0), argIntList(info, 1))); }
NATIVE_FN(cat) { return wrap(info, at::cat(argTensorList(info, 0), argInt(info, 1))); }
NATIVE_FN(stack) { return wrap(info, at::stack(argTensorList(info, 0), argInt(info, 1))); }
// split(t, size | sizes[], dim)
NATIVE_FN(split) {
  const at::Tensor& a = argTensor(info, 0);
  if (info[1].IsArray()) return wrapList(info, at::split_with_sizes(a, argIntList(info, 1), argInt(info, 2)));
  return wrapList(info, at::split(a, argInt(info, 1), argInt(info, 2)));
}
NATIVE_FN(chunk) { return wrapList(info, at::chunk(argTensor(info, 0), argInt(info, 1), argInt(info, 2))); }
NATIVE_FN(unbind) { return wrapList(info, at::unbind(argTensor(info, 0), argInt(info, 1))); }

NATIVE_FN(select) { return wrap(info, at::select(argTensor(info, 0), argInt(info, 1), argInt(info, 2))); }
NATIVE_FN(narrow) {
  return wrap(info, at::narrow(argTensor(info, 0), argInt(info, 1), argInt(info, 2), argInt(info, 3)));
}
// slice(t, dim, start?, end?, step)
NATIVE_FN(slice) {
  return wrap(info,
              at::slice(argTensor(info, 0), argInt(info, 1), argOptInt(info, 2), argOptInt(info, 3), argInt(info, 4)));
}
NATIVE_FN(index_select) {
  return wrap(info, at::index_select(argTensor(info, 0), argInt(info, 1), argTensor(info, 2)));
}
NATIVE_FN(gather) { return wrap(info, at::gather(argTensor(info, 0), argInt(info, 1), argTensor(info, 2))); }
// scatter(t, dim, index, src | value)
NATIVE_FN(scatter) {
  const at::Tensor& a = argTensor(info, 0);
  if (argIsTensor(info, 3)) return wrap(info, at::scatter(a, argInt(info, 1), argTensor(info, 2), argTensor(info, 3)));
  return wrap(info, at::scatter(a, argInt(info, 1), argTensor(info, 2), argScalar(info, 3)));
}
NATIVE_FN(scatter_add) {
  return wrap(info, at::scatter_add(argTensor(info, 0), argInt(info, 1), argTensor(info, 2), argTensor(info, 3)));
}
// Advanced indexing by one index tensor along dim 0 (t[idx] in PyTorch).
NATIVE_FN(index_tensor) { return wrap(info, argTensor(info, 0).index({argTensor(info, 1)})); }
NATIVE_FN(masked_select) { return wrap(info, at::masked_select(argTensor(info, 0), argTensor(info, 1))); }
NATIVE_FN(one_hot) { return wrap(info, at::one_hot(argTensor(info, 0), argInt(info, 1))); }

// to(t, dtype?, device?, copy): one conversion for dtype and device.
NATIVE_FN(to) {
  at::Tensor& a = argTensor(info, 0);
  at::ScalarType dt = argOptDtype(info, 1).value_or(a.scalar_type());
  at::Device dev = argIsMissing(info, 2) ? a.device() : argDevice(info, 2);
  return wrap(info, a.to(dev, dt, /*non_blocking=*/false, /*copy=*/argBool(info, 3)));
}
NATIVE_FN(clone) { return wrap(info, argTensor(info, 0).clone()); }
NATIVE_FN(detach) { return wrap(info, argTensor(info, 0).detach()); }

}  // namespace snntorch::binding
