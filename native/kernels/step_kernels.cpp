// Element loops of the fused step, dispatched on dtype and (backward) on the surrogate.
#include "step_kernels.h"

#include "step_math.h"

// Bit-exact parity with torch needs each a*b+c rounded twice. The default x86-64 target has no
// FMA; a build with -mfma/-march=native must add -ffp-contract=off for this file.

namespace snnk {
namespace detail {

using at::Tensor;

StepParams make_step_params(const Tensor& beta, const Tensor& th, const Tensor& g,
                            at::IntArrayRef shape, at::ScalarType st) {
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

void step_forward_into(bool rec_mode, const Tensor& x, const Tensor& rec, const Tensor& u,
                       const StepParams& p, const StepConfig& cfg, const Tensor& spk,
                       const Tensor& mem, const Tensor& v) {
  const int64_t n = x.numel();
  AT_DISPATCH_FLOATING_TYPES(x.scalar_type(), "snnk_step_forward", [&] {
    using T = scalar_t;
    const T* px = x.data_ptr<T>();
    const T* pu = u.data_ptr<T>();
    const T* pr = rec_mode ? rec.data_ptr<T>() : nullptr;
    T* ps = spk.data_ptr<T>();
    T* pm = mem.data_ptr<T>();
    T* pv = ptr_or_null<T>(v);
    const Reset reset = cfg.reset;
    const bool delay = cfg.reset_delay;
    auto body = [&](auto rec_c) {
      constexpr bool REC = decltype(rec_c)::value;
      for_each_elem<T>(n, raw<T>(p.beta), raw<T>(p.th), raw<T>(p.g),
                       [&](int64_t i, T b, T t, T g) {
                         T s, m, vv;
                         step_fwd<REC>(reset, delay, px[i], REC ? pr[i] : T(0), pu[i], b, t, g,
                                       s, m, vv);
                         ps[i] = s;
                         pm[i] = m;
                         if (pv) pv[i] = vv;
                       });
    };
    if (rec_mode)
      body(std::true_type{});
    else
      body(std::false_type{});
  });
}

void step_backward_into(bool rec_mode, const Tensor& u, const Tensor& v, const StepParams& p,
                        const Tensor& gS, const Tensor& gM, const StepConfig& cfg,
                        const StepGradOut& out) {
  const int64_t n = u.numel();
  AT_DISPATCH_FLOATING_TYPES(u.scalar_type(), "snnk_step_backward", [&] {
    using T = scalar_t;
    const T* pu = u.data_ptr<T>();
    const T* pv = v.data_ptr<T>();
    const T* pgs = ptr_or_null<T>(gS);
    const T* pgm = ptr_or_null<T>(gM);
    T* gx = ptr_or_null<T>(out.gx);
    T* gu = ptr_or_null<T>(out.gu);
    T* gb = ptr_or_null<T>(out.gbeta);
    T* gt = ptr_or_null<T>(out.gth);
    T* gg = ptr_or_null<T>(out.gg);
    const bool has_s = pgs != nullptr, has_m = pgm != nullptr;
    const Reset reset = cfg.reset;
    const bool delay = cfg.reset_delay, sg_off = cfg.surrogate_disable;
    const SurrogateConsts<T> sc(cfg.surrogate, cfg.surrogate_param);
    dispatch_surrogate(cfg.surrogate, [&](auto k_c) {
      constexpr Surrogate K = decltype(k_c)::value;
      auto body = [&](auto rec_c) {
        constexpr bool REC = decltype(rec_c)::value;
        for_each_elem<T>(n, raw<T>(p.beta), raw<T>(p.th), raw<T>(p.g),
                         [&](int64_t i, T b, T t, T g) {
                           const auto o = step_bwd<K, REC>(reset, delay, sg_off, has_s, has_m,
                                                            sc, pu[i], pv[i], b, t, g,
                                                            has_s ? pgs[i] : T(0),
                                                            has_m ? pgm[i] : T(0));
                           if (gx) gx[i] = o.gx;
                           if (gu) gu[i] = o.gu;
                           if (gb) gb[i] += o.gbeta;
                           if (gt) gt[i] += o.gth;
                           if (gg) gg[i] += o.gg;
                         });
      };
      if (rec_mode)
        body(std::true_type{});
      else
        body(std::false_type{});
    });
  });
}

StepOut step_forward(bool rec_mode, const Tensor& x, const Tensor& rec, const Tensor& u,
                     const Tensor& beta, const Tensor& th, const Tensor& g,
                     const StepConfig& cfg, bool want_v) {
  const Tensor xc = x.contiguous(), uc = u.contiguous();
  const Tensor rc = rec_mode ? rec.contiguous() : Tensor();
  const StepParams p = make_step_params(beta, th, g, xc.sizes(), xc.scalar_type());
  StepOut o;
  o.spk = at::empty_like(xc);
  o.mem = at::empty_like(xc);
  if (want_v) o.v = at::empty_like(xc);
  step_forward_into(rec_mode, xc, rc, uc, p, cfg, o.spk, o.mem, o.v);
  return o;
}

Tensor reduce_to(const Tensor& full, const Tensor& like) {
  if (full.sizes().equals(like.sizes())) return full;
  return at::sum_to(full, like.sizes());
}

StepBackward step_backward(bool rec_mode, const Tensor& u, const Tensor& v, const Tensor& beta,
                           const Tensor& th, const Tensor& g, const Tensor& gS,
                           const Tensor& gM, const StepConfig& cfg, const GradNeeds& need) {
  StepBackward r;
  if (!gS.defined() && !gM.defined()) return r;
  const Tensor uc = u.contiguous(), vc = v.contiguous();
  const StepParams p = make_step_params(beta, th, g, uc.sizes(), uc.scalar_type());
  StepGradOut full;
  auto z = [&](bool on) { return on ? at::zeros_like(uc) : Tensor(); };
  if (need.x) full.gx = at::empty_like(uc);
  if (need.u) full.gu = at::empty_like(uc);
  full.gbeta = z(need.beta);
  full.gth = z(need.th);
  full.gg = z(need.g && g.defined());
  step_backward_into(rec_mode, uc, vc, p, gS.defined() ? gS.contiguous() : Tensor(),
                     gM.defined() ? gM.contiguous() : Tensor(), cfg, full);
  r.gx = full.gx;
  r.gu = full.gu;
  if (full.gbeta.defined()) r.gbeta = reduce_to(full.gbeta, beta);
  if (full.gth.defined()) r.gth = reduce_to(full.gth, th);
  if (full.gg.defined()) r.gg = reduce_to(full.gg, g);
  return r;
}

at::ScalarType check_state(const Tensor& input, const Tensor& mem, const Tensor& rec,
                           const char* fn) {
  TORCH_CHECK(input.defined() && mem.defined(), fn, ": input and mem must be defined");
  TORCH_CHECK(mem.sizes().equals(input.sizes()), fn, ": mem shape ", mem.sizes(),
              " differs from input shape ", input.sizes());
  TORCH_CHECK(mem.device() == input.device(), fn, ": mem and input are on different devices");
  auto st = at::promote_types(input.scalar_type(), mem.scalar_type());
  if (rec.defined()) {
    TORCH_CHECK(rec.sizes().equals(input.sizes()), fn, ": rec shape ", rec.sizes(),
                " differs from input shape ", input.sizes());
    TORCH_CHECK(rec.device() == input.device(), fn, ": rec and input are on different devices");
    st = at::promote_types(st, rec.scalar_type());
  }
  TORCH_CHECK(at::isFloatingType(st), fn, ": the state must be floating point, got ", st);
  return st;
}

}  // namespace detail
}  // namespace snnk
