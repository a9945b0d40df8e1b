#include "args.h"

#include <cmath>
#include <unordered_map>

#include "tensor_handle.h"

namespace snntorch::binding {

namespace {
std::string where(size_t i) { return "argument " + std::to_string(i); }

// An integral double that converts to int64_t without undefined behaviour (|d| < 2^63).
bool fitsInt64(double d) { return std::isfinite(d) && std::floor(d) == d && std::fabs(d) < 9223372036854775808.0; }

Napi::Value at_(const Napi::CallbackInfo& info, size_t i) {
  return i < info.Length() ? info[i] : info.Env().Undefined();
}
}  // namespace

bool argIsMissing(const Napi::CallbackInfo& info, size_t i) {
  Napi::Value v = at_(info, i);
  return v.IsUndefined() || v.IsNull();
}

bool argIsTensor(const Napi::CallbackInfo& info, size_t i) { return TensorHandle::Is(at_(info, i)); }

at::Tensor& argTensor(const Napi::CallbackInfo& info, size_t i) {
  return TensorHandle::From(at_(info, i), where(i).c_str());
}

c10::optional<at::Tensor> argOptTensor(const Napi::CallbackInfo& info, size_t i) {
  if (argIsMissing(info, i)) return c10::nullopt;
  return argTensor(info, i);
}

std::vector<at::Tensor> argTensorList(const Napi::CallbackInfo& info, size_t i) {
  Napi::Value v = at_(info, i);
  if (!v.IsArray()) throw Napi::TypeError::New(info.Env(), "Expected an array of Tensors for " + where(i));
  Napi::Array a = v.As<Napi::Array>();
  std::vector<at::Tensor> out;
  out.reserve(a.Length());
  for (uint32_t k = 0; k < a.Length(); k++) out.push_back(TensorHandle::From(a.Get(k), where(i).c_str()));
  return out;
}

at::Scalar argScalar(const Napi::CallbackInfo& info, size_t i) {
  Napi::Value v = at_(info, i);
  if (v.IsBoolean()) return at::Scalar(v.As<Napi::Boolean>().Value());
  if (v.IsBigInt()) {
    bool lossless = true;
    return at::Scalar(static_cast<int64_t>(v.As<Napi::BigInt>().Int64Value(&lossless)));
  }
  if (v.IsNumber()) {
    double d = v.As<Napi::Number>().DoubleValue();
    // An integral JS number acts as a Python int (keeps integer tensors integral).
    if (std::isfinite(d) && std::floor(d) == d && std::fabs(d) < 9007199254740992.0)
      return at::Scalar(static_cast<int64_t>(d));
    return at::Scalar(d);
  }
  throw Napi::TypeError::New(info.Env(), "Expected a number for " + where(i));
}

c10::optional<at::Scalar> argOptScalar(const Napi::CallbackInfo& info, size_t i) {
  if (argIsMissing(info, i)) return c10::nullopt;
  return argScalar(info, i);
}

double argDouble(const Napi::CallbackInfo& info, size_t i) {
  Napi::Value v = at_(info, i);
  if (!v.IsNumber()) throw Napi::TypeError::New(info.Env(), "Expected a number for " + where(i));
  return v.As<Napi::Number>().DoubleValue();
}

int64_t argInt(const Napi::CallbackInfo& info, size_t i) {
  Napi::Value v = at_(info, i);
  if (v.IsBigInt()) {
    bool lossless = true;
    return v.As<Napi::BigInt>().Int64Value(&lossless);
  }
  if (!v.IsNumber()) throw Napi::TypeError::New(info.Env(), "Expected an integer for " + where(i));
  double d = v.As<Napi::Number>().DoubleValue();
  if (!fitsInt64(d)) throw Napi::TypeError::New(info.Env(), "Expected an integer for " + where(i));
  return static_cast<int64_t>(d);
}

c10::optional<int64_t> argOptInt(const Napi::CallbackInfo& info, size_t i) {
  if (argIsMissing(info, i)) return c10::nullopt;
  return argInt(info, i);
}

bool argBool(const Napi::CallbackInfo& info, size_t i) {
  Napi::Value v = at_(info, i);
  if (v.IsUndefined()) return false;
  if (!v.IsBoolean()) throw Napi::TypeError::New(info.Env(), "Expected a boolean for " + where(i));
  return v.As<Napi::Boolean>().Value();
}

std::string argString(const Napi::CallbackInfo& info, size_t i) {
  Napi::Value v = at_(info, i);
  if (!v.IsString()) throw Napi::TypeError::New(info.Env(), "Expected a string for " + where(i));
  return v.As<Napi::String>().Utf8Value();
}

std::vector<int64_t> argIntList(const Napi::CallbackInfo& info, size_t i) {
  Napi::Value v = at_(info, i);
  if (!v.IsArray()) throw Napi::TypeError::New(info.Env(), "Expected an array of integers for " + where(i));
  Napi::Array a = v.As<Napi::Array>();
  std::vector<int64_t> out(a.Length());
  for (uint32_t k = 0; k < a.Length(); k++) {
    Napi::Value e = a.Get(k);
    if (!e.IsNumber()) throw Napi::TypeError::New(info.Env(), "Expected an array of integers for " + where(i));
    double d = e.As<Napi::Number>().DoubleValue();
    if (!fitsInt64(d)) throw Napi::TypeError::New(info.Env(), "Expected an array of integers for " + where(i));
    out[k] = static_cast<int64_t>(d);
  }
  return out;
}

at::ScalarType dtypeFromName(const std::string& name) {
  static const std::unordered_map<std::string, at::ScalarType> m = {
      {"float32", at::kFloat}, {"float64", at::kDouble}, {"float16", at::kHalf}, {"bfloat16", at::kBFloat16},
      {"int32", at::kInt},     {"int64", at::kLong},     {"uint8", at::kByte},   {"bool", at::kBool},
      {"int8", at::kChar},     {"int16", at::kShort}};
  auto it = m.find(name);
  if (it == m.end()) throw std::invalid_argument("unknown dtype '" + name + "'");
  return it->second;
}

const char* dtypeName(at::ScalarType t) {
  switch (t) {
    case at::kFloat: return "float32";
    case at::kDouble: return "float64";
    case at::kHalf: return "float16";
    case at::kBFloat16: return "bfloat16";
    case at::kInt: return "int32";
    case at::kLong: return "int64";
    case at::kByte: return "uint8";
    case at::kBool: return "bool";
    case at::kChar: return "int8";
    case at::kShort: return "int16";
    default: return "unsupported";
  }
}

at::ScalarType argDtype(const Napi::CallbackInfo& info, size_t i) { return dtypeFromName(argString(info, i)); }

c10::optional<at::ScalarType> argOptDtype(const Napi::CallbackInfo& info, size_t i) {
  if (argIsMissing(info, i)) return c10::nullopt;
  return argDtype(info, i);
}

at::Device argDevice(const Napi::CallbackInfo& info, size_t i) {
  if (argIsMissing(info, i)) return at::Device(at::kCPU);
  return at::Device(argString(info, i));
}

Napi::Value wrap(const Napi::CallbackInfo& info, at::Tensor t) { return TensorHandle::New(info.Env(), std::move(t)); }

Napi::Value wrapList(const Napi::CallbackInfo& info, const std::vector<at::Tensor>& ts) {
  Napi::Array a = Napi::Array::New(info.Env(), ts.size());
  for (uint32_t k = 0; k < ts.size(); k++) a.Set(k, TensorHandle::New(info.Env(), ts[k]));
  return a;
}

Napi::Value intList(Napi::Env env, at::IntArrayRef v) {
  Napi::Array a = Napi::Array::New(env, v.size());
  for (uint32_t k = 0; k < v.size(); k++) a.Set(k, Napi::Number::New(env, static_cast<double>(v[k])));
  return a;
}

}  // namespace snntorch::binding
