// Registration of native exports: each binding file defines its functions with NATIVE_FN and they
// are collected here at load time, so adding a file needs no edit elsewhere.
#pragma once
#include <napi.h>
#include <vector>

namespace snntorch::binding {

using NativeFn = Napi::Value (*)(const Napi::CallbackInfo&);
struct Export {
  const char* name;
  NativeFn fn;
};
std::vector<Export>& exportRegistry();
struct Registrar {
  Registrar(const char* name, NativeFn fn) { exportRegistry().push_back({name, fn}); }
};

}  // namespace snntorch::binding

#define NATIVE_FN(name)                                                         \
  static Napi::Value native_##name(const Napi::CallbackInfo& info);             \
  static ::snntorch::binding::Registrar registrar_##name(#name, native_##name); \
  static Napi::Value native_##name(const Napi::CallbackInfo& info)
