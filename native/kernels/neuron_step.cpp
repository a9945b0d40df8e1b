// Leaky / RLeaky's step entry points. CPU tensors run the generic fused kernel (fused_neurons.cpp);
// CUDA tensors run the generic CUDA kernels (fused_neuron_cuda.cu, through cuda_dispatch.cpp) in
// the node below, or the composed step where the build has no CUDA kernels or the dtype is not theirs.
#include "neuron_step.h"

#include <ATen/ATen.h>
#include <torch/csrc/autograd/custom_function.h>

#include "cuda_dispatch.h"
#include "fused_neurons.h"
#include "step_config_ctx.h"
#include "step_kernels.h"

namespace snntorch::kernels {
namespace {

using at::Tensor;

#ifdef SNN_WITH_CUDA
using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// Saves {mem_prev, V, beta, threshold, gsf}; V is the returned mem itself unless an immediate
// reset changed it, so usually nothing extra is kept alive.
template <bool REC>
variable_list forward_common(AutogradContext* ctx, const Tensor& x, const Tensor& rec, const Tensor& u,
                             const Tensor& beta, const Tensor& th, const Tensor& g, const StepConfig& cfg) {
  const bool immediate = cfg.immediate();
  auto o = cuda::step_forward(REC, x, rec, u, beta, th, g, cfg, immediate);
  ctx->set_materialize_grads(false);
  detail::save_cfg(ctx, cfg);
  ctx->save_for_backward({u, immediate ? o.v : o.mem, beta, th, g});
  if (cfg.surrogate_disable && !(g.defined() && g.requires_grad())) ctx->mark_non_differentiable({o.spk});
  return {o.spk, o.mem};
}

detail::StepBackward backward_common(AutogradContext* ctx, const variable_list& grads, bool rec,
                                     const detail::GradNeeds& need) {
  auto sv = ctx->get_saved_variables();
  StepConfig cfg = detail::load_cfg(ctx);
  return cuda::step_backward(rec, sv[0], sv[1], sv[2], sv[3], rec ? Tensor() : sv[4], grads[0], grads[1], cfg, need);
}

struct LeakyStepFn : torch::autograd::Function<LeakyStepFn> {
  static variable_list forward(AutogradContext* ctx, const Tensor& x, const Tensor& u, const Tensor& beta,
                               const Tensor& th, const Tensor& g, const StepConfig& cfg) {
    return forward_common<false>(ctx, x, Tensor(), u, beta, th, g, cfg);
  }
  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    refuse_double_backward("LeakyStepFn");
    detail::GradNeeds need{ctx->needs_input_grad(0), ctx->needs_input_grad(1), ctx->needs_input_grad(2),
                           ctx->needs_input_grad(3), ctx->needs_input_grad(4)};
    auto r = backward_common(ctx, grads, false, need);
    return {r.gx, r.gu, r.gbeta, r.gth, r.gg, Tensor()};
  }
};

struct RLeakyStepFn : torch::autograd::Function<RLeakyStepFn> {
  static variable_list forward(AutogradContext* ctx, const Tensor& x, const Tensor& rec, const Tensor& u,
                               const Tensor& beta, const Tensor& th, const StepConfig& cfg) {
    return forward_common<true>(ctx, x, rec, u, beta, th, Tensor(), cfg);
  }
  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    refuse_double_backward("RLeakyStepFn");
    const bool nx = ctx->needs_input_grad(0), nrec = ctx->needs_input_grad(1);
    detail::GradNeeds need{nx || nrec, ctx->needs_input_grad(2), ctx->needs_input_grad(3), ctx->needs_input_grad(4),
                           false};
    auto r = backward_common(ctx, grads, true, need);
    // d/dX and d/d rec are the same tensor, as for torch's add.
    return {nx ? r.gx : Tensor(), nrec ? r.gx : Tensor(), r.gu, r.gbeta, r.gth, Tensor()};
  }
};

bool any_requires_grad(std::initializer_list<const Tensor*> ts) {
  if (!at::GradMode::is_enabled()) return false;
  for (auto* t : ts)
    if (t->defined() && t->requires_grad()) return true;
  return false;
}

// CUDA: 16-bit states stay 16-bit (the kernels compute in float); parameters go to the state's
// device as float32 (as the CPU path computes 16-bit states in float).
std::vector<Tensor> leaky_step_cuda(const Tensor& input, const Tensor& mem, const Tensor& beta, const Tensor& threshold,
                                    const Tensor& graded_spikes_factor, const StepConfig& cfg, at::ScalarType st) {
  const auto dev = input.device();
  Tensor x = input.to(st), u = mem.to(st), b = beta.to(dev, at::kFloat), th = threshold.to(dev, at::kFloat),
         g = graded_spikes_factor.to(dev, at::kFloat);
  if (!any_requires_grad({&x, &u, &b, &th, &g})) {
    auto o = cuda::step_forward(false, x, Tensor(), u, b, th, g, cfg, false);
    return {o.spk, o.mem};
  }
  return LeakyStepFn::apply(x, u, b, th, g, cfg);
}

std::vector<Tensor> rleaky_step_cuda(const Tensor& input, const Tensor& rec, const Tensor& mem, const Tensor& beta,
                                     const Tensor& threshold, const StepConfig& cfg, at::ScalarType st) {
  const auto dev = input.device();
  Tensor x = input.to(st), r = rec.to(st), u = mem.to(st), b = beta.to(dev, at::kFloat),
         th = threshold.to(dev, at::kFloat);
  if (!any_requires_grad({&x, &r, &u, &b, &th})) {
    auto o = cuda::step_forward(true, x, r, u, b, th, Tensor(), cfg, false);
    return {o.spk, o.mem};
  }
  return RLeakyStepFn::apply(x, r, u, b, th, cfg);
}
#endif  // SNN_WITH_CUDA

}  // namespace

std::vector<Tensor> leaky_step(const Tensor& input, const Tensor& mem, const Tensor& beta, const Tensor& threshold,
                               const Tensor& graded_spikes_factor, const StepConfig& cfg) {
  [[maybe_unused]] const auto st = detail::check_state(input, mem, Tensor(), "leaky_step");
  if (input.is_cpu()) return leaky_step_cpu(input, mem, beta, threshold, graded_spikes_factor, cfg);
#ifdef SNN_WITH_CUDA
  if (cuda::fused_available(input, st))
    return leaky_step_cuda(input, mem, beta, threshold, graded_spikes_factor, cfg, st);
#endif
  return leaky_step_composed(input, mem, beta, threshold, graded_spikes_factor, cfg);
}

std::vector<Tensor> rleaky_step(const Tensor& input, const Tensor& rec, const Tensor& mem, const Tensor& beta,
                                const Tensor& threshold, const StepConfig& cfg) {
  [[maybe_unused]] const auto st = detail::check_state(input, mem, rec, "rleaky_step");
  if (input.is_cpu()) return rleaky_step_cpu(input, rec, mem, beta, threshold, cfg);
#ifdef SNN_WITH_CUDA
  if (cuda::fused_available(input, st)) return rleaky_step_cuda(input, rec, mem, beta, threshold, cfg, st);
#endif
  return rleaky_step_composed(input, rec, mem, beta, threshold, cfg);
}

}  // namespace snntorch::kernels
