// Tensor-level CUDA fused neuron step: checks, allocation, parameter views and LibTorch's current
// stream around the generic raw-pointer launchers of fused_neuron_cuda.cu, for every NeuronKind.
// Built only with a CUDA LibTorch.
#ifdef SNN_WITH_CUDA
#include "cuda_dispatch.h"

#include <ATen/ATen.h>
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>

#include "param_view.h"
#include "step_kernels.h"

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

NeuronOut neuron_forward(NeuronKind k, const std::vector<Tensor>& in, const std::vector<Tensor>& s,
                         const std::vector<Tensor>& params, const char* const* names, const StepConfig& cfg,
                         bool immediate) {
  const Tensor& x = in.at(0);
  const c10::cuda::CUDAGuard guard(x.device());
  TORCH_CHECK(
      in.size() <= size_t(kMaxTensors) && s.size() <= size_t(kMaxTensors) && params.size() == size_t(neuron_params(k)),
      "snntorch-node CUDA neuron step: wrong tensor counts");
  std::vector<ParamView> pv;
  for (size_t q = 0; q < params.size(); ++q) pv.push_back(view(params[q], x, names[q]));
  NeuronOut o;
  o.spk = at::empty_like(x);
  for (size_t q = 0; q < s.size(); ++q) o.states.push_back(at::empty_like(x));
  if (immediate) o.v = at::empty_like(x);
  NeuronFwdArgs a;
  a.dtype = dtype_of(x.scalar_type());
  a.n = x.numel();
  a.reset = static_cast<int>(cfg.reset);
  a.immediate = immediate;
  for (size_t q = 0; q < in.size(); ++q) a.in[q] = in[q].data_ptr();
  for (size_t q = 0; q < s.size(); ++q) {
    a.s[q] = s[q].data_ptr();
    a.out[q] = o.states[q].data_ptr();
  }
  for (size_t q = 0; q < pv.size(); ++q) a.p[q] = ptr(pv[q]);
  a.spk = o.spk.data_ptr();
  a.v = o.v.defined() ? o.v.data_ptr() : nullptr;
  check(launch_neuron_fwd(k, a, stream_of(x)), "forward");
  return o;
}

std::vector<Tensor> neuron_backward(NeuronKind k, const std::vector<Tensor>& in, const std::vector<Tensor>& s,
                                    const Tensor& v, const std::vector<Tensor>& params, const char* const* names,
                                    const Tensor& gS, const std::vector<Tensor>& gout, const StepConfig& cfg,
                                    bool immediate, bool sg, const std::vector<bool>& need) {
  const size_t ns = s.size(), np = params.size();
  TORCH_CHECK(need.size() >= ns + np, "snntorch-node CUDA neuron step: wrong tensor counts");
  const size_t ni = need.size() - ns - np;
  TORCH_CHECK(ni <= size_t(kMaxTensors) && in.size() <= ni && ns <= size_t(kMaxTensors) &&
                  np == size_t(neuron_params(k)) && gout.size() == ns,
              "snntorch-node CUDA neuron step: wrong tensor counts");
  const c10::cuda::CUDAGuard guard(v.device());
  const auto st = v.scalar_type();
  const Tensor vc = v.contiguous();
  auto dense = [&](const Tensor& t) { return t.defined() ? t.to(st).contiguous() : Tensor(); };
  std::vector<Tensor> sc, inc, goc;
  for (const auto& t : s) sc.push_back(t.contiguous());
  for (const auto& t : in) inc.push_back(t.contiguous());
  for (const auto& t : gout) goc.push_back(dense(t));
  const Tensor gSc = dense(gS);
  std::vector<ParamView> pv;
  for (size_t q = 0; q < np; ++q) pv.push_back(view(params[q], vc, names[q]));

  NeuronBwdArgs a;
  a.dtype = dtype_of(st);
  a.n = vc.numel();
  a.reset = static_cast<int>(cfg.reset);
  a.immediate = immediate;
  a.sg = sg;
  a.surrogate = static_cast<int>(cfg.surrogate);
  a.surrogate_param = cfg.surrogate_param;
  for (size_t q = 0; q < inc.size(); ++q) a.in[q] = inc[q].data_ptr();
  for (size_t q = 0; q < ns; ++q) {
    a.s[q] = sc[q].data_ptr();
    a.gout[q] = goc[q].defined() ? goc[q].data_ptr() : nullptr;
  }
  a.v = vc.data_ptr();
  a.gS = gSc.defined() ? gSc.data_ptr() : nullptr;
  for (size_t q = 0; q < np; ++q) a.p[q] = ptr(pv[q]);

  // Only the grads asked for are written.
  std::vector<Tensor> res(need.size());
  for (size_t q = 0; q < ni; ++q) {
    if (!need[q]) continue;
    res[q] = at::empty_like(vc);
    a.gin[q] = res[q].data_ptr();
  }
  for (size_t q = 0; q < ns; ++q) {
    if (!need[ni + q]) continue;
    res[ni + q] = at::empty_like(vc);
    a.gs[q] = res[ni + q].data_ptr();
  }
  // Single-value params are summed in the pass (per-block double partials, then one sum: the
  // result does not depend on scheduling); broadcast ones go through a full-size float32 buffer.
  std::vector<Tensor> full(np);
  bool any_sum = false;
  for (size_t q = 0; q < np; ++q) {
    if (!need[ni + ns + q]) continue;
    if (pv[q].period == 1) {
      a.sum[q] = true;
      any_sum = true;
    } else {
      full[q] = at::empty(vc.sizes(), vc.options().dtype(at::kFloat));
      a.full[q] = full[q].data_ptr();
    }
  }
  Tensor partials;
  if (any_sum) {
    partials = at::empty({neuron_bwd_blocks(a.n), static_cast<int64_t>(np)}, vc.options().dtype(at::kDouble));
    a.partials = partials.data_ptr<double>();
  }
  check(launch_neuron_bwd(k, a, stream_of(vc)), "backward");
  const Tensor sums = any_sum ? partials.sum(0) : Tensor();
  for (size_t q = 0; q < np; ++q) {
    if (!need[ni + ns + q]) continue;
    res[ni + ns + q] = full[q].defined()
                           ? detail::reduce_to(full[q], params[q])
                           : sums.select(0, static_cast<int64_t>(q)).to(at::kFloat).reshape(params[q].sizes());
  }
  return res;
}

}  // namespace cuda
}  // namespace snntorch::kernels
#endif  // SNN_WITH_CUDA
