// Reading optimizer options and state from JS objects. Conversion only: lib/optim checks values.
#pragma once
#include <ATen/ATen.h>
#include <napi.h>

#include <tuple>

namespace snntorch::binding {

// Each reads an optional key of an options object; false when absent.
bool readNum(const Napi::Object& o, const char* k, double& out);
bool readBool(const Napi::Object& o, const char* k, bool& out);
bool readBetas(const Napi::Object& o, std::tuple<double, double>& out);

// A state tensor from JS, copied onto the parameter's device and dtype (PyTorch casts likewise).
at::Tensor stateTensor(const Napi::Object& o, const char* key, const at::Tensor& p, bool required);

}  // namespace snntorch::binding
