// Stand-in for PyTorch's torch/csrc/distributed/autograd/context/context.h, which Debian's
// libtorch-dev does not ship although c10d's reducer.hpp includes it. reducer.hpp only names
// DistAutogradContext::GradCallback (in a static_assert) and holds a ContextPtr
// (std::shared_ptr<DistAutogradContext>, whose layout does not depend on the class), so these two
// declarations, spelled as upstream's, are all it needs. CMakeLists.txt adds this folder to the
// include path only when LibTorch lacks the real header; nothing here is called.
#pragma once
#include <ATen/ATen.h>
#include <functional>
#include <memory>

namespace torch {
namespace distributed {
namespace autograd {

class DistAutogradContext {
 public:
  using GradCallback = std::function<bool(at::Tensor&)>;
};
using ContextPtr = std::shared_ptr<DistAutogradContext>;

}  // namespace autograd
}  // namespace distributed
}  // namespace torch
