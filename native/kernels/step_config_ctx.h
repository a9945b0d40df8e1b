// StepConfig saved into / restored from an autograd context (shared by the step and sequence nodes).
#pragma once
#include <torch/csrc/autograd/custom_function.h>

#include "neuron_step.h"

namespace snntorch::kernels {
namespace detail {

inline void save_cfg(torch::autograd::AutogradContext* ctx, const StepConfig& c) {
  ctx->saved_data["reset"] = static_cast<int64_t>(c.reset);
  ctx->saved_data["delay"] = c.reset_delay;
  ctx->saved_data["sg"] = static_cast<int64_t>(c.surrogate);
  ctx->saved_data["sgp"] = c.surrogate_param;
  ctx->saved_data["sgoff"] = c.surrogate_disable;
}

inline StepConfig load_cfg(torch::autograd::AutogradContext* ctx) {
  StepConfig c;
  c.reset = static_cast<Reset>(ctx->saved_data["reset"].toInt());
  c.reset_delay = ctx->saved_data["delay"].toBool();
  c.surrogate = static_cast<Surrogate>(ctx->saved_data["sg"].toInt());
  c.surrogate_param = ctx->saved_data["sgp"].toDouble();
  c.surrogate_disable = ctx->saved_data["sgoff"].toBool();
  return c;
}

}  // namespace detail
}  // namespace snntorch::kernels
