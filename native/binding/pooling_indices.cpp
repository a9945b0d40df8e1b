// Max pooling that also returns the argmax indices, and its inverse max_unpool2d.
#include <ATen/ATen.h>

#include "args.h"
#include "registry.h"

namespace snntorch::binding {

// max_pool1d_with_indices(x, kernel[], stride[], padding[], dilation[], ceil_mode) -> [out, indices]
NATIVE_FN(max_pool1d_with_indices) {
  auto r = at::max_pool1d_with_indices(argTensor(info, 0), argIntList(info, 1), argIntList(info, 2),
                                       argIntList(info, 3), argIntList(info, 4), argBool(info, 5));
  return wrapList(info, {std::get<0>(r), std::get<1>(r)});
}

// max_pool2d_with_indices(x, kernel[], stride[], padding[], dilation[], ceil_mode) -> [out, indices]
NATIVE_FN(max_pool2d_with_indices) {
  auto r = at::max_pool2d_with_indices(argTensor(info, 0), argIntList(info, 1), argIntList(info, 2),
                                       argIntList(info, 3), argIntList(info, 4), argBool(info, 5));
  return wrapList(info, {std::get<0>(r), std::get<1>(r)});
}

// max_unpool2d(x, indices, output_size[2])
NATIVE_FN(max_unpool2d) {
  return wrap(info, at::max_unpool2d(argTensor(info, 0), argTensor(info, 1), argIntList(info, 2)));
}

}  // namespace snntorch::binding
