// torch::optim optimizers behind a type-tagged N-API External. The optimizer holds at::Tensor
// copies of the JS Parameters (same TensorImpl), so step() updates them in place. Option checks
// with friendly messages live in lib/optim; here only conversions, and nothing JS sends can crash.
#include <torch/optim/adam.h>
#include <torch/optim/adamw.h>
#include <torch/optim/sgd.h>

#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "args.h"
#include "registry.h"
#include "tensor_handle.h"

namespace snn {
namespace {

namespace optim = torch::optim;

enum class Kind { Adam, AdamW, SGD };

struct Holder {
  Kind kind;
  std::unique_ptr<optim::Optimizer> opt;
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
    auto add = [&](const at::Tensor& t) {
      if (!t.defined()) return;
      tensors++;
      bytes += accountedBytes(t);
    };
    for (auto& kv : h.opt->state()) {
      switch (h.kind) {
        case Kind::Adam: {
          auto& s = static_cast<const optim::AdamParamState&>(*kv.second);
          add(s.exp_avg()); add(s.exp_avg_sq()); add(s.max_exp_avg_sq());
          break;
        }
        case Kind::AdamW: {
          auto& s = static_cast<const optim::AdamWParamState&>(*kv.second);
          add(s.exp_avg()); add(s.exp_avg_sq()); add(s.max_exp_avg_sq());
          break;
        }
        case Kind::SGD: add(static_cast<const optim::SGDParamState&>(*kv.second).momentum_buffer()); break;
      }
    }
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

Kind kindFromName(const std::string& name) {
  if (name == "adam") return Kind::Adam;
  if (name == "adamw") return Kind::AdamW;
  if (name == "sgd") return Kind::SGD;
  throw std::invalid_argument("unknown optimizer kind '" + name + "'");
}

Napi::Object argObject(const Napi::CallbackInfo& info, size_t i) {
  Napi::Value v = info[i];
  if (!v.IsObject() || v.IsArray()) throw Napi::TypeError::New(info.Env(), "Expected an object for argument " + std::to_string(i));
  return v.As<Napi::Object>();
}

// Reads an optional key of an options object; false when absent.
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

// Adam and AdamW options have the same fields under different types.
template <typename O>
void applyAdamLike(O& opts, const Napi::Object& o) {
  double d;
  bool b;
  std::tuple<double, double> betas;
  if (readNum(o, "lr", d)) opts.lr(d);
  if (readBetas(o, betas)) opts.betas(betas);
  if (readNum(o, "eps", d)) opts.eps(d);
  if (readNum(o, "weight_decay", d)) opts.weight_decay(d);
  if (readBool(o, "amsgrad", b)) opts.amsgrad(b);
}
void applySgd(optim::SGDOptions& opts, const Napi::Object& o) {
  double d;
  bool b;
  if (readNum(o, "lr", d)) opts.lr(d);
  if (readNum(o, "momentum", d)) opts.momentum(d);
  if (readNum(o, "dampening", d)) opts.dampening(d);
  if (readNum(o, "weight_decay", d)) opts.weight_decay(d);
  if (readBool(o, "nesterov", b)) opts.nesterov(b);
}

void applyOptions(Kind kind, optim::OptimizerOptions& opts, const Napi::Object& o) {
  switch (kind) {
    case Kind::Adam: return applyAdamLike(static_cast<optim::AdamOptions&>(opts), o);
    case Kind::AdamW: return applyAdamLike(static_cast<optim::AdamWOptions&>(opts), o);
    case Kind::SGD: return applySgd(static_cast<optim::SGDOptions&>(opts), o);
  }
}

std::unique_ptr<optim::OptimizerOptions> freshOptions(Kind kind) {
  switch (kind) {
    case Kind::Adam: return std::make_unique<optim::AdamOptions>();
    case Kind::AdamW: return std::make_unique<optim::AdamWOptions>();
    case Kind::SGD: return std::make_unique<optim::SGDOptions>(0.0);
  }
  return nullptr;
}

template <typename O>
Napi::Object adamLikeToJs(Napi::Env env, const O& opts) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("lr", opts.lr());
  Napi::Array betas = Napi::Array::New(env, 2);
  betas.Set(0u, Napi::Number::New(env, std::get<0>(opts.betas())));
  betas.Set(1u, Napi::Number::New(env, std::get<1>(opts.betas())));
  o.Set("betas", betas);
  o.Set("eps", opts.eps());
  o.Set("weight_decay", opts.weight_decay());
  o.Set("amsgrad", opts.amsgrad());
  return o;
}

Napi::Object optionsToJs(Napi::Env env, Kind kind, const optim::OptimizerOptions& opts) {
  switch (kind) {
    case Kind::Adam: return adamLikeToJs(env, static_cast<const optim::AdamOptions&>(opts));
    case Kind::AdamW: return adamLikeToJs(env, static_cast<const optim::AdamWOptions&>(opts));
    case Kind::SGD: {
      const auto& s = static_cast<const optim::SGDOptions&>(opts);
      Napi::Object o = Napi::Object::New(env);
      o.Set("lr", s.lr());
      o.Set("momentum", s.momentum());
      o.Set("dampening", s.dampening());
      o.Set("weight_decay", s.weight_decay());
      o.Set("nesterov", s.nesterov());
      return o;
    }
  }
  return Napi::Object::New(env);
}

// A param group from {params: T[], ...options}.
optim::OptimizerParamGroup groupFromJs(const Napi::CallbackInfo& info, Kind kind, const Napi::Object& g) {
  Napi::Value pv = g.Get("params");
  if (!pv.IsArray()) throw Napi::TypeError::New(info.Env(), "Expected an array of Tensors for params");
  Napi::Array a = pv.As<Napi::Array>();
  std::vector<at::Tensor> params;
  params.reserve(a.Length());
  for (uint32_t k = 0; k < a.Length(); k++) params.push_back(TensorHandle::From(a.Get(k), "params"));
  auto opts = freshOptions(kind);
  applyOptions(kind, *opts, g);
  return optim::OptimizerParamGroup(std::move(params), std::move(opts));
}

optim::OptimizerParamGroup& groupAt(const Napi::CallbackInfo& info, Holder& h, size_t i) {
  int64_t g = argInt(info, i);
  auto& groups = h.opt->param_groups();
  if (g < 0 || g >= static_cast<int64_t>(groups.size())) throw std::out_of_range("param group index out of range");
  return groups[static_cast<size_t>(g)];
}

// LibTorch keys per-parameter state by the TensorImpl's address.
std::string stateKey(const at::Tensor& p) { return c10::guts::to_string(p.unsafeGetTensorImpl()); }

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

// A state tensor from JS, copied onto the parameter's device and dtype (PyTorch casts likewise).
at::Tensor stateTensor(const Napi::Object& o, const char* key, const at::Tensor& p, bool required) {
  Napi::Value v = o.Get(key);
  if (v.IsUndefined() || v.IsNull()) {
    if (required) throw std::invalid_argument(std::string("optimizer state is missing '") + key + "'");
    return at::Tensor();
  }
  const at::Tensor& t = TensorHandle::From(v, key);
  TORCH_CHECK(t.sizes() == p.sizes(), "optimizer state '", key, "' has shape ", t.sizes(), " but its parameter has shape ",
              p.sizes());
  return t.detach().to(p.device(), p.scalar_type(), /*non_blocking=*/false, /*copy=*/true);
}

template <typename S>
Napi::Value adamStateToJs(Napi::Env env, const S& s) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("step", Napi::Number::New(env, static_cast<double>(s.step())));
  o.Set("exp_avg", TensorHandle::New(env, s.exp_avg()));
  o.Set("exp_avg_sq", TensorHandle::New(env, s.exp_avg_sq()));
  if (s.max_exp_avg_sq().defined()) o.Set("max_exp_avg_sq", TensorHandle::New(env, s.max_exp_avg_sq()));
  return o;
}

template <typename S>
std::unique_ptr<optim::OptimizerParamState> adamStateFromJs(const Napi::Object& o, const at::Tensor& p) {
  auto s = std::make_unique<S>();
  double step = 0;
  readNum(o, "step", step);
  s->step(static_cast<int64_t>(step));
  s->exp_avg(stateTensor(o, "exp_avg", p, true));
  s->exp_avg_sq(stateTensor(o, "exp_avg_sq", p, true));
  s->max_exp_avg_sq(stateTensor(o, "max_exp_avg_sq", p, false));
  return s;
}

// A state tensor follows its parameter's dtype and device (as PyTorch's load_state_dict casts
// them): after model.to('float64') or .cuda() the next step would otherwise mix dtypes and fail
// inside ATen. A shape change cannot be followed and is reported with the fix.
void alignTensor(at::Tensor& s, const at::Tensor& p, const char* name) {
  if (!s.defined()) return;
  TORCH_CHECK(s.sizes() == p.sizes(), "optimizer state '", name, "' has shape ", s.sizes(), " but its parameter now has shape ",
              p.sizes(), ": create a new optimizer (or clear its state) after changing a parameter's shape");
  if (s.scalar_type() != p.scalar_type() || s.device() != p.device()) s = s.to(p.device(), p.scalar_type());
}

template <typename S>
void alignAdamState(S& s, const at::Tensor& p) {
  at::Tensor t = s.exp_avg();
  alignTensor(t, p, "exp_avg");
  s.exp_avg(t);
  t = s.exp_avg_sq();
  alignTensor(t, p, "exp_avg_sq");
  s.exp_avg_sq(t);
  t = s.max_exp_avg_sq();
  if (t.defined()) {
    alignTensor(t, p, "max_exp_avg_sq");
    s.max_exp_avg_sq(t);
  }
}

void alignState(Holder& h) {
  auto& state = h.opt->state();
  for (auto& g : h.opt->param_groups()) {
    for (auto& p : g.params()) {
      auto it = state.find(stateKey(p));
      if (it == state.end()) continue;
      switch (h.kind) {
        case Kind::Adam: alignAdamState(static_cast<optim::AdamParamState&>(*it->second), p); break;
        case Kind::AdamW: alignAdamState(static_cast<optim::AdamWParamState&>(*it->second), p); break;
        case Kind::SGD: {
          auto& s = static_cast<optim::SGDParamState&>(*it->second);
          at::Tensor t = s.momentum_buffer();
          alignTensor(t, p, "momentum_buffer");
          s.momentum_buffer(t);
          break;
        }
      }
    }
  }
}

}  // namespace

// optim_create(kind, groups: [{params, ...options}]) -> optimizer
NATIVE_FN(optim_create) {
  Kind kind = kindFromName(argString(info, 0));
  if (!info[1].IsArray()) throw Napi::TypeError::New(info.Env(), "Expected an array of param groups for argument 1");
  Napi::Array ga = info[1].As<Napi::Array>();
  std::vector<optim::OptimizerParamGroup> groups;
  for (uint32_t k = 0; k < ga.Length(); k++) {
    Napi::Value g = ga.Get(k);
    if (!g.IsObject()) throw Napi::TypeError::New(info.Env(), "Expected an object for each param group");
    groups.push_back(groupFromJs(info, kind, g.As<Napi::Object>()));
  }
  auto h = std::make_unique<Holder>();
  h->kind = kind;
  h->env = info.Env();
  // Every group carries its own options, so the defaults passed here are never used for a group.
  switch (kind) {
    case Kind::Adam: h->opt = std::make_unique<optim::Adam>(std::move(groups), optim::AdamOptions()); break;
    case Kind::AdamW: h->opt = std::make_unique<optim::AdamW>(std::move(groups), optim::AdamWOptions()); break;
    case Kind::SGD: h->opt = std::make_unique<optim::SGD>(std::move(groups), optim::SGDOptions(0.0)); break;
  }
  auto ext = Napi::External<Holder>::New(info.Env(), h.release(), [](Napi::Env, Holder* p) { delete p; });
  ext.TypeTag(&kOptimTag);
  return ext;
}

// optim_add_param_group(opt, {params, ...options})
NATIVE_FN(optim_add_param_group) {
  Holder& h = argOptim(info, 0);
  h.opt->add_param_group(groupFromJs(info, h.kind, argObject(info, 1)));
  return info.Env().Undefined();
}

NATIVE_FN(optim_step) {
  Holder& h = argOptim(info, 0);
  alignState(h);
  h.opt->step();
  accountState(h);
  return info.Env().Undefined();
}

// optim_zero_grad(opt, set_to_none): LibTorch 1.13's zero_grad() has no set_to_none, so both forms are here.
NATIVE_FN(optim_zero_grad) {
  Holder& h = argOptim(info, 0);
  bool set_to_none = argBool(info, 1);
  for (auto& g : h.opt->param_groups()) {
    for (auto& p : g.params()) {
      at::Tensor& grad = p.mutable_grad();
      if (!grad.defined()) continue;
      if (set_to_none) {
        grad.reset();
        continue;
      }
      if (grad.grad_fn()) grad.detach_();
      else grad.requires_grad_(false);
      grad.zero_();
    }
  }
  return info.Env().Undefined();
}

// optim_get_options(opt, group) -> {lr, ...}
NATIVE_FN(optim_get_options) {
  Holder& h = argOptim(info, 0);
  return optionsToJs(info.Env(), h.kind, groupAt(info, h, 1).options());
}

// optim_set_options(opt, group, {lr?, ...}): sets the keys present
NATIVE_FN(optim_set_options) {
  Holder& h = argOptim(info, 0);
  auto& group = groupAt(info, h, 1);
  applyOptions(h.kind, group.options(), argObject(info, 2));
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
      auto it = state.find(stateKey(p));
      if (it == state.end()) {
        out.Set(k++, env.Null());
        continue;
      }
      switch (h.kind) {
        case Kind::Adam: out.Set(k++, adamStateToJs(env, static_cast<const optim::AdamParamState&>(*it->second))); break;
        case Kind::AdamW: out.Set(k++, adamStateToJs(env, static_cast<const optim::AdamWParamState&>(*it->second))); break;
        case Kind::SGD: {
          Napi::Object o = Napi::Object::New(env);
          o.Set("momentum_buffer", TensorHandle::New(env, static_cast<const optim::SGDParamState&>(*it->second).momentum_buffer()));
          out.Set(k++, o);
          break;
        }
      }
    }
  }
  return out;
}

// optim_set_state(opt, index, state | null): replaces one parameter's state (tensors are copied)
NATIVE_FN(optim_set_state) {
  Holder& h = argOptim(info, 0);
  const at::Tensor& p = paramAt(h, argInt(info, 1));
  std::string key = stateKey(p);
  if (argIsMissing(info, 2)) {
    h.opt->state().erase(key);
    accountState(h);
    return info.Env().Undefined();
  }
  Napi::Object o = argObject(info, 2);
  std::unique_ptr<optim::OptimizerParamState> s;
  switch (h.kind) {
    case Kind::Adam: s = adamStateFromJs<optim::AdamParamState>(o, p); break;
    case Kind::AdamW: s = adamStateFromJs<optim::AdamWParamState>(o, p); break;
    case Kind::SGD: {
      auto sgd = std::make_unique<optim::SGDParamState>();
      sgd->momentum_buffer(stateTensor(o, "momentum_buffer", p, true));
      s = std::move(sgd);
      break;
    }
  }
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

}  // namespace snn
