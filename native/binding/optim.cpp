// torch::optim optimizers behind a type-tagged N-API External. The optimizer holds at::Tensor
// copies of the JS Parameters (same TensorImpl), so step() updates them in place. Option checks
// with friendly messages live in lib/optim; here only conversions, and nothing JS sends can crash.
// What differs between optimizers (options, state) is in optim_kinds.cpp.
#include <torch/optim/optimizer.h>

#include <memory>
#include <string>
#include <vector>

#include "args.h"
#include "optim_kinds.h"
#include "registry.h"
#include "runtime/optim_state.h"
#include "runtime/zero_grad.h"
#include "tensor_handle.h"

namespace snntorch::binding {
namespace {

namespace optim = torch::optim;

struct Holder {
  const OptimizerKind* kind = nullptr;
  std::unique_ptr<optim::Optimizer> opt;
  // optim.Adam({fused: true}): step() runs the kind's fused kernel where it applies.
  bool fused = false;
  // The state tensors (Adam's moments, SGD's momentum) counted in memory_stats and V8's external memory.
  HeldMemory held;
  napi_env env = nullptr;
  ~Holder() { held.release(env); }
};

// Recounts the optimizer's state tensors after anything that may add or drop some.
void accountState(Holder& h) {
  int64_t tensors = 0;
  int64_t bytes = 0;
  if (h.opt) {
    for (auto& kv : h.opt->state()) h.kind->countState(*kv.second, tensors, bytes);
  }
  h.held.set(h.env, tensors, bytes);
}

// Tags our Externals so that any other External passed from JS is rejected, never reinterpreted.
constexpr napi_type_tag kOptimTag = {0x5b7e1f0c3a9d4e21ULL, 0x9e8d7c6b5a4f3e2dULL};

Holder& argOptim(const Napi::CallbackInfo& info, size_t i) {
  Napi::Value v = info[i];
  if (!v.IsExternal() || !v.As<Napi::External<Holder>>().CheckTypeTag(&kOptimTag)) {
    throw Napi::TypeError::New(info.Env(), "Expected a native optimizer for argument " + std::to_string(i));
  }
  Holder* h = v.As<Napi::External<Holder>>().Data();
  if (!h->opt) throw Napi::Error::New(info.Env(), "optimizer used after dispose()");
  return *h;
}

Napi::Object argObject(const Napi::CallbackInfo& info, size_t i) {
  Napi::Value v = info[i];
  if (!v.IsObject() || v.IsArray())
    throw Napi::TypeError::New(info.Env(), "Expected an object for argument " + std::to_string(i));
  return v.As<Napi::Object>();
}

// A param group from {params: T[], ...options}.
optim::OptimizerParamGroup groupFromJs(const Napi::CallbackInfo& info, const OptimizerKind& kind,
                                       const Napi::Object& g) {
  Napi::Value pv = g.Get("params");
  if (!pv.IsArray()) throw Napi::TypeError::New(info.Env(), "Expected an array of Tensors for params");
  Napi::Array a = pv.As<Napi::Array>();
  std::vector<at::Tensor> params;
  params.reserve(a.Length());
  for (uint32_t k = 0; k < a.Length(); k++) params.push_back(TensorHandle::From(a.Get(k), "params"));
  return optim::OptimizerParamGroup(std::move(params), kind.options(g));
}

optim::OptimizerParamGroup& groupAt(const Napi::CallbackInfo& info, Holder& h, size_t i) {
  int64_t g = argInt(info, i);
  auto& groups = h.opt->param_groups();
  if (g < 0 || g >= static_cast<int64_t>(groups.size())) throw std::out_of_range("param group index out of range");
  return groups[static_cast<size_t>(g)];
}

// The parameter with this global index (numbered across groups, as PyTorch's state_dict does).
const at::Tensor& paramAt(Holder& h, int64_t index) {
  int64_t k = 0;
  for (auto& g : h.opt->param_groups()) {
    for (auto& p : g.params()) {
      if (k++ == index) return p;
    }
  }
  throw std::out_of_range("parameter index out of range");
}

void alignState(Holder& h) {
  auto& state = h.opt->state();
  for (auto& g : h.opt->param_groups()) {
    for (auto& p : g.params()) {
      auto it = state.find(runtime::stateKey(p));
      if (it == state.end()) continue;
      h.kind->alignState(*it->second, p);
    }
  }
}

}  // namespace

// optim_create(kind, groups: [{params, ...options}]) -> optimizer
NATIVE_FN(optim_create) {
  const OptimizerKind& kind = optimizerKind(argString(info, 0));
  if (!info[1].IsArray()) throw Napi::TypeError::New(info.Env(), "Expected an array of param groups for argument 1");
  Napi::Array ga = info[1].As<Napi::Array>();
  std::vector<optim::OptimizerParamGroup> groups;
  for (uint32_t k = 0; k < ga.Length(); k++) {
    Napi::Value g = ga.Get(k);
    if (!g.IsObject()) throw Napi::TypeError::New(info.Env(), "Expected an object for each param group");
    groups.push_back(groupFromJs(info, kind, g.As<Napi::Object>()));
  }
  auto h = std::make_unique<Holder>();
  h->kind = &kind;
  h->env = info.Env();
  h->opt = kind.create(std::move(groups));
  auto ext = Napi::External<Holder>::New(info.Env(), h.release(), [](Napi::Env, Holder* p) { delete p; });
  ext.TypeTag(&kOptimTag);
  return ext;
}

// optim_add_param_group(opt, {params, ...options})
NATIVE_FN(optim_add_param_group) {
  Holder& h = argOptim(info, 0);
  h.opt->add_param_group(groupFromJs(info, *h.kind, argObject(info, 1)));
  return info.Env().Undefined();
}

NATIVE_FN(optim_step) {
  Holder& h = argOptim(info, 0);
  alignState(h);
  if (!h.fused || !h.kind->stepFused(*h.opt)) h.opt->step();
  accountState(h);
  return info.Env().Undefined();
}

// optim_set_fused(opt, fused)
NATIVE_FN(optim_set_fused) {
  Holder& h = argOptim(info, 0);
  h.fused = argBool(info, 1);
  return info.Env().Undefined();
}

// optim_zero_grad(opt, set_to_none)
NATIVE_FN(optim_zero_grad) {
  Holder& h = argOptim(info, 0);
  runtime::zeroGrad(h.opt->param_groups(), argBool(info, 1));
  return info.Env().Undefined();
}

// optim_get_options(opt, group) -> {lr, ...}
NATIVE_FN(optim_get_options) {
  Holder& h = argOptim(info, 0);
  return h.kind->optionsToJs(info.Env(), groupAt(info, h, 1).options());
}

// optim_set_options(opt, group, {lr?, ...}): sets the keys present
NATIVE_FN(optim_set_options) {
  Holder& h = argOptim(info, 0);
  auto& group = groupAt(info, h, 1);
  h.kind->setOptions(group.options(), argObject(info, 2));
  return info.Env().Undefined();
}

// optim_get_state(opt) -> per parameter (numbered across groups): null or its state
NATIVE_FN(optim_get_state) {
  Holder& h = argOptim(info, 0);
  Napi::Env env = info.Env();
  Napi::Array out = Napi::Array::New(env);
  uint32_t k = 0;
  auto& state = h.opt->state();
  for (auto& g : h.opt->param_groups()) {
    for (auto& p : g.params()) {
      auto it = state.find(runtime::stateKey(p));
      out.Set(k++, it == state.end() ? env.Null() : h.kind->stateToJs(env, *it->second));
    }
  }
  return out;
}

// optim_set_state(opt, index, state | null): replaces one parameter's state (tensors are copied)
NATIVE_FN(optim_set_state) {
  Holder& h = argOptim(info, 0);
  const at::Tensor& p = paramAt(h, argInt(info, 1));
  std::string key = runtime::stateKey(p);
  if (argIsMissing(info, 2)) {
    h.opt->state().erase(key);
    accountState(h);
    return info.Env().Undefined();
  }
  Napi::Object o = argObject(info, 2);
  std::unique_ptr<optim::OptimizerParamState> s = h.kind->stateFromJs(o, p);
  h.opt->state()[key] = std::move(s);
  accountState(h);
  return info.Env().Undefined();
}

// optim_dispose(opt): frees the optimizer's state now (the External's finalizer frees the rest)
NATIVE_FN(optim_dispose) {
  Napi::Value v = info[0];
  if (!v.IsExternal() || !v.As<Napi::External<Holder>>().CheckTypeTag(&kOptimTag)) {
    throw Napi::TypeError::New(info.Env(), "Expected a native optimizer for argument 0");
  }
  Holder* h = v.As<Napi::External<Holder>>().Data();
  h->opt.reset();
  accountState(*h);
  return info.Env().Undefined();
}

}  // namespace snntorch::binding
