// Tensor creation: from JS typed arrays (always copied, see docs/ARCHITECTURE.md, Tensor ownership)
// and LibTorch factories.
#include <ATen/ATen.h>
#include <torch/csrc/api/include/torch/utils.h>

#include "args.h"
#include "registry.h"
#include "rng.h"

namespace snntorch::binding {
namespace {

at::TensorOptions opts(const Napi::CallbackInfo& info, size_t dtypeArg, size_t deviceArg) {
  at::TensorOptions o;
  if (auto dt = argOptDtype(info, dtypeArg)) o = o.dtype(*dt);
  return o.device(argDevice(info, deviceArg));
}

// Factories take (..., dtype?, device?, requires_grad?) as their last three arguments.
Napi::Value finish(const Napi::CallbackInfo& info, at::Tensor t, size_t requiresGradArg) {
  if (argBool(info, requiresGradArg)) t.set_requires_grad(true);
  return wrap(info, std::move(t));
}

at::ScalarType typedArrayDtype(napi_typedarray_type t, Napi::Env env) {
  switch (t) {
    case napi_float32_array: return at::kFloat;
    case napi_float64_array: return at::kDouble;
    case napi_int32_array: return at::kInt;
    case napi_bigint64_array: return at::kLong;
    case napi_uint8_array:
    case napi_uint8_clamped_array: return at::kByte;
    case napi_int8_array: return at::kChar;
    case napi_int16_array: return at::kShort;
    default: throw Napi::TypeError::New(env, "unsupported typed array type");
  }
}

}  // namespace

// from_typed_array(array, shape, dtype?, device?, requires_grad?)
NATIVE_FN(from_typed_array) {
  if (!info[0].IsTypedArray()) throw Napi::TypeError::New(info.Env(), "Expected a typed array for argument 0");
  Napi::TypedArray a = info[0].As<Napi::TypedArray>();
  std::vector<int64_t> shape = argIntList(info, 1);
  at::ScalarType src = typedArrayDtype(a.TypedArrayType(), info.Env());
  int64_t n = 1;
  for (int64_t s : shape) {
    if (s < 0) throw Napi::RangeError::New(info.Env(), "negative dimension in shape");
    n *= s;
  }
  if (static_cast<size_t>(n) != a.ElementLength())
    throw Napi::RangeError::New(info.Env(), "shape has " + std::to_string(n) + " elements but the data has " +
                                                std::to_string(a.ElementLength()));
  auto* base = static_cast<uint8_t*>(a.ArrayBuffer().Data()) + a.ByteOffset();
  at::Tensor t = n == 0 ? at::empty(shape, at::TensorOptions().dtype(src))
                        : at::from_blob(base, shape, at::TensorOptions().dtype(src)).clone();
  auto dt = argOptDtype(info, 2);
  if (dt && *dt != src) t = t.to(*dt);
  at::Device dev = argDevice(info, 3);
  if (dev != t.device()) t = t.to(dev);
  return finish(info, std::move(t), 4);
}

NATIVE_FN(zeros) { return finish(info, at::zeros(argIntList(info, 0), opts(info, 1, 2)), 3); }
NATIVE_FN(ones) { return finish(info, at::ones(argIntList(info, 0), opts(info, 1, 2)), 3); }
NATIVE_FN(empty) { return finish(info, at::empty(argIntList(info, 0), opts(info, 1, 2)), 3); }
NATIVE_FN(full) { return finish(info, at::full(argIntList(info, 0), argScalar(info, 1), opts(info, 2, 3)), 4); }
NATIVE_FN(eye) { return finish(info, at::eye(argInt(info, 0), argInt(info, 1), opts(info, 2, 3)), 4); }
NATIVE_FN(arange) {
  return finish(info, at::arange(argScalar(info, 0), argScalar(info, 1), argScalar(info, 2), opts(info, 3, 4)), 5);
}
NATIVE_FN(linspace) {
  return finish(info, at::linspace(argScalar(info, 0), argScalar(info, 1), argInt(info, 2), opts(info, 3, 4)), 5);
}
// Random factories draw from this thread's generator (see rng.h).
NATIVE_FN(rand) {
  auto o = opts(info, 1, 2);
  return finish(info, at::rand(argIntList(info, 0), threadGenerator(o.device()), o), 3);
}
NATIVE_FN(randn) {
  auto o = opts(info, 1, 2);
  return finish(info, at::randn(argIntList(info, 0), threadGenerator(o.device()), o), 3);
}
NATIVE_FN(randint) {
  auto o = opts(info, 3, 4);
  return finish(info,
                at::randint(argInt(info, 0), argInt(info, 1), argIntList(info, 2), threadGenerator(o.device()), o), 5);
}
NATIVE_FN(randperm) {
  auto o = opts(info, 1, 2);
  return finish(info, at::randperm(argInt(info, 0), threadGenerator(o.device()), o), 3);
}
NATIVE_FN(bernoulli) {
  at::Tensor& p = argTensor(info, 0);
  auto gen = threadGenerator(p.device());
  return wrap(info, argIsMissing(info, 1) ? at::bernoulli(p, gen) : at::bernoulli(p, argDouble(info, 1), gen));
}
// *_like(src, [fill,] dtype?, device?, requires_grad?): dtype and device default to src's.
static at::TensorOptions likeOpts(const Napi::CallbackInfo& info, size_t dtypeArg) {
  const at::Tensor& src = argTensor(info, 0);
  return at::TensorOptions()
      .dtype(argOptDtype(info, dtypeArg).value_or(src.scalar_type()))
      .device(argIsMissing(info, dtypeArg + 1) ? src.device() : argDevice(info, dtypeArg + 1));
}

NATIVE_FN(zeros_like) { return finish(info, at::zeros_like(argTensor(info, 0), likeOpts(info, 1)), 3); }
NATIVE_FN(ones_like) { return finish(info, at::ones_like(argTensor(info, 0), likeOpts(info, 1)), 3); }
// rand_like / randn_like are empty_like + uniform_ / normal_ in ATen; with a thread generator the same.
NATIVE_FN(rand_like) {
  auto o = likeOpts(info, 1);
  if (auto gen = threadGenerator(o.device()))
    return finish(info, at::empty_like(argTensor(info, 0), o).uniform_(0, 1, gen), 3);
  return finish(info, at::rand_like(argTensor(info, 0), o), 3);
}
NATIVE_FN(randn_like) {
  auto o = likeOpts(info, 1);
  if (auto gen = threadGenerator(o.device()))
    return finish(info, at::empty_like(argTensor(info, 0), o).normal_(0, 1, gen), 3);
  return finish(info, at::randn_like(argTensor(info, 0), o), 3);
}
NATIVE_FN(full_like) {
  return finish(info, at::full_like(argTensor(info, 0), argScalar(info, 1), likeOpts(info, 2)), 4);
}

NATIVE_FN(manual_seed) {
  seedThisThread(static_cast<uint64_t>(argInt(info, 0)));
  return info.Env().Undefined();
}

}  // namespace snntorch::binding
