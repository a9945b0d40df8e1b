// Autograd: backward, grad, grad mode, and the per-tensor autograd attributes. Grad mode is
// thread-local in LibTorch; every op runs on the JS thread, so setting it here is what ops see.
#include <ATen/ATen.h>
#include <c10/core/GradMode.h>
#include <torch/csrc/autograd/autograd.h>
#include <torch/csrc/autograd/function.h>
#include <torch/csrc/autograd/variable.h>

#include "args.h"
#include "registry.h"

namespace snntorch::binding {

// backward(t, gradient?, retain_graph, create_graph)
NATIVE_FN(backward) {
  at::Tensor& t = argTensor(info, 0);
  auto g = argOptTensor(info, 1);
  c10::optional<bool> retain;
  if (!argIsMissing(info, 2)) retain = argBool(info, 2);
  t.backward(g.value_or(at::Tensor()), retain, argBool(info, 3));
  return info.Env().Undefined();
}

// grad(outputs[], inputs[], grad_outputs[]|null, retain_graph?, create_graph, allow_unused)
NATIVE_FN(autograd_grad) {
  auto outputs = argTensorList(info, 0);
  auto inputs = argTensorList(info, 1);
  std::vector<at::Tensor> gradOutputs;
  if (!argIsMissing(info, 2)) gradOutputs = argTensorList(info, 2);
  c10::optional<bool> retain;
  if (!argIsMissing(info, 3)) retain = argBool(info, 3);
  auto grads = torch::autograd::grad(outputs, inputs, gradOutputs, retain, argBool(info, 4), argBool(info, 5));
  return wrapList(info, grads);
}

NATIVE_FN(set_grad_enabled) {
  c10::GradMode::set_enabled(argBool(info, 0));
  return info.Env().Undefined();
}
NATIVE_FN(is_grad_enabled) { return Napi::Boolean::New(info.Env(), c10::GradMode::is_enabled()); }

NATIVE_FN(requires_grad) { return Napi::Boolean::New(info.Env(), argTensor(info, 0).requires_grad()); }
NATIVE_FN(set_requires_grad) {
  argTensor(info, 0).set_requires_grad(argBool(info, 1));
  return info.Env().Undefined();
}
NATIVE_FN(is_leaf) { return Napi::Boolean::New(info.Env(), argTensor(info, 0).is_leaf()); }
NATIVE_FN(grad_fn_name) {
  const auto& fn = argTensor(info, 0).grad_fn();
  if (!fn) return info.Env().Null();
  return Napi::String::New(info.Env(), fn->name());
}
NATIVE_FN(get_grad) { return wrap(info, argTensor(info, 0).grad()); }
NATIVE_FN(set_grad) {
  at::Tensor& t = argTensor(info, 0);
  t.mutable_grad() = argIsMissing(info, 1) ? at::Tensor() : argTensor(info, 1);
  return info.Env().Undefined();
}
NATIVE_FN(retain_grad) {
  argTensor(info, 0).retain_grad();
  return info.Env().Undefined();
}

}  // namespace snntorch::binding
