// Leaky / RLeaky over a whole sequence as one autograd node. Forward: per step Rec(S_{t-1}) with
// the same ATen op the step form uses (addmm / mul / conv2d, written into a reused buffer where
// the op has an out= form), then the fused element step writing straight into the traces.
// Backward: BPTT in C++ with the fused element backward per step; the recurrent weight grads are
// one GEMM / one convolution_backward over all steps at the end. Saved: the two traces (the
// forward's own outputs), the initial state, the parameters, and V = mem before the immediate
// reset when reset_delay=False.
// The element steps are the generic fused kernel's (fused_neuron.h); GCC vectorises them only
// without trapping math, and every file instantiating them must agree (first, before any header).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("no-trapping-math")
#endif
#include "neuron_sequence.h"

#include <ATen/ATen.h>
#include <torch/csrc/autograd/custom_function.h>

#include <array>

#include "fused_neuron.h"
#include "param_view.h"
#include "step_config_ctx.h"

namespace snntorch::kernels {
namespace {

using at::Tensor;
using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

using detail::load_cfg;
using detail::save_cfg;

std::vector<int64_t> seq_shape(int64_t T, at::IntArrayRef sp) {
  std::vector<int64_t> s{T};
  s.insert(s.end(), sp.begin(), sp.end());
  return s;
}

// The recurrent term Rec(S) and its input gradient, per step. buf is a contiguous state-shaped scratch tensor.
struct RecurrentOp {
  Feedback kind;
  Tensor w, b, V;
  std::vector<int64_t> pad;

  Tensor forward(const Tensor& s, Tensor buf) const {
    switch (kind) {
      case Feedback::OneToOne:
        at::mul_out(buf, s, V);  // the step form's S.mul(V)
        return buf;
      case Feedback::Linear:
        // at::linear on a 2-D input is exactly addmm(b, S, W^T) (mm without bias).
        if (s.dim() == 2) {
          if (b.defined()) at::addmm_out(buf, b, s, w.t());
          else at::mm_out(buf, s, w.t());
          return buf;
        }
        return at::linear(s, w, b).contiguous();
      case Feedback::Conv: return at::conv2d(s, w, b, {1, 1}, pad, {1, 1}, 1).contiguous();
    }
    return Tensor();
  }

  // add + d/dS of sum(Rec(S) * g), in one op where possible (add may be undefined).
  Tensor backward_input(const Tensor& g, const Tensor& s, Tensor buf, const Tensor& add) const {
    switch (kind) {
      case Feedback::OneToOne:
        if (add.defined()) at::addcmul_out(buf, add, g, V);
        else at::mul_out(buf, g, V);
        return buf;
      case Feedback::Linear: {
        const int64_t n = w.size(1);
        Tensor o = buf.view({-1, n});
        if (add.defined()) at::addmm_out(o, add.reshape({-1, n}), g.reshape({-1, n}), w);
        else at::mm_out(o, g.reshape({-1, n}), w);
        return buf;
      }
      case Feedback::Conv: {
        const auto sp = s.sizes();
        const int64_t nd = s.dim();
        std::vector<int64_t> b4{-1, sp[nd - 3], sp[nd - 2], sp[nd - 1]};
        auto r = at::convolution_backward(g.reshape(b4), s.reshape(b4), w, c10::nullopt, {1, 1}, pad, {1, 1}, false,
                                          {0, 0}, 1, {true, false, false});
        Tensor gi = std::get<0>(r).reshape(sp);
        if (add.defined()) gi.add_(add);
        return gi;
      }
    }
    return Tensor();
  }
};

using Params = std::vector<detail::ParamView>;

// Leaky's or RLeaky's parameters {beta, threshold, graded factor} viewed over one step's state;
// RLeaky's graded factor is a constant 1.
Params step_params(bool recurrent, const Tensor& beta, const Tensor& th, const Tensor& g, at::IntArrayRef sp,
                   at::ScalarType st) {
  const Tensor gg = recurrent ? at::ones({}, at::TensorOptions().dtype(st)) : g;
  return recurrent ? fused::param_views<traits::RLeaky>({beta, th, gg}, sp, st)
                   : fused::param_views<traits::Leaky>({beta, th, gg}, sp, st);
}

// One step's fused forward (rec unused for Leaky); v is defined exactly under the immediate reset.
void step_forward(bool recurrent, const Tensor& x, const Tensor& rec, const Tensor& u, const Params& p,
                  const StepConfig& cfg, const Tensor& spk, const Tensor& mem, const Tensor& v) {
  if (recurrent) fused::forward_into<traits::RLeaky>({x, rec}, {u}, p, cfg, spk, {mem}, v);
  else fused::forward_into<traits::Leaky>({x}, {u}, p, cfg, spk, {mem}, v);
}

// One step's fused backward: gx (also rec's grad) and gu overwritten; each defined full[k] is
// added to, each sum[k] summed and returned. gS / gM may be undefined (no grad reached them).
std::array<double, 3> step_backward(bool recurrent, const Tensor& u, const Tensor& v, const Params& p, const Tensor& gS,
                                    const Tensor& gM, const StepConfig& cfg, const Tensor& gx, const Tensor& gu,
                                    const std::vector<Tensor>& full, const std::array<bool, 3>& sum) {
  const bool has_s = gS.defined(), has_m = gM.defined();
  const bool immediate = has_m && cfg.immediate();
  const bool sg = !cfg.surrogate_disable && (has_s || immediate);
  const Tensor gs = has_s ? gS : at::zeros_like(u);
  const Tensor gm = has_m ? gM : at::zeros_like(u);
  if (recurrent)
    return fused::backward_into<traits::RLeaky>({u}, v, p, gs, {gm}, sg, immediate, cfg, {gx}, {gu}, full, sum);
  return fused::backward_into<traits::Leaky>({u}, v, p, gs, {gm}, sg, immediate, cfg, {gx}, {gu}, full, sum);
}

struct Traces {
  Tensor spk, mem, v;  // every step's state, [T, ...state]; v only for the immediate reset
};

// The time loop without autograd. x, spk0, mem0 contiguous, of the state dtype.
Traces run_forward(bool recurrent, const Tensor& x, int64_t static_steps, const Tensor& spk0, const Tensor& mem0,
                   const Params& p, const RecurrentOp* feedback, const StepConfig& cfg) {
  const int64_t T = static_steps > 0 ? static_steps : x.size(0);
  const at::IntArrayRef sp = static_steps > 0 ? x.sizes() : x.sizes().slice(1);
  const auto full = seq_shape(T, sp);
  Traces r;
  r.spk = at::empty(full, x.options());
  r.mem = at::empty(full, x.options());
  if (cfg.immediate()) r.v = at::empty(full, x.options());
  const Tensor buf = recurrent ? at::empty(sp, x.options()) : Tensor();
  for (int64_t t = 0; t < T; ++t) {
    const Tensor xt = static_steps > 0 ? x : x.select(0, t);
    const Tensor u = t > 0 ? r.mem.select(0, t - 1) : mem0;
    const Tensor rc = recurrent ? feedback->forward(t > 0 ? r.spk.select(0, t - 1) : spk0, buf) : Tensor();
    step_forward(recurrent, xt, rc, u, p, cfg, r.spk.select(0, t), r.mem.select(0, t),
                 r.v.defined() ? r.v.select(0, t) : Tensor());
  }
  return r;
}

struct BwdNeeds {
  bool x, spk0, mem0, beta, th, g, w, b, V;
};
struct BwdOut {
  Tensor x, spk0, mem0, beta, th, g, w, b, V;
};

// BPTT over t = T-1..0. gS_all / gM_all: upstream grads of the traces (either may be undefined).
BwdOut run_backward(bool recurrent, int64_t static_steps, const Tensor& spk0, const Tensor& mem0, const Tensor& beta,
                    const Tensor& th, const Tensor& g, const RecurrentOp* feedback, const Traces& traces,
                    const Tensor& gS_in, const Tensor& gM_in, const StepConfig& cfg, const BwdNeeds& need) {
  const int64_t T = traces.mem.size(0);
  const at::IntArrayRef sp = traces.mem.sizes().slice(1);
  const auto opts = traces.mem.options();
  const Tensor gS_all = gS_in.defined() ? gS_in.contiguous() : Tensor();
  const Tensor gM_all = gM_in.defined() ? gM_in.contiguous() : Tensor();
  const Params p = step_params(recurrent, beta, th, g, sp, traces.mem.scalar_type());

  // Single-value params are summed (in double) inside each pass; broadcast ones accumulate into
  // a state-sized buffer over all steps and are reduced once at the end.
  const bool want[3] = {need.beta, need.th, need.g && g.defined()};
  std::array<bool, 3> sums{};
  std::vector<Tensor> full(3);
  double tot[3] = {0, 0, 0};
  for (int k = 0; k < 3; ++k) {
    if (!want[k]) continue;
    if (p[k].period == 1) sums[k] = true;
    else full[k] = at::zeros(sp, opts);
  }

  const bool recurrent_params = recurrent && (need.w || need.b || need.V);
  const bool keep_gx = need.x || recurrent_params;
  const Tensor gx_all = keep_gx ? at::empty(seq_shape(T, sp), opts) : Tensor();
  const Tensor gx_scratch = keep_gx ? Tensor() : at::empty(sp, opts);
  const Tensor gu[2] = {at::empty(sp, opts), at::empty(sp, opts)};
  const Tensor gm_buf = gM_all.defined() ? at::empty(sp, opts) : Tensor();
  const Tensor ds_buf = recurrent ? at::empty(sp, opts) : Tensor();
  // Leaky whose spikes got no grad: zeros stand in for the missing grad (same result, no
  // per-step allocation), except for sigmoid, whose surrogate can turn 0 * inf into NaN.
  const Tensor zero_s =
      !recurrent && !gS_all.defined() && (cfg.surrogate_disable || cfg.surrogate != Surrogate::Sigmoid)
          ? at::zeros(sp, opts)
          : Tensor();

  Tensor dU, dS;  // grads reaching U_t / S_t from step t+1
  for (int64_t t = T - 1; t >= 0; --t) {
    Tensor gM;
    if (gM_all.defined() && dU.defined()) {
      Tensor o = gm_buf;
      at::add_out(o, gM_all.select(0, t), dU);
      gM = gm_buf;
    } else if (gM_all.defined()) {
      gM = gM_all.select(0, t);
    } else {
      gM = dU;
    }
    Tensor gS;
    if (recurrent) {
      // dS already holds upstream + recurrent grad of S_t (fused into the Rec backward below).
      gS = dS.defined() ? dS : gS_all.defined() ? gS_all.select(0, t) : Tensor();
    } else {
      gS = gS_all.defined() ? gS_all.select(0, t) : zero_s;
    }
    const Tensor gx = keep_gx ? gx_all.select(0, t) : gx_scratch;
    const Tensor& gu_t = gu[t & 1];
    if (!gS.defined() && !gM.defined()) {  // nothing reaches step t (only possible at T-1)
      gx.zero_();
      gu_t.zero_();
    } else {
      const Tensor u = t > 0 ? traces.mem.select(0, t - 1) : mem0;
      const Tensor v = traces.v.defined() ? traces.v.select(0, t) : traces.mem.select(0, t);
      const auto s = step_backward(recurrent, u, v, p, gS, gM, cfg, gx, gu_t, full, sums);
      for (int k = 0; k < 3; ++k) tot[k] += s[k];
    }
    dU = gu_t;
    if (recurrent && (t > 0 || need.spk0)) {
      const Tensor add = t > 0 && gS_all.defined() ? gS_all.select(0, t - 1) : Tensor();
      dS = feedback->backward_input(gx, t > 0 ? traces.spk.select(0, t - 1) : spk0, ds_buf, add);
    }
  }

  BwdOut o;
  if (need.mem0) o.mem0 = dU;
  if (recurrent && need.spk0) o.spk0 = dS;
  if (need.x) o.x = static_steps > 0 ? gx_all.sum(0) : gx_all;

  if (recurrent_params) {
    // S_{t-1} is spk0 for t = 0 and spk_rec[t-1] after: two terms, no concatenation.
    const Tensor g0 = gx_all.select(0, 0), g1 = gx_all.slice(0, 1);
    const Tensor s1 = traces.spk.slice(0, 0, T - 1);
    switch (feedback->kind) {
      case Feedback::Linear: {
        const int64_t n = feedback->w.size(1);
        if (need.w) {
          o.w = at::mm(g0.reshape({-1, n}).t(), spk0.reshape({-1, n}));
          if (T > 1) o.w.addmm_(g1.reshape({-1, n}).t(), s1.reshape({-1, n}));
        }
        if (need.b) o.b = gx_all.reshape({-1, n}).sum(0);
        break;
      }
      case Feedback::Conv: {
        const int64_t nd = static_cast<int64_t>(sp.size());
        std::vector<int64_t> b4{-1, sp[nd - 3], sp[nd - 2], sp[nd - 1]};
        if (need.w) {
          auto bw = [&](const Tensor& gg, const Tensor& ss) {
            return std::get<1>(at::convolution_backward(gg.reshape(b4), ss.reshape(b4), feedback->w, c10::nullopt,
                                                        {1, 1}, feedback->pad, {1, 1}, false, {0, 0}, 1,
                                                        {false, true, false}));
          };
          o.w = bw(g0, spk0);
          if (T > 1) o.w.add_(bw(g1, s1));
        }
        if (need.b) o.b = gx_all.reshape(b4).sum({0, 2, 3});
        break;
      }
      case Feedback::OneToOne: {
        if (need.V) {
          Tensor prod = at::empty(seq_shape(T, sp), opts);
          Tensor p0 = prod.select(0, 0);
          at::mul_out(p0, g0, spk0);
          if (T > 1) {
            Tensor p1 = prod.slice(0, 1);
            at::mul_out(p1, g1, s1);
          }
          o.V = at::sum_to(prod, feedback->V.sizes());
        }
        break;
      }
    }
  }

  const Tensor* like[3] = {&beta, &th, &g};
  Tensor* dst[3] = {&o.beta, &o.th, &o.g};
  for (int k = 0; k < 3; ++k) {
    if (!want[k]) continue;
    *dst[k] = full[k].defined() ? detail::reduce_to(full[k], *like[k]) : at::full(like[k]->sizes(), tot[k], opts);
  }
  return o;
}

struct RLeakySeqFn : torch::autograd::Function<RLeakySeqFn> {
  static variable_list forward(AutogradContext* ctx, const Tensor& x, const Tensor& spk0, const Tensor& mem0,
                               const Tensor& beta, const Tensor& th, const c10::optional<Tensor>& w_,
                               const c10::optional<Tensor>& b_, const c10::optional<Tensor>& V_, int64_t static_steps,
                               int64_t kind, const std::vector<int64_t>& pad, const StepConfig& cfg) {
    // Undefined tensors cannot be Function inputs: absent ones are nullopt (and get no edge).
    const Tensor w = w_.value_or(Tensor()), b = b_.value_or(Tensor()), V = V_.value_or(Tensor());
    const RecurrentOp feedback{static_cast<Feedback>(kind), w, b, V, pad};
    const at::IntArrayRef sp = static_steps > 0 ? x.sizes() : x.sizes().slice(1);
    const auto p = step_params(true, beta, th, Tensor(), sp, x.scalar_type());
    Traces traces = run_forward(true, x, static_steps, spk0, mem0, p, &feedback, cfg);
    ctx->set_materialize_grads(false);
    save_cfg(ctx, cfg);
    ctx->saved_data["static_steps"] = static_steps;
    ctx->saved_data["kind"] = kind;
    ctx->saved_data["pad"] = pad;
    ctx->saved_data["has"] = std::vector<int64_t>{w.defined(), b.defined(), V.defined()};
    ctx->save_for_backward({spk0, mem0, beta, th, w, b, V, traces.spk, traces.mem, traces.v});
    if (cfg.surrogate_disable) ctx->mark_non_differentiable({traces.spk});
    return {traces.spk, traces.mem};
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    refuse_double_backward("RLeakySeqFn");
    const auto sv = ctx->get_saved_variables();
    const StepConfig cfg = load_cfg(ctx);
    const int64_t static_steps = ctx->saved_data["static_steps"].toInt();
    const RecurrentOp feedback{static_cast<Feedback>(ctx->saved_data["kind"].toInt()), sv[4], sv[5], sv[6],
                               ctx->saved_data["pad"].toIntVector()};
    // Edge indices count only the tensors that were given.
    const auto has = ctx->saved_data["has"].toIntVector();
    size_t edge = 5;
    bool opt_need[3];
    for (int k = 0; k < 3; ++k) opt_need[k] = has[k] && ctx->needs_input_grad(edge++);
    const BwdNeeds need{ctx->needs_input_grad(0),
                        ctx->needs_input_grad(1),
                        ctx->needs_input_grad(2),
                        ctx->needs_input_grad(3),
                        ctx->needs_input_grad(4),
                        false,
                        opt_need[0],
                        opt_need[1],
                        opt_need[2]};
    const Traces traces{sv[7], sv[8], sv[9]};
    auto o = run_backward(true, static_steps, sv[0], sv[1], sv[2], sv[3], Tensor(), &feedback, traces, grads[0],
                          grads[1], cfg, need);
    return {o.x, o.spk0, o.mem0, o.beta, o.th, o.w, o.b, o.V, Tensor(), Tensor(), Tensor(), Tensor()};
  }
};

struct LeakySeqFn : torch::autograd::Function<LeakySeqFn> {
  static variable_list forward(AutogradContext* ctx, const Tensor& x, const Tensor& mem0, const Tensor& beta,
                               const Tensor& th, const Tensor& g, int64_t static_steps, const StepConfig& cfg) {
    const at::IntArrayRef sp = static_steps > 0 ? x.sizes() : x.sizes().slice(1);
    const auto p = step_params(false, beta, th, g, sp, x.scalar_type());
    Traces traces = run_forward(false, x, static_steps, Tensor(), mem0, p, nullptr, cfg);
    ctx->set_materialize_grads(false);
    save_cfg(ctx, cfg);
    ctx->saved_data["static_steps"] = static_steps;
    ctx->save_for_backward({mem0, beta, th, g, traces.mem, traces.v});
    if (cfg.surrogate_disable && !g.requires_grad()) ctx->mark_non_differentiable({traces.spk});
    return {traces.spk, traces.mem};
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    refuse_double_backward("LeakySeqFn");
    const auto sv = ctx->get_saved_variables();
    const StepConfig cfg = load_cfg(ctx);
    const int64_t static_steps = ctx->saved_data["static_steps"].toInt();
    const BwdNeeds need{ctx->needs_input_grad(0),
                        false,
                        ctx->needs_input_grad(1),
                        ctx->needs_input_grad(2),
                        ctx->needs_input_grad(3),
                        ctx->needs_input_grad(4),
                        false,
                        false,
                        false};
    const Traces traces{Tensor(), sv[4], sv[5]};
    auto o = run_backward(false, static_steps, Tensor(), sv[0], sv[1], sv[2], sv[3], nullptr, traces, grads[0],
                          grads[1], cfg, need);
    return {o.x, o.mem0, o.beta, o.th, o.g, Tensor(), Tensor()};
  }
};

bool any_requires_grad(std::initializer_list<const Tensor*> ts) {
  if (!at::GradMode::is_enabled()) return false;
  for (auto* t : ts)
    if (t->defined() && t->requires_grad()) return true;
  return false;
}

// Checks the input and initial state; returns the state shape (one step).
std::vector<int64_t> check_seq(const Tensor& x, int64_t static_steps, const Tensor& mem0, const Tensor& spk0,
                               const char* fn) {
  TORCH_CHECK(x.defined() && mem0.defined(), fn, ": input and mem must be defined");
  TORCH_CHECK(static_steps >= 0, fn, ": num_steps must be >= 0");
  TORCH_CHECK(static_steps > 0 || x.dim() >= 1, fn, ": a [T, B, ...] input needs at least one dim");
  const at::IntArrayRef sp = static_steps > 0 ? x.sizes() : x.sizes().slice(1);
  TORCH_CHECK(static_steps > 0 || x.size(0) > 0, fn, ": input has 0 time steps");
  TORCH_CHECK(x.is_cpu() && mem0.is_cpu() && (!spk0.defined() || spk0.is_cpu()), fn, ": CPU tensors only");
  TORCH_CHECK(mem0.sizes().equals(sp), fn, ": mem shape ", mem0.sizes(), " differs from one step of the input ", sp);
  if (spk0.defined())
    TORCH_CHECK(spk0.sizes().equals(sp), fn, ": spk shape ", spk0.sizes(), " differs from one step of the input ", sp);
  return sp.vec();
}

at::ScalarType seq_dtype(const Tensor& x, const Tensor& mem0, const Tensor& spk0, const char* fn) {
  auto st = at::promote_types(x.scalar_type(), mem0.scalar_type());
  if (spk0.defined()) st = at::promote_types(st, spk0.scalar_type());
  TORCH_CHECK(st == at::kFloat || st == at::kDouble, fn, ": float32/float64 state only, got ", st);
  return st;
}

}  // namespace

std::vector<Tensor> rleaky_sequence(const Tensor& x, int64_t static_steps, const Tensor& spk0, const Tensor& mem0,
                                    const Tensor& beta, const Tensor& threshold, const FeedbackSpec& fb,
                                    const StepConfig& cfg) {
  const char* fn = "rleaky_sequence";
  TORCH_CHECK(spk0.defined(), fn, ": spk must be defined");
  const auto sp = check_seq(x, static_steps, mem0, spk0, fn);
  const auto st = seq_dtype(x, mem0, spk0, fn);
  const Tensor xc = x.to(st).contiguous(), s0 = spk0.to(st).contiguous(), u0 = mem0.to(st).contiguous(),
               b = beta.to(st), th = threshold.to(st);
  Tensor w, bias, V;
  std::vector<int64_t> pad{0, 0};
  switch (fb.kind) {
    case Feedback::OneToOne:
      TORCH_CHECK(fb.V.defined(), fn, ": one-to-one feedback needs V");
      V = fb.V.to(st);
      TORCH_CHECK(at::infer_size(V.sizes(), sp) == sp, fn, ": V of shape ", V.sizes(),
                  " does not broadcast to the state shape ", at::IntArrayRef(sp));
      break;
    case Feedback::Linear:
      TORCH_CHECK(fb.weight.defined() && fb.weight.dim() == 2 && !sp.empty() && fb.weight.size(0) == sp.back() &&
                      fb.weight.size(1) == sp.back(),
                  fn, ": linear feedback needs a [N, N] weight with N the state's last dim");
      w = fb.weight.to(st);
      if (fb.bias.defined()) {
        TORCH_CHECK(fb.bias.dim() == 1 && fb.bias.size(0) == sp.back(), fn, ": bad bias shape");
        bias = fb.bias.to(st);
      }
      break;
    case Feedback::Conv: {
      TORCH_CHECK(sp.size() == 3 || sp.size() == 4, fn, ": conv feedback needs a [B, C, H, W] or [C, H, W] state");
      const int64_t C = sp[sp.size() - 3];
      TORCH_CHECK(fb.weight.defined() && fb.weight.dim() == 4 && fb.weight.size(0) == C && fb.weight.size(1) == C, fn,
                  ": conv feedback needs a [C, C, kh, kw] weight");
      TORCH_CHECK(fb.padding.size() == 2 && 2 * fb.padding[0] + 1 == fb.weight.size(2) &&
                      2 * fb.padding[1] + 1 == fb.weight.size(3),
                  fn, ": conv feedback needs an odd kernel with padding kernel_size // 2");
      w = fb.weight.to(st);
      if (fb.bias.defined()) {
        TORCH_CHECK(fb.bias.dim() == 1 && fb.bias.size(0) == C, fn, ": bad bias shape");
        bias = fb.bias.to(st);
      }
      pad = fb.padding;
      break;
    }
    default: TORCH_CHECK(false, fn, ": unknown feedback kind");
  }
  if (!any_requires_grad({&xc, &s0, &u0, &b, &th, &w, &bias, &V})) {
    const RecurrentOp feedback{fb.kind, w, bias, V, pad};
    const auto p = step_params(true, b, th, Tensor(), sp, st);
    auto traces = run_forward(true, xc, static_steps, s0, u0, p, &feedback, cfg);
    return {traces.spk, traces.mem};
  }
  auto opt = [](const Tensor& t) { return t.defined() ? c10::optional<Tensor>(t) : c10::nullopt; };
  return RLeakySeqFn::apply(xc, s0, u0, b, th, opt(w), opt(bias), opt(V), static_steps, static_cast<int64_t>(fb.kind),
                            pad, cfg);
}

std::vector<Tensor> leaky_sequence(const Tensor& x, int64_t static_steps, const Tensor& mem0, const Tensor& beta,
                                   const Tensor& threshold, const Tensor& graded_spikes_factor, const StepConfig& cfg) {
  const char* fn = "leaky_sequence";
  const auto sp = check_seq(x, static_steps, mem0, Tensor(), fn);
  const auto st = seq_dtype(x, mem0, Tensor(), fn);
  const Tensor xc = x.to(st).contiguous(), u0 = mem0.to(st).contiguous(), b = beta.to(st), th = threshold.to(st),
               g = graded_spikes_factor.to(st);
  if (!any_requires_grad({&xc, &u0, &b, &th, &g})) {
    const auto p = step_params(false, b, th, g, sp, st);
    auto traces = run_forward(false, xc, static_steps, Tensor(), u0, p, nullptr, cfg);
    return {traces.spk, traces.mem};
  }
  return LeakySeqFn::apply(xc, u0, b, th, g, static_steps, cfg);
}

}  // namespace snntorch::kernels
