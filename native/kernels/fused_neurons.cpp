// Instantiations of the generic fused step (fused_neuron.h) for each neuron's traits.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("no-trapping-math")
#endif
#include "fused_neurons.h"

#include "fused_neuron.h"

namespace snntorch::kernels {

std::vector<at::Tensor> neuron_step(const std::string& kind, const std::vector<at::Tensor>& inputs,
                                    const std::vector<at::Tensor>& states, const std::vector<at::Tensor>& params,
                                    const StepConfig& cfg) {
  if (kind == "synaptic")
    return fused::fused_step<traits::Synaptic>(inputs, states, params, cfg,
                                               {"alpha", "beta", "threshold", "graded_spikes_factor", "syn", "mem"},
                                               "SynapticStepFn");
  if (kind == "rsynaptic")
    return fused::fused_step<traits::RSynaptic>(inputs, states, params, cfg,
                                                {"alpha", "beta", "threshold", "graded_spikes_factor", "syn", "mem"},
                                                "RSynapticStepFn");
  if (kind == "lapicque")
    return fused::fused_step<traits::Lapicque>(inputs, states, params, cfg,
                                               {"R", "C", "time_step", "threshold", "graded_spikes_factor", "mem"},
                                               "LapicqueStepFn");
  TORCH_CHECK(false, "neuron_step: unknown neuron kind '", kind, "' (synaptic, rsynaptic or lapicque)");
}

}  // namespace snntorch::kernels
