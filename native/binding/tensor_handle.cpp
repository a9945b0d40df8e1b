#include "tensor_handle.h"

#include <algorithm>
#include <atomic>
#include <memory>

#include "addon_data.h"

namespace snntorch::binding {

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
  const napi_property_descriptor methods[] = {
      {"dispose", nullptr, Dispose, nullptr, nullptr, nullptr, napi_default_method, nullptr},
      {"isDisposed", nullptr, IsDisposed, nullptr, nullptr, nullptr, napi_default_method, nullptr},
  };
  napi_value cls = nullptr;
  napi_status status = napi_define_class(env, "TensorHandle", NAPI_AUTO_LENGTH, Construct, nullptr,
                                         sizeof(methods) / sizeof(methods[0]), methods, &cls);
  NAPI_THROW_IF_FAILED(env, status, Napi::Function());
  return Napi::Function(env, cls);
}

// `new TensorHandle()` from JS gives an empty object: only New() attaches and tags a tensor, so an
// object made in JS is never taken for a tensor.
napi_value TensorHandle::Construct(napi_env env, napi_callback_info info) noexcept {
  napi_value self = nullptr;
  if (napi_get_cb_info(env, info, nullptr, nullptr, &self, nullptr) != napi_ok) return nullptr;
  return self;
}

TensorHandle* TensorHandle::unwrap(napi_env env, napi_value value) noexcept {
  bool tagged = false;
  if (napi_check_object_type_tag(env, value, &kTensorTag, &tagged) != napi_ok || !tagged) return nullptr;
  void* data = nullptr;
  if (napi_unwrap(env, value, &data) != napi_ok) return nullptr;
  return static_cast<TensorHandle*>(data);
}

napi_value TensorHandle::Dispose(napi_env env, napi_callback_info info) noexcept {
  napi_value self = nullptr;
  if (napi_get_cb_info(env, info, nullptr, nullptr, &self, nullptr) != napi_ok) return nullptr;
  TensorHandle* h = unwrap(env, self);
  if (h == nullptr) {
    napi_throw_type_error(env, nullptr, "dispose() must be called on a tensor handle");
    return nullptr;
  }
  h->release(env);
  return nullptr;  // undefined
}

napi_value TensorHandle::IsDisposed(napi_env env, napi_callback_info info) noexcept {
  napi_value self = nullptr;
  if (napi_get_cb_info(env, info, nullptr, nullptr, &self, nullptr) != napi_ok) return nullptr;
  TensorHandle* h = unwrap(env, self);
  if (h == nullptr) {
    napi_throw_type_error(env, nullptr, "isDisposed() must be called on a tensor handle");
    return nullptr;
  }
  napi_value out = nullptr;
  napi_get_boolean(env, !h->live_, &out);
  return out;
}

void TensorHandle::Finalize(napi_env /*env*/, void* data, void* /*hint*/) noexcept {
  delete static_cast<TensorHandle*>(data);
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
  auto h = std::make_unique<TensorHandle>();
  napi_status status = napi_wrap(env, obj, h.get(), Finalize, nullptr, nullptr);
  NAPI_THROW_IF_FAILED(env, status, Napi::Value());
  TensorHandle* handle = h.release();  // owned by the JS object from here; Finalize deletes it
  status = napi_type_tag_object(env, obj, &kTensorTag);
  NAPI_THROW_IF_FAILED(env, status, Napi::Value());
  handle->env_ = env;
  handle->tensor_ = std::move(t);
  handle->live_ = true;
  handle->accounted_ = accountedBytes(handle->tensor_);
  gLiveCount++;
  gLiveBytes += handle->accounted_;
  if (handle->accounted_) {
    int64_t total = 0;
    napi_adjust_external_memory(env, handle->accounted_, &total);
  }
  return obj;
}

bool TensorHandle::Is(const Napi::Value& v) {
  if (!v.IsObject()) return false;
  bool tagged = false;
  napi_check_object_type_tag(v.Env(), v, &kTensorTag, &tagged);
  return tagged;
}

at::Tensor& TensorHandle::From(const Napi::Value& v, const char* what) {
  TensorHandle* h = v.IsObject() ? unwrap(v.Env(), v) : nullptr;
  if (h == nullptr) throw Napi::TypeError::New(v.Env(), std::string("Expected a Tensor for ") + what);
  if (!h->live_) throw Napi::Error::New(v.Env(), std::string("Tensor used after dispose() (") + what + ")");
  return h->tensor_;
}

int64_t TensorHandle::liveCount() { return gLiveCount.load(); }
int64_t TensorHandle::liveBytes() { return gLiveBytes.load(); }

}  // namespace snntorch::binding
