// The fused steps of every neuron with a traits type: the generic kernel and node (fused_neuron.h)
// instantiated per neuron, each node under the name autograd prints as its grad_fn.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("no-trapping-math")
#endif
#include "fused_neurons.h"

#include "fused_neuron.h"

namespace snntorch::kernels {
namespace {

#define SNNK_STEP_NODE(NAME, TRAITS)            \
  struct NAME : fused::StepNode<TRAITS, NAME> { \
    static constexpr const char* kName = #NAME; \
  }

SNNK_STEP_NODE(LeakyStepFn, traits::Leaky);
SNNK_STEP_NODE(RLeakyStepFn, traits::RLeaky);
SNNK_STEP_NODE(SynapticStepFn, traits::Synaptic);
SNNK_STEP_NODE(RSynapticStepFn, traits::RSynaptic);
SNNK_STEP_NODE(LapicqueStepFn, traits::Lapicque);
SNNK_STEP_NODE(AlphaStepFn, traits::Alpha);

#undef SNNK_STEP_NODE

}  // namespace

std::vector<at::Tensor> neuron_step(const std::string& kind, const std::vector<at::Tensor>& inputs,
                                    const std::vector<at::Tensor>& states, const std::vector<at::Tensor>& params,
                                    const StepConfig& cfg) {
  if (kind == "synaptic") return fused::fused_step<traits::Synaptic, SynapticStepFn>(inputs, states, params, cfg);
  if (kind == "rsynaptic") return fused::fused_step<traits::RSynaptic, RSynapticStepFn>(inputs, states, params, cfg);
  if (kind == "lapicque") return fused::fused_step<traits::Lapicque, LapicqueStepFn>(inputs, states, params, cfg);
  if (kind == "alpha") return fused::fused_step<traits::Alpha, AlphaStepFn>(inputs, states, params, cfg);
  TORCH_CHECK(false, "neuron_step: unknown neuron kind '", kind, "' (synaptic, rsynaptic, lapicque or alpha)");
}

std::vector<at::Tensor> leaky_step_fused(const at::Tensor& input, const at::Tensor& mem, const at::Tensor& beta,
                                         const at::Tensor& threshold, const at::Tensor& graded_spikes_factor,
                                         const StepConfig& cfg) {
  return fused::fused_step<traits::Leaky, LeakyStepFn>({input}, {mem}, {beta, threshold, graded_spikes_factor}, cfg);
}

std::vector<at::Tensor> rleaky_step_fused(const at::Tensor& input, const at::Tensor& rec, const at::Tensor& mem,
                                          const at::Tensor& beta, const at::Tensor& threshold, const StepConfig& cfg) {
  // RLeaky has no graded factor: a constant 1 (no grad) in the Leaky traits' slot, made on the
  // state's device (a host value would be copied to a GPU every step).
  const at::Tensor one = at::ones({}, at::TensorOptions().dtype(mem.scalar_type()).device(mem.device()));
  return fused::fused_step<traits::RLeaky, RLeakyStepFn>({input, rec}, {mem}, {beta, threshold, one}, cfg);
}

}  // namespace snntorch::kernels
