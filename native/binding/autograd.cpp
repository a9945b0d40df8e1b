// Autograd: backward, grad, grad mode, and the per-tensor autograd attributes. Grad mode is
// thread-local in LibTorch; every op runs on the JS thread, so setting it here is what ops see.
#include <ATen/ATen.h>
#include <c10/core/GradMode.h>
#include <torch/csrc/autograd/autograd.h>
#include <torch/csrc/autograd/custom_function.h>
#include <torch/csrc/autograd/function.h>
#include <torch/csrc/autograd/variable.h>

#include <atomic>
#include <mutex>
#include <vector>
#include <stdexcept>

#include "args.h"
#include "registry.h"
#include "tensor_handle.h"

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

// ------------------------------------------------------------------ backward hooks
// An identity node whose backward hands its incoming gradients to JS (module backward hooks).
// The JS callback runs synchronously inside backward, which is only possible when backward runs
// on the JS thread that built the node: LibTorch's engine runs CPU work on the calling thread, but
// device work (CUDA) on its own threads, and there the node refuses with an error instead.

namespace {

// The JS dispatcher of this thread's environment, (id, grads[]) => grads[] | undefined.
struct HookDispatcher {
  napi_env env = nullptr;
  Napi::FunctionReference* fn = nullptr;
  int64_t token = 0;
};
thread_local HookDispatcher tlDispatcher;
std::atomic<int64_t> nextToken{1};

// Ids of freed hook nodes, so JS can drop their callbacks (a node may be freed on any thread).
std::mutex releasedMutex;
std::vector<int64_t> releasedIds;

// Lives in a node's saved data and reports the node's id when the node is freed.
struct HookNodeId : torch::CustomClassHolder {
  explicit HookNodeId(int64_t i) : id(i) {}
  ~HookNodeId() override {
    std::lock_guard<std::mutex> lock(releasedMutex);
    releasedIds.push_back(id);
  }
  int64_t id;
};

struct HookIdentity : public torch::autograd::Function<HookIdentity> {
  // xs is a TensorList: that is how apply() counts each tensor as a differentiable input.
  static torch::autograd::variable_list forward(torch::autograd::AutogradContext* ctx, at::TensorList xs, int64_t id,
                                                int64_t token) {
    ctx->saved_data["id"] = at::IValue::make_capsule(c10::make_intrusive<HookNodeId>(id));
    ctx->saved_data["token"] = token;
    // Gradients that do not arrive stay undefined (null in JS), as PyTorch's hooks see None.
    ctx->set_materialize_grads(false);
    return xs.vec();
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grads) {
    const HookDispatcher& d = tlDispatcher;
    if (d.fn == nullptr || d.token != ctx->saved_data["token"].toInt()) {
      throw std::runtime_error(
          "module backward hooks can only run when backward runs on the JS thread that ran forward (CPU tensors); "
          "remove the backward hooks for device tensors");
    }
    Napi::Env env(d.env);
    Napi::HandleScope scope(env);
    Napi::Array arr = Napi::Array::New(env, grads.size());
    for (uint32_t k = 0; k < grads.size(); k++) arr.Set(k, TensorHandle::New(env, grads[k]));
    // A JS exception comes back as Napi::Error and leaves backward through the engine.
    Napi::Value r = d.fn->Call(
        {Napi::Number::New(env,
                           static_cast<double>(static_cast<HookNodeId*>(ctx->saved_data["id"].toCapsule().get())->id)),
         arr});
    torch::autograd::variable_list out = grads;
    if (r.IsArray()) {
      Napi::Array a = r.As<Napi::Array>();
      if (a.Length() != grads.size())
        throw std::runtime_error("backward hook dispatcher returned the wrong number of gradients");
      for (uint32_t k = 0; k < grads.size(); k++) {
        Napi::Value v = a.Get(k);
        out[k] = v.IsNull() || v.IsUndefined() ? at::Tensor() : TensorHandle::From(v, "backward hook gradient");
      }
    }
    out.push_back(at::Tensor());  // id
    out.push_back(at::Tensor());  // token
    return out;
  }
};

}  // namespace

// set_backward_hook_dispatcher(fn): the function hook_identity's nodes call, for this environment.
NATIVE_FN(set_backward_hook_dispatcher) {
  Napi::Env env = info.Env();
  HookDispatcher& d = tlDispatcher;
  if (d.fn != nullptr) {
    d.fn->Reset();
    delete d.fn;
  }
  d.fn = new Napi::FunctionReference(Napi::Persistent(info[0].As<Napi::Function>()));
  d.env = env;
  d.token = nextToken++;
  // The reference belongs to this environment: drop it when the environment goes away.
  env.AddCleanupHook([]() {
    HookDispatcher& t = tlDispatcher;
    delete t.fn;
    t.fn = nullptr;
    t.env = nullptr;
    t.token = 0;
  });
  return env.Undefined();
}

// hook_identity(tensors[], id): the tensors through one identity node whose backward calls the
// dispatcher with (id, grads[]).
NATIVE_FN(hook_identity) {
  if (tlDispatcher.fn == nullptr) throw std::runtime_error("hook_identity: no backward hook dispatcher is set");
  auto xs = argTensorList(info, 0);
  return wrapList(info, HookIdentity::apply(at::TensorList(xs), argInt(info, 1), tlDispatcher.token));
}

// backward_hooks_released(): the ids of hook nodes freed since the last call.
NATIVE_FN(backward_hooks_released) {
  std::vector<int64_t> ids;
  {
    std::lock_guard<std::mutex> lock(releasedMutex);
    ids.swap(releasedIds);
  }
  return intList(info.Env(), ids);
}

}  // namespace snntorch::binding
