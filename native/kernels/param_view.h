// Broadcast of a per-neuron parameter (beta, threshold, graded factor) over a contiguous state
// without materialising it: element i of the state reads p[(i / inner) % period].
#pragma once
#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <cstdint>

namespace snnk {
namespace detail {

struct ParamView {
  at::Tensor data;  // contiguous, state dtype
  int64_t inner = 1, period = 1;
};

// p must broadcast to `shape` without growing it: 0-dim, [N] on [B,N], [C,1,1] on [B,C,H,W]...
// Patterns whose non-1 dims are not adjacent (e.g. [C,1,W]) are expanded and copied once.
inline ParamView make_param_view(const at::Tensor& p, at::IntArrayRef shape, const char* name) {
  const int64_t nd = static_cast<int64_t>(shape.size()), pd = p.dim();
  TORCH_CHECK(pd <= nd, name, " of shape ", p.sizes(), " has more dims than the state ", shape);
  int64_t lo = -1, hi = -1;
  for (int64_t i = 0; i < pd; ++i) {
    const int64_t ps = p.size(i), ss = shape[nd - pd + i];
    TORCH_CHECK(ps == 1 || ps == ss, name, " of shape ", p.sizes(),
                " does not broadcast to the state shape ", shape);
    if (ps != 1) {
      if (lo < 0) lo = nd - pd + i;
      hi = nd - pd + i;
    }
  }
  ParamView v;
  if (lo < 0) {  // one value
    v.data = p.reshape({1}).contiguous();
    return v;
  }
  bool adjacent = true;
  int64_t period = 1, inner = 1;
  for (int64_t d = lo; d <= hi; ++d) {
    const int64_t ps = p.size(d - (nd - pd));
    if (ps == 1 && shape[d] != 1) adjacent = false;
    period *= shape[d];
  }
  for (int64_t d = hi + 1; d < nd; ++d) inner *= shape[d];
  if (!adjacent) {
    v.data = p.expand(shape).contiguous();
    v.period = v.data.numel();
    return v;
  }
  v.data = p.contiguous();
  v.inner = inner;
  v.period = period;
  return v;
}

// Walks (i / inner) % period incrementally from a start index.
template <typename T>
struct ParamCursor {
  const T* p;
  int64_t inner, period, q, r;
  ParamCursor(const T* ptr, int64_t in, int64_t per, int64_t i)
      : p(ptr), inner(in), period(per), q((i / in) % per), r(i % in) {}
  T get() const { return p[q]; }
  void next() {
    if (++r == inner) {
      r = 0;
      if (++q == period) q = 0;
    }
  }
};

template <typename T>
struct RawParam {
  const T* p;
  int64_t inner, period;
};

template <typename T>
inline RawParam<T> raw(const ParamView& v) {
  return {v.data.data_ptr<T>(), v.inner, v.period};
}

constexpr int64_t kGrain = 16384;

// Runs f(i, a_i, b_i, c_i) over [0, n) in parallel, with the three broadcast parameters
// resolved per element; constants are hoisted when all three are single values.
template <typename T, typename F>
inline void for_each_elem(int64_t n, RawParam<T> a, RawParam<T> b, RawParam<T> c, const F& f) {
  const bool scalar = a.period == 1 && b.period == 1 && c.period == 1;
  at::parallel_for(0, n, kGrain, [&](int64_t lo, int64_t hi) {
    if (scalar) {
      const T va = a.p[0], vb = b.p[0], vc = c.p[0];
      for (int64_t i = lo; i < hi; ++i) f(i, va, vb, vc);
    } else {
      ParamCursor<T> ca(a.p, a.inner, a.period, lo), cb(b.p, b.inner, b.period, lo),
          cc(c.p, c.inner, c.period, lo);
      for (int64_t i = lo; i < hi; ++i) {
        f(i, ca.get(), cb.get(), cc.get());
        ca.next();
        cb.next();
        cc.next();
      }
    }
  });
}

}  // namespace detail
}  // namespace snnk
