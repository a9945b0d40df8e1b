// One Leaky / RLeaky time step (docs/SEMANTICS.md, Leaky and RLeaky) as a single autograd node,
// plus the same step composed from ATen ops (the reference path for tests and benchmarks).
#pragma once
#include <ATen/core/Tensor.h>
#include <ATen/core/grad_mode.h>
#include <c10/util/Exception.h>
#include <cstdint>
#include <vector>

#include "step_dispatch.h"
#include "step_types.h"
#include "surrogate.h"

namespace snntorch::kernels {

// The fused nodes' backward runs kernels autograd cannot differentiate again: a backward with
// create_graph=true (grad mode on inside backward) would silently drop the second-order terms,
// so it is refused with the fix.
inline void refuse_double_backward(const char* node) {
  TORCH_CHECK(!at::GradMode::is_enabled(), node,
              ": double backward (create_graph=true) is not supported by the fused neuron step; "
              "call snn.config({ step: 'composed' }) before the forward pass to differentiate gradients "
              "through neurons");
}

struct StepConfig {
  Reset reset = Reset::Subtract;
  bool reset_delay = true;
  Surrogate surrogate = Surrogate::ATan;
  double surrogate_param = 2.0;  // atan alpha, (fast_)sigmoid slope, triangular threshold
  bool surrogate_disable = false;
  bool immediate() const { return immediate_reset(reset, reset_delay); }
};

// input, mem: same shape (the state). beta / threshold / graded_spikes_factor: 0-dim or any
// shape broadcastable to the state without growing it; any dtype (cast to the state's dtype).
// Returns {spk, mem}.
std::vector<at::Tensor> leaky_step(const at::Tensor& input, const at::Tensor& mem, const at::Tensor& beta,
                                   const at::Tensor& threshold, const at::Tensor& graded_spikes_factor,
                                   const StepConfig& cfg);

// rec = Rec(S_prev), computed by the caller with ordinary ops so its grad reaches S_prev and the
// recurrent weights. rec has the state's shape. graded_spikes_factor is fixed at 1.
std::vector<at::Tensor> rleaky_step(const at::Tensor& input, const at::Tensor& rec, const at::Tensor& mem,
                                    const at::Tensor& beta, const at::Tensor& threshold, const StepConfig& cfg);

// The same functions built from ATen ops with autograd (many nodes per step).
std::vector<at::Tensor> leaky_step_composed(const at::Tensor& input, const at::Tensor& mem, const at::Tensor& beta,
                                            const at::Tensor& threshold, const at::Tensor& graded_spikes_factor,
                                            const StepConfig& cfg);
std::vector<at::Tensor> rleaky_step_composed(const at::Tensor& input, const at::Tensor& rec, const at::Tensor& mem,
                                             const at::Tensor& beta, const at::Tensor& threshold,
                                             const StepConfig& cfg);

// The surrogate spike alone: forward (x > 0) in x's dtype, backward per `kind`, as an autograd op.
at::Tensor spike_fn(const at::Tensor& x, Surrogate kind, double param);

}  // namespace snntorch::kernels
