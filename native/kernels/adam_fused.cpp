#include "adam_fused.h"

#include <ATen/Dispatch.h>
#include <ATen/Parallel.h>

#include <cmath>

namespace snntorch::kernels {

namespace {

bool sameLayout(const at::Tensor& t, const at::Tensor& p) {
  return t.defined() && t.device() == p.device() && t.scalar_type() == p.scalar_type() && t.sizes() == p.sizes() &&
         t.is_contiguous() && !t.is_sparse();
}

// The pointers and scalars of one parameter's update. Scalars reach ATen's kernels as scalar_t
// (Scalar::to<scalar_t>), so they are rounded the same way here before the loop.
template <typename T>
struct Update {
  T* p;
  const T* g;
  T* m;
  T* v;
  T* vmax;
  T b1, a1, b2, a2, wd, decay, bc2_sqrt, eps, neg_step;
};

// Elements [begin, end). No multiply-add contraction on either build below (neither enables FMA),
// so the result does not depend on the CPU.
template <typename T, bool AMS, bool WD, bool DECOUPLED>
__attribute__((always_inline)) inline void body(const Update<T>& u, int64_t begin, int64_t end) {
  T* __restrict p = u.p;
  const T* __restrict g = u.g;
  T* __restrict m = u.m;
  T* __restrict v = u.v;
  T* __restrict vmax = u.vmax;
  for (int64_t i = begin; i < end; ++i) {
    T pi = p[i];
    T gi = g[i];
    if (DECOUPLED) pi = pi * u.decay;           // p.mul_(1 - lr * wd)
    if (WD && !DECOUPLED) gi = gi + u.wd * pi;  // grad.add(p, wd)
    const T mi = m[i] * u.b1 + u.a1 * gi;       // exp_avg.mul_(b1).add_(grad, 1 - b1)
    const T vi = v[i] * u.b2 + u.a2 * gi * gi;  // exp_avg_sq.mul_(b2).addcmul_(grad, grad, 1 - b2)
    T vd = vi;
    if (AMS) {  // torch::max_out(max_exp_avg_sq, exp_avg_sq, max_exp_avg_sq): NaN propagates
      const T x = vmax[i];
      vd = (vi != vi || vi > x) ? vi : x;
      vmax[i] = vd;
    }
    const T denom = std::sqrt(vd) / u.bc2_sqrt + u.eps;  // (sqrt(v) / sqrt(bc2)).add_(eps)
    m[i] = mi;
    v[i] = vi;
    p[i] = pi + u.neg_step * mi / denom;  // p.addcdiv_(exp_avg, denom, -lr / bc1)
  }
}

#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
#define SNN_ADAM_AVX2 1
template <typename T, bool AMS, bool WD, bool DECOUPLED>
__attribute__((target("avx2"))) void loopAvx2(const Update<T>& u, int64_t begin, int64_t end) {
  body<T, AMS, WD, DECOUPLED>(u, begin, end);
}
#endif
template <typename T, bool AMS, bool WD, bool DECOUPLED>
void loopBase(const Update<T>& u, int64_t begin, int64_t end) {
  body<T, AMS, WD, DECOUPLED>(u, begin, end);
}

template <typename T, bool AMS, bool WD, bool DECOUPLED>
void update(const Update<T>& u, int64_t n) {
#ifdef SNN_ADAM_AVX2
  static const bool avx2 = __builtin_cpu_supports("avx2");
#else
  constexpr bool avx2 = false;
#endif
  at::parallel_for(0, n, 32768, [&u](int64_t begin, int64_t end) {
#ifdef SNN_ADAM_AVX2
    if (avx2) return loopAvx2<T, AMS, WD, DECOUPLED>(u, begin, end);
#endif
    loopBase<T, AMS, WD, DECOUPLED>(u, begin, end);
  });
}

template <typename T>
void dispatch(const at::Tensor& p, const at::Tensor& g, const at::Tensor& m, const at::Tensor& v,
              const at::Tensor& vmax, int64_t step, const AdamHyper& h) {
  const double bc1 = 1 - std::pow(h.beta1, static_cast<double>(step));
  const double bc2 = 1 - std::pow(h.beta2, static_cast<double>(step));
  Update<T> u{p.data_ptr<T>(),
              g.data_ptr<T>(),
              m.data_ptr<T>(),
              v.data_ptr<T>(),
              h.amsgrad ? vmax.data_ptr<T>() : nullptr,
              static_cast<T>(h.beta1),
              static_cast<T>(1 - h.beta1),
              static_cast<T>(h.beta2),
              static_cast<T>(1 - h.beta2),
              static_cast<T>(h.weight_decay),
              static_cast<T>(1 - h.lr * h.weight_decay),
              static_cast<T>(std::sqrt(bc2)),
              static_cast<T>(h.eps),
              static_cast<T>(-(h.lr / bc1))};
  const int64_t n = p.numel();
  const bool wd = h.weight_decay != 0;
  if (h.decoupled) {
    if (h.amsgrad) update<T, true, true, true>(u, n);
    else update<T, false, true, true>(u, n);
  } else if (h.amsgrad) {
    if (wd) update<T, true, true, false>(u, n);
    else update<T, true, false, false>(u, n);
  } else {
    if (wd) update<T, false, true, false>(u, n);
    else update<T, false, false, false>(u, n);
  }
}

}  // namespace

bool adam_fusable(const at::Tensor& p, const at::Tensor& grad, const at::Tensor& exp_avg, const at::Tensor& exp_avg_sq,
                  const at::Tensor& max_exp_avg_sq, bool amsgrad) {
  if (!p.defined() || !p.device().is_cpu() || !p.is_contiguous() || p.is_sparse()) return false;
  if (p.scalar_type() != at::kFloat && p.scalar_type() != at::kDouble) return false;
  if (!sameLayout(grad, p) || grad.data_ptr() == p.data_ptr()) return false;
  if (!exp_avg.defined()) return true;  // state not created yet
  if (!sameLayout(exp_avg, p) || !sameLayout(exp_avg_sq, p)) return false;
  if (amsgrad && !sameLayout(max_exp_avg_sq, p)) return false;
  // Operands sharing memory would read values this pass already wrote.
  const void* pd = p.data_ptr();
  return exp_avg.data_ptr() != pd && exp_avg_sq.data_ptr() != pd && exp_avg.data_ptr() != exp_avg_sq.data_ptr();
}

void adam_fused_update(const at::Tensor& p, const at::Tensor& grad, const at::Tensor& exp_avg,
                       const at::Tensor& exp_avg_sq, const at::Tensor& max_exp_avg_sq, int64_t step,
                       const AdamHyper& h) {
  if (p.scalar_type() == at::kDouble) dispatch<double>(p, grad, exp_avg, exp_avg_sq, max_exp_avg_sq, step, h);
  else dispatch<float>(p, grad, exp_avg, exp_avg_sq, max_exp_avg_sq, step, h);
}

}  // namespace snntorch::kernels
