// Surrogate spike gradients of snnTorch 0.9.4 (docs/SEMANTICS.md, Surrogate spike functions), element-wise.
// Forward is always H(x) = (x > 0), strict. Each backward repeats torch's own op order
// in the state's dtype so float32 results are bit-identical to snnTorch's Python code.
#pragma once
#include <cmath>
#include <cstdint>
#include <type_traits>

#include "step_types.h"

namespace snntorch::kernels {

constexpr double kPi = 3.141592653589793;  // Python's math.pi == torch.pi

enum class Surrogate : int64_t {
  ATan = 0,             // atan(alpha), default alpha 2
  FastSigmoid = 1,      // fast_sigmoid(slope)
  Sigmoid = 2,          // sigmoid(slope): overflows to 0, then NaN, in float32 like torch
  StraightThrough = 3,  // straight_through_estimator()
  Heaviside = 4,        // heaviside(): grad * H(x)
  Triangular = 5,       // triangular(threshold): grad * t, negated where x >= 0
};

template <typename T>
SNNK_HD inline T heaviside(T x) {
  return static_cast<T>(x > T(0));
}  // branch-free: spikes are random

// exp as torch's vectorised CPU kernels compute it (SLEEF expf_u10, FMA build), so the sigmoid
// surrogate matches torch bit for bit in float32; std::exp differs by 1 ulp on ~20% of inputs.
SNNK_HD inline float torch_exp(float d) {
  if (!(d >= -104.0f)) return std::isnan(d) ? d : 0.0f;         // SLEEF's range selects, done first
  if (d > 100.0f) return INFINITY;                              // so the int cast cannot overflow
  const float q = std::nearbyint(d * 1.44269504088896340736f);  // rint(d / ln 2)
  float s = std::fma(q, -0.693145751953125f, d);
  s = std::fma(q, -1.428606765330187045e-06f, s);
  float u = 0.000198527617612853646278381f;
  u = std::fma(u, s, 0.00139304355252534151077271f);
  u = std::fma(u, s, 0.00833336077630519866943359f);
  u = std::fma(u, s, 0.0416664853692054748535156f);
  u = std::fma(u, s, 0.166666671633720397949219f);
  u = std::fma(u, s, 0.5f);
  u = 1.0f + std::fma(s * s, u, s);
  const int32_t qi = static_cast<int32_t>(q), h = qi >> 1;  // u * 2^q in two steps
  return u * std::ldexp(1.0f, h) * std::ldexp(1.0f, qi - h);
}
SNNK_HD inline double torch_exp(double d) { return std::exp(d); }

// Python-float constants rounded once to T, as torch does for `tensor op python_scalar`.
template <typename T>
struct SurrogateConsts {
  T a, b;
  SurrogateConsts(Surrogate kind, double p) : a(0), b(0) {
    switch (kind) {
      case Surrogate::ATan:  // (pi/2*alpha) * x ; reciprocal(d) * (alpha/2)
        a = static_cast<T>(kPi / 2 * p);
        b = static_cast<T>(p / 2);
        break;
      case Surrogate::FastSigmoid:  // slope * |x|
      case Surrogate::Triangular:   // grad * threshold
        a = static_cast<T>(p);
        break;
      case Surrogate::Sigmoid:  // exp((-slope) * x) ; grad * slope
        a = static_cast<T>(-p);
        b = static_cast<T>(p);
        break;
      default: break;
    }
  }
};

// d(sum(H(x) * g))/dx for surrogate K, in torch's evaluation order.
template <Surrogate K, typename T>
SNNK_HD inline T surrogate_grad(const SurrogateConsts<T>& c, T x, T g) {
  if constexpr (K == Surrogate::ATan) {
    // alpha/2 / (1 + (pi/2*alpha*x)^2) * g  ==  (reciprocal(d) * (alpha/2)) * g
    T cx = c.a * x;
    T d = cx * cx + T(1);
    return (T(1) / d * c.b) * g;
  } else if constexpr (K == Surrogate::FastSigmoid) {
    // g / (slope*|x| + 1)^2
    T s = c.a * std::abs(x) + T(1);
    return g / (s * s);
  } else if constexpr (K == Surrogate::Sigmoid) {
    // g * slope * exp(-slope*x) / (exp(-slope*x) + 1)^2 ; inf/inf = NaN kept on purpose
    T e = torch_exp(c.a * x);
    T den = e + T(1);
    return (g * c.b * e) / (den * den);
  } else if constexpr (K == Surrogate::StraightThrough) {
    return g;
  } else if constexpr (K == Surrogate::Heaviside) {
    return g * heaviside(x);  // a multiply, so NaN/-0 behave like torch
  } else {                    // Triangular
    const T r = g * c.a;
    const T sgn = static_cast<T>(1 - 2 * static_cast<int>(x >= T(0)));
    return r * sgn;  // exact negation where x >= 0
  }
}

// Runtime switch for callers outside hot loops.
template <typename T>
inline T surrogate_grad(Surrogate k, const SurrogateConsts<T>& c, T x, T g) {
  switch (k) {
    case Surrogate::ATan: return surrogate_grad<Surrogate::ATan>(c, x, g);
    case Surrogate::FastSigmoid: return surrogate_grad<Surrogate::FastSigmoid>(c, x, g);
    case Surrogate::Sigmoid: return surrogate_grad<Surrogate::Sigmoid>(c, x, g);
    case Surrogate::StraightThrough: return surrogate_grad<Surrogate::StraightThrough>(c, x, g);
    case Surrogate::Heaviside: return surrogate_grad<Surrogate::Heaviside>(c, x, g);
    default: return surrogate_grad<Surrogate::Triangular>(c, x, g);
  }
}

// Calls f(std::integral_constant<Surrogate, K>{}) with K = k, so loops get K as a constant.
template <typename F>
inline auto dispatch_surrogate(Surrogate k, F&& f) {
  switch (k) {
    case Surrogate::ATan: return f(std::integral_constant<Surrogate, Surrogate::ATan>{});
    case Surrogate::FastSigmoid: return f(std::integral_constant<Surrogate, Surrogate::FastSigmoid>{});
    case Surrogate::Sigmoid: return f(std::integral_constant<Surrogate, Surrogate::Sigmoid>{});
    case Surrogate::StraightThrough: return f(std::integral_constant<Surrogate, Surrogate::StraightThrough>{});
    case Surrogate::Heaviside: return f(std::integral_constant<Surrogate, Surrogate::Heaviside>{});
    default: return f(std::integral_constant<Surrogate, Surrogate::Triangular>{});
  }
}

}  // namespace snntorch::kernels
