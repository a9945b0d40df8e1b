// Per-element forward/backward math of one Leaky/RLeaky step, shared by the fused step and
// sequence kernels. Each expression follows snnTorch's op order, so float results match the
// composed ATen graph exactly in the forward pass.
#pragma once
#include <algorithm>
#include <cmath>

#include "step_types.h"
#include "surrogate.h"

namespace snntorch::kernels {
namespace detail {

// torch.clamp(beta, 0, 1): NaN passes through.
template <typename T>
SNNK_HD inline T clamp01(T b) {
#ifdef __CUDA_ARCH__
  return b != b ? b : (b < T(0) ? T(0) : (T(1) < b ? T(1) : b));  // std::min/max's comparisons
#else
  return std::isnan(b) ? b : std::min(std::max(b, T(0)), T(1));
#endif
}

// Forward of one element. REC: P = b*U + X + rec and RLeaky's zero reset (1-r)*P;
// otherwise Leaky (zero reset only on the decayed mem). D: immediate reset (reset_delay=False
// and a reset mechanism). Writes spike S, returned mem M and V = mem before the immediate reset.
template <bool REC, Reset R, bool D, typename T>
SNNK_HD inline void step_fwd(T x, T rec, T u, T beta, T th, T g, T& S, T& M, T& V) {
  const T b = clamp01(beta);
  const T r = heaviside(u - th);  // delayed reset from the previous mem, detached
  T v;
  if (REC) {
    const T p = b * u + x + rec;
    v = R == Reset::Subtract ? p - r * th : R == Reset::Zero ? p - r * p : p;
  } else {
    v = R == Reset::Subtract ? b * u + x - r * th : R == Reset::Zero ? b * ((T(1) - r) * u) + x : b * u + x;
  }
  const T s = heaviside(v - th) * g;
  T m = v;
  if (D) {
    const T d = s / g - r;  // not detached: carries the surrogate gradient
    m = R == Reset::Subtract ? v - d * th : v - d * v;
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

// SG: the surrogate runs (not disabled, and a gradient reaches the spike). D: the immediate
// reset is active and mem received a gradient. Missing upstream grads are passed as zeros.
template <Surrogate K, bool SG, bool REC, Reset R, bool D, typename T>
SNNK_HD inline StepGrads<T> step_bwd(const SurrogateConsts<T>& sc, T u, T v, T beta, T th, T g, T gS, T gM) {
  const T b = clamp01(beta);
  const T r = heaviside(u - th);
  const T z = v - th;
  const T s = heaviside(z);
  const T S = s * g;
  T gv = gM;
  T gth = T(0);
  T gSt = gS;
  T gg = T(0);
  if (D) {
    const T d = S / g - r;
    T gd;
    if (R == Reset::Subtract) {  // M = v - d*th
      gd = -(gM * th);
      gth = -(gM * d);
    } else {  // M = v - d*v
      gd = -(gM * v);
      gv = gM - gM * d;
    }
    gSt = gSt + gd / g;
    gg = -gd * ((S / g) / g);  // torch's div backward w.r.t. the divisor
  }
  gg = gSt * s + gg;
  if (SG) {
    const T gz = surrogate_grad<K>(sc, z, gSt * g);
    gv = gv + gz;
    gth = gth - gz;
  }
  StepGrads<T> o;
  if (REC) {
    T gp = gv;
    if (R == Reset::Subtract) {
      gth = gth - gv * r;
    } else if (R == Reset::Zero) {
      gp = gv - gv * r;  // P - r*P: two uses of P
    }
    o.gx = gp;
    o.gu = gp * b;
    o.gbeta = gp * u;
  } else {
    o.gx = gv;
    if (R == Reset::Zero) {
      o.gu = gv * b * (T(1) - r);
      o.gbeta = gv * ((T(1) - r) * u);
    } else {
      if (R == Reset::Subtract) gth = gth - gv * r;
      o.gu = gv * b;
      o.gbeta = gv * u;
    }
  }
  o.gbeta = (beta >= T(0) && beta <= T(1)) ? o.gbeta : T(0);
  o.gth = gth;
  o.gg = gg;
  return o;
}

}  // namespace detail
}  // namespace snntorch::kernels
