// Fused Leaky/RLeaky step on CUDA: one element pass forward, one element pass backward, with the
// per-element maths of step_math.h (the CPU kernels' own functions, marked __host__ __device__).
// Compiled by nvcc alone (no LibTorch header); see neuron_step_cuda.h for the contract.
//
// Bit parity with the CPU kernels needs every a*b+c rounded twice, as on the CPU: build this file
// with --fmad=false (CMakeLists.txt and scripts/check-cuda-compile.sh do). Division and sqrt stay
// IEEE (no --use_fast_math), denormals are kept (no -ftz).
#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include <type_traits>

#include "cuda_common.cuh"
#include "neuron_step_cuda.h"
#include "step_dispatch.h"
#include "step_math.h"

namespace snntorch::kernels {
namespace cuda {
namespace {

struct FwdK {
  int64_t n;
  int dt;
  bool idx32;
  const void* x;
  const void* rec;
  const void* u;
  DParam beta, th, g;
  void* spk;
  void* mem;
  void* v;
};

template <bool REC, Reset R, bool D>
__global__ void __launch_bounds__(kThreads) step_fwd_kernel(const FwdK a) {
  const int64_t base = int64_t(blockIdx.x) * kPerBlock + threadIdx.x;
  float xs[kUnroll], us[kUnroll], rs[kUnroll];
#pragma unroll
  for (int k = 0; k < kUnroll; ++k) {
    const int64_t i = base + int64_t(k) * kThreads;
    xs[k] = us[k] = rs[k] = 0.0f;
    if (i < a.n) {
      xs[k] = ld(a.dt, a.x, i);
      us[k] = ld(a.dt, a.u, i);
      if (REC) rs[k] = ld(a.dt, a.rec, i);
    }
  }
#pragma unroll
  for (int k = 0; k < kUnroll; ++k) {
    const int64_t i = base + int64_t(k) * kThreads;
    if (i < a.n) {
      float s, m, w;
      detail::step_fwd<REC, R, D>(xs[k], rs[k], us[k], pval(a.beta, i, a.idx32), pval(a.th, i, a.idx32),
                                  pval(a.g, i, a.idx32), s, m, w);
      st(a.dt, a.spk, i, s);
      st(a.dt, a.mem, i, m);
      if (a.v != nullptr) st(a.dt, a.v, i, w);
    }
  }
}

struct BwdK {
  int64_t n;
  int dt;
  bool idx32;
  const void* u;
  const void* v;
  const void* gS;
  const void* gM;
  DParam beta, th, g;
  void* gx;
  void* gu;
  float* full[3];
  bool sum[3];
  bool any_sum;
  double* partials;
};

template <Surrogate K, bool SG, bool REC, Reset R, bool D>
__global__ void __launch_bounds__(kThreads) step_bwd_kernel(const BwdK a, const SurrogateConsts<float> sc) {
  const int64_t base = int64_t(blockIdx.x) * kPerBlock + threadIdx.x;
  float us[kUnroll], vs[kUnroll], gss[kUnroll], gms[kUnroll];
#pragma unroll
  for (int k = 0; k < kUnroll; ++k) {
    const int64_t i = base + int64_t(k) * kThreads;
    us[k] = vs[k] = gss[k] = gms[k] = 0.0f;
    if (i < a.n) {
      us[k] = ld(a.dt, a.u, i);
      vs[k] = ld(a.dt, a.v, i);
      if (a.gS != nullptr) gss[k] = ld(a.dt, a.gS, i);
      if (a.gM != nullptr) gms[k] = ld(a.dt, a.gM, i);
    }
  }
  double acc[3] = {0, 0, 0};
#pragma unroll
  for (int k = 0; k < kUnroll; ++k) {
    const int64_t i = base + int64_t(k) * kThreads;
    if (i < a.n) {
      const auto o = detail::step_bwd<K, SG, REC, R, D>(sc, us[k], vs[k], pval(a.beta, i, a.idx32),
                                                        pval(a.th, i, a.idx32), pval(a.g, i, a.idx32), gss[k], gms[k]);
      if (a.gx != nullptr) st(a.dt, a.gx, i, o.gx);
      if (a.gu != nullptr) st(a.dt, a.gu, i, o.gu);
      const float lp[3] = {o.gbeta, o.gth, o.gg};
#pragma unroll
      for (int q = 0; q < 3; ++q) {
        if (a.full[q] != nullptr) a.full[q][i] = lp[q];
        else if (a.sum[q]) acc[q] += static_cast<double>(lp[q]);
      }
    }
  }
  if (!a.any_sum) return;  // uniform over the grid: no thread below is skipped alone
  __shared__ double red[kThreads / 32][3];
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
#pragma unroll
  for (int q = 0; q < 3; ++q) {
    const double w = warp_sum(acc[q]);
    if (lane == 0) red[warp][q] = w;
  }
  __syncthreads();
  if (threadIdx.x < 3) {
    double t = 0;
    for (int w = 0; w < kThreads / 32; ++w) t += red[w][threadIdx.x];
    a.partials[int64_t(blockIdx.x) * 3 + threadIdx.x] = t;
  }
}

}  // namespace

int64_t bwd_blocks(int64_t n) { return blocks_for(n); }

const char* launch_step_fwd(const FwdArgs& a, void* stream) {
  if (a.n <= 0) return nullptr;
  const int64_t blocks = blocks_for(a.n);
  if (blocks > kMaxGrid) return "state too large for one launch";
  FwdK k;
  k.n = a.n;
  k.dt = storage(a.dtype);
  if (k.dt < 0) return "unsupported dtype (float32, float16 and bfloat16 only)";
  k.idx32 = a.n <= int64_t(UINT32_MAX);
  k.x = a.x;
  k.rec = a.rec;
  k.u = a.u;
  k.beta = dparam(a.beta);
  k.th = dparam(a.th);
  k.g = dparam(a.g);
  k.spk = a.spk;
  k.mem = a.mem;
  k.v = a.v;
  if (a.immediate && k.v == nullptr) return "the immediate reset needs the v output";
  if (a.rec_mode && k.rec == nullptr) return "rec is missing";
  const auto s = static_cast<cudaStream_t>(stream);
  dispatch_bool(a.rec_mode, [&](auto rec_c) {
    dispatch_mode(static_cast<Reset>(a.reset), a.immediate, [&](auto r_c, auto d_c) {
      constexpr bool REC = decltype(rec_c)::value, D = decltype(d_c)::value;
      constexpr Reset R = decltype(r_c)::value;
      step_fwd_kernel<REC, R, D><<<static_cast<unsigned>(blocks), kThreads, 0, s>>>(k);
    });
  });
  return last_error();
}

const char* launch_step_bwd(const BwdArgs& a, void* stream) {
  if (a.n <= 0) return nullptr;
  const int64_t blocks = blocks_for(a.n);
  if (blocks > kMaxGrid) return "state too large for one launch";
  BwdK k;
  k.n = a.n;
  k.dt = storage(a.dtype);
  if (k.dt < 0) return "unsupported dtype (float32, float16 and bfloat16 only)";
  k.idx32 = a.n <= int64_t(UINT32_MAX);
  k.u = a.u;
  k.v = a.v;
  k.gS = a.gS;
  k.gM = a.gM;
  k.beta = dparam(a.beta);
  k.th = dparam(a.th);
  k.g = dparam(a.g);
  k.gx = a.gx;
  k.gu = a.gu;
  k.any_sum = false;
  for (int q = 0; q < 3; ++q) {
    k.full[q] = static_cast<float*>(a.full[q]);
    k.sum[q] = a.sum[q] && a.full[q] == nullptr;
    k.any_sum = k.any_sum || k.sum[q];
  }
  k.partials = a.partials;
  if (k.any_sum && k.partials == nullptr) return "partials buffer missing";
  const SurrogateConsts<float> sc(static_cast<Surrogate>(a.surrogate), a.surrogate_param);
  const auto s = static_cast<cudaStream_t>(stream);
  auto run = [&](auto k_c, auto sg_c) {
    constexpr Surrogate K = decltype(k_c)::value;
    constexpr bool SG = decltype(sg_c)::value;
    dispatch_bool(a.rec_mode, [&](auto rec_c) {
      dispatch_mode(static_cast<Reset>(a.reset), a.immediate, [&](auto r_c, auto d_c) {
        constexpr bool REC = decltype(rec_c)::value, D = decltype(d_c)::value;
        constexpr Reset R = decltype(r_c)::value;
        step_bwd_kernel<K, SG, REC, R, D><<<static_cast<unsigned>(blocks), kThreads, 0, s>>>(k, sc);
      });
    });
  };
  if (a.sg) dispatch_surrogate(static_cast<Surrogate>(a.surrogate), [&](auto k_c) { run(k_c, std::true_type{}); });
  else run(std::integral_constant<Surrogate, Surrogate::ATan>{}, std::false_type{});
  return last_error();
}

}  // namespace cuda
}  // namespace snntorch::kernels
