// Tensor-level pieces shared by the Leaky/RLeaky step entry points, the fused and CUDA steps and
// the composed step: the state checks and the reduction of a per-element grad to a parameter's shape.
#pragma once
#include <ATen/ATen.h>

#include "neuron_step.h"

namespace snntorch::kernels {
namespace detail {

// Checks input/mem(/rec) agree in shape, device and float-ness; returns the compute dtype.
at::ScalarType check_state(const at::Tensor& input, const at::Tensor& mem, const at::Tensor& rec, const char* fn);

// Full-size per-element grad reduced to a parameter's shape.
at::Tensor reduce_to(const at::Tensor& full, const at::Tensor& like);

}  // namespace detail
}  // namespace snntorch::kernels
