// Runtime facts and settings: LibTorch version, CUDA, threads (LibTorch's and the BLAS's), memory.
#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <ATen/detail/CUDAHooksInterface.h>
#include <c10/core/Allocator.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <torch/csrc/api/include/torch/version.h>
#ifdef SNN_WITH_CUDA
#include <c10/cuda/CUDAFunctions.h>
#endif

#include "args.h"
#include "registry.h"
#include "tensor_handle.h"
#include "runtime/blas.h"
#include "runtime/cpu_allocator.h"
#include "runtime/threads.h"

namespace snntorch::binding {

NATIVE_FN(config) {
  Napi::Env env = info.Env();
  Napi::Object o = Napi::Object::New(env);
  o.Set("libtorch_version", TORCH_VERSION);
  o.Set("cuda_compiled", Napi::Boolean::New(env,
#ifdef SNN_WITH_CUDA
                                            true
#else
                                            false
#endif
                                            ));
  o.Set("cuda_available", Napi::Boolean::New(env, at::hasCUDA()));
  o.Set("num_threads", Napi::Number::New(env, at::get_num_threads()));
  o.Set("num_interop_threads", Napi::Number::New(env, at::get_num_interop_threads()));
  o.Set("blas", runtime::blasName());
  o.Set("blas_threads", Napi::Number::New(env, runtime::blasThreads()));
  o.Set("parallel_info", at::get_parallel_info());
  o.Set("cxx11_abi", Napi::Boolean::New(env, _GLIBCXX_USE_CXX11_ABI != 0));
  return o;
}

NATIVE_FN(set_num_threads) {
  runtime::setNumThreads(static_cast<int>(argInt(info, 0)));
  return info.Env().Undefined();
}
NATIVE_FN(get_num_threads) { return Napi::Number::New(info.Env(), at::get_num_threads()); }
// BLAS threads alone, for benchmarks that try the two pools separately.
NATIVE_FN(set_blas_threads) {
  runtime::setBlasThreads(static_cast<int>(argInt(info, 0)));
  return info.Env().Undefined();
}

NATIVE_FN(cuda_is_available) { return Napi::Boolean::New(info.Env(), at::hasCUDA()); }
NATIVE_FN(cuda_device_count) {
  return Napi::Number::New(info.Env(), at::hasCUDA() ? at::detail::getCUDAHooks().getNumGPUs() : 0);
}
NATIVE_FN(cuda_synchronize) {
#ifdef SNN_WITH_CUDA
  if (at::hasCUDA()) {
    c10::cuda::device_synchronize();
    return info.Env().Undefined();
  }
#endif
  throw Napi::Error::New(
      info.Env(),
      "CUDA is not available: this build of snntorch-node uses a LibTorch without CUDA or no GPU is present");
}

NATIVE_FN(memory_stats) {
  Napi::Object o = Napi::Object::New(info.Env());
  o.Set("live_tensors", Napi::Number::New(info.Env(), static_cast<double>(TensorHandle::liveCount())));
  o.Set("live_bytes", Napi::Number::New(info.Env(), static_cast<double>(TensorHandle::liveBytes())));
  o.Set("optimizer_tensors", Napi::Number::New(info.Env(), static_cast<double>(HeldMemory::totalTensors())));
  o.Set("optimizer_bytes", Napi::Number::New(info.Env(), static_cast<double>(HeldMemory::totalBytes())));
  // V8's own total of external memory (what tensors reported plus everything else), read back by a
  // zero adjustment.
  o.Set(
      "v8_external_bytes",
      Napi::Number::New(info.Env(), static_cast<double>(Napi::MemoryManagement::AdjustExternalMemory(info.Env(), 0))));
  return o;
}

// cpu_cache_stats() -> {cached_bytes, cap_bytes, hits, misses}
NATIVE_FN(cpu_cache_stats) {
  const runtime::CpuCacheStats c = runtime::cpuCacheStats();
  Napi::Object o = Napi::Object::New(info.Env());
  o.Set("cached_bytes", Napi::Number::New(info.Env(), static_cast<double>(c.cached_bytes)));
  o.Set("cap_bytes", Napi::Number::New(info.Env(), static_cast<double>(c.cap_bytes)));
  o.Set("hits", Napi::Number::New(info.Env(), static_cast<double>(c.hits)));
  o.Set("misses", Napi::Number::New(info.Env(), static_cast<double>(c.misses)));
  return o;
}

// cpu_empty_cache(): returns every cached block to the system.
NATIVE_FN(cpu_empty_cache) {
  runtime::cpuEmptyCache();
  return info.Env().Undefined();
}

}  // namespace snntorch::binding
