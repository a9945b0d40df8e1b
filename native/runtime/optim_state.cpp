#include "optim_state.h"

#include <c10/util/C++17.h>

namespace snntorch::runtime {

std::string stateKey(const at::Tensor& p) { return c10::guts::to_string(p.unsafeGetTensorImpl()); }

void alignToParam(at::Tensor& s, const at::Tensor& p, const char* name) {
  if (!s.defined()) return;
  TORCH_CHECK(s.sizes() == p.sizes(), "optimizer state '", name, "' has shape ", s.sizes(),
              " but its parameter now has shape ", p.sizes(),
              ": create a new optimizer (or clear its state) after changing a parameter's shape");
  if (s.scalar_type() != p.scalar_type() || s.device() != p.device()) s = s.to(p.device(), p.scalar_type());
}

}  // namespace snntorch::runtime
