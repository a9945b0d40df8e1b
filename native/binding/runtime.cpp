// Runtime facts and settings: LibTorch version, CUDA, threads (LibTorch's and the BLAS's), memory.
#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <ATen/detail/CUDAHooksInterface.h>
#include <c10/core/Allocator.h>
#include <dlfcn.h>

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

namespace snn {
namespace {

// The BLAS keeps its own thread pool (matmul speed follows it, not ATen's); reach it by symbol so
// the same binary works with OpenBLAS, MKL or neither.
using SetThreads = void (*)(int);
using GetThreads = int (*)();

struct Blas {
  const char* name = "none found";
  SetThreads set = nullptr;
  GetThreads get = nullptr;
};

void* blasSymbol(const char* sym) {
  if (void* p = dlsym(RTLD_DEFAULT, sym)) return p;
  // Node loads addons without RTLD_GLOBAL, so LibTorch's BLAS is not in the global scope: look in
  // the already-loaded libraries by name (RTLD_NOLOAD never loads anything new).
  for (const char* lib : {"libblas.so.3", "libopenblas.so.0", "libmkl_rt.so", "libmkl_rt.so.2"}) {
    if (void* h = dlopen(lib, RTLD_LAZY | RTLD_NOLOAD)) {
      void* p = dlsym(h, sym);
      dlclose(h);
      if (p) return p;
    }
  }
  return nullptr;
}

const Blas& blas() {
  static Blas b = [] {
    Blas r;
    if (auto s = reinterpret_cast<SetThreads>(blasSymbol("openblas_set_num_threads"))) {
      r.name = "OpenBLAS";
      r.set = s;
      r.get = reinterpret_cast<GetThreads>(blasSymbol("openblas_get_num_threads"));
    } else if (auto m = reinterpret_cast<SetThreads>(blasSymbol("MKL_Set_Num_Threads"))) {
      r.name = "MKL";
      r.set = m;
      r.get = reinterpret_cast<GetThreads>(blasSymbol("MKL_Get_Max_Threads"));
    }
    return r;
  }();
  return b;
}

}  // namespace

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
  o.Set("blas", blas().name);
  o.Set("blas_threads", Napi::Number::New(env, blas().get ? blas().get() : 0));
  o.Set("parallel_info", at::get_parallel_info());
  o.Set("cxx11_abi", Napi::Boolean::New(env, _GLIBCXX_USE_CXX11_ABI != 0));
  return o;
}

NATIVE_FN(set_num_threads) {
  int n = static_cast<int>(argInt(info, 0));
  at::set_num_threads(n);
  if (blas().set) blas().set(n);
  return info.Env().Undefined();
}
NATIVE_FN(get_num_threads) { return Napi::Number::New(info.Env(), at::get_num_threads()); }
// BLAS threads alone, for benchmarks that try the two pools separately.
NATIVE_FN(set_blas_threads) {
  if (blas().set) blas().set(static_cast<int>(argInt(info, 0)));
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
  throw Napi::Error::New(info.Env(), "CUDA is not available: this build of snntorch-node uses a LibTorch without CUDA or no GPU is present");
}

NATIVE_FN(memory_stats) {
  Napi::Object o = Napi::Object::New(info.Env());
  o.Set("live_tensors", Napi::Number::New(info.Env(), static_cast<double>(TensorHandle::liveCount())));
  o.Set("live_bytes", Napi::Number::New(info.Env(), static_cast<double>(TensorHandle::liveBytes())));
  o.Set("optimizer_tensors", Napi::Number::New(info.Env(), static_cast<double>(HeldMemory::totalTensors())));
  o.Set("optimizer_bytes", Napi::Number::New(info.Env(), static_cast<double>(HeldMemory::totalBytes())));
  // V8's own total of external memory (what tensors reported plus everything else), read back by a
  // zero adjustment.
  o.Set("v8_external_bytes", Napi::Number::New(info.Env(), static_cast<double>(Napi::MemoryManagement::AdjustExternalMemory(info.Env(), 0))));
  return o;
}

}  // namespace snn
