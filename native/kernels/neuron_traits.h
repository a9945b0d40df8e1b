// Per-element maths of the neurons whose step the generic fused kernels run (fused_neuron.h on
// the CPU, fused_neuron_cuda.cu on CUDA). Each neuron is one traits type:
//   kInputs, kStates, kParams   how many input, state and parameter tensors the step takes
//   kMem                        the state that is the membrane (fires; saved before the immediate reset)
//   kThreshold, kGraded         parameter indices of the threshold and graded spike factor
//   kResetDelay                 whether reset_delay=False (the immediate reset) applies
//   kSharedInputGrad            every input's grad is the same value (the inputs are summed): the
//                               kernel writes it once and the node returns it for each input
//   param_grad(k)               whether the kernel differentiates parameter k (callers route a
//                               parameter that needs a grad the kernel does not give to the composed step)
//   kNames                      the parameters' then the states' names, for error messages
//   kDerived, derive(p, d)      optional: values computed from the parameters alone, passed to
//                               forward/backward as p[kParams ...] (derived_count, derive below)
//   kSavesInputs                optional: the backward also reads the step's inputs, passed first
//                               (saves_inputs, backward below)
//   forward<R, D>(in, s, p, spk, out, v)          one element: new states `out`, spike, and v = the
//                                                 membrane before the immediate reset
//   backward<K, SG, R, D>(sc, [in,] s, v, p, gS, gout, gin, gs, gp)   grads of the inputs, the
//                                                 previous states and the parameters (clamp masks applied)
// Template flags: R the reset mechanism, D the immediate reset (and, in backward, a gradient reached
// the membrane), K the surrogate, SG the surrogate runs. Each expression follows snnTorch's op
// order so the forward equals the composed step bit for bit.
#pragma once
#include <algorithm>
#include <cmath>
#include <type_traits>

#include "step_types.h"
#include "surrogate.h"

// The traits' functions are forced inline: an out-of-line call passes the per-element arrays
// through memory and stops the element loops from vectorising.
#if defined(__CUDACC__)
#define SNNK_INLINE __host__ __device__ __forceinline__
#elif defined(__GNUC__)
#define SNNK_INLINE __attribute__((always_inline)) inline
#else
#define SNNK_INLINE inline
#endif

namespace snntorch::kernels {
namespace traits {

// torch.clamp(p, 0, 1): NaN passes through.
template <typename T>
SNNK_INLINE T clamp01(T b) {
#ifdef __CUDA_ARCH__
  return b != b ? b : (b < T(0) ? T(0) : (T(1) < b ? T(1) : b));  // std::min/max's comparisons
#else
  return std::isnan(b) ? b : std::min(std::max(b, T(0)), T(1));
#endif
}

template <typename T>
SNNK_INLINE T in_unit(T p, T g) {  // clamp(p, 0, 1)'s backward: passes on [0, 1], bounds included
  return (p >= T(0) && p <= T(1)) ? g : T(0);
}

// The spike of membrane v and the immediate reset (reset_delay=False): S = H(v - th) * g,
// M = v - (S/g - r) * th (subtract) or * v (zero); d = S/g - r is not detached.
template <Reset R, bool D, typename T>
SNNK_INLINE void fire_fwd(T v, T r, T th, T g, T& S, T& M) {
  const T s = heaviside(v - th) * g;
  T m = v;
  if (D) {
    const T d = s / g - r;
    m = R == Reset::Subtract ? v - d * th : v - d * v;
  }
  S = s;
  M = m;
}

// Backward of fire_fwd: returns the grad of v; adds the threshold's and graded factor's grads.
template <Surrogate K, bool SG, Reset R, bool D, typename T>
SNNK_INLINE T fire_bwd(const SurrogateConsts<T>& sc, T v, T r, T th, T g, T gS, T gM, T& gth, T& gg) {
  const T z = v - th;
  const T s = heaviside(z);
  const T S = s * g;
  T gv = gM;
  T gSt = gS;
  T gd_g = T(0);
  if (D) {
    const T d = S / g - r;
    T gd;
    if (R == Reset::Subtract) {
      gd = -(gM * th);
      gth = gth - gM * d;
    } else {
      gd = -(gM * v);
      gv = gM - gM * d;
    }
    gSt = gSt + gd / g;
    gd_g = -gd * ((S / g) / g);
  }
  gg = gg + (gSt * s + gd_g);
  if (SG) {
    const T gz = surrogate_grad<K>(sc, z, gSt * g);
    gv = gv + gz;
    gth = gth - gz;
  }
  return gv;
}

// The delayed reset of the decayed membrane P: P - r*th (subtract), P - P*r (zero), P (none).
template <Reset R, typename T>
SNNK_INLINE T delayed_reset(T P, T r, T th) {
  return R == Reset::Subtract ? P - r * th : R == Reset::Zero ? P - P * r : P;
}
// Its backward: the grad of P; subtract adds -gv*r to the threshold's grad.
template <Reset R, typename T>
SNNK_INLINE T delayed_reset_bwd(T gv, T r, T& gth) {
  if (R == Reset::Subtract) gth = gth - gv * r;
  return R == Reset::Zero ? gv - gv * r : gv;
}

// snn.Leaky (NI = 1) and snn.RLeaky (NI = 2: in[1] = Rec(spk_prev), computed by the caller):
//   Leaky   v = β·mem + X - r·th (subtract), β·((1 - r)·mem) + X (zero), β·mem + X (none)
//   RLeaky  v = delayed_reset(β·mem + X + rec)
// with β = clamp(beta, 0, 1), then spk, mem' = fire(v). State {mem}; parameters {beta, threshold,
// graded_spikes_factor} (RLeaky's graded factor is a constant 1). Both inputs' grads are equal.
template <int NI>
struct LeakyT {
  static constexpr int kInputs = NI, kStates = 1, kParams = 3, kMem = 0, kThreshold = 1, kGraded = 2;
  static constexpr bool kResetDelay = true, kSharedInputGrad = true;
  static constexpr bool param_grad(int) { return true; }
  static constexpr const char* kNames[] = {"beta", "threshold", "graded_spikes_factor", "mem"};

  template <Reset R, bool D, typename T>
  SNNK_INLINE static void forward(const T* in, const T* s, const T* p, T& spk, T* out, T& v) {
    const T b = clamp01(p[0]), th = p[1], u = s[0];
    const T r = heaviside(u - th);
    if (NI > 1) {
      v = delayed_reset<R>(b * u + in[0] + in[NI - 1], r, th);
    } else {
      v = R == Reset::Subtract ? b * u + in[0] - r * th
          : R == Reset::Zero   ? b * ((T(1) - r) * u) + in[0]
                               : b * u + in[0];
    }
    fire_fwd<R, D>(v, r, th, p[2], spk, out[0]);
  }

  template <Surrogate K, bool SG, Reset R, bool D, typename T>
  SNNK_INLINE static void backward(const SurrogateConsts<T>& sc, const T* s, T v, const T* p, T gS, const T* gout,
                                   T* gin, T* gs, T* gp) {
    const T b = clamp01(p[0]), th = p[1], u = s[0];
    const T r = heaviside(u - th);
    T gth = T(0), gg = T(0);
    const T gv = fire_bwd<K, SG, R, D>(sc, v, r, th, p[2], gS, gout[0], gth, gg);
    T gx = gv, gu, gb;
    if (NI == 1 && R == Reset::Zero) {  // β·((1 - r)·mem): the reset factor sits inside the product
      gu = gv * b * (T(1) - r);
      gb = gv * ((T(1) - r) * u);
    } else {
      const T gP = delayed_reset_bwd<R>(gv, r, gth);
      gu = gP * b;
      gb = gP * u;
      if (NI > 1) gx = gP;
    }
    for (int k = 0; k < NI; ++k) gin[k] = gx;
    gs[0] = gu;
    gp[0] = in_unit(p[0], gb);
    gp[1] = gth;
    gp[2] = gg;
  }
};
using Leaky = LeakyT<1>;
using RLeaky = LeakyT<2>;

// snn.Synaptic (NI = 1) and snn.RSynaptic (NI = 2: in[1] = Rec(spk_prev), computed by the caller):
//   syn' = clamp(α)·syn + X (+ rec); P = clamp(β)·mem + syn'; v = delayed_reset(P); spk, mem' = fire(v)
// States {syn, mem}; parameters {alpha, beta, threshold, graded_spikes_factor}, then the derived
// p[4] = clamp(α), p[5] = clamp(β): computed once for single values, so the element loops keep no
// clamp branch (GCC would split them on it and leave the common copy scalar).
template <int NI>
struct SynapticT {
  static constexpr int kInputs = NI, kStates = 2, kParams = 4, kMem = 1, kThreshold = 2, kGraded = 3, kDerived = 2;
  static constexpr bool kResetDelay = true, kSharedInputGrad = true;
  static constexpr bool param_grad(int) { return true; }
  static constexpr const char* kNames[] = {"alpha", "beta", "threshold", "graded_spikes_factor", "syn", "mem"};

  template <typename T>
  SNNK_INLINE static void derive(const T* p, T* d) {
    d[0] = clamp01(p[0]);
    d[1] = clamp01(p[1]);
  }

  template <Reset R, bool D, typename T>
  SNNK_INLINE static void forward(const T* in, const T* s, const T* p, T& spk, T* out, T& v) {
    const T a = p[4], b = p[5], th = p[2];
    const T r = heaviside(s[1] - th);
    T syn = a * s[0] + in[0];
    if (NI > 1) syn = syn + in[NI - 1];
    v = delayed_reset<R>(b * s[1] + syn, r, th);
    out[0] = syn;
    fire_fwd<R, D>(v, r, th, p[3], spk, out[1]);
  }

  template <Surrogate K, bool SG, Reset R, bool D, typename T>
  SNNK_INLINE static void backward(const SurrogateConsts<T>& sc, const T* s, T v, const T* p, T gS, const T* gout,
                                   T* gin, T* gs, T* gp) {
    const T a = p[4], b = p[5], th = p[2];
    const T r = heaviside(s[1] - th);
    T gth = T(0), gg = T(0);
    const T gv = fire_bwd<K, SG, R, D>(sc, v, r, th, p[3], gS, gout[1], gth, gg);
    const T gP = delayed_reset_bwd<R>(gv, r, gth);
    const T gsyn = gP + gout[0];
    for (int k = 0; k < NI; ++k) gin[k] = gsyn;
    gs[0] = gsyn * a;
    gs[1] = gP * b;
    gp[0] = in_unit(p[0], gsyn * s[0]);
    gp[1] = in_unit(p[1], gP * s[1]);
    gp[2] = gth;
    gp[3] = gg;
  }
};
using Synaptic = SynapticT<1>;
using RSynaptic = SynapticT<2>;

// snn.Lapicque: P = X·R·(1/(R·C))·Δt + (1 - Δt/(R·C))·mem; v = delayed_reset(P); spk = fire(v).
// No reset_delay option (snnTorch's Lapicque resets with the delay only). State {mem};
// parameters {R, C, time_step, threshold, graded_spikes_factor}; R, C and time_step are buffers
// in snnTorch, not differentiated here.
struct Lapicque {
  static constexpr int kInputs = 1, kStates = 1, kParams = 5, kMem = 0, kThreshold = 3, kGraded = 4;
  static constexpr bool kResetDelay = false, kSharedInputGrad = true;
  static constexpr bool param_grad(int k) { return k >= 3; }
  static constexpr const char* kNames[] = {"R", "C", "time_step", "threshold", "graded_spikes_factor", "mem"};

  template <Reset R, bool D, typename T>
  SNNK_INLINE static void forward(const T* in, const T* s, const T* p, T& spk, T* out, T& v) {
    const T rc = p[0] * p[1], dt = p[2], th = p[3];
    const T r = heaviside(s[0] - th);
    const T P = in[0] * p[0] * (T(1) / rc) * dt + (T(1) - dt / rc) * s[0];
    v = delayed_reset<R>(P, r, th);
    fire_fwd<R, false>(v, r, th, p[4], spk, out[0]);
  }

  template <Surrogate K, bool SG, Reset R, bool D, typename T>
  SNNK_INLINE static void backward(const SurrogateConsts<T>& sc, const T* s, T v, const T* p, T gS, const T* gout,
                                   T* gin, T* gs, T* gp) {
    const T rc = p[0] * p[1], dt = p[2], th = p[3];
    const T r = heaviside(s[0] - th);
    T gth = T(0), gg = T(0);
    const T gv = fire_bwd<K, SG, R, false>(sc, v, r, th, p[4], gS, gout[0], gth, gg);
    const T gP = delayed_reset_bwd<R>(gv, r, gth);
    gin[0] = gP * dt * (T(1) / rc) * p[0];
    gs[0] = gP * (T(1) - dt / rc);
    gp[0] = gp[1] = gp[2] = T(0);
    gp[3] = gth;
    gp[4] = gg;
  }
};

// snn.Alpha: excitatory and inhibitory synaptic currents, a = clamp(α), b = clamp(β):
//   E = a·exc + X; I = b·inh - X; τ = log(a) / (log(b) - log(a)) + 1; M = τ·(E + I)
//   subtract: E - θ·r, I - I·r, M - (-inh)·r; zero: each state - itself·r; none: as is
//   spk = fire(M). No reset_delay option. States {syn_exc, syn_inh, mem}; parameters
//   {alpha, beta, threshold, graded_spikes_factor}, then the derived p[4] = a, p[5] = b,
//   p[6] = log(a), p[7] = log(b). The backward reads X (kSavesInputs): τ's grad needs E + I as
//   the forward rounded it.
struct Alpha {
  static constexpr int kInputs = 1, kStates = 3, kParams = 4, kMem = 2, kThreshold = 2, kGraded = 3, kDerived = 4;
  static constexpr bool kResetDelay = false, kSharedInputGrad = true, kSavesInputs = true;
  static constexpr bool param_grad(int) { return true; }
  static constexpr const char* kNames[] = {"alpha",   "beta",    "threshold", "graded_spikes_factor",
                                           "syn_exc", "syn_inh", "mem"};

  template <typename T>
  SNNK_INLINE static void derive(const T* p, T* d) {
    d[0] = clamp01(p[0]);
    d[1] = clamp01(p[1]);
    d[2] = std::log(d[0]);
    d[3] = std::log(d[1]);
  }

  template <typename T>
  SNNK_INLINE static T tau(T la, T lb) {
    return la / (lb - la) + T(1);
  }

  template <Reset R, bool D, typename T>
  SNNK_INLINE static void forward(const T* in, const T* s, const T* p, T& spk, T* out, T& v) {
    const T a = p[4], b = p[5], th = p[2];
    const T r = heaviside(s[2] - th);
    T e = a * s[0] + in[0];
    T i = b * s[1] - in[0];
    T m = tau(p[6], p[7]) * (e + i);
    if (R == Reset::Subtract) {
      e = e - th * r;
      i = i - i * r;
      m = m - (-s[1]) * r;
    } else if (R == Reset::Zero) {
      e = e - e * r;
      i = i - i * r;
      m = m - m * r;
    }
    out[0] = e;
    out[1] = i;
    out[2] = m;
    v = m;
    T unused;
    fire_fwd<R, false>(m, r, th, p[3], spk, unused);
  }

  template <Surrogate K, bool SG, Reset R, bool D, typename T>
  SNNK_INLINE static void backward(const SurrogateConsts<T>& sc, const T* in, const T* s, T v, const T* p, T gS,
                                   const T* gout, T* gin, T* gs, T* gp) {
    const T a = p[4], b = p[5], th = p[2];
    const T r = heaviside(s[2] - th);
    T gth = T(0), gg = T(0);
    const T gm = fire_bwd<K, SG, R, false>(sc, v, r, th, p[3], gS, gout[2], gth, gg);
    const T e = a * s[0] + in[0];
    const T i = b * s[1] - in[0];
    const T la = p[6], lb = p[7], den = lb - la;
    T ge = gout[0], gi = gout[1], gm0 = gm, ginh = T(0);
    if (R == Reset::Subtract) {
      gth = gth - ge * r;
      gi = gi - gi * r;
      ginh = gm * r;
    } else if (R == Reset::Zero) {
      ge = ge - ge * r;
      gi = gi - gi * r;
      gm0 = gm - gm * r;
    }
    const T gsum = gm0 * tau(la, lb);
    const T gtau = gm0 * (e + i);
    ge = ge + gsum;
    gi = gi + gsum;
    const T gden = -gtau * ((la / den) / den);
    const T gla = gtau / den - gden;
    gin[0] = ge - gi;
    gs[0] = ge * a;
    gs[1] = gi * b + ginh;
    gs[2] = T(0);
    gp[0] = in_unit(p[0], ge * s[0] + gla / a);
    gp[1] = in_unit(p[1], gi * s[1] + gden / b);
    gp[2] = gth;
    gp[3] = gg;
  }
};

// How many values Tr derives from its parameters alone (Tr::kDerived, default 0).
template <class Tr, class = void>
struct derived_count : std::integral_constant<int, 0> {};
template <class Tr>
struct derived_count<Tr, std::void_t<decltype(Tr::kDerived)>> : std::integral_constant<int, Tr::kDerived> {};

// Fills p[kParams ...] from p[0 .. kParams).
template <class Tr, typename T>
SNNK_INLINE void derive(T* p) {
  if constexpr (derived_count<Tr>::value > 0) Tr::derive(p, p + Tr::kParams);
}

// Whether Tr's backward also reads the step's inputs (Tr::kSavesInputs, default false): the fused
// step then saves them.
template <class Tr, class = void>
struct saves_inputs : std::false_type {};
template <class Tr>
struct saves_inputs<Tr, std::void_t<decltype(Tr::kSavesInputs)>> : std::bool_constant<Tr::kSavesInputs> {};

// Tr's backward, with the inputs `in` where it reads them (else `in` is ignored).
template <class Tr, Surrogate K, bool SG, Reset R, bool D, typename T>
SNNK_INLINE void backward(const SurrogateConsts<T>& sc, const T* in, const T* s, T v, const T* p, T gS, const T* gout,
                          T* gin, T* gs, T* gp) {
  if constexpr (saves_inputs<Tr>::value) Tr::template backward<K, SG, R, D>(sc, in, s, v, p, gS, gout, gin, gs, gp);
  else Tr::template backward<K, SG, R, D>(sc, s, v, p, gS, gout, gin, gs, gp);
}

}  // namespace traits
}  // namespace snntorch::kernels
