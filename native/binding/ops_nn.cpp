// Linear algebra and nn.functional ops, straight onto ATen.
#include <ATen/ATen.h>
#include <ATen/core/Reduction.h>

#include "args.h"
#include "registry.h"
#include "rng.h"

namespace snntorch::binding {
namespace {
int64_t reduction(const Napi::CallbackInfo& info, size_t i) {
  std::string r = argIsMissing(info, i) ? "mean" : argString(info, i);
  if (r == "mean") return at::Reduction::Mean;
  if (r == "sum") return at::Reduction::Sum;
  if (r == "none") return at::Reduction::None;
  throw std::invalid_argument("reduction must be 'mean', 'sum' or 'none', got '" + r + "'");
}
}  // namespace

NATIVE_FN(matmul) { return wrap(info, at::matmul(argTensor(info, 0), argTensor(info, 1))); }
NATIVE_FN(mm) { return wrap(info, at::mm(argTensor(info, 0), argTensor(info, 1))); }
NATIVE_FN(bmm) { return wrap(info, at::bmm(argTensor(info, 0), argTensor(info, 1))); }
NATIVE_FN(dot) { return wrap(info, at::dot(argTensor(info, 0), argTensor(info, 1))); }
NATIVE_FN(outer) { return wrap(info, at::outer(argTensor(info, 0), argTensor(info, 1))); }

// linear(x, weight, bias?)
NATIVE_FN(linear) { return wrap(info, at::linear(argTensor(info, 0), argTensor(info, 1), argOptTensor(info, 2))); }

// conv2d(x, weight, bias?, stride[], padding[] | 'same' | 'valid', dilation[], groups)
NATIVE_FN(conv2d) {
  const at::Tensor& x = argTensor(info, 0);
  const at::Tensor& w = argTensor(info, 1);
  auto b = argOptTensor(info, 2);
  auto stride = argIntList(info, 3);
  auto dilation = argIntList(info, 5);
  int64_t groups = argInt(info, 6);
  if (info[4].IsString()) return wrap(info, at::conv2d(x, w, b, stride, argString(info, 4), dilation, groups));
  return wrap(info, at::conv2d(x, w, b, stride, argIntList(info, 4), dilation, groups));
}

// max_pool2d(x, kernel[], stride[], padding[], dilation[], ceil_mode)
NATIVE_FN(max_pool2d) {
  return wrap(info, at::max_pool2d(argTensor(info, 0), argIntList(info, 1), argIntList(info, 2), argIntList(info, 3),
                                   argIntList(info, 4), argBool(info, 5)));
}
NATIVE_FN(avg_pool2d) {
  return wrap(info, at::avg_pool2d(argTensor(info, 0), argIntList(info, 1), argIntList(info, 2), argIntList(info, 3)));
}

NATIVE_FN(mse_loss) { return wrap(info, at::mse_loss(argTensor(info, 0), argTensor(info, 1), reduction(info, 2))); }
NATIVE_FN(l1_loss) { return wrap(info, at::l1_loss(argTensor(info, 0), argTensor(info, 1), reduction(info, 2))); }

// cross_entropy(input, target, weight?, reduction, ignore_index, label_smoothing)
NATIVE_FN(cross_entropy) {
  return wrap(info, at::cross_entropy_loss(argTensor(info, 0), argTensor(info, 1), argOptTensor(info, 2),
                                           reduction(info, 3), argInt(info, 4), argDouble(info, 5)));
}
// nll_loss(input, target, weight?, reduction, ignore_index)
NATIVE_FN(nll_loss) {
  return wrap(info, at::nll_loss_nd(argTensor(info, 0), argTensor(info, 1), argOptTensor(info, 2), reduction(info, 3),
                                    argInt(info, 4)));
}
NATIVE_FN(dropout) {
  at::Tensor& x = argTensor(info, 0);
  double p = argDouble(info, 1);
  bool train = argBool(info, 2);
  auto gen = threadGenerator(x.device());
  if (!gen || !train || p == 0) return wrap(info, at::dropout(x, p, train));
  // ATen's dropout draws from the default generator: on a worker thread, the same mask math
  // (bernoulli keep-mask scaled by 1/(1-p)) from the thread's own generator.
  TORCH_CHECK(p >= 0 && p <= 1, "dropout probability has to be between 0 and 1, but got ", p);
  if (p == 1) return wrap(info, x * at::zeros_like(x));
  at::Tensor mask = at::empty_like(x, at::MemoryFormat::Preserve).bernoulli_(1 - p, gen).div_(1 - p);
  return wrap(info, x * mask);
}

}  // namespace snntorch::binding
