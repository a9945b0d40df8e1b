// The whole time loop of one neuron layer as ONE autograd node (docs/SEMANTICS.md, Leaky and RLeaky;
// sequence_node.h): forward steps t = 0..T-1 with the fused element step, backward is BPTT over
// t = T-1..0 in C++. Results equal T fused steps (with the recurrent term computed by the same ATen
// op): spikes and states bit for bit, grads up to summation order.
#pragma once
#include <ATen/core/Tensor.h>
#include <cstdint>
#include <string>
#include <vector>

#include "neuron_step.h"

namespace snntorch::kernels {

enum class Feedback : int64_t { OneToOne = 0, Linear = 1, Conv = 2 };

struct FeedbackSpec {
  Feedback kind = Feedback::OneToOne;
  at::Tensor weight;                   // Linear [N, N] or Conv2d [C, C, kh, kw]
  at::Tensor bias;                     // optional: Linear [N], Conv2d [C]
  at::Tensor V;                        // one-to-one: broadcasts to the state without growing it
  std::vector<int64_t> padding{0, 0};  // Conv2d (stride 1, dilation 1, groups 1)
};

// x: [T, ...state] when static_steps == 0, else a static [...state] used at each of static_steps
// steps (its grad is the sum over steps). spk0 / mem0: the initial state, shaped like one step.
// CPU, float32/float64. Returns {spk_rec, mem_rec}, both [T, ...state]; the final state is the
// last slice of each.
std::vector<at::Tensor> rleaky_sequence(const at::Tensor& x, int64_t static_steps, const at::Tensor& spk0,
                                        const at::Tensor& mem0, const at::Tensor& beta, const at::Tensor& threshold,
                                        const FeedbackSpec& fb, const StepConfig& cfg);

std::vector<at::Tensor> leaky_sequence(const at::Tensor& x, int64_t static_steps, const at::Tensor& mem0,
                                       const at::Tensor& beta, const at::Tensor& threshold,
                                       const at::Tensor& graded_spikes_factor, const StepConfig& cfg);

// kind: "synaptic" | "rsynaptic" | "lapicque" | "alpha". x as above; states0 and params in the order of the
// neuron's traits (neuron_traits.h); spk0 and fb only for rsynaptic (the recurrent term
// Rec(spk_{t-1}) is its second input). Returns {spk_rec, state_recs...}, each [T, ...state].
std::vector<at::Tensor> neuron_sequence(const std::string& kind, const at::Tensor& x, int64_t static_steps,
                                        const std::vector<at::Tensor>& states0, const at::Tensor& spk0,
                                        const std::vector<at::Tensor>& params, const FeedbackSpec* fb,
                                        const StepConfig& cfg);

}  // namespace snntorch::kernels
