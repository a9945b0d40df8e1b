// The whole time loop of one neuron layer as ONE autograd node, written once over the neuron's
// traits (neuron_traits.h). Forward: per step the recurrent term Rec(S_{t-1}) (kInputs == 2) with
// the step form's ATen op, then the fused element step writing straight into the traces.
// Backward: BPTT over t = T-1..0 with the fused element backward per step; the recurrent weight
// grads are one GEMM / one convolution_backward over all steps at the end. Saved: the traces (the
// forward's own outputs), the initial state, the parameters, v = the membrane before the immediate
// reset, and, for a neuron whose backward reads its inputs (kSavesInputs), the inputs.
// A file instantiating these templates starts with `#pragma GCC optimize("no-trapping-math")`, as
// fused_neuron.h asks.
#pragma once
#include <ATen/ATen.h>
#include <torch/csrc/autograd/custom_function.h>

#include <array>
#include <type_traits>
#include <vector>

#include "fused_neuron.h"
#include "neuron_sequence.h"
#include "param_view.h"
#include "recurrent_op.h"
#include "step_config_ctx.h"

namespace snntorch::kernels {
namespace seq {

using at::Tensor;

inline std::vector<int64_t> seq_shape(int64_t T, at::IntArrayRef sp) {
  std::vector<int64_t> s{T};
  s.insert(s.end(), sp.begin(), sp.end());
  return s;
}

template <class Tr>
struct Traces {
  Tensor spk;                         // [T, ...state]
  std::array<Tensor, Tr::kStates> s;  // every step's new states
  Tensor v;                           // the membrane before the immediate reset, only when that runs
  Tensor rec;                         // Rec(S_{t-1}) per step, kept only when the backward reads the inputs
};

// The time loop without autograd. x and states0 contiguous, of the state dtype; spk0 and feedback
// are used only when Tr takes the recurrent input.
template <class Tr>
Traces<Tr> run_forward(const Tensor& x, int64_t static_steps, const Tensor& spk0, const std::vector<Tensor>& states0,
                       const std::vector<detail::ParamView>& p, const detail::RecurrentOp* feedback,
                       const StepConfig& cfg) {
  constexpr bool recurrent = Tr::kInputs == 2;
  constexpr int NS = Tr::kStates;
  const int64_t T = static_steps > 0 ? static_steps : x.size(0);
  const at::IntArrayRef sp = static_steps > 0 ? x.sizes() : x.sizes().slice(1);
  const auto full = seq_shape(T, sp);
  Traces<Tr> r;
  r.spk = at::empty(full, x.options());
  for (int k = 0; k < NS; ++k) r.s[k] = at::empty(full, x.options());
  if (Tr::kResetDelay && cfg.immediate()) r.v = at::empty(full, x.options());
  const bool keep_rec = recurrent && traits::saves_inputs<Tr>::value;
  if (keep_rec) r.rec = at::empty(full, x.options());
  const Tensor buf = recurrent && !keep_rec ? at::empty(sp, x.options()) : Tensor();
  std::vector<Tensor> in(Tr::kInputs), prev(NS), out(NS);
  for (int64_t t = 0; t < T; ++t) {
    in[0] = static_steps > 0 ? x : x.select(0, t);
    for (int k = 0; k < NS; ++k) {
      prev[k] = t > 0 ? r.s[k].select(0, t - 1) : states0[k];
      out[k] = r.s[k].select(0, t);
    }
    if (recurrent) {
      const Tensor dst = keep_rec ? r.rec.select(0, t) : buf;
      Tensor rc = feedback->forward(t > 0 ? r.spk.select(0, t - 1) : spk0, dst);
      if (keep_rec && !rc.is_same(dst)) rc = dst.copy_(rc);
      in[Tr::kInputs - 1] = rc;
    }
    fused::forward_into<Tr>(in, prev, p, cfg, r.spk.select(0, t), out, r.v.defined() ? r.v.select(0, t) : Tensor());
  }
  return r;
}

// One step's fused backward. `in` holds the step's inputs (x_t, Rec(S_{t-1})) when the traits save
// them (kSavesInputs), for a backward that reads them; the other neurons' backward does not.
template <class Tr>
std::array<double, Tr::kParams> step_backward(const std::vector<Tensor>& in, const std::vector<Tensor>& s,
                                              const Tensor& v, const std::vector<detail::ParamView>& p,
                                              const Tensor& gS, const std::vector<Tensor>& gout, bool sg,
                                              bool immediate, const StepConfig& cfg, const std::vector<Tensor>& gin,
                                              const std::vector<Tensor>& gs, const std::vector<Tensor>& full,
                                              const std::array<bool, Tr::kParams>& sum) {
  return fused::backward_into<Tr>(s, v, p, gS, gout, sg, immediate, cfg, gin, gs, full, sum, in);
}

// Which grads the backward returns.
template <class Tr>
struct Needs {
  bool x = false, spk0 = false, w = false, b = false, V = false;
  std::array<bool, Tr::kStates> s0{};
  std::array<bool, Tr::kParams> p{};
};
template <class Tr>
struct Grads {
  Tensor x, spk0, w, b, V;
  std::array<Tensor, Tr::kStates> s0;
  std::array<Tensor, Tr::kParams> p;
};

// What the backward reads from the forward.
template <class Tr>
struct Saved {
  int64_t static_steps;
  Tensor x, spk0;  // x only when the traits save the inputs; spk0 only for the recurrent input
  std::vector<Tensor> states0, params;
  const detail::RecurrentOp* feedback;
  Traces<Tr> traces;
};

// BPTT over t = T-1..0. gS_in: upstream grad of the spike trace; gst_in[k]: of state k's trace
// (any may be undefined).
template <class Tr>
Grads<Tr> run_backward(const Saved<Tr>& sv, const Tensor& gS_in, const std::vector<Tensor>& gst_in,
                       const StepConfig& cfg, const Needs<Tr>& need) {
  constexpr bool recurrent = Tr::kInputs == 2;
  constexpr bool shared = Tr::kSharedInputGrad;
  constexpr int NS = Tr::kStates, NP = Tr::kParams, M = Tr::kMem;
  const Traces<Tr>& tr = sv.traces;
  const Tensor& mem_trace = tr.s[M];
  const int64_t T = mem_trace.size(0);
  const at::IntArrayRef sp = mem_trace.sizes().slice(1);
  const auto opts = mem_trace.options();
  const Tensor gS_all = gS_in.defined() ? gS_in.contiguous() : Tensor();
  std::array<Tensor, NS> gst_all;
  for (int k = 0; k < NS; ++k) gst_all[k] = gst_in[k].defined() ? gst_in[k].contiguous() : Tensor();
  const auto p = fused::param_views<Tr>(sv.params, sp, mem_trace.scalar_type());

  // Single-value params are summed (in double) inside each pass; broadcast ones accumulate into
  // a state-sized buffer over all steps and are reduced once at the end.
  std::array<bool, NP> want{}, sums{};
  std::vector<Tensor> full(NP);
  std::array<double, NP> tot{};
  for (int k = 0; k < NP; ++k) {
    want[k] = need.p[k] && Tr::param_grad(k);
    if (!want[k]) continue;
    if (p[k].period == 1) sums[k] = true;
    else full[k] = at::zeros(sp, opts);
  }

  const bool recurrent_params = recurrent && (need.w || need.b || need.V);
  const bool keep_gx = need.x || (shared && recurrent_params);
  const Tensor gx_all = keep_gx ? at::empty(seq_shape(T, sp), opts) : Tensor();
  const Tensor gx_scratch = keep_gx ? Tensor() : at::empty(sp, opts);
  // The recurrent input's grad, where it differs from x's.
  const bool own_grec = recurrent && !shared;
  const Tensor grec_all = own_grec && recurrent_params ? at::empty(seq_shape(T, sp), opts) : Tensor();
  const Tensor grec_scratch = own_grec && !recurrent_params ? at::empty(sp, opts) : Tensor();
  std::array<std::array<Tensor, 2>, NS> gsb;  // each state's grad, double-buffered over steps
  std::array<Tensor, NS> gadd_buf;
  for (int k = 0; k < NS; ++k) {
    gsb[k] = {at::empty(sp, opts), at::empty(sp, opts)};
    if (gst_all[k].defined()) gadd_buf[k] = at::empty(sp, opts);
  }
  const Tensor ds_buf = recurrent ? at::empty(sp, opts) : Tensor();
  // A neuron without the recurrent input whose spikes got no grad: zeros stand in for the missing
  // grad (same result, no per-step allocation), except for sigmoid, whose surrogate can turn 0 * inf
  // into NaN.
  const Tensor zero_s =
      !recurrent && !gS_all.defined() && (cfg.surrogate_disable || cfg.surrogate != Surrogate::Sigmoid)
          ? at::zeros(sp, opts)
          : Tensor();

  std::array<Tensor, NS> dst;  // grads reaching the states S_t from step t+1
  Tensor dS;                   // grad reaching the spike S_t through Rec at step t+1 (plus upstream)
  std::vector<Tensor> in(traits::saves_inputs<Tr>::value ? Tr::kInputs : 0), prev(NS), gout(NS), gs(NS);
  std::vector<Tensor> gin(fused::input_grads<Tr>());
  for (int64_t t = T - 1; t >= 0; --t) {
    std::array<Tensor, NS> go;
    bool any = false;
    for (int k = 0; k < NS; ++k) {
      if (gst_all[k].defined() && dst[k].defined()) {
        Tensor o = gadd_buf[k];
        at::add_out(o, gst_all[k].select(0, t), dst[k]);
        go[k] = gadd_buf[k];
      } else if (gst_all[k].defined()) {
        go[k] = gst_all[k].select(0, t);
      } else {
        go[k] = dst[k];
      }
      any = any || go[k].defined();
    }
    Tensor gS;
    if (recurrent) {
      // dS already holds upstream + recurrent grad of S_t (fused into the Rec backward below).
      gS = dS.defined() ? dS : gS_all.defined() ? gS_all.select(0, t) : Tensor();
    } else {
      gS = gS_all.defined() ? gS_all.select(0, t) : zero_s;
    }
    const Tensor gx = keep_gx ? gx_all.select(0, t) : gx_scratch;
    gin[0] = gx;
    if (own_grec) gin[1] = recurrent_params ? grec_all.select(0, t) : grec_scratch;
    for (int k = 0; k < NS; ++k) gs[k] = gsb[k][t & 1];
    if (!gS.defined() && !any) {  // nothing reaches step t (only possible at T-1)
      for (auto& g : gin) g.zero_();
      for (auto& g : gs) g.zero_();
    } else {
      const bool has_s = gS.defined(), has_m = go[M].defined();
      const bool immediate = Tr::kResetDelay && has_m && cfg.immediate();
      const bool sg = !cfg.surrogate_disable && (has_s || immediate);
      const Tensor gSd = has_s ? gS : at::zeros_like(mem_trace.select(0, t));
      for (int k = 0; k < NS; ++k) {
        prev[k] = t > 0 ? tr.s[k].select(0, t - 1) : sv.states0[k];
        gout[k] = go[k].defined() ? go[k] : at::zeros(sp, opts);
      }
      if (traits::saves_inputs<Tr>::value) {
        in[0] = sv.static_steps > 0 ? sv.x : sv.x.select(0, t);
        if (recurrent) in[1] = tr.rec.select(0, t);
      }
      const Tensor v = tr.v.defined() ? tr.v.select(0, t) : mem_trace.select(0, t);
      const auto s = step_backward<Tr>(in, prev, v, p, gSd, gout, sg, immediate, cfg, gin, gs, full, sums);
      for (int k = 0; k < NP; ++k) tot[k] += s[k];
    }
    for (int k = 0; k < NS; ++k) dst[k] = gs[k];
    if (recurrent && (t > 0 || need.spk0)) {
      const Tensor add = t > 0 && gS_all.defined() ? gS_all.select(0, t - 1) : Tensor();
      dS = sv.feedback->backward_input(gin[own_grec ? 1 : 0], t > 0 ? tr.spk.select(0, t - 1) : sv.spk0, ds_buf, add);
    }
  }

  Grads<Tr> o;
  for (int k = 0; k < NS; ++k)
    if (need.s0[k]) o.s0[k] = dst[k];
  if (recurrent && need.spk0) o.spk0 = dS;
  if (need.x) o.x = sv.static_steps > 0 ? gx_all.sum(0) : gx_all;

  if (recurrent_params) {
    const detail::RecurrentOp& fb = *sv.feedback;
    const Tensor& grec = own_grec ? grec_all : gx_all;
    // S_{t-1} is spk0 for t = 0 and spk_rec[t-1] after: two terms, no concatenation.
    const Tensor g0 = grec.select(0, 0), g1 = grec.slice(0, 1);
    const Tensor s1 = tr.spk.slice(0, 0, T - 1);
    const Tensor& spk0 = sv.spk0;
    switch (fb.kind) {
      case Feedback::Linear: {
        const int64_t n = fb.w.size(1);
        if (need.w) {
          o.w = at::mm(g0.reshape({-1, n}).t(), spk0.reshape({-1, n}));
          if (T > 1) o.w.addmm_(g1.reshape({-1, n}).t(), s1.reshape({-1, n}));
        }
        if (need.b) o.b = grec.reshape({-1, n}).sum(0);
        break;
      }
      case Feedback::Conv: {
        const int64_t nd = static_cast<int64_t>(sp.size());
        std::vector<int64_t> b4{-1, sp[nd - 3], sp[nd - 2], sp[nd - 1]};
        if (need.w) {
          auto bw = [&](const Tensor& gg, const Tensor& ss) {
            return std::get<1>(at::convolution_backward(gg.reshape(b4), ss.reshape(b4), fb.w, c10::nullopt, {1, 1},
                                                        fb.pad, {1, 1}, false, {0, 0}, 1, {false, true, false}));
          };
          o.w = bw(g0, spk0);
          if (T > 1) o.w.add_(bw(g1, s1));
        }
        if (need.b) o.b = grec.reshape(b4).sum({0, 2, 3});
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
          o.V = at::sum_to(prod, fb.V.sizes());
        }
        break;
      }
    }
  }

  for (int k = 0; k < NP; ++k) {
    if (!want[k]) continue;
    const Tensor& like = sv.params[k];
    o.p[k] = full[k].defined() ? detail::reduce_to(full[k], like) : at::full(like.sizes(), tot[k], opts);
  }
  return o;
}

// The autograd node of neuron Tr's sequence, named by Self (deriving from SeqNode<Tr, Self>, with
// kName). `all` is {x, states0..., spk0 (recurrent input only), params...}; the feedback tensors
// come as optionals (absent ones get no edge).
template <class Tr, class Self>
struct SeqNode : torch::autograd::Function<Self> {
  static constexpr bool kRecurrent = Tr::kInputs == 2;
  static constexpr int NS = Tr::kStates, NP = Tr::kParams;
  static constexpr int kSpk0 = 1 + NS, kParam0 = kSpk0 + (kRecurrent ? 1 : 0), kList = kParam0 + NP;

  static torch::autograd::variable_list forward(torch::autograd::AutogradContext* ctx, at::TensorList all,
                                                const c10::optional<Tensor>& w_, const c10::optional<Tensor>& b_,
                                                const c10::optional<Tensor>& V_, int64_t static_steps, int64_t kind,
                                                const std::vector<int64_t>& pad, const StepConfig& cfg) {
    const Tensor& x = all[0];
    const std::vector<Tensor> states0(all.begin() + 1, all.begin() + 1 + NS);
    const Tensor spk0 = kRecurrent ? all[kSpk0] : Tensor();
    const std::vector<Tensor> params(all.begin() + kParam0, all.end());
    const Tensor w = w_.value_or(Tensor()), b = b_.value_or(Tensor()), V = V_.value_or(Tensor());
    const detail::RecurrentOp feedback{static_cast<Feedback>(kind), w, b, V, pad};
    const at::IntArrayRef sp = static_steps > 0 ? x.sizes() : x.sizes().slice(1);
    const auto p = fused::param_views<Tr>(params, sp, x.scalar_type());
    Traces<Tr> tr = run_forward<Tr>(x, static_steps, spk0, states0, p, kRecurrent ? &feedback : nullptr, cfg);
    ctx->set_materialize_grads(false);
    detail::save_cfg(ctx, cfg);
    ctx->saved_data["static_steps"] = static_steps;
    // Layout: states0, params, state traces, v, then spk0, w, b, V, spk trace (recurrent input),
    // then x, rec (kSavesInputs).
    std::vector<Tensor> save(states0);
    save.insert(save.end(), params.begin(), params.end());
    save.insert(save.end(), tr.s.begin(), tr.s.end());
    save.push_back(tr.v);
    if (kRecurrent) {
      ctx->saved_data["kind"] = kind;
      ctx->saved_data["pad"] = pad;
      ctx->saved_data["has"] = std::vector<int64_t>{w.defined(), b.defined(), V.defined()};
      save.insert(save.end(), {spk0, w, b, V, tr.spk});
    }
    if (traits::saves_inputs<Tr>::value) save.insert(save.end(), {x, tr.rec});
    ctx->save_for_backward(save);
    return fused::node_outputs<Tr>(ctx, cfg, params[Tr::kGraded], tr.spk, {tr.s.begin(), tr.s.end()});
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grads) {
    refuse_double_backward(Self::kName);
    const auto sv = ctx->get_saved_variables();
    const StepConfig cfg = detail::load_cfg(ctx);
    Saved<Tr> s;
    s.static_steps = ctx->saved_data["static_steps"].toInt();
    s.states0.assign(sv.begin(), sv.begin() + NS);
    size_t i = NS;
    s.params.assign(sv.begin() + i, sv.begin() + i + NP);
    i += NP;
    for (int k = 0; k < NS; ++k) s.traces.s[k] = sv[i++];
    s.traces.v = sv[i++];
    detail::RecurrentOp feedback{Feedback::OneToOne, Tensor(), Tensor(), Tensor(), {0, 0}};
    if (kRecurrent) {
      s.spk0 = sv[i];
      feedback = {static_cast<Feedback>(ctx->saved_data["kind"].toInt()), sv[i + 1], sv[i + 2], sv[i + 3],
                  ctx->saved_data["pad"].toIntVector()};
      s.traces.spk = sv[i + 4];
      i += 5;
    }
    s.feedback = &feedback;
    if (traits::saves_inputs<Tr>::value) {
      s.x = sv[i];
      s.traces.rec = sv[i + 1];
    }

    Needs<Tr> need;
    need.x = ctx->needs_input_grad(0);
    for (int k = 0; k < NS; ++k) need.s0[k] = ctx->needs_input_grad(1 + k);
    if (kRecurrent) need.spk0 = ctx->needs_input_grad(kSpk0);
    for (int k = 0; k < NP; ++k) need.p[k] = ctx->needs_input_grad(kParam0 + k);
    if (kRecurrent) {
      // Edge indices count only the feedback tensors that were given.
      const auto has = ctx->saved_data["has"].toIntVector();
      size_t edge = kList;
      bool opt_need[3];
      for (int k = 0; k < 3; ++k) opt_need[k] = has[k] && ctx->needs_input_grad(edge++);
      need.w = opt_need[0];
      need.b = opt_need[1];
      need.V = opt_need[2];
    }

    const std::vector<Tensor> gst(grads.begin() + 1, grads.begin() + 1 + NS);
    auto o = run_backward<Tr>(s, grads[0], gst, cfg, need);
    torch::autograd::variable_list res(kList + 3 + 4);
    res[0] = o.x;
    for (int k = 0; k < NS; ++k) res[1 + k] = o.s0[k];
    if (kRecurrent) res[kSpk0] = o.spk0;
    for (int k = 0; k < NP; ++k) res[kParam0 + k] = o.p[k];
    res[kList] = o.w;
    res[kList + 1] = o.b;
    res[kList + 2] = o.V;
    return res;
  }
};

inline bool any_requires_grad(const std::vector<Tensor>& ts, const detail::RecurrentOp& op) {
  if (!at::GradMode::is_enabled()) return false;
  for (const auto& t : ts)
    if (t.requires_grad()) return true;
  for (const Tensor* t : {&op.w, &op.b, &op.V})
    if (t->defined() && t->requires_grad()) return true;
  return false;
}

// Neuron Tr's whole sequence through node Node (a SeqNode<Tr, Node>). x: [T, ...state] when
// static_steps == 0, else a static [...state] used at each of static_steps steps. states0 (kStates)
// and spk0 (the recurrent input only) are one step's shape; params in the traits' order, each
// broadcasting to the state without growing it. CPU, float32/float64. Returns {spk_rec,
// state_recs...}, each [T, ...state].
template <class Tr, class Node>
std::vector<Tensor> sequence(const Tensor& x, int64_t static_steps, const std::vector<Tensor>& states0,
                             const Tensor& spk0, const std::vector<Tensor>& params, const FeedbackSpec* fb,
                             const StepConfig& cfg) {
  constexpr bool recurrent = Tr::kInputs == 2;
  constexpr int NS = Tr::kStates, NP = Tr::kParams;
  const char* fn = Node::kFn;
  TORCH_CHECK(static_cast<int>(states0.size()) == NS, fn, ": expected ", NS, " states, got ", states0.size());
  TORCH_CHECK(static_cast<int>(params.size()) == NP, fn, ": expected ", NP, " parameters, got ", params.size());
  TORCH_CHECK(!recurrent || (spk0.defined() && fb != nullptr), fn, ": spk and the feedback must be given");
  TORCH_CHECK(x.defined(), fn, ": input must be defined");
  TORCH_CHECK(static_steps >= 0, fn, ": num_steps must be >= 0");
  TORCH_CHECK(static_steps > 0 || x.dim() >= 1, fn, ": a [T, B, ...] input needs at least one dim");
  TORCH_CHECK(static_steps > 0 || x.size(0) > 0, fn, ": input has 0 time steps");
  const at::IntArrayRef sp = static_steps > 0 ? x.sizes() : x.sizes().slice(1);
  TORCH_CHECK(x.is_cpu(), fn, ": CPU tensors only");
  auto st = x.scalar_type();
  auto check_state = [&](const Tensor& t, const char* name) {
    TORCH_CHECK(t.defined(), fn, ": ", name, " must be defined");
    TORCH_CHECK(t.is_cpu(), fn, ": CPU tensors only");
    TORCH_CHECK(t.sizes().equals(sp), fn, ": ", name, " shape ", t.sizes(), " differs from one step of the input ", sp);
    st = at::promote_types(st, t.scalar_type());
  };
  for (int k = 0; k < NS; ++k) check_state(states0[k], Tr::kNames[NP + k]);
  if (recurrent) check_state(spk0, "spk");
  TORCH_CHECK(st == at::kFloat || st == at::kDouble, fn, ": float32/float64 state only, got ", st);
  for (int k = 0; k < NP; ++k) {
    TORCH_CHECK(params[k].defined(), fn, ": ", Tr::kNames[k], " must be defined");
    TORCH_CHECK(Tr::param_grad(k) || !(at::GradMode::is_enabled() && params[k].requires_grad()), fn, ": ",
                Tr::kNames[k], " requires grad, which this kernel does not differentiate");
  }

  std::vector<Tensor> all;
  all.reserve(Node::kList);
  all.push_back(fused::as_type(x, st).contiguous());
  for (const auto& t : states0) all.push_back(fused::as_type(t, st).contiguous());
  if (recurrent) all.push_back(fused::as_type(spk0, st).contiguous());
  for (const auto& t : params) all.push_back(fused::as_type(t, st));
  detail::RecurrentOp op{Feedback::OneToOne, Tensor(), Tensor(), Tensor(), {0, 0}};
  if (recurrent) op = detail::make_recurrent_op(*fb, sp, st, fn);

  if (!any_requires_grad(all, op)) {
    const std::vector<Tensor> s0(all.begin() + 1, all.begin() + 1 + NS);
    const std::vector<Tensor> ps(all.begin() + Node::kParam0, all.end());
    const auto p = fused::param_views<Tr>(ps, sp, st);
    auto tr = run_forward<Tr>(all[0], static_steps, recurrent ? all[Node::kSpk0] : Tensor(), s0, p,
                              recurrent ? &op : nullptr, cfg);
    std::vector<Tensor> r{tr.spk};
    r.insert(r.end(), tr.s.begin(), tr.s.end());
    return r;
  }
  auto opt = [](const Tensor& t) { return t.defined() ? c10::optional<Tensor>(t) : c10::nullopt; };
  return Node::apply(at::TensorList(all), opt(op.w), opt(op.b), opt(op.V), static_steps, static_cast<int64_t>(op.kind),
                     op.pad, cfg);
}

}  // namespace seq
}  // namespace snntorch::kernels
