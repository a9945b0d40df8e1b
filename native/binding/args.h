// Argument conversion between N-API values and LibTorch types. Conversion only: validation with
// friendly messages lives in TypeScript; these checks only keep bad input from crashing.
#pragma once
#include <ATen/ATen.h>
#include <napi.h>
#include <c10/util/Optional.h>
#include <string>
#include <vector>

namespace snntorch::binding {

at::Tensor& argTensor(const Napi::CallbackInfo& info, size_t i);
c10::optional<at::Tensor> argOptTensor(const Napi::CallbackInfo& info, size_t i);
std::vector<at::Tensor> argTensorList(const Napi::CallbackInfo& info, size_t i);
at::Scalar argScalar(const Napi::CallbackInfo& info, size_t i);
c10::optional<at::Scalar> argOptScalar(const Napi::CallbackInfo& info, size_t i);
double argDouble(const Napi::CallbackInfo& info, size_t i);
int64_t argInt(const Napi::CallbackInfo& info, size_t i);
c10::optional<int64_t> argOptInt(const Napi::CallbackInfo& info, size_t i);
bool argBool(const Napi::CallbackInfo& info, size_t i);
std::string argString(const Napi::CallbackInfo& info, size_t i);
std::vector<int64_t> argIntList(const Napi::CallbackInfo& info, size_t i);
at::ScalarType argDtype(const Napi::CallbackInfo& info, size_t i);
c10::optional<at::ScalarType> argOptDtype(const Napi::CallbackInfo& info, size_t i);
at::Device argDevice(const Napi::CallbackInfo& info, size_t i);
bool argIsTensor(const Napi::CallbackInfo& info, size_t i);
bool argIsMissing(const Napi::CallbackInfo& info, size_t i);

at::ScalarType dtypeFromName(const std::string& name);
const char* dtypeName(at::ScalarType t);

Napi::Value wrap(const Napi::CallbackInfo& info, at::Tensor t);
Napi::Value wrapList(const Napi::CallbackInfo& info, const std::vector<at::Tensor>& ts);
Napi::Value intList(Napi::Env env, at::IntArrayRef v);

}  // namespace snntorch::binding
