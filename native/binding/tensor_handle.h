// The JS handle that owns one at::Tensor. Freed deterministically by dispose(); the GC finalizer is
// the fallback. External memory is reported to V8 so the GC sees what tensors hold.
#pragma once
#include <ATen/ATen.h>
#include <napi.h>

namespace snn {

class TensorHandle : public Napi::ObjectWrap<TensorHandle> {
 public:
  static Napi::Function DefineClass(Napi::Env env);
  explicit TensorHandle(const Napi::CallbackInfo& info);
  ~TensorHandle() override;

  // Wraps a tensor in a new JS handle (an undefined tensor becomes null).
  static Napi::Value New(Napi::Env env, at::Tensor t);
  // The tensor behind a JS value; throws a JS Error naming `what` if it is not a live handle.
  static at::Tensor& From(const Napi::Value& v, const char* what);
  static bool Is(const Napi::Value& v);

  static int64_t liveCount();
  static int64_t liveBytes();

 private:
  Napi::Value Dispose(const Napi::CallbackInfo& info);
  Napi::Value IsDisposed(const Napi::CallbackInfo& info);
  void release(Napi::Env env);

  at::Tensor tensor_;
  int64_t accounted_ = 0;
  bool live_ = false;
};

}  // namespace snn
