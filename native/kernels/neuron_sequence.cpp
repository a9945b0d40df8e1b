// The sequence nodes (sequence_node.h) instantiated per neuron, each under the name autograd prints
// as its grad_fn, and their entry points.
// The element steps are the generic fused kernel's (fused_neuron.h); GCC vectorises them only
// without trapping math, and every file instantiating them must agree (first, before any header).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("no-trapping-math")
#endif
#include "neuron_sequence.h"

#include "sequence_node.h"

namespace snntorch::kernels {
namespace {

#define SNNK_SEQ_NODE(NAME, TRAITS, FN)         \
  struct NAME : seq::SeqNode<TRAITS, NAME> {    \
    static constexpr const char* kName = #NAME; \
    static constexpr const char* kFn = FN;      \
  }

SNNK_SEQ_NODE(LeakySeqFn, traits::Leaky, "leaky_sequence");
SNNK_SEQ_NODE(RLeakySeqFn, traits::RLeaky, "rleaky_sequence");
SNNK_SEQ_NODE(SynapticSeqFn, traits::Synaptic, "synaptic_sequence");
SNNK_SEQ_NODE(RSynapticSeqFn, traits::RSynaptic, "rsynaptic_sequence");
SNNK_SEQ_NODE(LapicqueSeqFn, traits::Lapicque, "lapicque_sequence");
SNNK_SEQ_NODE(AlphaSeqFn, traits::Alpha, "alpha_sequence");

#undef SNNK_SEQ_NODE

}  // namespace

std::vector<at::Tensor> rleaky_sequence(const at::Tensor& x, int64_t static_steps, const at::Tensor& spk0,
                                        const at::Tensor& mem0, const at::Tensor& beta, const at::Tensor& threshold,
                                        const FeedbackSpec& fb, const StepConfig& cfg) {
  // RLeaky has no graded factor: a constant 1 (no grad) in the Leaky traits' slot.
  const at::Tensor one = at::ones({}, at::TensorOptions().dtype(at::kFloat));
  return seq::sequence<traits::RLeaky, RLeakySeqFn>(x, static_steps, {mem0}, spk0, {beta, threshold, one}, &fb, cfg);
}

std::vector<at::Tensor> leaky_sequence(const at::Tensor& x, int64_t static_steps, const at::Tensor& mem0,
                                       const at::Tensor& beta, const at::Tensor& threshold,
                                       const at::Tensor& graded_spikes_factor, const StepConfig& cfg) {
  return seq::sequence<traits::Leaky, LeakySeqFn>(x, static_steps, {mem0}, at::Tensor(),
                                                  {beta, threshold, graded_spikes_factor}, nullptr, cfg);
}

std::vector<at::Tensor> neuron_sequence(const std::string& kind, const at::Tensor& x, int64_t static_steps,
                                        const std::vector<at::Tensor>& states0, const at::Tensor& spk0,
                                        const std::vector<at::Tensor>& params, const FeedbackSpec* fb,
                                        const StepConfig& cfg) {
  if (kind == "synaptic")
    return seq::sequence<traits::Synaptic, SynapticSeqFn>(x, static_steps, states0, at::Tensor(), params, nullptr, cfg);
  if (kind == "rsynaptic")
    return seq::sequence<traits::RSynaptic, RSynapticSeqFn>(x, static_steps, states0, spk0, params, fb, cfg);
  if (kind == "lapicque")
    return seq::sequence<traits::Lapicque, LapicqueSeqFn>(x, static_steps, states0, at::Tensor(), params, nullptr, cfg);
  if (kind == "alpha")
    return seq::sequence<traits::Alpha, AlphaSeqFn>(x, static_steps, states0, at::Tensor(), params, nullptr, cfg);
  TORCH_CHECK(false, "neuron_sequence: unknown neuron kind '", kind, "' (synaptic, rsynaptic, lapicque or alpha)");
}

}  // namespace snntorch::kernels
