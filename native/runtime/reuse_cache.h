// Loop-invariant reuse of a layer's result (see reuse_cache.cpp for the key and its invalidation).
#pragma once
#include <ATen/ATen.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

namespace snntorch::runtime {

struct ReuseKey {
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
    return raw == t.unsafeGetTensorImpl() && impl.has_value() && !impl->expired() && version == t._version() &&
           data == t.data_ptr() && requires_grad == t.requires_grad() && t.sizes().equals(sizes) &&
           t.strides().equals(strides);
  }
};

// One layer's kept result. An undefined bias means the layer has none.
class ReuseCache {
 public:
  // A copy of the kept result when the key still matches, else an undefined tensor (and the
  // entry is dropped).
  at::Tensor lookup(const at::Tensor& x, const at::Tensor& w, const at::Tensor& b);
  // Keeps y (the caller returns y itself) under the current key.
  void store(const at::Tensor& x, const at::Tensor& w, const at::Tensor& b, const at::Tensor& y);
  // Drops the kept result (and with it the graph it holds).
  void clear();
  int64_t hits() const { return hits_; }
  int64_t misses() const { return misses_; }

 private:
  bool valid = false;
  bool grad_mode = false;
  ReuseKey x, w, b;
  at::Tensor y;
  uint32_t y_version = 0;
  std::shared_ptr<std::atomic<bool>> spent;
  int64_t hits_ = 0, misses_ = 0;
};

}  // namespace snntorch::runtime
