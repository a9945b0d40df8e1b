// Device helpers shared by the CUDA kernels (plain CUDA, no LibTorch): launch geometry, 16-bit
// storage loads/stores computed in float, broadcast parameters, and the warp reduction.
#pragma once
#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include <cstdint>

#include "fused_neuron_cuda.h"

namespace snntorch::kernels {
namespace cuda {
namespace {

constexpr int kThreads = 256;  // threads per block
constexpr int kUnroll = 4;     // elements per thread, loaded before any is computed (memory-level parallelism)
constexpr int64_t kPerBlock = int64_t(kThreads) * kUnroll;

// Storage: float32, float16 or bfloat16, chosen at run time (a warp-uniform branch per load and
// store); the maths is compiled once, in float, which keeps the kernel count (and nvcc's time) low.
enum : int { kF32 = 0, kF16 = 1, kBF16 = 2 };

__device__ __forceinline__ float ld(int dt, const void* __restrict__ p, int64_t i) {
  if (dt == kF32) return static_cast<const float*>(p)[i];
  if (dt == kF16) return __half2float(static_cast<const __half*>(p)[i]);
  return __bfloat162float(static_cast<const __nv_bfloat16*>(p)[i]);
}
__device__ __forceinline__ void st(int dt, void* __restrict__ p, int64_t i, float v) {
  if (dt == kF32) static_cast<float*>(p)[i] = v;
  else if (dt == kF16) static_cast<__half*>(p)[i] = __float2half_rn(v);
  else static_cast<__nv_bfloat16*>(p)[i] = __float2bfloat16_rn(v);
}

struct DParam {
  const float* p;
  int64_t inner, period;
};

DParam dparam(const ParamPtr& q) {
  return {static_cast<const float*>(q.p), q.inner < 1 ? 1 : q.inner, q.period < 1 ? 1 : q.period};
}

// p[(i / inner) % period]; warp-uniform branches; 32-bit division when the index allows it.
__device__ __forceinline__ float pval(const DParam& q, int64_t i, bool idx32) {
  if (q.p == nullptr) return 1.0f;
  if (q.period == 1) return q.p[0];
  if (idx32) {
    const uint32_t j = q.inner == 1 ? uint32_t(i) : uint32_t(i) / uint32_t(q.inner);
    return q.p[j % uint32_t(q.period)];
  }
  const int64_t j = q.inner == 1 ? i : i / q.inner;
  return q.p[j % q.period];
}

__device__ __forceinline__ double warp_sum(double x) {
#pragma unroll
  for (int off = 16; off > 0; off >>= 1) x += __shfl_down_sync(0xffffffffu, x, off);
  return x;
}

const char* last_error() {
  const cudaError_t e = cudaGetLastError();
  return e == cudaSuccess ? nullptr : cudaGetErrorString(e);
}

int64_t blocks_for(int64_t n) { return (n + kPerBlock - 1) / kPerBlock; }

constexpr int64_t kMaxGrid = 2147483647;  // gridDim.x limit

// -1 for a dtype these kernels do not take.
int storage(DType d) {
  switch (d) {
    case DType::Float32: return kF32;
    case DType::Float16: return kF16;
    case DType::BFloat16: return kBF16;
  }
  return -1;
}

}  // namespace
}  // namespace cuda
}  // namespace snntorch::kernels
