#include "zero_grad.h"

namespace snntorch::runtime {

void zeroGrad(std::vector<torch::optim::OptimizerParamGroup>& groups, bool set_to_none) {
  for (auto& g : groups) {
    for (auto& p : g.params()) {
      at::Tensor& grad = p.mutable_grad();
      if (!grad.defined()) continue;
      if (set_to_none) {
        grad.reset();
        continue;
      }
      if (grad.grad_fn()) grad.detach_();
      else grad.requires_grad_(false);
      grad.zero_();
    }
  }
}

}  // namespace snntorch::runtime
