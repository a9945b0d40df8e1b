// Leaky / RLeaky's step entry points. CPU tensors, and CUDA tensors of the dtypes the CUDA kernels
// take in a build with them, run the generic fused step (fused_neurons.cpp, which sends CUDA tensors
// to fused_neuron_cuda.cu through cuda_dispatch.cpp); anything else runs the composed step.
#include "neuron_step.h"

#include <ATen/ATen.h>

#include "fused_neurons.h"
#include "step_kernels.h"

namespace snntorch::kernels {

using at::Tensor;

std::vector<Tensor> leaky_step(const Tensor& input, const Tensor& mem, const Tensor& beta, const Tensor& threshold,
                               const Tensor& graded_spikes_factor, const StepConfig& cfg) {
  detail::check_state(input, mem, Tensor(), "leaky_step");
  auto r = leaky_step_fused(input, mem, beta, threshold, graded_spikes_factor, cfg);
  if (!r.empty()) return r;
  return leaky_step_composed(input, mem, beta, threshold, graded_spikes_factor, cfg);
}

std::vector<Tensor> rleaky_step(const Tensor& input, const Tensor& rec, const Tensor& mem, const Tensor& beta,
                                const Tensor& threshold, const StepConfig& cfg) {
  detail::check_state(input, mem, rec, "rleaky_step");
  auto r = rleaky_step_fused(input, rec, mem, beta, threshold, cfg);
  if (!r.empty()) return r;
  return rleaky_step_composed(input, rec, mem, beta, threshold, cfg);
}

}  // namespace snntorch::kernels
