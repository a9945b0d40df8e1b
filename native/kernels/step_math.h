// Per-element forward/backward math of one Leaky/RLeaky step, shared by the fused step and
// sequence kernels. Each expression follows snnTorch's op order, so float results match the
// composed ATen graph exactly in the forward pass.
#pragma once
#include <algorithm>
#include <cmath>

#include "neuron_step.h"
#include "surrogate.h"

namespace snnk {
namespace detail {

// torch.clamp(beta, 0, 1): NaN passes through.
template <typename T>
inline T clamp01(T b) { return std::isnan(b) ? b : std::min(std::max(b, T(0)), T(1)); }

// Forward of one element. REC: P = b*U + X + rec and RLeaky's zero reset (1-r)*P;
// otherwise Leaky (zero reset only on the decayed mem). Writes spike S, returned mem M and
// V = mem before the immediate reset (what backward needs when reset_delay is false).
template <bool REC, typename T>
inline void step_fwd(Reset reset, bool delay, T x, T rec, T u, T beta, T th, T g, T& S, T& M,
                     T& V) {
  const T b = clamp01(beta);
  const T r = heaviside(u - th);  // delayed reset from the previous mem, detached
  T v;
  if (REC) {
    const T p = b * u + x + rec;
    v = reset == Reset::Subtract ? p - r * th : reset == Reset::Zero ? p - r * p : p;
  } else {
    v = reset == Reset::Subtract ? b * u + x - r * th
        : reset == Reset::Zero   ? b * ((T(1) - r) * u) + x
                                 : b * u + x;
  }
  const T s = heaviside(v - th) * g;
  T m = v;
  if (!delay && reset != Reset::None) {
    const T d = s / g - r;  // not detached: carries the surrogate gradient
    m = reset == Reset::Subtract ? v - d * th : v - d * v;
  }
  S = s;
  M = m;
  V = v;
}

// Gradients of one element. gx is also the grad of rec for REC. gbeta is already masked by
// clamp's backward (passes on [0, 1], boundaries included).
template <typename T>
struct StepGrads {
  T gx, gu, gbeta, gth, gg;
};

// has_s / has_m: whether the spike / mem outputs received a gradient at all (undefined grads
// must not run the surrogate, so sigmoid's inf*0 NaN appears only where torch would make it).
template <Surrogate K, bool REC, typename T>
inline StepGrads<T> step_bwd(Reset reset, bool delay, bool sg_off, bool has_s, bool has_m,
                             const SurrogateConsts<T>& sc, T u, T v, T beta, T th, T g, T gS,
                             T gM) {
  const T b = clamp01(beta);
  const T r = heaviside(u - th);
  const T z = v - th;
  const T s = heaviside(z);
  const T S = s * g;
  T gv = has_m ? gM : T(0);
  T gth = T(0);
  T gd = T(0);
  const bool d_path = !delay && has_m && reset != Reset::None;
  if (d_path) {
    const T d = S / g - r;
    if (reset == Reset::Subtract) {  // M = v - d*th
      gd = -(gM * th);
      gth = -(gM * d);
    } else {  // M = v - d*v
      gd = -(gM * v);
      gv = gM - gM * d;
    }
  }
  T gSt = has_s ? gS : T(0);
  T gg = T(0);
  if (d_path) {
    gSt = gSt + gd / g;
    gg = -gd * ((S / g) / g);  // torch's div backward w.r.t. the divisor
  }
  gg = gSt * s + gg;
  if (!sg_off && (has_s || d_path)) {
    const T gz = surrogate_grad<K>(sc, z, gSt * g);
    gv = gv + gz;
    gth = gth - gz;
  }
  StepGrads<T> o;
  if (REC) {
    T gp = gv;
    if (reset == Reset::Subtract) {
      gth = gth - gv * r;
    } else if (reset == Reset::Zero) {
      gp = gv - gv * r;  // P - r*P: two uses of P
    }
    o.gx = gp;
    o.gu = gp * b;
    o.gbeta = gp * u;
  } else {
    o.gx = gv;
    if (reset == Reset::Zero) {
      o.gu = gv * b * (T(1) - r);
      o.gbeta = gv * ((T(1) - r) * u);
    } else {
      if (reset == Reset::Subtract) gth = gth - gv * r;
      o.gu = gv * b;
      o.gbeta = gv * u;
    }
  }
  if (!(beta >= T(0) && beta <= T(1))) o.gbeta = T(0);
  o.gth = gth;
  o.gg = gg;
  return o;
}

}  // namespace detail
}  // namespace snnk
