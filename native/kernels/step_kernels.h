// Tensor-level fused step kernels (no autograd), shared by the step and sequence nodes.
// All state tensors here are contiguous, CPU, float32/float64, and of one shape.
#pragma once
#include <ATen/ATen.h>

#include "neuron_step.h"
#include "param_view.h"

namespace snntorch::kernels {
namespace detail {

struct StepParams {
  ParamView beta, th, g;  // g is a single 1 for RLeaky
};
// g may be undefined (RLeaky).
StepParams make_step_params(const at::Tensor& beta, const at::Tensor& th, const at::Tensor& g, at::IntArrayRef shape,
                            at::ScalarType st);

// Writes spk, mem and (if defined) v = mem before the immediate reset. rec unused unless REC.
void step_forward_into(bool rec_mode, const at::Tensor& x, const at::Tensor& rec, const at::Tensor& u,
                       const StepParams& p, const StepConfig& cfg, const at::Tensor& spk, const at::Tensor& mem,
                       const at::Tensor& v);

// Per-element grads. gx / gu must be allocated and are overwritten. gS / gM may be undefined
// (no grad reached that output). Defined full-size param grads are ADDED to (so a sequence can
// accumulate over steps); a param flagged in `sums` (single-value params) is instead summed in
// double and returned.
struct StepGradOut {
  at::Tensor gx, gu, gbeta, gth, gg;
};
struct GradNeeds {
  bool x, u, beta, th, g;
};
struct StepParamGrads {
  double beta, th, g;
};
StepParamGrads step_backward_into(bool rec_mode, const at::Tensor& u, const at::Tensor& v, const StepParams& p,
                                  const at::Tensor& gS, const at::Tensor& gM, const StepConfig& cfg,
                                  const StepGradOut& out, const GradNeeds& sums);

// Allocating wrappers for one step.
struct StepOut {
  at::Tensor spk, mem, v;
};
StepOut step_forward(bool rec_mode, const at::Tensor& x, const at::Tensor& rec, const at::Tensor& u,
                     const at::Tensor& beta, const at::Tensor& th, const at::Tensor& g, const StepConfig& cfg,
                     bool want_v);

using StepBackward = StepGradOut;  // param grads already reduced to the params' shapes
StepBackward step_backward(bool rec_mode, const at::Tensor& u, const at::Tensor& v, const at::Tensor& beta,
                           const at::Tensor& th, const at::Tensor& g, const at::Tensor& gS, const at::Tensor& gM,
                           const StepConfig& cfg, const GradNeeds& need);

// Checks input/mem(/rec) agree in shape, device and float-ness; returns the compute dtype.
at::ScalarType check_state(const at::Tensor& input, const at::Tensor& mem, const at::Tensor& rec, const char* fn);

// Full-size per-element grad reduced to a parameter's shape.
at::Tensor reduce_to(const at::Tensor& full, const at::Tensor& like);

}  // namespace detail
}  // namespace snntorch::kernels
