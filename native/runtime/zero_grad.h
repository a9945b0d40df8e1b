// Optimizer.zero_grad(set_to_none) over parameter groups: LibTorch 1.13's zero_grad() has no
// set_to_none, so both forms are here.
#pragma once
#include <torch/optim/optimizer.h>

#include <vector>

namespace snntorch::runtime {

void zeroGrad(std::vector<torch::optim::OptimizerParamGroup>& groups, bool set_to_none);

}  // namespace snntorch::runtime
