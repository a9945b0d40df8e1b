// Loop-invariant reuse for a layer (nn.Linear, nn.Conv2d) applied again to the same input with the
// same parameters: the layer's first result is kept, and a later call whose key still matches gets a
// copy of it (`clone`, one autograd node per call that passes its gradient through) instead of a new
// forward. All copies hang off one layer node, so autograd sums their gradients before that node runs:
// the forward runs once and the weight gradient is one GEMM.
//
// The key is what can change the result: the identity (weakly held, so the address cannot be reused),
// version counter, storage pointer, sizes, strides and requires_grad of the input and each parameter,
// plus the grad mode. In-place ops bump the version counter; `.data =` swaps the storage. The kept
// result's own version is part of the key too (an in-place op on the first result invalidates it),
// and a gradient hook on it marks the entry spent once backward has run through it, since the
// layer node's saved tensors are freed then.
#include <ATen/ATen.h>
#include <torch/csrc/autograd/variable.h>

#include <atomic>
#include <memory>
#include <optional>

#include "args.h"
#include "registry.h"

namespace snn {
namespace {

struct Key {
  using Weak = c10::weak_intrusive_ptr<c10::TensorImpl, c10::UndefinedTensorImpl>;
  std::optional<Weak> impl;
  const c10::TensorImpl* raw = nullptr;  // null: the slot held no tensor (e.g. no bias)
  uint32_t version = 0;
  const void* data = nullptr;
  std::vector<int64_t> sizes, strides;
  bool requires_grad = false;

  static bool usable(const at::Tensor& t) { return !t.defined() || !t.is_inference(); }

  void set(const at::Tensor& t) {
    if (!t.defined()) {
      impl.reset();
      raw = nullptr;
      return;
    }
    impl.emplace(t.getIntrusivePtr());
    raw = t.unsafeGetTensorImpl();
    version = t._version();
    data = t.data_ptr();
    sizes = t.sizes().vec();
    strides = t.strides().vec();
    requires_grad = t.requires_grad();
  }

  bool matches(const at::Tensor& t) const {
    if (!t.defined()) return raw == nullptr;
    return raw == t.unsafeGetTensorImpl() && impl.has_value() && !impl->expired() && version == t._version() && data == t.data_ptr() &&
           requires_grad == t.requires_grad() && t.sizes().equals(sizes) && t.strides().equals(strides);
  }
};

struct Entry {
  bool valid = false;
  bool grad_mode = false;
  Key x, w, b;
  at::Tensor y;
  uint32_t y_version = 0;
  std::shared_ptr<std::atomic<bool>> spent;
  int64_t hits = 0, misses = 0;

  void clear() {
    valid = false;
    y = at::Tensor();
    x.set(at::Tensor());
    w.set(at::Tensor());
    b.set(at::Tensor());
    spent.reset();
  }
};

// Tags our Externals so that any other External passed from JS is rejected, never reinterpreted.
constexpr napi_type_tag kReuseTag = {0x2c4f9a1e7b3d5c60ULL, 0x81f2e3d4c5b6a790ULL};

Entry& argEntry(const Napi::CallbackInfo& info, size_t i) {
  Napi::Value v = info[i];
  if (!v.IsExternal() || !v.As<Napi::External<Entry>>().CheckTypeTag(&kReuseTag)) {
    throw Napi::TypeError::New(info.Env(), "Expected a native reuse cache for argument " + std::to_string(i));
  }
  return *v.As<Napi::External<Entry>>().Data();
}

at::Tensor optTensor(const Napi::CallbackInfo& info, size_t i) {
  auto t = argOptTensor(info, i);
  return t.has_value() ? *t : at::Tensor();
}
}  // namespace

// reuse_cache_new(): an empty entry, freed with its JS handle.
NATIVE_FN(reuse_cache_new) {
  auto ext = Napi::External<Entry>::New(info.Env(), new Entry(), [](Napi::Env, Entry* p) { delete p; });
  ext.TypeTag(&kReuseTag);
  return ext;
}

// reuse_lookup(cache, x, weight, bias?): a copy of the kept result when the key matches, else null.
NATIVE_FN(reuse_lookup) {
  Entry& e = argEntry(info, 0);
  const at::Tensor& x = argTensor(info, 1);
  const at::Tensor& w = argTensor(info, 2);
  at::Tensor b = optTensor(info, 3);
  bool hit = e.valid && !(e.spent && e.spent->load()) && e.grad_mode == at::GradMode::is_enabled() && e.x.matches(x) &&
             e.w.matches(w) && e.b.matches(b) && e.y._version() == e.y_version;
  if (!hit) {
    if (e.valid) e.clear();
    return info.Env().Null();
  }
  e.hits++;
  return wrap(info, e.y.clone());
}

// reuse_store(cache, x, weight, bias?, y): keeps y (the caller returns y itself) under the current key.
NATIVE_FN(reuse_store) {
  Entry& e = argEntry(info, 0);
  const at::Tensor& x = argTensor(info, 1);
  const at::Tensor& w = argTensor(info, 2);
  at::Tensor b = optTensor(info, 3);
  const at::Tensor& y = argTensor(info, 4);
  e.clear();
  e.misses++;
  if (!Key::usable(x) || !Key::usable(w) || !Key::usable(b) || y.is_inference()) return info.Env().Undefined();
  e.x.set(x);
  e.w.set(w);
  e.b.set(b);
  e.grad_mode = at::GradMode::is_enabled();
  e.y = y;
  e.y_version = y._version();
  if (y.requires_grad()) {
    auto spent = std::make_shared<std::atomic<bool>>(false);
    // Holds only the flag, never the entry or y: no reference cycle through y's hooks.
    const_cast<at::Tensor&>(y).register_hook([spent](const at::Tensor&) { spent->store(true); });
    e.spent = spent;
  }
  e.valid = true;
  return info.Env().Undefined();
}

// reuse_clear(cache): drops the kept result (and with it the graph it holds).
NATIVE_FN(reuse_clear) {
  argEntry(info, 0).clear();
  return info.Env().Undefined();
}

// reuse_stats(cache): {hits: copies returned, misses: results computed and stored} since the cache was made.
NATIVE_FN(reuse_stats) {
  Entry& e = argEntry(info, 0);
  Napi::Object o = Napi::Object::New(info.Env());
  o.Set("hits", Napi::Number::New(info.Env(), static_cast<double>(e.hits)));
  o.Set("misses", Napi::Number::New(info.Env(), static_cast<double>(e.misses)));
  return o;
}

}  // namespace snn
