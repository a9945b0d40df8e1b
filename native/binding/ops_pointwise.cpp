// Elementwise ops: arithmetic, activations, comparisons, where/masked_fill, and in-place variants.
// A second operand may be a Tensor or a JS number (a Scalar), as in PyTorch.
#include <ATen/ATen.h>

#include "args.h"
#include "registry.h"

namespace snntorch::binding {

#define UNARY(name, expr)                     \
  NATIVE_FN(name) {                           \
    const at::Tensor& a = argTensor(info, 0); \
    return wrap(info, expr);                  \
  }

UNARY(neg, at::neg(a))
UNARY(exp, at::exp(a))
UNARY(log, at::log(a))
UNARY(log1p, at::log1p(a))
UNARY(abs, at::abs(a))
UNARY(sqrt, at::sqrt(a))
UNARY(rsqrt, at::rsqrt(a))
UNARY(square, at::square(a))
UNARY(sign, at::sign(a))
UNARY(floor, at::floor(a))
UNARY(ceil, at::ceil(a))
UNARY(round, at::round(a))
UNARY(trunc, at::trunc(a))
UNARY(reciprocal, at::reciprocal(a))
UNARY(sigmoid, at::sigmoid(a))
UNARY(tanh, at::tanh(a))
UNARY(relu, at::relu(a))
UNARY(atan, at::atan(a))
UNARY(sin, at::sin(a))
UNARY(cos, at::cos(a))
UNARY(logical_not, at::logical_not(a))
UNARY(isnan, at::isnan(a))
UNARY(isfinite, at::isfinite(a))

#define BINARY(name, tt, ts)                    \
  NATIVE_FN(name) {                             \
    const at::Tensor& a = argTensor(info, 0);   \
    if (argIsTensor(info, 1)) {                 \
      const at::Tensor& b = argTensor(info, 1); \
      return wrap(info, tt);                    \
    }                                           \
    at::Scalar s = argScalar(info, 1);          \
    return wrap(info, ts);                      \
  }

// alpha scales the second operand (torch.add(a, b, alpha=...)).
static at::Scalar alphaArg(const Napi::CallbackInfo& info) { return argOptScalar(info, 2).value_or(at::Scalar(1)); }

BINARY(add, at::add(a, b, alphaArg(info)), at::add(a, s, alphaArg(info)))
BINARY(sub, at::sub(a, b, alphaArg(info)), at::sub(a, s, alphaArg(info)))
BINARY(mul, at::mul(a, b), at::mul(a, s))
BINARY(pow, at::pow(a, b), at::pow(a, s))
BINARY(remainder, at::remainder(a, b), at::remainder(a, s))
BINARY(fmod, at::fmod(a, b), at::fmod(a, s))
BINARY(eq, at::eq(a, b), at::eq(a, s))
BINARY(ne, at::ne(a, b), at::ne(a, s))
BINARY(gt, at::gt(a, b), at::gt(a, s))
BINARY(ge, at::ge(a, b), at::ge(a, s))
BINARY(lt, at::lt(a, b), at::lt(a, s))
BINARY(le, at::le(a, b), at::le(a, s))
BINARY(maximum, at::maximum(a, b), at::clamp_min(a, s))
BINARY(minimum, at::minimum(a, b), at::clamp_max(a, s))
BINARY(logical_and, at::logical_and(a, b), at::logical_and(a, at::scalar_tensor(s, a.options())))
BINARY(logical_or, at::logical_or(a, b), at::logical_or(a, at::scalar_tensor(s, a.options())))

// div(a, b, rounding_mode?) with rounding_mode 'trunc' | 'floor' | undefined.
NATIVE_FN(div) {
  const at::Tensor& a = argTensor(info, 0);
  c10::optional<c10::string_view> mode;
  std::string m;
  if (!argIsMissing(info, 2)) {
    m = argString(info, 2);
    mode = m;
  }
  if (argIsTensor(info, 1)) return wrap(info, at::div(a, argTensor(info, 1), mode));
  return wrap(info, at::div(a, argScalar(info, 1), mode));
}

// Scalar first operand: rsub(t, s) = s - t; rpow(s, t) = s ** t; rdiv(t, s) = s / t.
NATIVE_FN(rsub) { return wrap(info, at::rsub(argTensor(info, 0), argScalar(info, 1))); }
NATIVE_FN(rpow) { return wrap(info, at::pow(argScalar(info, 0), argTensor(info, 1))); }
NATIVE_FN(rdiv) { return wrap(info, at::mul(at::reciprocal(argTensor(info, 0)), argScalar(info, 1))); }

NATIVE_FN(clamp) {
  const at::Tensor& a = argTensor(info, 0);
  if (argIsTensor(info, 1) || argIsTensor(info, 2))
    return wrap(info, at::clamp(a, argOptTensor(info, 1), argOptTensor(info, 2)));
  return wrap(info, at::clamp(a, argOptScalar(info, 1), argOptScalar(info, 2)));
}

NATIVE_FN(where) {
  const at::Tensor& c = argTensor(info, 0);
  bool tx = argIsTensor(info, 1), ty = argIsTensor(info, 2);
  if (tx && ty) return wrap(info, at::where(c, argTensor(info, 1), argTensor(info, 2)));
  if (tx) return wrap(info, at::where(c, argTensor(info, 1), argScalar(info, 2)));
  if (ty) return wrap(info, at::where(c, argScalar(info, 1), argTensor(info, 2)));
  return wrap(info, at::where(c, argScalar(info, 1), argScalar(info, 2)));
}

NATIVE_FN(masked_fill) {
  const at::Tensor& a = argTensor(info, 0);
  const at::Tensor& mask = argTensor(info, 1);
  if (argIsTensor(info, 2)) return wrap(info, at::masked_fill(a, mask, argTensor(info, 2)));
  return wrap(info, at::masked_fill(a, mask, argScalar(info, 2)));
}

NATIVE_FN(softmax) { return wrap(info, at::softmax(argTensor(info, 0), argInt(info, 1), argOptDtype(info, 2))); }
NATIVE_FN(log_softmax) {
  return wrap(info, at::log_softmax(argTensor(info, 0), argInt(info, 1), argOptDtype(info, 2)));
}

// ---- in-place variants: they mutate argument 0 and return nothing (TypeScript returns `this`).
#define INPLACE_BINARY(name, tt, ts)            \
  NATIVE_FN(name) {                             \
    at::Tensor& a = argTensor(info, 0);         \
    if (argIsTensor(info, 1)) {                 \
      const at::Tensor& b = argTensor(info, 1); \
      tt;                                       \
    } else {                                    \
      at::Scalar s = argScalar(info, 1);        \
      ts;                                       \
    }                                           \
    return info.Env().Undefined();              \
  }

INPLACE_BINARY(add_, a.add_(b, alphaArg(info)), a.add_(s, alphaArg(info)))
INPLACE_BINARY(sub_, a.sub_(b, alphaArg(info)), a.sub_(s, alphaArg(info)))
INPLACE_BINARY(mul_, a.mul_(b), a.mul_(s))
INPLACE_BINARY(div_, a.div_(b), a.div_(s))
INPLACE_BINARY(fill_, a.fill_(b), a.fill_(s))

NATIVE_FN(zero_) {
  argTensor(info, 0).zero_();
  return info.Env().Undefined();
}
NATIVE_FN(copy_) {
  argTensor(info, 0).copy_(argTensor(info, 1));
  return info.Env().Undefined();
}
NATIVE_FN(clamp_) {
  argTensor(info, 0).clamp_(argOptScalar(info, 1), argOptScalar(info, 2));
  return info.Env().Undefined();
}
NATIVE_FN(addcmul_) {
  argTensor(info, 0).addcmul_(argTensor(info, 1), argTensor(info, 2), argScalar(info, 3));
  return info.Env().Undefined();
}
NATIVE_FN(addcdiv_) {
  argTensor(info, 0).addcdiv_(argTensor(info, 1), argTensor(info, 2), argScalar(info, 3));
  return info.Env().Undefined();
}

}  // namespace snntorch::binding
