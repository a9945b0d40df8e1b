#include "optim_io.h"

#include <stdexcept>
#include <string>

#include "tensor_handle.h"

namespace snntorch::binding {

bool readNum(const Napi::Object& o, const char* k, double& out) {
  Napi::Value v = o.Get(k);
  if (v.IsUndefined() || v.IsNull()) return false;
  if (!v.IsNumber()) throw Napi::TypeError::New(o.Env(), std::string("Expected a number for option ") + k);
  out = v.As<Napi::Number>().DoubleValue();
  return true;
}

bool readBool(const Napi::Object& o, const char* k, bool& out) {
  Napi::Value v = o.Get(k);
  if (v.IsUndefined() || v.IsNull()) return false;
  if (!v.IsBoolean()) throw Napi::TypeError::New(o.Env(), std::string("Expected a boolean for option ") + k);
  out = v.As<Napi::Boolean>().Value();
  return true;
}

bool readBetas(const Napi::Object& o, std::tuple<double, double>& out) {
  Napi::Value v = o.Get("betas");
  if (v.IsUndefined() || v.IsNull()) return false;
  if (!v.IsArray() || v.As<Napi::Array>().Length() != 2 || !v.As<Napi::Array>().Get(0u).IsNumber() ||
      !v.As<Napi::Array>().Get(1u).IsNumber()) {
    throw Napi::TypeError::New(o.Env(), "Expected two numbers for option betas");
  }
  Napi::Array a = v.As<Napi::Array>();
  out = std::make_tuple(a.Get(0u).As<Napi::Number>().DoubleValue(), a.Get(1u).As<Napi::Number>().DoubleValue());
  return true;
}

at::Tensor stateTensor(const Napi::Object& o, const char* key, const at::Tensor& p, bool required) {
  Napi::Value v = o.Get(key);
  if (v.IsUndefined() || v.IsNull()) {
    if (required) throw std::invalid_argument(std::string("optimizer state is missing '") + key + "'");
    return at::Tensor();
  }
  const at::Tensor& t = TensorHandle::From(v, key);
  TORCH_CHECK(t.sizes() == p.sizes(), "optimizer state '", key, "' has shape ", t.sizes(),
              " but its parameter has shape ", p.sizes());
  return t.detach().to(p.device(), p.scalar_type(), /*non_blocking=*/false, /*copy=*/true);
}

}  // namespace snntorch::binding
