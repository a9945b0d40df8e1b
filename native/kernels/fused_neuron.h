// The fused step of any neuron described by a traits type (neuron_traits.h), written once: the
// CPU element loops, the tensor-level forward/backward, and the autograd node. Its entry point is
// fused_step<Traits>(inputs, states, params, cfg).
#pragma once
#include <ATen/ATen.h>
#include <torch/csrc/autograd/custom_function.h>

#include <array>
#include <string>
#include <vector>

#include "neuron_step.h"
#include "neuron_traits.h"
#include "param_view.h"
#include "step_config_ctx.h"
#include "step_dispatch.h"
#include "step_kernels.h"

namespace snntorch::kernels {
namespace fused {

using at::Tensor;

template <typename T, size_t N>
std::array<const T*, N> cptrs(const std::vector<Tensor>& ts, size_t first) {
  std::array<const T*, N> o{};
  for (size_t k = 0; k < N; ++k) o[k] = ts[first + k].data_ptr<T>();
  return o;
}

template <class Tr, typename T>
std::array<detail::RawParam<T>, Tr::kParams> raws(const std::vector<detail::ParamView>& pv) {
  std::array<detail::RawParam<T>, Tr::kParams> o;
  for (int k = 0; k < Tr::kParams; ++k) o[k] = detail::raw<T>(pv[k]);
  return o;
}

inline std::vector<detail::ParamView> param_views(const std::vector<Tensor>& params, at::IntArrayRef shape,
                                                  at::ScalarType st, const std::vector<std::string>& names) {
  std::vector<detail::ParamView> v;
  for (size_t k = 0; k < params.size(); ++k)
    v.push_back(detail::make_param_view(params[k].to(st), shape, names[k].c_str()));
  return v;
}

// Forward over contiguous same-shape tensors: in (kInputs), s (kStates) -> spk, out (kStates), v.
template <class Tr>
void forward_into(const std::vector<Tensor>& in, const std::vector<Tensor>& s, const std::vector<detail::ParamView>& pv,
                  const StepConfig& cfg, const Tensor& spk, const std::vector<Tensor>& out, const Tensor& v) {
  constexpr int NI = Tr::kInputs, NS = Tr::kStates, NP = Tr::kParams;
  const int64_t n = spk.numel();
  const bool immediate = Tr::kResetDelay && cfg.immediate();
  AT_DISPATCH_FLOATING_TYPES(spk.scalar_type(), "snnk_fused_forward", [&] {
    using T = scalar_t;
    const auto pin = cptrs<T, NI>(in, 0);
    const auto ps = cptrs<T, NS>(s, 0);
    std::array<T*, NS> po;
    for (int k = 0; k < NS; ++k) po[k] = out[k].data_ptr<T>();
    T* pspk = spk.data_ptr<T>();
    T* pvo = v.defined() ? v.data_ptr<T>() : nullptr;
    dispatch_mode(cfg.reset, immediate, [&](auto r_c, auto d_c) {
      constexpr Reset R = decltype(r_c)::value;
      constexpr bool D = decltype(d_c)::value;
      detail::for_each_block<T, NP>(n, raws<Tr, T>(pv),
                                    [&](int64_t i0, int64_t len, const auto& pp, detail::ParamSums<NP>&) {
                                      for (int64_t j = 0; j < len; ++j) {
                                        const int64_t i = i0 + j;
                                        T xi[NI], si[NS], pi[NP], so[NS], sp, vi;
                                        for (int k = 0; k < NI; ++k) xi[k] = pin[k][i];
                                        for (int k = 0; k < NS; ++k) si[k] = ps[k][i];
                                        for (int k = 0; k < NP; ++k) pi[k] = pp[k][j];
                                        Tr::template forward<R, D>(xi, si, pi, sp, so, vi);
                                        pspk[i] = sp;
                                        for (int k = 0; k < NS; ++k) po[k][i] = so[k];
                                        if (pvo != nullptr) pvo[i] = vi;
                                      }
                                    });
    });
  });
}

// Backward: gin (kInputs) and gs (kStates) are written; param grads (NP) are either written into
// full-size buffers (defined gp_full[k]) or summed in double (sum[k]) and returned.
template <class Tr>
std::array<double, Tr::kParams> backward_into(const std::vector<Tensor>& s, const Tensor& v,
                                              const std::vector<detail::ParamView>& pv, const Tensor& gS,
                                              const std::vector<Tensor>& gout, bool sg, bool immediate,
                                              const StepConfig& cfg, const std::vector<Tensor>& gin,
                                              const std::vector<Tensor>& gs, const std::vector<Tensor>& gp_full,
                                              const std::array<bool, Tr::kParams>& sum) {
  constexpr int NI = Tr::kInputs, NS = Tr::kStates, NP = Tr::kParams;
  const int64_t n = v.numel();
  std::array<double, NP> tot{};
  AT_DISPATCH_FLOATING_TYPES(v.scalar_type(), "snnk_fused_backward", [&] {
    using T = scalar_t;
    const auto ps = cptrs<T, NS>(s, 0);
    const auto pgo = cptrs<T, NS>(gout, 0);
    const T* pvv = v.data_ptr<T>();
    const T* pgS = gS.data_ptr<T>();
    std::array<T*, NI> pgi;
    std::array<T*, NS> pgs;
    std::array<T*, NP> pgp;
    for (int k = 0; k < NI; ++k) pgi[k] = gin[k].data_ptr<T>();
    for (int k = 0; k < NS; ++k) pgs[k] = gs[k].data_ptr<T>();
    bool need_params = false;
    for (int k = 0; k < NP; ++k) {
      pgp[k] = gp_full[k].defined() ? gp_full[k].data_ptr<T>() : nullptr;
      need_params = need_params || pgp[k] != nullptr || sum[k];
    }
    const SurrogateConsts<T> sc(cfg.surrogate, cfg.surrogate_param);
    auto run = [&](auto k_c, auto sg_c) {
      constexpr Surrogate K = decltype(k_c)::value;
      constexpr bool SG = decltype(sg_c)::value;
      dispatch_mode(cfg.reset, immediate, [&](auto r_c, auto d_c) {
        constexpr Reset R = decltype(r_c)::value;
        constexpr bool D = decltype(d_c)::value;
        tot = detail::for_each_block<T, NP>(
            n, raws<Tr, T>(pv), [&](int64_t i0, int64_t len, const auto& pp, detail::ParamSums<NP>& acc) {
              const SurrogateConsts<T> scl = sc;
              std::array<double, NP> a{};
              for (int64_t j = 0; j < len; ++j) {
                const int64_t i = i0 + j;
                T si[NS], pi[NP], go[NS], gi[NI], gsv[NS], gpv[NP];
                for (int k = 0; k < NS; ++k) {
                  si[k] = ps[k][i];
                  go[k] = pgo[k][i];
                }
                for (int k = 0; k < NP; ++k) pi[k] = pp[k][j];
                Tr::template backward<K, SG, R, D>(scl, si, pvv[i], pi, pgS[i], go, gi, gsv, gpv);
                for (int k = 0; k < NI; ++k) pgi[k][i] = gi[k];
                for (int k = 0; k < NS; ++k) pgs[k][i] = gsv[k];
                if (need_params) {
                  for (int k = 0; k < NP; ++k) {
                    if (pgp[k] != nullptr) pgp[k][i] += gpv[k];
                    else if (sum[k]) a[k] += static_cast<double>(gpv[k]);
                  }
                }
              }
              for (int k = 0; k < NP; ++k) acc[k] += a[k];
            });
      });
    };
    if (sg) dispatch_surrogate(cfg.surrogate, [&](auto k_c) { run(k_c, std::true_type{}); });
    else run(std::integral_constant<Surrogate, Surrogate::ATan>{}, std::false_type{});
  });
  return tot;
}

template <class Tr>
struct Out {
  Tensor spk, v;
  std::vector<Tensor> states;
};

template <class Tr>
Out<Tr> forward_step(const std::vector<Tensor>& in, const std::vector<Tensor>& s, const std::vector<Tensor>& params,
                     const StepConfig& cfg, const std::vector<std::string>& names, bool want_v) {
  const Tensor& x = in[0];
  const auto pv = param_views(params, x.sizes(), x.scalar_type(), names);
  Out<Tr> o;
  o.spk = at::empty_like(x);
  for (int k = 0; k < Tr::kStates; ++k) o.states.push_back(at::empty_like(x));
  if (want_v && Tr::kResetDelay && cfg.immediate()) o.v = at::empty_like(x);
  forward_into<Tr>(in, s, pv, cfg, o.spk, o.states, o.v);
  if (!o.v.defined()) o.v = o.states[Tr::kMem];
  return o;
}

// The autograd node: inputs, states and parameters flattened in that order (a TensorList, so
// each is an input edge), then the config.
template <class Tr>
struct StepFn : torch::autograd::Function<StepFn<Tr>> {
  static constexpr int NI = Tr::kInputs, NS = Tr::kStates, NP = Tr::kParams;

  static torch::autograd::variable_list forward(torch::autograd::AutogradContext* ctx, at::TensorList all,
                                                const StepConfig& cfg, const std::vector<std::string>& names,
                                                const std::string& node) {
    const std::vector<Tensor> in(all.begin(), all.begin() + NI);
    const std::vector<Tensor> s(all.begin() + NI, all.begin() + NI + NS);
    const std::vector<Tensor> p(all.begin() + NI + NS, all.end());
    auto o = fused::forward_step<Tr>(in, s, p, cfg, names, true);
    ctx->set_materialize_grads(false);
    detail::save_cfg(ctx, cfg);
    ctx->saved_data["node"] = node;
    ctx->saved_data["names"] = c10::List<std::string>(names);
    std::vector<Tensor> save(s);
    save.push_back(o.v);
    save.insert(save.end(), p.begin(), p.end());
    ctx->save_for_backward(save);
    const Tensor& g = p[Tr::kGraded];
    if (cfg.surrogate_disable && !g.requires_grad()) ctx->mark_non_differentiable({o.spk});
    std::vector<Tensor> r{o.spk};
    r.insert(r.end(), o.states.begin(), o.states.end());
    return r;
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grads) {
    const std::string node = ctx->saved_data["node"].toStringRef();
    refuse_double_backward(node.c_str());
    const auto sv = ctx->get_saved_variables();
    const StepConfig cfg = detail::load_cfg(ctx);
    std::vector<std::string> names;
    for (const auto& n : ctx->saved_data["names"].toList()) names.push_back(n.get().toStringRef());
    std::vector<Tensor> s(sv.begin(), sv.begin() + NS);
    const Tensor v = sv[NS].contiguous();
    const std::vector<Tensor> p(sv.begin() + NS + 1, sv.end());
    for (auto& t : s) t = t.contiguous();
    const auto opts = v.options();
    auto or_zero = [&](const Tensor& t) {
      return t.defined() ? t.to(v.scalar_type()).contiguous() : at::zeros_like(v);
    };
    const bool has_s = grads[0].defined(), has_m = grads[1 + Tr::kMem].defined();
    bool any = has_s;
    std::vector<Tensor> gout;
    for (int k = 0; k < NS; ++k) {
      any = any || grads[1 + k].defined();
      gout.push_back(or_zero(grads[1 + k]));
    }
    torch::autograd::variable_list res(NI + NS + NP + 3);
    if (!any) return res;
    const Tensor gS = or_zero(grads[0]);
    const bool immediate = Tr::kResetDelay && cfg.immediate() && has_m;
    const bool sg = !cfg.surrogate_disable && (has_s || immediate);
    const auto pv = param_views(p, v.sizes(), v.scalar_type(), names);
    std::vector<Tensor> gin, gs, gfull(NP);
    for (int k = 0; k < NI; ++k) gin.push_back(at::empty_like(v));
    for (int k = 0; k < NS; ++k) gs.push_back(at::empty_like(v));
    std::array<bool, NP> sum{};
    for (int k = 0; k < NP; ++k) {
      if (!ctx->needs_input_grad(NI + NS + k) || !Tr::param_grad(k)) continue;
      if (pv[k].period == 1) sum[k] = true;
      else gfull[k] = at::zeros_like(v);
    }
    const auto tot = backward_into<Tr>(s, v, pv, gS, gout, sg, immediate, cfg, gin, gs, gfull, sum);
    for (int k = 0; k < NI; ++k)
      if (ctx->needs_input_grad(k)) res[k] = gin[k];
    for (int k = 0; k < NS; ++k)
      if (ctx->needs_input_grad(NI + k)) res[NI + k] = gs[k];
    for (int k = 0; k < NP; ++k) {
      if (gfull[k].defined()) res[NI + NS + k] = detail::reduce_to(gfull[k], p[k]);
      else if (sum[k]) res[NI + NS + k] = at::full(p[k].sizes(), tot[k], opts);
    }
    return res;
  }
};

// One step of neuron Tr: returns {spk, new states...}. All tensors are defined; inputs and states
// share one shape; parameters broadcast to it without growing it. CPU float32/float64 run the
// kernel; 16-bit CPU states compute in float32; CUDA and other dtypes return an empty vector
// (the caller runs the composed step).
template <class Tr>
std::vector<Tensor> fused_step(const std::vector<Tensor>& in, const std::vector<Tensor>& states,
                               const std::vector<Tensor>& params, const StepConfig& cfg,
                               const std::vector<std::string>& names, const char* fn) {
  TORCH_CHECK(static_cast<int>(in.size()) == Tr::kInputs, fn, ": expected ", Tr::kInputs, " inputs, got ", in.size());
  TORCH_CHECK(static_cast<int>(states.size()) == Tr::kStates, fn, ": expected ", Tr::kStates, " states, got ",
              states.size());
  TORCH_CHECK(static_cast<int>(params.size()) == Tr::kParams, fn, ": expected ", Tr::kParams, " parameters, got ",
              params.size());
  const Tensor& x = in[0];
  TORCH_CHECK(x.defined(), fn, ": input must be defined");
  auto st = x.scalar_type();
  auto check = [&](const Tensor& t, const char* what) {
    TORCH_CHECK(t.defined(), fn, ": ", what, " must be defined");
    TORCH_CHECK(t.sizes().equals(x.sizes()), fn, ": ", what, " shape ", t.sizes(), " differs from input shape ",
                x.sizes());
    TORCH_CHECK(t.device() == x.device(), fn, ": ", what, " and input are on different devices");
    st = at::promote_types(st, t.scalar_type());
  };
  for (size_t k = 1; k < in.size(); ++k) check(in[k], "rec");
  for (size_t k = 0; k < states.size(); ++k) check(states[k], names[Tr::kParams + k].c_str());
  TORCH_CHECK(at::isFloatingType(st), fn, ": the state must be floating point, got ", st);
  if (!x.is_cpu()) return {};
  const bool half = st == at::kHalf || st == at::kBFloat16;
  const auto ct = half ? at::kFloat : st;
  std::vector<Tensor> all;
  for (const auto& t : in) all.push_back(t.to(ct).contiguous());
  for (const auto& t : states) all.push_back(t.to(ct).contiguous());
  for (const auto& t : params) all.push_back(t.to(ct));
  bool grad = false;
  if (at::GradMode::is_enabled())
    for (const auto& t : all) grad = grad || t.requires_grad();
  std::vector<Tensor> r;
  if (!grad) {
    const std::vector<Tensor> i2(all.begin(), all.begin() + Tr::kInputs);
    const std::vector<Tensor> s2(all.begin() + Tr::kInputs, all.begin() + Tr::kInputs + Tr::kStates);
    const std::vector<Tensor> p2(all.begin() + Tr::kInputs + Tr::kStates, all.end());
    auto o = fused::forward_step<Tr>(i2, s2, p2, cfg, names, false);
    r.push_back(o.spk);
    r.insert(r.end(), o.states.begin(), o.states.end());
  } else {
    r = StepFn<Tr>::apply(at::TensorList(all), cfg, names, std::string(fn));
  }
  if (half)
    for (auto& t : r) t = t.to(st);
  return r;
}

}  // namespace fused
}  // namespace snntorch::kernels
