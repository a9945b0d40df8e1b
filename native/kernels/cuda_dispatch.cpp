// Tensor-level CUDA fused Leaky/RLeaky step: checks, allocation, parameter views and LibTorch's
// current stream around the generic raw-pointer launchers of fused_neuron_cuda.cu (the Leaky traits).
// Built only with a CUDA LibTorch.
#ifdef SNN_WITH_CUDA
#include "cuda_dispatch.h"

#include <ATen/ATen.h>
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>

#include "fused_neuron_cuda.h"
#include "param_view.h"

namespace snntorch::kernels {
namespace cuda {
namespace {

using at::Tensor;
using detail::ParamView;

DType dtype_of(at::ScalarType st) {
  switch (st) {
    case at::kFloat: return DType::Float32;
    case at::kHalf: return DType::Float16;
    case at::kBFloat16: return DType::BFloat16;
    default: TORCH_CHECK(false, "snntorch-node CUDA step: unsupported state dtype ", st);
  }
}

// Parameters on the state's device as float32 (the kernels' compute type).
ParamView view(const Tensor& p, const Tensor& state, const char* name) {
  return detail::make_param_view(p.to(state.device(), at::kFloat), state.sizes(), name);
}

ParamPtr ptr(const ParamView& v) { return {v.data.data_ptr<float>(), v.inner, v.period}; }

void* stream_of(const Tensor& t) { return c10::cuda::getCurrentCUDAStream(t.device().index()).stream(); }

void check(const char* err, const char* what) {
  TORCH_CHECK(err == nullptr, "snntorch-node CUDA step ", what, ": ", err);
}

}  // namespace

bool fused_available(const Tensor& input, at::ScalarType st) {
  return input.is_cuda() && (st == at::kFloat || st == at::kHalf || st == at::kBFloat16);
}

detail::StepOut step_forward(bool rec_mode, const Tensor& x, const Tensor& rec, const Tensor& u, const Tensor& beta,
                             const Tensor& th, const Tensor& g, const StepConfig& cfg, bool want_v) {
  const c10::cuda::CUDAGuard guard(x.device());
  const Tensor xc = x.contiguous(), uc = u.to(x.scalar_type()).contiguous();
  const Tensor rc = rec_mode ? rec.to(x.scalar_type()).contiguous() : Tensor();
  const bool immediate = cfg.immediate();
  const ParamView pb = view(beta, xc, "beta"), pt = view(th, xc, "threshold");
  const ParamView pg = g.defined() ? view(g, xc, "graded_spikes_factor") : ParamView();
  detail::StepOut o;
  o.spk = at::empty_like(xc);
  o.mem = at::empty_like(xc);
  if (want_v || immediate) o.v = at::empty_like(xc);
  // The Leaky traits' slots: inputs {x(, rec)}, state {mem}, parameters {beta, threshold, graded
  // factor}; a null graded factor reads as 1 (RLeaky).
  NeuronFwdArgs a;
  a.dtype = dtype_of(xc.scalar_type());
  a.n = xc.numel();
  a.reset = static_cast<int>(cfg.reset);
  a.immediate = immediate;
  a.in[0] = xc.data_ptr();
  if (rec_mode) a.in[1] = rc.data_ptr();
  a.s[0] = uc.data_ptr();
  a.p[0] = ptr(pb);
  a.p[1] = ptr(pt);
  if (g.defined()) a.p[2] = ptr(pg);
  a.spk = o.spk.data_ptr();
  a.out[0] = o.mem.data_ptr();
  a.v = o.v.defined() ? o.v.data_ptr() : nullptr;
  check(launch_neuron_fwd(rec_mode ? NeuronKind::RLeaky : NeuronKind::Leaky, a, stream_of(xc)), "forward");
  return o;
}

detail::StepBackward step_backward(bool rec_mode, const Tensor& u, const Tensor& v, const Tensor& beta,
                                   const Tensor& th, const Tensor& g, const Tensor& gS, const Tensor& gM,
                                   const StepConfig& cfg, const detail::GradNeeds& need) {
  detail::StepBackward r;
  if (!gS.defined() && !gM.defined()) return r;
  const c10::cuda::CUDAGuard guard(u.device());
  const auto st = u.scalar_type();
  const Tensor uc = u.contiguous(), vc = v.to(st).contiguous();
  const Tensor gs = gS.defined() ? gS.to(st).contiguous() : Tensor();
  const Tensor gm = gM.defined() ? gM.to(st).contiguous() : Tensor();
  const bool has_s = gs.defined(), has_m = gm.defined();
  const bool d = has_m && cfg.immediate();
  const ParamView pb = view(beta, uc, "beta"), pt = view(th, uc, "threshold");
  const ParamView pg = g.defined() ? view(g, uc, "graded_spikes_factor") : ParamView();

  NeuronBwdArgs a;
  a.dtype = dtype_of(st);
  a.n = uc.numel();
  a.reset = static_cast<int>(cfg.reset);
  a.immediate = d;
  a.sg = !cfg.surrogate_disable && (has_s || d);
  a.surrogate = static_cast<int>(cfg.surrogate);
  a.surrogate_param = cfg.surrogate_param;
  a.s[0] = uc.data_ptr();
  a.v = vc.data_ptr();
  a.gS = has_s ? gs.data_ptr() : nullptr;
  a.gout[0] = has_m ? gm.data_ptr() : nullptr;
  a.p[0] = ptr(pb);
  a.p[1] = ptr(pt);
  if (g.defined()) a.p[2] = ptr(pg);
  // Only the grads asked for are written (the CPU kernel writes gx and gu always); x's grad is also
  // rec's (the inputs are summed), so one buffer serves both.
  if (need.x) r.gx = at::empty_like(uc);
  if (need.u) r.gu = at::empty_like(uc);
  a.gin[0] = r.gx.defined() ? r.gx.data_ptr() : nullptr;
  a.gs[0] = r.gu.defined() ? r.gu.data_ptr() : nullptr;
  // Single-value params are summed in the pass (per-block double partials, then one sum: the
  // result does not depend on scheduling); broadcast ones go through a full-size buffer.
  constexpr int kP = 3;  // the Leaky traits' parameter count (partials' columns)
  const bool want[kP] = {need.beta, need.th, need.g && g.defined()};
  const ParamView* views[kP] = {&pb, &pt, &pg};
  Tensor full[kP];
  bool any_sum = false;
  for (int k = 0; k < kP; ++k) {
    if (!want[k]) continue;
    if (views[k]->period == 1) {
      a.sum[k] = true;
      any_sum = true;
    } else {
      full[k] = at::empty(uc.sizes(), uc.options().dtype(at::kFloat));
      a.full[k] = full[k].data_ptr();
    }
  }
  Tensor partials;
  if (any_sum) {
    partials = at::empty({neuron_bwd_blocks(a.n), kP}, uc.options().dtype(at::kDouble));
    a.partials = partials.data_ptr<double>();
  }
  check(launch_neuron_bwd(rec_mode ? NeuronKind::RLeaky : NeuronKind::Leaky, a, stream_of(uc)), "backward");

  const Tensor sums = any_sum ? partials.sum(0) : Tensor();
  const Tensor* like[kP] = {&beta, &th, &g};
  Tensor* dst[kP] = {&r.gbeta, &r.gth, &r.gg};
  for (int k = 0; k < kP; ++k) {
    if (!want[k]) continue;
    Tensor gk = full[k].defined() ? detail::reduce_to(full[k], *like[k])
                                  : sums.select(0, k).to(at::kFloat).reshape(like[k]->sizes());
    // The grad in the parameter's own dtype and device, as autograd expects.
    *dst[k] = gk.to(like[k]->device(), like[k]->scalar_type());
  }
  return r;
}

}  // namespace cuda
}  // namespace snntorch::kernels
#endif  // SNN_WITH_CUDA
