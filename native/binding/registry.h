// Registration of native exports: each binding file defines its functions with NATIVE_FN and they
// are collected here at load time, so adding a file needs no edit elsewhere.
#pragma once
#include <napi.h>
#include <vector>

namespace snn {

using NativeFn = Napi::Value (*)(const Napi::CallbackInfo&);
struct Export {
  const char* name;
  NativeFn fn;
};
std::vector<Export>& exportRegistry();
struct Registrar {
  Registrar(const char* name, NativeFn fn) { exportRegistry().push_back({name, fn}); }
};

}  // namespace snn

#define NATIVE_FN(name)                                           \
  static Napi::Value native_##name(const Napi::CallbackInfo& info); \
  static ::snn::Registrar registrar_##name(#name, native_##name);  \
  static Napi::Value native_##name(const Napi::CallbackInfo& info)
