#include "optim_kinds.h"

#include <stdexcept>
#include <tuple>
#include <type_traits>

#include "kernels/adam_fused.h"
#include "optim_io.h"
#include "runtime/optim_state.h"
#include "tensor_handle.h"

namespace snntorch::binding {
namespace {

namespace optim = torch::optim;

// Adam and AdamW have the same options and state under different types.
template <typename OptimizerT, typename OptionsT, typename StateT>
struct AdamLike {
  using Optimizer = OptimizerT;
  using Options = OptionsT;
  using State = StateT;

  static Options defaults() { return Options(); }

  static void readOptions(Options& opts, const Napi::Object& o) {
    double d;
    bool b;
    std::tuple<double, double> betas;
    if (readNum(o, "lr", d)) opts.lr(d);
    if (readBetas(o, betas)) opts.betas(betas);
    if (readNum(o, "eps", d)) opts.eps(d);
    if (readNum(o, "weight_decay", d)) opts.weight_decay(d);
    if (readBool(o, "amsgrad", b)) opts.amsgrad(b);
  }

  static Napi::Object writeOptions(Napi::Env env, const Options& opts) {
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

  template <typename F>
  static void visitTensors(const State& s, F&& f) {
    f(s.exp_avg());
    f(s.exp_avg_sq());
    f(s.max_exp_avg_sq());
  }

  static void align(State& s, const at::Tensor& p) {
    at::Tensor t = s.exp_avg();
    runtime::alignToParam(t, p, "exp_avg");
    s.exp_avg(t);
    t = s.exp_avg_sq();
    runtime::alignToParam(t, p, "exp_avg_sq");
    s.exp_avg_sq(t);
    t = s.max_exp_avg_sq();
    if (t.defined()) {
      runtime::alignToParam(t, p, "max_exp_avg_sq");
      s.max_exp_avg_sq(t);
    }
  }

  static Napi::Value writeState(Napi::Env env, const State& s) {
    Napi::Object o = Napi::Object::New(env);
    o.Set("step", Napi::Number::New(env, static_cast<double>(s.step())));
    o.Set("exp_avg", TensorHandle::New(env, s.exp_avg()));
    o.Set("exp_avg_sq", TensorHandle::New(env, s.exp_avg_sq()));
    if (s.max_exp_avg_sq().defined()) o.Set("max_exp_avg_sq", TensorHandle::New(env, s.max_exp_avg_sq()));
    return o;
  }

  // torch::optim's Adam::step with the per-parameter update in one pass: state created as it
  // creates it, step counted as it counts it. Checks every parameter first, so a false return
  // leaves everything as it was.
  static bool stepFused(optim::Optimizer& opt) {
    auto& state = opt.state();
    const at::Tensor none;
    for (auto& group : opt.param_groups()) {
      const bool ams = static_cast<const Options&>(group.options()).amsgrad();
      for (auto& p : group.params()) {
        const at::Tensor& g = p.grad();
        if (!g.defined()) continue;
        auto it = state.find(runtime::stateKey(p));
        if (it == state.end()) {
          if (!kernels::adam_fusable(p, g, none, none, none, ams)) return false;
          continue;
        }
        const auto& s = static_cast<const State&>(*it->second);
        if (!kernels::adam_fusable(p, g, s.exp_avg(), s.exp_avg_sq(), s.max_exp_avg_sq(), ams)) return false;
      }
    }
    at::NoGradGuard no_grad;
    for (auto& group : opt.param_groups()) {
      const auto& o = static_cast<const Options&>(group.options());
      kernels::AdamHyper h;
      h.lr = o.lr();
      h.beta1 = std::get<0>(o.betas());
      h.beta2 = std::get<1>(o.betas());
      h.eps = o.eps();
      h.weight_decay = o.weight_decay();
      h.amsgrad = o.amsgrad();
      h.decoupled = std::is_same_v<Optimizer, optim::AdamW>;
      for (auto& p : group.params()) {
        if (!p.grad().defined()) continue;
        const std::string key = runtime::stateKey(p);
        auto it = state.find(key);
        if (it == state.end()) {
          auto s = std::make_unique<State>();
          s->step(0);
          s->exp_avg(at::zeros_like(p, at::MemoryFormat::Preserve));
          s->exp_avg_sq(at::zeros_like(p, at::MemoryFormat::Preserve));
          if (h.amsgrad) s->max_exp_avg_sq(at::zeros_like(p, at::MemoryFormat::Preserve));
          it = state.emplace(key, std::move(s)).first;
        }
        auto& s = static_cast<State&>(*it->second);
        s.step(s.step() + 1);
        kernels::adam_fused_update(p, p.grad(), s.exp_avg(), s.exp_avg_sq(), s.max_exp_avg_sq(), s.step(), h);
        // Written through the data pointers: bump the version counters as in-place ops do, so
        // autograd's saved-tensor checks and the loop-invariant reuse see the change.
        for (const at::Tensor* t : {&p, &s.exp_avg(), &s.exp_avg_sq(), &s.max_exp_avg_sq()})
          if (t->defined()) t->unsafeGetTensorImpl()->bump_version();
      }
    }
    return true;
  }

  static std::unique_ptr<State> readState(const Napi::Object& o, const at::Tensor& p) {
    auto s = std::make_unique<State>();
    double step = 0;
    readNum(o, "step", step);
    s->step(static_cast<int64_t>(step));
    s->exp_avg(stateTensor(o, "exp_avg", p, true));
    s->exp_avg_sq(stateTensor(o, "exp_avg_sq", p, true));
    s->max_exp_avg_sq(stateTensor(o, "max_exp_avg_sq", p, false));
    return s;
  }
};

using Adam = AdamLike<optim::Adam, optim::AdamOptions, optim::AdamParamState>;
using AdamW = AdamLike<optim::AdamW, optim::AdamWOptions, optim::AdamWParamState>;

struct Sgd {
  using Optimizer = optim::SGD;
  using Options = optim::SGDOptions;
  using State = optim::SGDParamState;

  // SGDOptions has no default lr; every group sets its own.
  static Options defaults() { return Options(0.0); }

  static void readOptions(Options& opts, const Napi::Object& o) {
    double d;
    bool b;
    if (readNum(o, "lr", d)) opts.lr(d);
    if (readNum(o, "momentum", d)) opts.momentum(d);
    if (readNum(o, "dampening", d)) opts.dampening(d);
    if (readNum(o, "weight_decay", d)) opts.weight_decay(d);
    if (readBool(o, "nesterov", b)) opts.nesterov(b);
  }

  static Napi::Object writeOptions(Napi::Env env, const Options& s) {
    Napi::Object o = Napi::Object::New(env);
    o.Set("lr", s.lr());
    o.Set("momentum", s.momentum());
    o.Set("dampening", s.dampening());
    o.Set("weight_decay", s.weight_decay());
    o.Set("nesterov", s.nesterov());
    return o;
  }

  template <typename F>
  static void visitTensors(const State& s, F&& f) {
    f(s.momentum_buffer());
  }

  static void align(State& s, const at::Tensor& p) {
    at::Tensor t = s.momentum_buffer();
    runtime::alignToParam(t, p, "momentum_buffer");
    s.momentum_buffer(t);
  }

  static Napi::Value writeState(Napi::Env env, const State& s) {
    Napi::Object o = Napi::Object::New(env);
    o.Set("momentum_buffer", TensorHandle::New(env, s.momentum_buffer()));
    return o;
  }

  static std::unique_ptr<State> readState(const Napi::Object& o, const at::Tensor& p) {
    auto s = std::make_unique<State>();
    s->momentum_buffer(stateTensor(o, "momentum_buffer", p, true));
    return s;
  }

  static bool stepFused(optim::Optimizer&) { return false; }
};

// OptimizerKind over a traits type: the only place that casts LibTorch's type-erased options and
// state back to the traits' types.
template <typename T>
class KindOf final : public OptimizerKind {
  using Options = typename T::Options;
  using State = typename T::State;

 public:
  std::unique_ptr<optim::Optimizer> create(std::vector<optim::OptimizerParamGroup> groups) const override {
    return std::make_unique<typename T::Optimizer>(std::move(groups), T::defaults());
  }
  std::unique_ptr<optim::OptimizerOptions> options(const Napi::Object& o) const override {
    auto opts = std::make_unique<Options>(T::defaults());
    T::readOptions(*opts, o);
    return opts;
  }
  void setOptions(optim::OptimizerOptions& opts, const Napi::Object& o) const override {
    T::readOptions(static_cast<Options&>(opts), o);
  }
  Napi::Object optionsToJs(Napi::Env env, const optim::OptimizerOptions& opts) const override {
    return T::writeOptions(env, static_cast<const Options&>(opts));
  }
  void countState(const optim::OptimizerParamState& s, int64_t& tensors, int64_t& bytes) const override {
    T::visitTensors(static_cast<const State&>(s), [&](const at::Tensor& t) {
      if (!t.defined()) return;
      tensors++;
      bytes += accountedBytes(t);
    });
  }
  void alignState(optim::OptimizerParamState& s, const at::Tensor& p) const override {
    T::align(static_cast<State&>(s), p);
  }
  Napi::Value stateToJs(Napi::Env env, const optim::OptimizerParamState& s) const override {
    return T::writeState(env, static_cast<const State&>(s));
  }
  std::unique_ptr<optim::OptimizerParamState> stateFromJs(const Napi::Object& o, const at::Tensor& p) const override {
    return T::readState(o, p);
  }
  bool stepFused(optim::Optimizer& opt) const override { return T::stepFused(opt); }
};

}  // namespace

const OptimizerKind& optimizerKind(const std::string& name) {
  static const KindOf<Adam> adam;
  static const KindOf<AdamW> adamw;
  static const KindOf<Sgd> sgd;
  if (name == "adam") return adam;
  if (name == "adamw") return adamw;
  if (name == "sgd") return sgd;
  throw std::invalid_argument("unknown optimizer kind '" + name + "'");
}

}  // namespace snntorch::binding
