// The fused steps of the neurons with a traits type (neuron_traits.h), by name.
#pragma once
#include <ATen/core/Tensor.h>

#include <string>
#include <vector>

#include "neuron_step.h"

namespace snntorch::kernels {

// kind: "synaptic" | "rsynaptic" | "lapicque" | "alpha". inputs: {X} ({X, Rec(spk_prev)} for rsynaptic);
// states and params in the order of the neuron's traits. Returns {spk, new states...}, or an
// empty vector where no kernel runs (CUDA tensors in a build without CUDA, float64 on CUDA): the
// caller then runs the composed step.
std::vector<at::Tensor> neuron_step(const std::string& kind, const std::vector<at::Tensor>& inputs,
                                    const std::vector<at::Tensor>& states, const std::vector<at::Tensor>& params,
                                    const StepConfig& cfg);

// Leaky / RLeaky's fused step (leaky_step / rleaky_step's contract), or an empty vector where no
// kernel runs, as neuron_step.
std::vector<at::Tensor> leaky_step_fused(const at::Tensor& input, const at::Tensor& mem, const at::Tensor& beta,
                                         const at::Tensor& threshold, const at::Tensor& graded_spikes_factor,
                                         const StepConfig& cfg);
std::vector<at::Tensor> rleaky_step_fused(const at::Tensor& input, const at::Tensor& rec, const at::Tensor& mem,
                                          const at::Tensor& beta, const at::Tensor& threshold, const StepConfig& cfg);

}  // namespace snntorch::kernels
