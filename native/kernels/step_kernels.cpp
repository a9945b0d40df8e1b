// Element loops of the fused step, dispatched on dtype and (backward) on the surrogate.
// GCC only if-converts and vectorises these loops without trapping math (results are unchanged:
// FP exception flags are never read). First, so every function in this file agrees for inlining.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("no-trapping-math")
#endif
#include "step_kernels.h"

#include "cuda_dispatch.h"
#include "step_dispatch.h"
#include "step_math.h"

// Bit-exact parity with torch needs each a*b+c rounded twice. The default x86-64 target has no
// FMA; a build with -mfma/-march=native must add -ffp-contract=off for this file.

namespace snntorch::kernels {
namespace detail {

using at::Tensor;

StepParams make_step_params(const Tensor& beta, const Tensor& th, const Tensor& g, at::IntArrayRef shape,
                            at::ScalarType st) {
  StepParams p;
  p.beta = make_param_view(beta.to(st), shape, "beta");
  p.th = make_param_view(th.to(st), shape, "threshold");
  p.g = g.defined() ? make_param_view(g.to(st), shape, "graded_spikes_factor")
                    : make_param_view(at::ones({}, at::TensorOptions().dtype(st)), shape, "");
  return p;
}

template <typename T>
static inline T* ptr_or_null(const Tensor& t) {
  return t.defined() ? t.data_ptr<T>() : nullptr;
}

void step_forward_into(bool rec_mode, const Tensor& x, const Tensor& rec, const Tensor& u, const StepParams& p,
                       const StepConfig& cfg, const Tensor& spk, const Tensor& mem, const Tensor& v) {
  const int64_t n = x.numel();
  const bool immediate = cfg.immediate();
  TORCH_INTERNAL_ASSERT(!immediate || v.defined(), "step_forward_into: v needed");
  AT_DISPATCH_FLOATING_TYPES(x.scalar_type(), "snnk_step_forward", [&] {
    using T = scalar_t;
    const T* px = x.data_ptr<T>();
    const T* pu = u.data_ptr<T>();
    const T* pr = rec_mode ? rec.data_ptr<T>() : nullptr;
    T* ps = spk.data_ptr<T>();
    T* pm = mem.data_ptr<T>();
    T* pv = ptr_or_null<T>(v);
    dispatch_bool(rec_mode, [&](auto rec_c) {
      dispatch_mode(cfg.reset, immediate, [&](auto r_c, auto d_c) {
        constexpr bool REC = decltype(rec_c)::value, D = decltype(d_c)::value;
        constexpr Reset R = decltype(r_c)::value;
        for_each_block<T, 3>(n, {raw<T>(p.beta), raw<T>(p.th), raw<T>(p.g)},
                             [&](int64_t i0, int64_t len, const auto& ps3, ParamSums<3>&) {
                               const auto bb = ps3[0];
                               const auto tt = ps3[1];
                               const auto ggv = ps3[2];
                               const T* __restrict xx = px + i0;
                               const T* __restrict uu = pu + i0;
                               const T* __restrict rr = REC ? pr + i0 : nullptr;
                               T* __restrict ss = ps + i0;
                               T* __restrict mm = pm + i0;
                               T* __restrict vv = D ? pv + i0 : nullptr;
                               for (int64_t j = 0; j < len; ++j) {
                                 T s, m, w;
                                 step_fwd<REC, R, D>(xx[j], REC ? rr[j] : T(0), uu[j], bb[j], tt[j], ggv[j], s, m, w);
                                 ss[j] = s;
                                 mm[j] = m;
                                 if (D) vv[j] = w;
                               }
                             });
      });
    });
  });
}

StepParamGrads step_backward_into(bool rec_mode, const Tensor& u, const Tensor& v, const StepParams& p,
                                  const Tensor& gS, const Tensor& gM, const StepConfig& cfg, const StepGradOut& out,
                                  const GradNeeds& sums) {
  const int64_t n = u.numel();
  const bool has_s = gS.defined(), has_m = gM.defined();
  const bool d = has_m && cfg.immediate();
  const bool sg = !cfg.surrogate_disable && (has_s || d);
  const Tensor gs = has_s ? gS : at::zeros_like(u);
  const Tensor gm = has_m ? gM : at::zeros_like(u);
  ParamSums<3> tot{0, 0, 0};
  AT_DISPATCH_FLOATING_TYPES(u.scalar_type(), "snnk_step_backward", [&] {
    using T = scalar_t;
    const T* pu = u.data_ptr<T>();
    const T* pv = v.data_ptr<T>();
    const T* pgs = gs.data_ptr<T>();
    const T* pgm = gm.data_ptr<T>();
    T* gx = out.gx.data_ptr<T>();
    T* gu = out.gu.data_ptr<T>();
    T* full[3] = {ptr_or_null<T>(out.gbeta), ptr_or_null<T>(out.gth), ptr_or_null<T>(out.gg)};
    const bool sum[3] = {sums.beta, sums.th, sums.g};
    const bool need_params = full[0] || full[1] || full[2] || sum[0] || sum[1] || sum[2];
    const SurrogateConsts<T> sc(cfg.surrogate, cfg.surrogate_param);
    auto run = [&](auto k_c, auto sg_c) {
      constexpr Surrogate K = decltype(k_c)::value;
      constexpr bool SG = decltype(sg_c)::value;
      dispatch_bool(rec_mode, [&](auto rec_c) {
        dispatch_mode(cfg.reset, d, [&](auto r_c, auto d_c) {
          constexpr bool REC = decltype(rec_c)::value, D = decltype(d_c)::value;
          constexpr Reset R = decltype(r_c)::value;
          tot = for_each_block<T, 3>(
              n, {raw<T>(p.beta), raw<T>(p.th), raw<T>(p.g)},
              [&](int64_t i0, int64_t len, const auto& ps3, ParamSums<3>& acc) {
                const auto bb = ps3[0];
                const auto tt = ps3[1];
                const auto ggv = ps3[2];
                alignas(64) T lp[3][kBlock];
                const SurrogateConsts<T> scl = sc;  // a local copy: stores cannot alias it
                const T* __restrict uu = pu + i0;
                const T* __restrict vv = pv + i0;
                const T* __restrict gss = pgs + i0;
                const T* __restrict gmm = pgm + i0;
                T* __restrict gxx = gx + i0;
                T* __restrict guu = gu + i0;
                if (!need_params) {  // no parameter grads wanted: the loop stores two outputs only
                  for (int64_t j = 0; j < len; ++j) {
                    const auto o = step_bwd<K, SG, REC, R, D>(scl, uu[j], vv[j], bb[j], tt[j], ggv[j], gss[j], gmm[j]);
                    gxx[j] = o.gx;
                    guu[j] = o.gu;
                  }
                  return;
                }
                for (int64_t j = 0; j < len; ++j) {
                  const auto o = step_bwd<K, SG, REC, R, D>(scl, uu[j], vv[j], bb[j], tt[j], ggv[j], gss[j], gmm[j]);
                  gxx[j] = o.gx;
                  guu[j] = o.gu;
                  lp[0][j] = o.gbeta;
                  lp[1][j] = o.gth;
                  lp[2][j] = o.gg;
                }
                for (int k = 0; k < 3; ++k) {
                  if (full[k]) {
                    T* f = full[k] + i0;
                    for (int64_t j = 0; j < len; ++j) f[j] += lp[k][j];
                  } else if (sum[k]) {
                    double a = 0;
                    for (int64_t j = 0; j < len; ++j) a += static_cast<double>(lp[k][j]);
                    acc[k] += a;
                  }
                }
              });
        });
      });
    };
    if (sg) dispatch_surrogate(cfg.surrogate, [&](auto k_c) { run(k_c, std::true_type{}); });
    else run(std::integral_constant<Surrogate, Surrogate::ATan>{}, std::false_type{});
  });
  return {tot[0], tot[1], tot[2]};
}

StepOut step_forward(bool rec_mode, const Tensor& x, const Tensor& rec, const Tensor& u, const Tensor& beta,
                     const Tensor& th, const Tensor& g, const StepConfig& cfg, bool want_v) {
#ifdef SNN_WITH_CUDA
  if (x.is_cuda()) return cuda::step_forward(rec_mode, x, rec, u, beta, th, g, cfg, want_v);
#endif
  const Tensor xc = x.contiguous(), uc = u.contiguous();
  const Tensor rc = rec_mode ? rec.contiguous() : Tensor();
  const StepParams p = make_step_params(beta, th, g, xc.sizes(), xc.scalar_type());
  StepOut o;
  o.spk = at::empty_like(xc);
  o.mem = at::empty_like(xc);
  if (want_v || (cfg.immediate())) o.v = at::empty_like(xc);
  step_forward_into(rec_mode, xc, rc, uc, p, cfg, o.spk, o.mem, o.v);
  return o;
}

Tensor reduce_to(const Tensor& full, const Tensor& like) {
  if (full.sizes().equals(like.sizes())) return full;
  return at::sum_to(full, like.sizes());
}

StepBackward step_backward(bool rec_mode, const Tensor& u, const Tensor& v, const Tensor& beta, const Tensor& th,
                           const Tensor& g, const Tensor& gS, const Tensor& gM, const StepConfig& cfg,
                           const GradNeeds& need) {
#ifdef SNN_WITH_CUDA
  if (u.is_cuda()) return cuda::step_backward(rec_mode, u, v, beta, th, g, gS, gM, cfg, need);
#endif
  StepBackward r;
  if (!gS.defined() && !gM.defined()) return r;
  const Tensor uc = u.contiguous(), vc = v.contiguous();
  const StepParams p = make_step_params(beta, th, g, uc.sizes(), uc.scalar_type());
  // Single-value params are summed inside the pass; broadcast ones go through a full buffer.
  const bool want[3] = {need.beta, need.th, need.g && g.defined()};
  const ParamView* views[3] = {&p.beta, &p.th, &p.g};
  GradNeeds sums{false, false, false, false, false};
  bool* sum_flag[3] = {&sums.beta, &sums.th, &sums.g};
  Tensor full[3];
  for (int k = 0; k < 3; ++k) {
    if (!want[k]) continue;
    if (views[k]->period == 1) *sum_flag[k] = true;
    else full[k] = at::zeros_like(uc);
  }
  StepGradOut o{at::empty_like(uc), at::empty_like(uc), full[0], full[1], full[2]};
  const auto s = step_backward_into(rec_mode, uc, vc, p, gS.defined() ? gS.contiguous() : Tensor(),
                                    gM.defined() ? gM.contiguous() : Tensor(), cfg, o, sums);
  if (need.x) r.gx = o.gx;
  if (need.u) r.gu = o.gu;
  const Tensor* like[3] = {&beta, &th, &g};
  const double sv[3] = {s.beta, s.th, s.g};
  Tensor* dst[3] = {&r.gbeta, &r.gth, &r.gg};
  for (int k = 0; k < 3; ++k) {
    if (!want[k]) continue;
    *dst[k] = full[k].defined() ? reduce_to(full[k], *like[k]) : at::full(like[k]->sizes(), sv[k], uc.options());
  }
  return r;
}

at::ScalarType check_state(const Tensor& input, const Tensor& mem, const Tensor& rec, const char* fn) {
  TORCH_CHECK(input.defined() && mem.defined(), fn, ": input and mem must be defined");
  TORCH_CHECK(mem.sizes().equals(input.sizes()), fn, ": mem shape ", mem.sizes(), " differs from input shape ",
              input.sizes());
  TORCH_CHECK(mem.device() == input.device(), fn, ": mem and input are on different devices");
  auto st = at::promote_types(input.scalar_type(), mem.scalar_type());
  if (rec.defined()) {
    TORCH_CHECK(rec.sizes().equals(input.sizes()), fn, ": rec shape ", rec.sizes(), " differs from input shape ",
                input.sizes());
    TORCH_CHECK(rec.device() == input.device(), fn, ": rec and input are on different devices");
    st = at::promote_types(st, rec.scalar_type());
  }
  TORCH_CHECK(at::isFloatingType(st), fn, ": the state must be floating point, got ", st);
  return st;
}

}  // namespace detail
}  // namespace snntorch::kernels
