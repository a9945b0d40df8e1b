// Device dispatch of the fused Leaky/RLeaky step: tensor-level calls of the generic CUDA kernels
// (fused_neuron_cuda.h), defined in cuda_dispatch.cpp when the build has CUDA (SNN_WITH_CUDA).
// Without it, fused_available() is false and CUDA tensors take the composed path.
#pragma once
#include <ATen/core/Tensor.h>

#include "step_kernels.h"

namespace snntorch::kernels {
namespace cuda {

#ifdef SNN_WITH_CUDA
// True for a CUDA tensor whose state dtype st the kernels take (float32, float16, bfloat16).
bool fused_available(const at::Tensor& input, at::ScalarType st);

// One step forward (v = mem before the immediate reset, allocated when want_v or the reset is
// immediate) and its backward (only the grads `need` asks for; gS / gM may be undefined), on the
// tensors' CUDA device and LibTorch's current stream. Parameters are taken as float32 on that
// device; their grads come back in each parameter's own dtype and shape.
detail::StepOut step_forward(bool rec_mode, const at::Tensor& x, const at::Tensor& rec, const at::Tensor& u,
                             const at::Tensor& beta, const at::Tensor& th, const at::Tensor& g, const StepConfig& cfg,
                             bool want_v);
detail::StepBackward step_backward(bool rec_mode, const at::Tensor& u, const at::Tensor& v, const at::Tensor& beta,
                                   const at::Tensor& th, const at::Tensor& g, const at::Tensor& gS,
                                   const at::Tensor& gM, const StepConfig& cfg, const detail::GradNeeds& need);
#else
inline bool fused_available(const at::Tensor&, at::ScalarType) { return false; }
#endif

}  // namespace cuda
}  // namespace snntorch::kernels
