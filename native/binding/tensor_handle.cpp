#include "tensor_handle.h"

#include <algorithm>
#include <atomic>

#include "addon_data.h"

namespace snn {

namespace {
// Tags JS objects as our tensor handles, so a foreign object passed from JS is rejected, never
// reinterpreted.
constexpr napi_type_tag kTensorTag = {0x8f3a2c1d5e6b4a79ULL, 0x1c2d3e4f5a6b7c8dULL};
std::atomic<int64_t> gLiveCount{0};
std::atomic<int64_t> gLiveBytes{0};
std::atomic<int64_t> gHeldTensors{0};
std::atomic<int64_t> gHeldBytes{0};
}  // namespace

// A view counts its own size, capped by its storage's: an expanded view of a scalar must not report
// terabytes to V8.
int64_t accountedBytes(const at::Tensor& t) {
  if (!t.defined() || t.is_sparse() || !t.has_storage()) return 0;
  return static_cast<int64_t>(std::min(t.nbytes(), t.storage().nbytes()));
}

void HeldMemory::set(napi_env env, int64_t tensors, int64_t bytes) {
  const int64_t delta = bytes - bytes_;
  gHeldTensors += tensors - tensors_;
  gHeldBytes += delta;
  tensors_ = tensors;
  bytes_ = bytes;
  if (delta != 0 && env != nullptr) {
    int64_t total = 0;
    napi_adjust_external_memory(env, delta, &total);
  }
}
int64_t HeldMemory::totalTensors() { return gHeldTensors.load(); }
int64_t HeldMemory::totalBytes() { return gHeldBytes.load(); }

Napi::Function TensorHandle::DefineClass(Napi::Env env) {
  return ObjectWrap<TensorHandle>::DefineClass(
      env, "TensorHandle",
      {InstanceMethod<&TensorHandle::Dispose>("dispose"),
       InstanceMethod<&TensorHandle::IsDisposed>("isDisposed")});
}

TensorHandle::TensorHandle(const Napi::CallbackInfo& info) : Napi::ObjectWrap<TensorHandle>(info) {
  napi_type_tag_object(info.Env(), info.This(), &kTensorTag);
}

// The GC path. The addon declares the experimental Node-API version (addon.cpp), so Node runs this
// during the garbage collection that found the handle unreachable, not on a later event-loop turn:
// the tensor's memory goes back at once even in a loop that never yields. Only GC-safe work here:
// freeing C++ memory and napi_adjust_external_memory (a basic-env function).
TensorHandle::~TensorHandle() { release(env_); }

// Both free paths (dispose and GC) end here: the tensor reference is dropped, the live counts and
// V8's external-memory total are decremented by what New() added.
void TensorHandle::release(napi_env env) {
  if (!live_) return;
  live_ = false;
  tensor_ = at::Tensor();
  gLiveCount--;
  gLiveBytes -= accounted_;
  if (accounted_ && env != nullptr) {
    int64_t total = 0;
    napi_adjust_external_memory(env, -accounted_, &total);
  }
  accounted_ = 0;
}

Napi::Value TensorHandle::New(Napi::Env env, at::Tensor t) {
  if (!t.defined()) return env.Null();
  Napi::Object obj = addonData(env).tensorCtor.New({});
  TensorHandle* h = Unwrap(obj);
  h->env_ = env;
  h->tensor_ = std::move(t);
  h->live_ = true;
  h->accounted_ = accountedBytes(h->tensor_);
  gLiveCount++;
  gLiveBytes += h->accounted_;
  if (h->accounted_) Napi::MemoryManagement::AdjustExternalMemory(env, h->accounted_);
  return obj;
}

bool TensorHandle::Is(const Napi::Value& v) {
  if (!v.IsObject()) return false;
  bool tagged = false;
  napi_check_object_type_tag(v.Env(), v, &kTensorTag, &tagged);
  return tagged;
}

at::Tensor& TensorHandle::From(const Napi::Value& v, const char* what) {
  if (!Is(v)) throw Napi::TypeError::New(v.Env(), std::string("Expected a Tensor for ") + what);
  TensorHandle* h = Unwrap(v.As<Napi::Object>());
  if (!h->live_) throw Napi::Error::New(v.Env(), std::string("Tensor used after dispose() (") + what + ")");
  return h->tensor_;
}

Napi::Value TensorHandle::Dispose(const Napi::CallbackInfo& info) {
  release(info.Env());
  return info.Env().Undefined();
}

Napi::Value TensorHandle::IsDisposed(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), !live_);
}

int64_t TensorHandle::liveCount() { return gLiveCount.load(); }
int64_t TensorHandle::liveBytes() { return gLiveBytes.load(); }

}  // namespace snn
