// The generic fused neuron step on CUDA: one forward and one backward kernel written over a traits
// type (neuron_traits.h, the CPU kernels' own per-element functions), instantiated per neuron.
// See fused_neuron_cuda.h for the contract.
//
// Bit parity with the CPU kernels needs every a*b+c rounded twice, as on the CPU: build this file
// with --fmad=false (CMakeLists.txt and scripts/check-cuda-compile.sh do). Division and sqrt stay
// IEEE (no --use_fast_math), denormals are kept (no -ftz). Alpha's derived logarithms are CUDA's
// logf (within 2 ulp of the CPU's), so its results may differ from the CPU's in the last bits.
#include <type_traits>

#include "cuda_common.cuh"
#include "fused_neuron_cuda.h"
#include "neuron_traits.h"
#include "step_dispatch.h"

namespace snntorch::kernels {
namespace cuda {
namespace {

template <class Tr>
struct GFwd {
  int64_t n;
  int dt;
  bool idx32;
  const void* in[Tr::kInputs];
  const void* s[Tr::kStates];
  DParam p[Tr::kParams];
  void* spk;
  void* out[Tr::kStates];
  void* v;
};

// Each thread loads all its kUnroll elements before computing any (memory-level parallelism: the
// stores in between could alias later loads, so the compiler would not hoist them itself).
template <class Tr, Reset R, bool D>
__global__ void __launch_bounds__(kThreads) neuron_fwd_kernel(const GFwd<Tr> a) {
  constexpr int NI = Tr::kInputs, NS = Tr::kStates, NP = Tr::kParams, ND = traits::derived_count<Tr>::value;
  const int64_t base = int64_t(blockIdx.x) * kPerBlock + threadIdx.x;
  float xi[kUnroll][NI], si[kUnroll][NS];
#pragma unroll
  for (int u = 0; u < kUnroll; ++u) {
    const int64_t i = base + int64_t(u) * kThreads;
#pragma unroll
    for (int k = 0; k < NI; ++k) xi[u][k] = i < a.n ? ld(a.dt, a.in[k], i) : 0.0f;
#pragma unroll
    for (int k = 0; k < NS; ++k) si[u][k] = i < a.n ? ld(a.dt, a.s[k], i) : 0.0f;
  }
#pragma unroll
  for (int u = 0; u < kUnroll; ++u) {
    const int64_t i = base + int64_t(u) * kThreads;
    if (i >= a.n) continue;
    float pi[NP + ND], so[NS], sp, vi;
#pragma unroll
    for (int k = 0; k < NP; ++k) pi[k] = pval(a.p[k], i, a.idx32);
    traits::derive<Tr>(pi);
    Tr::template forward<R, D>(xi[u], si[u], pi, sp, so, vi);
    st(a.dt, a.spk, i, sp);
#pragma unroll
    for (int k = 0; k < NS; ++k) st(a.dt, a.out[k], i, so[k]);
    if (a.v != nullptr) st(a.dt, a.v, i, vi);
  }
}

template <class Tr>
struct GBwd {
  int64_t n;
  int dt;
  bool idx32;
  const void* in[Tr::kInputs];  // read where the traits' backward takes the inputs
  const void* s[Tr::kStates];
  const void* v;
  const void* gS;
  const void* gout[Tr::kStates];
  DParam p[Tr::kParams];
  void* gin[Tr::kInputs];
  void* gs[Tr::kStates];
  float* full[Tr::kParams];
  bool sum[Tr::kParams];
  bool any_sum;
  double* partials;
};

template <class Tr, Surrogate K, bool SG, Reset R, bool D>
__global__ void __launch_bounds__(kThreads) neuron_bwd_kernel(const GBwd<Tr> a, const SurrogateConsts<float> sc) {
  constexpr int NI = Tr::kInputs, NS = Tr::kStates, NP = Tr::kParams, ND = traits::derived_count<Tr>::value;
  constexpr bool kIn = traits::saves_inputs<Tr>::value;
  const int64_t base = int64_t(blockIdx.x) * kPerBlock + threadIdx.x;
  float xi[kUnroll][NI], si[kUnroll][NS], go[kUnroll][NS], vs[kUnroll], gss[kUnroll];
#pragma unroll
  for (int u = 0; u < kUnroll; ++u) {
    const int64_t i = base + int64_t(u) * kThreads;
    const bool in = i < a.n;
#pragma unroll
    for (int k = 0; k < NI; ++k) xi[u][k] = kIn && in ? ld(a.dt, a.in[k], i) : 0.0f;
#pragma unroll
    for (int k = 0; k < NS; ++k) {
      si[u][k] = in ? ld(a.dt, a.s[k], i) : 0.0f;
      go[u][k] = in && a.gout[k] != nullptr ? ld(a.dt, a.gout[k], i) : 0.0f;
    }
    vs[u] = in ? ld(a.dt, a.v, i) : 0.0f;
    gss[u] = in && a.gS != nullptr ? ld(a.dt, a.gS, i) : 0.0f;
  }
  double acc[NP];
#pragma unroll
  for (int k = 0; k < NP; ++k) acc[k] = 0;
#pragma unroll
  for (int u = 0; u < kUnroll; ++u) {
    const int64_t i = base + int64_t(u) * kThreads;
    if (i >= a.n) continue;
    float pi[NP + ND], gi[NI], gsv[NS], gp[NP];
#pragma unroll
    for (int k = 0; k < NP; ++k) pi[k] = pval(a.p[k], i, a.idx32);
    traits::derive<Tr>(pi);
    traits::backward<Tr, K, SG, R, D>(sc, xi[u], si[u], vs[u], pi, gss[u], go[u], gi, gsv, gp);
#pragma unroll
    for (int k = 0; k < NI; ++k)
      if (a.gin[k] != nullptr) st(a.dt, a.gin[k], i, gi[k]);
#pragma unroll
    for (int k = 0; k < NS; ++k)
      if (a.gs[k] != nullptr) st(a.dt, a.gs[k], i, gsv[k]);
#pragma unroll
    for (int k = 0; k < NP; ++k) {
      if (a.full[k] != nullptr) a.full[k][i] = gp[k];
      else if (a.sum[k]) acc[k] += static_cast<double>(gp[k]);
    }
  }
  if (!a.any_sum) return;  // uniform over the grid
  __shared__ double red[kThreads / 32][NP];
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
#pragma unroll
  for (int k = 0; k < NP; ++k) {
    const double w = warp_sum(acc[k]);
    if (lane == 0) red[warp][k] = w;
  }
  __syncthreads();
  if (threadIdx.x < NP) {
    double t = 0;
    for (int w = 0; w < kThreads / 32; ++w) t += red[w][threadIdx.x];
    a.partials[int64_t(blockIdx.x) * NP + threadIdx.x] = t;
  }
}

template <class Tr>
const char* fwd(const NeuronFwdArgs& a, void* stream) {
  if (a.n <= 0) return nullptr;
  const int64_t blocks = blocks_for(a.n);
  if (blocks > kMaxGrid) return "state too large for one launch";
  GFwd<Tr> k;
  k.n = a.n;
  k.dt = storage(a.dtype);
  if (k.dt < 0) return "unsupported dtype (float32, float16 and bfloat16 only)";
  k.idx32 = a.n <= int64_t(UINT32_MAX);
  for (int q = 0; q < Tr::kInputs; ++q) {
    if (a.in[q] == nullptr) return "an input is missing";
    k.in[q] = a.in[q];
  }
  for (int q = 0; q < Tr::kStates; ++q) {
    if (a.s[q] == nullptr || a.out[q] == nullptr) return "a state is missing";
    k.s[q] = a.s[q];
    k.out[q] = a.out[q];
  }
  for (int q = 0; q < Tr::kParams; ++q) k.p[q] = dparam(a.p[q]);
  k.spk = a.spk;
  k.v = a.v;
  const bool immediate = Tr::kResetDelay && a.immediate;
  if (immediate && k.v == nullptr) return "the immediate reset needs the v output";
  const auto s = static_cast<cudaStream_t>(stream);
  dispatch_mode(static_cast<Reset>(a.reset), immediate, [&](auto r_c, auto d_c) {
    constexpr Reset R = decltype(r_c)::value;
    constexpr bool D = decltype(d_c)::value;
    neuron_fwd_kernel<Tr, R, D><<<static_cast<unsigned>(blocks), kThreads, 0, s>>>(k);
  });
  return last_error();
}

template <class Tr>
const char* bwd(const NeuronBwdArgs& a, void* stream) {
  if (a.n <= 0) return nullptr;
  const int64_t blocks = blocks_for(a.n);
  if (blocks > kMaxGrid) return "state too large for one launch";
  GBwd<Tr> k;
  k.n = a.n;
  k.dt = storage(a.dtype);
  if (k.dt < 0) return "unsupported dtype (float32, float16 and bfloat16 only)";
  k.idx32 = a.n <= int64_t(UINT32_MAX);
  for (int q = 0; q < Tr::kStates; ++q) {
    if (a.s[q] == nullptr) return "a saved state is missing";
    k.s[q] = a.s[q];
    k.gout[q] = a.gout[q];
    k.gs[q] = a.gs[q];
  }
  for (int q = 0; q < Tr::kInputs; ++q) {
    if (traits::saves_inputs<Tr>::value && a.in[q] == nullptr) return "a saved input is missing";
    k.in[q] = a.in[q];
    k.gin[q] = a.gin[q];
  }
  if (a.v == nullptr) return "the saved membrane is missing";
  k.v = a.v;
  k.gS = a.gS;
  k.any_sum = false;
  for (int q = 0; q < Tr::kParams; ++q) {
    k.p[q] = dparam(a.p[q]);
    k.full[q] = static_cast<float*>(a.full[q]);
    k.sum[q] = a.sum[q] && a.full[q] == nullptr && Tr::param_grad(q);
    k.any_sum = k.any_sum || k.sum[q];
  }
  k.partials = a.partials;
  if (k.any_sum && k.partials == nullptr) return "partials buffer missing";
  const bool immediate = Tr::kResetDelay && a.immediate;
  const SurrogateConsts<float> sc(static_cast<Surrogate>(a.surrogate), a.surrogate_param);
  const auto s = static_cast<cudaStream_t>(stream);
  auto run = [&](auto k_c, auto sg_c) {
    constexpr Surrogate K = decltype(k_c)::value;
    constexpr bool SG = decltype(sg_c)::value;
    dispatch_mode(static_cast<Reset>(a.reset), immediate, [&](auto r_c, auto d_c) {
      constexpr Reset R = decltype(r_c)::value;
      constexpr bool D = decltype(d_c)::value;
      neuron_bwd_kernel<Tr, K, SG, R, D><<<static_cast<unsigned>(blocks), kThreads, 0, s>>>(k, sc);
    });
  };
  if (a.sg) dispatch_surrogate(static_cast<Surrogate>(a.surrogate), [&](auto k_c) { run(k_c, std::true_type{}); });
  else run(std::integral_constant<Surrogate, Surrogate::ATan>{}, std::false_type{});
  return last_error();
}

}  // namespace

int64_t neuron_bwd_blocks(int64_t n) { return blocks_for(n); }

int neuron_params(NeuronKind k) {
  switch (k) {
    case NeuronKind::Synaptic: return traits::Synaptic::kParams;
    case NeuronKind::RSynaptic: return traits::RSynaptic::kParams;
    case NeuronKind::Lapicque: return traits::Lapicque::kParams;
    case NeuronKind::Leaky: return traits::Leaky::kParams;
    case NeuronKind::RLeaky: return traits::RLeaky::kParams;
    case NeuronKind::Alpha: return traits::Alpha::kParams;
  }
  return 0;
}

const char* launch_neuron_fwd(NeuronKind k, const NeuronFwdArgs& a, void* stream) {
  switch (k) {
    case NeuronKind::Synaptic: return fwd<traits::Synaptic>(a, stream);
    case NeuronKind::RSynaptic: return fwd<traits::RSynaptic>(a, stream);
    case NeuronKind::Lapicque: return fwd<traits::Lapicque>(a, stream);
    case NeuronKind::Leaky: return fwd<traits::Leaky>(a, stream);
    case NeuronKind::RLeaky: return fwd<traits::RLeaky>(a, stream);
    case NeuronKind::Alpha: return fwd<traits::Alpha>(a, stream);
  }
  return "unknown neuron kind";
}

const char* launch_neuron_bwd(NeuronKind k, const NeuronBwdArgs& a, void* stream) {
  switch (k) {
    case NeuronKind::Synaptic: return bwd<traits::Synaptic>(a, stream);
    case NeuronKind::RSynaptic: return bwd<traits::RSynaptic>(a, stream);
    case NeuronKind::Lapicque: return bwd<traits::Lapicque>(a, stream);
    case NeuronKind::Leaky: return bwd<traits::Leaky>(a, stream);
    case NeuronKind::RLeaky: return bwd<traits::RLeaky>(a, stream);
    case NeuronKind::Alpha: return bwd<traits::Alpha>(a, stream);
  }
  return "unknown neuron kind";
}

}  // namespace cuda
}  // namespace snntorch::kernels
