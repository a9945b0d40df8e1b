// The N-API face of runtime::ReuseCache: a type-tagged External per layer.
#include "args.h"
#include "registry.h"
#include "runtime/reuse_cache.h"

namespace snntorch::binding {
namespace {

using runtime::ReuseCache;

// Tags our Externals so that any other External passed from JS is rejected, never reinterpreted.
constexpr napi_type_tag kReuseTag = {0x2c4f9a1e7b3d5c60ULL, 0x81f2e3d4c5b6a790ULL};

ReuseCache& argCache(const Napi::CallbackInfo& info, size_t i) {
  Napi::Value v = info[i];
  if (!v.IsExternal() || !v.As<Napi::External<ReuseCache>>().CheckTypeTag(&kReuseTag)) {
    throw Napi::TypeError::New(info.Env(), "Expected a native reuse cache for argument " + std::to_string(i));
  }
  return *v.As<Napi::External<ReuseCache>>().Data();
}

at::Tensor optTensor(const Napi::CallbackInfo& info, size_t i) {
  auto t = argOptTensor(info, i);
  return t.has_value() ? *t : at::Tensor();
}
}  // namespace

// reuse_cache_new(): an empty entry, freed with its JS handle.
NATIVE_FN(reuse_cache_new) {
  auto ext = Napi::External<ReuseCache>::New(info.Env(), new ReuseCache(), [](Napi::Env, ReuseCache* p) { delete p; });
  ext.TypeTag(&kReuseTag);
  return ext;
}

// reuse_lookup(cache, x, weight, bias?): a copy of the kept result when the key matches, else null.
NATIVE_FN(reuse_lookup) {
  ReuseCache& c = argCache(info, 0);
  const at::Tensor& x = argTensor(info, 1);
  const at::Tensor& w = argTensor(info, 2);
  at::Tensor b = optTensor(info, 3);
  at::Tensor y = c.lookup(x, w, b);
  if (!y.defined()) return info.Env().Null();
  return wrap(info, std::move(y));
}

// reuse_store(cache, x, weight, bias?, y): keeps y (the caller returns y itself) under the current key.
NATIVE_FN(reuse_store) {
  ReuseCache& c = argCache(info, 0);
  const at::Tensor& x = argTensor(info, 1);
  const at::Tensor& w = argTensor(info, 2);
  at::Tensor b = optTensor(info, 3);
  const at::Tensor& y = argTensor(info, 4);
  c.store(x, w, b, y);
  return info.Env().Undefined();
}

// reuse_clear(cache): drops the kept result (and with it the graph it holds).
NATIVE_FN(reuse_clear) {
  argCache(info, 0).clear();
  return info.Env().Undefined();
}

// reuse_stats(cache): {hits: copies returned, misses: results computed and stored} since the cache was made.
NATIVE_FN(reuse_stats) {
  ReuseCache& c = argCache(info, 0);
  Napi::Object o = Napi::Object::New(info.Env());
  o.Set("hits", Napi::Number::New(info.Env(), static_cast<double>(c.hits())));
  o.Set("misses", Napi::Number::New(info.Env(), static_cast<double>(c.misses())));
  return o;
}

}  // namespace snntorch::binding
