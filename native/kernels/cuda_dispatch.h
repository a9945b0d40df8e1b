// Device dispatch of the generic fused neuron step: tensor-level calls of the CUDA kernels
// (fused_neuron_cuda.h), defined in cuda_dispatch.cpp when the build has CUDA (SNN_WITH_CUDA).
// Without it, fused_available() is false and CUDA tensors take the composed path.
#pragma once
#include <ATen/core/Tensor.h>

#include <vector>

#include "fused_neuron_cuda.h"
#include "neuron_step.h"

namespace snntorch::kernels {
namespace cuda {

#ifdef SNN_WITH_CUDA
// True for a CUDA tensor whose state dtype st the kernels take (float32, float16, bfloat16).
bool fused_available(const at::Tensor& input, at::ScalarType st);

// One step of neuron kind k. Inputs and states are contiguous, on one CUDA device, in the state
// dtype; parameters are float32 on that device, named by names[q] in errors (the traits' kNames).
// v: the membrane before the immediate reset where `immediate`, else undefined.
struct NeuronOut {
  at::Tensor spk, v;
  std::vector<at::Tensor> states;
};
NeuronOut neuron_forward(NeuronKind k, const std::vector<at::Tensor>& in, const std::vector<at::Tensor>& s,
                         const std::vector<at::Tensor>& params, const char* const* names, const StepConfig& cfg,
                         bool immediate);

// Its backward, on LibTorch's current stream. in: the saved inputs where the neuron's backward
// reads them, else empty. gS and each gout[q] may be undefined (no grad reached that output).
// need: per input, state and parameter (in that order) whether its grad is wanted; the result
// holds a defined tensor exactly there, parameter grads float32 shaped like the parameters.
std::vector<at::Tensor> neuron_backward(NeuronKind k, const std::vector<at::Tensor>& in,
                                        const std::vector<at::Tensor>& s, const at::Tensor& v,
                                        const std::vector<at::Tensor>& params, const char* const* names,
                                        const at::Tensor& gS, const std::vector<at::Tensor>& gout,
                                        const StepConfig& cfg, bool immediate, bool sg, const std::vector<bool>& need);
#else
inline bool fused_available(const at::Tensor&, at::ScalarType) { return false; }
#endif

}  // namespace cuda
}  // namespace snntorch::kernels
