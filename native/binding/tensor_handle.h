// The JS handle that owns one at::Tensor. Freed deterministically by dispose(); the GC finalizer is
// the fallback and runs during the GC itself (see ~TensorHandle). External memory is reported to V8
// so the GC sees what tensors hold, and given back on both free paths.
#pragma once
#include <ATen/ATen.h>
#include <napi.h>

namespace snntorch::binding {

// The class is defined with raw Node-API callbacks rather than Napi::ObjectWrap: a worker being
// stopped (worker.terminate(), process.exit) makes Node-API calls fail at any point, and
// ObjectWrap's wrappers then throw a C++ exception out of a callback, which aborts the process.
// These callbacks never throw; the native calls that create handles run inside addon.cpp's guard.
class TensorHandle {
 public:
  static Napi::Function DefineClass(Napi::Env env);
  TensorHandle() = default;
  TensorHandle(const TensorHandle&) = delete;
  TensorHandle& operator=(const TensorHandle&) = delete;
  ~TensorHandle();

  // Wraps a tensor in a new JS handle (an undefined tensor becomes null).
  static Napi::Value New(Napi::Env env, at::Tensor t);
  // The tensor behind a JS value; throws a JS Error naming `what` if it is not a live handle.
  static at::Tensor& From(const Napi::Value& v, const char* what);
  static bool Is(const Napi::Value& v);

  static int64_t liveCount();
  static int64_t liveBytes();

 private:
  static napi_value Construct(napi_env env, napi_callback_info info) noexcept;
  static napi_value Dispose(napi_env env, napi_callback_info info) noexcept;
  static napi_value IsDisposed(napi_env env, napi_callback_info info) noexcept;
  static void Finalize(napi_env env, void* data, void* hint) noexcept;
  // The handle behind `value`, or null when it is not one of ours (checked by type tag first).
  static TensorHandle* unwrap(napi_env env, napi_value value) noexcept;
  void release(napi_env env);

  at::Tensor tensor_;
  napi_env env_ = nullptr;
  int64_t accounted_ = 0;
  bool live_ = false;
};

// Native tensors held outside tensor handles (an optimizer's state), counted in memory_stats beside
// the handles and reported to V8 as external memory the same way. The owner sets its current totals
// after each change and releases them when it is freed (GC-safe: it only adjusts counters and
// calls napi_adjust_external_memory).
class HeldMemory {
 public:
  void set(napi_env env, int64_t tensors, int64_t bytes);
  void release(napi_env env) { set(env, 0, 0); }
  static int64_t totalTensors();
  static int64_t totalBytes();

 private:
  int64_t tensors_ = 0;
  int64_t bytes_ = 0;
};

// Bytes a tensor accounts for (a view counts its own size, capped by its storage's).
int64_t accountedBytes(const at::Tensor& t);

}  // namespace snntorch::binding
