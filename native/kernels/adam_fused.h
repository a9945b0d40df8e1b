// Adam / AdamW's update of one parameter in a single pass over the parameter, its gradient and its
// moments (optim.Adam({fused: true})): the same arithmetic, in the same order, as torch::optim's
// eight elementwise ops, which read and write the moments several times each.
#pragma once
#include <ATen/core/Tensor.h>

#include <cstdint>

namespace snntorch::kernels {

struct AdamHyper {
  double lr = 1e-3;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
  double weight_decay = 0;
  bool amsgrad = false;
  // AdamW: p *= 1 - lr * weight_decay before the update, instead of adding weight_decay * p to the grad.
  bool decoupled = false;
};

// Whether the fused update applies: CPU, float32 or float64, dense and contiguous, every tensor of
// the parameter's dtype and shape (max_exp_avg_sq only with amsgrad). Undefined moments stand for
// state not created yet (zeros_like(p), which then has p's layout).
bool adam_fusable(const at::Tensor& p, const at::Tensor& grad, const at::Tensor& exp_avg, const at::Tensor& exp_avg_sq,
                  const at::Tensor& max_exp_avg_sq, bool amsgrad);

// One update at `step` (already incremented, >= 1), in place on p and the moments.
void adam_fused_update(const at::Tensor& p, const at::Tensor& grad, const at::Tensor& exp_avg,
                       const at::Tensor& exp_avg_sq, const at::Tensor& max_exp_avg_sq, int64_t step,
                       const AdamHyper& h);

}  // namespace snntorch::kernels
