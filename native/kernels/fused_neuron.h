// The fused step of any neuron described by a traits type (neuron_traits.h), written once: the
// CPU element loops, the tensor-level forward/backward, and the autograd node. Its entry point is
// fused_step<Traits, Node>(inputs, states, params, cfg). A file instantiating these templates starts
// with `#pragma GCC optimize("no-trapping-math")` (GCC only if-converts and vectorises the element
// loops without trapping math; FP exception flags are never read, so results are unchanged), so
// every instantiation of one template is compiled alike.
#pragma once
#include <ATen/ATen.h>
#include <torch/csrc/autograd/custom_function.h>

#include <array>
#include <type_traits>
#include <vector>

#include "cuda_dispatch.h"
#include "neuron_step.h"
#include "neuron_traits.h"
#include "param_view.h"
#include "step_config_ctx.h"
#include "step_dispatch.h"
#include "step_kernels.h"

namespace snntorch::kernels {
namespace fused {

using at::Tensor;

// The CUDA kernel of each traits type (fused_neuron_cuda.h); `has` false: CUDA tensors take the
// composed step.
template <class Tr>
struct CudaKind {
  static constexpr bool has = false;
  static constexpr cuda::NeuronKind value = cuda::NeuronKind::Leaky;
};
template <cuda::NeuronKind K>
struct CudaKindIs {
  static constexpr bool has = true;
  static constexpr cuda::NeuronKind value = K;
};
template <>
struct CudaKind<traits::Leaky> : CudaKindIs<cuda::NeuronKind::Leaky> {};
template <>
struct CudaKind<traits::RLeaky> : CudaKindIs<cuda::NeuronKind::RLeaky> {};
template <>
struct CudaKind<traits::Synaptic> : CudaKindIs<cuda::NeuronKind::Synaptic> {};
template <>
struct CudaKind<traits::RSynaptic> : CudaKindIs<cuda::NeuronKind::RSynaptic> {};
template <>
struct CudaKind<traits::Lapicque> : CudaKindIs<cuda::NeuronKind::Lapicque> {};
template <>
struct CudaKind<traits::Alpha> : CudaKindIs<cuda::NeuronKind::Alpha> {};

// t in dtype st: t itself when it already is (Tensor::to is a dispatcher call even then, and a
// step makes a dozen of these).
inline Tensor as_type(const Tensor& t, at::ScalarType st) { return t.scalar_type() == st ? t : t.to(st); }

template <class Tr, typename T>
std::array<detail::RawParam<T>, Tr::kParams> raws(const std::vector<detail::ParamView>& pv) {
  std::array<detail::RawParam<T>, Tr::kParams> o;
  for (int k = 0; k < Tr::kParams; ++k) o[k] = detail::raw<T>(pv[k]);
  return o;
}

// The parameters viewed over a state of `shape` in dtype st (their values broadcast, not copied).
template <class Tr>
std::vector<detail::ParamView> param_views(const std::vector<Tensor>& params, at::IntArrayRef shape,
                                           at::ScalarType st) {
  std::vector<detail::ParamView> v;
  v.reserve(params.size());
  for (size_t k = 0; k < params.size(); ++k)
    v.push_back(detail::make_param_view(as_type(params[k], st), shape, Tr::kNames[k]));
  return v;
}

// How many input-grad buffers the backward writes: one when every input's grad is the same.
template <class Tr>
constexpr int input_grads() {
  return Tr::kSharedInputGrad ? 1 : Tr::kInputs;
}

// The parameters of one element: the kParams values, then the traits' derived values
// (traits::derive). Where every parameter is a single value (PP holds ScalarParam) the derived
// values are computed once per block, not per element: parameter-only maths (Alpha's logarithms,
// Synaptic's clamps) leaves the element loop.
template <class Tr, typename T, class PP>
struct ElementParams {
  static constexpr int NP = Tr::kParams, ND = traits::derived_count<Tr>::value;
  static constexpr bool kScalar =
      std::is_same_v<std::decay_t<decltype(std::declval<const PP&>()[0])>, detail::ScalarParam<T>>;
  T once[ND + 1];
  explicit ElementParams(const PP& pp) {
    if constexpr (kScalar && ND > 0) {
      T p0[NP + ND];
      for (int k = 0; k < NP; ++k) p0[k] = pp[k][0];
      traits::derive<Tr>(p0);
      for (int m = 0; m < ND; ++m) once[m] = p0[NP + m];
    }
  }
  SNNK_INLINE void at(const PP& pp, int64_t j, T* pi) const {
    for (int k = 0; k < NP; ++k) pi[k] = pp[k][j];
    if constexpr (ND > 0) {
      if constexpr (kScalar) {
        for (int m = 0; m < ND; ++m) pi[NP + m] = once[m];
      } else {
        traits::derive<Tr>(pi);
      }
    }
  }
};

// The element loops of one block [i0, i0 + len), outside AT_DISPATCH's macro argument so they can
// carry `ivdep`: outputs never alias inputs, and without the promise GCC gives up vectorising over
// this many pointers. pp[k][j] is parameter k at element i0 + j. Pointers, parameters and
// constants are copied into locals first: a store through a T* could alias a T behind a
// reference, so the loop would reload (and re-broadcast) every single-value parameter.
template <class Tr, typename T>
struct FwdPtrs {
  const T* in[Tr::kInputs];
  const T* s[Tr::kStates];
  T* out[Tr::kStates];
  T* spk;
  T* v;  // written only under the immediate reset
};

template <class Tr, Reset R, bool D, typename T, class PP>
void forward_block(const FwdPtrs<Tr, T>& q, int64_t i0, int64_t len, const PP& ppq) {
  constexpr int NI = Tr::kInputs, NS = Tr::kStates, NP = Tr::kParams, ND = traits::derived_count<Tr>::value;
  const FwdPtrs<Tr, T> a = q;
  const PP pp = ppq;
  const ElementParams<Tr, T, PP> ep(pp);
#pragma GCC ivdep
  for (int64_t j = 0; j < len; ++j) {
    const int64_t i = i0 + j;
    T xi[NI], si[NS], pi[NP + ND], so[NS], sp, vi;
    for (int k = 0; k < NI; ++k) xi[k] = a.in[k][i];
    for (int k = 0; k < NS; ++k) si[k] = a.s[k][i];
    ep.at(pp, j, pi);
    Tr::template forward<R, D>(xi, si, pi, sp, so, vi);
    a.spk[i] = sp;
    for (int k = 0; k < NS; ++k) a.out[k][i] = so[k];
    if (D) a.v[i] = vi;
  }
}

// In backward_block the pointers are the block's own (element j at [j]); a missing upstream grad
// (gS, gout[k]) points at a block of zeros. `in` is read only where the traits' backward takes the
// inputs (traits::saves_inputs).
template <class Tr, typename T>
struct BwdPtrs {
  const T* in[Tr::kInputs];
  const T* s[Tr::kStates];
  const T* gout[Tr::kStates];
  const T* v;
  const T* gS;
  T* gin[input_grads<Tr>()];
  T* gs[Tr::kStates];
};

// One element's grads (block-local pointers, element j): inputs' and states' stored, parameters'
// into gp.
template <class Tr, Surrogate K, bool SG, Reset R, bool D, typename T, class PP>
SNNK_INLINE void backward_element(const SurrogateConsts<T>& sc, const BwdPtrs<Tr, T>& a, int64_t j,
                                  const ElementParams<Tr, T, PP>& ep, const PP& pp, T* gp) {
  constexpr int NI = Tr::kInputs, NS = Tr::kStates, NP = Tr::kParams, ND = traits::derived_count<Tr>::value;
  T xi[NI], si[NS], pi[NP + ND], go[NS], gi[NI], gsv[NS];
  if constexpr (traits::saves_inputs<Tr>::value)
    for (int k = 0; k < NI; ++k) xi[k] = a.in[k][j];
  for (int k = 0; k < NS; ++k) {
    si[k] = a.s[k][j];
    go[k] = a.gout[k][j];
  }
  ep.at(pp, j, pi);
  traits::backward<Tr, K, SG, R, D>(sc, xi, si, a.v[j], pi, a.gS[j], go, gi, gsv, gp);
  for (int k = 0; k < input_grads<Tr>(); ++k) a.gin[k][j] = gi[k];
  for (int k = 0; k < NS; ++k) a.gs[k][j] = gsv[k];
}

// q's pointers moved to the block at i0; missing upstream grads read from `zeros`.
template <class Tr, typename T>
BwdPtrs<Tr, T> block_ptrs(const BwdPtrs<Tr, T>& q, int64_t i0, const T* zeros) {
  BwdPtrs<Tr, T> a;
  for (int k = 0; k < Tr::kInputs; ++k) a.in[k] = q.in[k] != nullptr ? q.in[k] + i0 : nullptr;
  for (int k = 0; k < Tr::kStates; ++k) {
    a.s[k] = q.s[k] + i0;
    a.gout[k] = q.gout[k] != nullptr ? q.gout[k] + i0 : zeros;
    a.gs[k] = q.gs[k] + i0;
  }
  a.v = q.v + i0;
  a.gS = q.gS != nullptr ? q.gS + i0 : zeros;
  for (int k = 0; k < input_grads<Tr>(); ++k) a.gin[k] = q.gin[k] + i0;
  return a;
}

// lp == nullptr: no parameter grads wanted, the loop stores the state grads only. Otherwise
// lp[k * kBlock + j] receives parameter k's grad at element i0 + j.
template <class Tr, Surrogate K, bool SG, Reset R, bool D, typename T, class PP>
void backward_block(const SurrogateConsts<T>& scq, const BwdPtrs<Tr, T>& q, int64_t i0, int64_t len, const PP& ppq,
                    T* lp) {
  constexpr int NP = Tr::kParams;
  // A block of zeros stands for each missing upstream grad: no full-size zero tensor is made.
  alignas(64) static const T kZeros[detail::kBlock] = {};
  const SurrogateConsts<T> sc = scq;  // local copies: stores cannot alias them
  const BwdPtrs<Tr, T> a = block_ptrs(q, i0, kZeros);
  const PP pp = ppq;
  const ElementParams<Tr, T, PP> ep(pp);
  if (lp == nullptr) {
#pragma GCC ivdep
    for (int64_t j = 0; j < len; ++j) {
      T gp[NP];
      backward_element<Tr, K, SG, R, D>(sc, a, j, ep, pp, gp);
    }
    return;
  }
#pragma GCC ivdep
  for (int64_t j = 0; j < len; ++j) {
    T gp[NP];
    backward_element<Tr, K, SG, R, D>(sc, a, j, ep, pp, gp);
    for (int k = 0; k < NP; ++k) lp[k * detail::kBlock + j] = gp[k];
  }
}

// Forward over contiguous same-shape tensors: in (kInputs), s (kStates) -> spk, out (kStates), and
// v (the membrane before the immediate reset), which must be defined exactly when the immediate
// reset runs.
template <class Tr>
void forward_into(const std::vector<Tensor>& in, const std::vector<Tensor>& s, const std::vector<detail::ParamView>& pv,
                  const StepConfig& cfg, const Tensor& spk, const std::vector<Tensor>& out, const Tensor& v) {
  constexpr int NP = Tr::kParams;
  const int64_t n = spk.numel();
  const bool immediate = Tr::kResetDelay && cfg.immediate();
  TORCH_INTERNAL_ASSERT(immediate == v.defined(), "forward_into: v is written exactly when the reset is immediate");
  AT_DISPATCH_FLOATING_TYPES(spk.scalar_type(), "snnk_fused_forward", [&] {
    using T = scalar_t;
    FwdPtrs<Tr, T> q;
    for (int k = 0; k < Tr::kInputs; ++k) q.in[k] = in[k].data_ptr<T>();
    for (int k = 0; k < Tr::kStates; ++k) {
      q.s[k] = s[k].data_ptr<T>();
      q.out[k] = out[k].data_ptr<T>();
    }
    q.spk = spk.data_ptr<T>();
    q.v = v.defined() ? v.data_ptr<T>() : nullptr;
    dispatch_mode(cfg.reset, immediate, [&](auto r_c, auto d_c) {
      constexpr Reset R = decltype(r_c)::value;
      constexpr bool D = decltype(d_c)::value;
      detail::for_each_block<T, NP>(n, raws<Tr, T>(pv),
                                    [&](int64_t i0, int64_t len, const auto& pp, detail::ParamSums<NP>&) {
                                      forward_block<Tr, R, D>(q, i0, len, pp);
                                    });
    });
  });
}

// Backward over contiguous same-shape tensors. gS and each gout[k] may be undefined (no grad
// reached that output: read as zeros). sg: the surrogate runs; immediate: the immediate reset
// runs and the membrane got a grad. gin (input_grads<Tr>()) and gs (kStates) are overwritten.
// in: the step's inputs where the traits' backward reads them (traits::saves_inputs), else unused. Parameter k's grad
// is ADDED to gp_full[k] where that is defined (a sequence accumulates over steps), or summed in double where sum[k]
// and returned; the per-element values go through a block buffer so the element loop stays vectorised.
template <class Tr>
std::array<double, Tr::kParams> backward_into(const std::vector<Tensor>& s, const Tensor& v,
                                              const std::vector<detail::ParamView>& pv, const Tensor& gS,
                                              const std::vector<Tensor>& gout, bool sg, bool immediate,
                                              const StepConfig& cfg, const std::vector<Tensor>& gin,
                                              const std::vector<Tensor>& gs, const std::vector<Tensor>& gp_full,
                                              const std::array<bool, Tr::kParams>& sum,
                                              const std::vector<Tensor>& in = {}) {
  constexpr int NS = Tr::kStates, NP = Tr::kParams;
  TORCH_INTERNAL_ASSERT(!traits::saves_inputs<Tr>::value || static_cast<int>(in.size()) == Tr::kInputs,
                        "backward_into: the traits' backward reads the inputs");
  const int64_t n = v.numel();
  std::array<double, NP> tot{};
  AT_DISPATCH_FLOATING_TYPES(v.scalar_type(), "snnk_fused_backward", [&] {
    using T = scalar_t;
    BwdPtrs<Tr, T> q;
    for (int k = 0; k < Tr::kInputs; ++k) q.in[k] = traits::saves_inputs<Tr>::value ? in[k].data_ptr<T>() : nullptr;
    for (int k = 0; k < NS; ++k) {
      q.s[k] = s[k].data_ptr<T>();
      q.gout[k] = gout[k].defined() ? gout[k].data_ptr<T>() : nullptr;
      q.gs[k] = gs[k].data_ptr<T>();
    }
    for (int k = 0; k < input_grads<Tr>(); ++k) q.gin[k] = gin[k].data_ptr<T>();
    q.v = v.data_ptr<T>();
    q.gS = gS.defined() ? gS.data_ptr<T>() : nullptr;
    std::array<T*, NP> full;
    bool need_params = false;
    for (int k = 0; k < NP; ++k) {
      full[k] = gp_full[k].defined() ? gp_full[k].data_ptr<T>() : nullptr;
      need_params = need_params || full[k] != nullptr || sum[k];
    }
    const SurrogateConsts<T> sc(cfg.surrogate, cfg.surrogate_param);
    auto run = [&](auto k_c, auto sg_c) {
      constexpr Surrogate K = decltype(k_c)::value;
      constexpr bool SG = decltype(sg_c)::value;
      dispatch_mode(cfg.reset, Tr::kResetDelay && immediate, [&](auto r_c, auto d_c) {
        constexpr Reset R = decltype(r_c)::value;
        constexpr bool D = decltype(d_c)::value;
        tot = detail::for_each_block<T, NP>(
            n, raws<Tr, T>(pv), [&](int64_t i0, int64_t len, const auto& pp, detail::ParamSums<NP>& acc) {
              if (!need_params) {
                backward_block<Tr, K, SG, R, D>(sc, q, i0, len, pp, static_cast<T*>(nullptr));
                return;
              }
              alignas(64) T lp[NP * detail::kBlock];
              backward_block<Tr, K, SG, R, D>(sc, q, i0, len, pp, lp);
              for (int k = 0; k < NP; ++k) {
                const T* l = lp + k * detail::kBlock;
                if (full[k] != nullptr) {
                  T* f = full[k] + i0;
                  for (int64_t j = 0; j < len; ++j) f[j] += l[j];
                } else if (sum[k]) {
                  double t = 0;
                  for (int64_t j = 0; j < len; ++j) t += static_cast<double>(l[j]);
                  acc[k] += t;
                }
              }
            });
      });
    };
    if (sg) dispatch_surrogate(cfg.surrogate, [&](auto k_c) { run(k_c, std::true_type{}); });
    else run(std::integral_constant<Surrogate, Surrogate::ATan>{}, std::false_type{});
  });
  return tot;
}

struct Out {
  Tensor spk, v;
  std::vector<Tensor> states;
};

// One forward step into new tensors; v is the membrane before the immediate reset where that
// runs, else the new membrane state itself (so saving it keeps nothing extra alive). CUDA tensors
// run the CUDA kernel (fused_step sends only those it takes).
template <class Tr>
Out forward_step(const std::vector<Tensor>& in, const std::vector<Tensor>& s, const std::vector<Tensor>& params,
                 const StepConfig& cfg) {
  const Tensor& x = in[0];
#ifdef SNN_WITH_CUDA
  if (x.is_cuda()) {
    auto c =
        cuda::neuron_forward(CudaKind<Tr>::value, in, s, params, Tr::kNames, cfg, Tr::kResetDelay && cfg.immediate());
    Out o{c.spk, c.v, c.states};
    if (!o.v.defined()) o.v = o.states[Tr::kMem];
    return o;
  }
#endif
  const auto pv = param_views<Tr>(params, x.sizes(), x.scalar_type());
  Out o;
  o.spk = at::empty_like(x);
  for (int k = 0; k < Tr::kStates; ++k) o.states.push_back(at::empty_like(x));
  if (Tr::kResetDelay && cfg.immediate()) o.v = at::empty_like(x);
  forward_into<Tr>(in, s, pv, cfg, o.spk, o.states, o.v);
  if (!o.v.defined()) o.v = o.states[Tr::kMem];
  return o;
}

// A fused node's outputs {spk, states...}. With surrogate_disable no grad flows through the spike
// to the membrane, so unless the graded factor scaling it is learnable the spike is marked
// non-differentiable.
template <class Tr>
torch::autograd::variable_list node_outputs(torch::autograd::AutogradContext* ctx, const StepConfig& cfg,
                                            const Tensor& graded, const Tensor& spk,
                                            const std::vector<Tensor>& states) {
  if (cfg.surrogate_disable && !graded.requires_grad()) ctx->mark_non_differentiable({spk});
  torch::autograd::variable_list r{spk};
  r.insert(r.end(), states.begin(), states.end());
  return r;
}

// The autograd node of neuron Tr, named by Self (a struct deriving from StepNode<Tr, Self>, whose
// name autograd prints as the grad_fn and whose kName the double-backward error names). Inputs,
// states and parameters come flattened in that order (a TensorList, so each is an input edge).
template <class Tr, class Self>
struct StepNode : torch::autograd::Function<Self> {
  static constexpr int NI = Tr::kInputs, NS = Tr::kStates, NP = Tr::kParams;

  static torch::autograd::variable_list forward(torch::autograd::AutogradContext* ctx, at::TensorList all,
                                                const StepConfig& cfg) {
    const std::vector<Tensor> in(all.begin(), all.begin() + NI);
    const std::vector<Tensor> s(all.begin() + NI, all.begin() + NI + NS);
    const std::vector<Tensor> p(all.begin() + NI + NS, all.end());
    auto o = fused::forward_step<Tr>(in, s, p, cfg);
    ctx->set_materialize_grads(false);
    detail::save_cfg(ctx, cfg);
    std::vector<Tensor> save(s);
    save.push_back(o.v);
    save.insert(save.end(), p.begin(), p.end());
    if (traits::saves_inputs<Tr>::value) save.insert(save.end(), in.begin(), in.end());
    ctx->save_for_backward(save);
    return node_outputs<Tr>(ctx, cfg, p[Tr::kGraded], o.spk, o.states);
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grads) {
    refuse_double_backward(Self::kName);
    const auto sv = ctx->get_saved_variables();
    const StepConfig cfg = detail::load_cfg(ctx);
    std::vector<Tensor> s(sv.begin(), sv.begin() + NS);
    const Tensor v = sv[NS].contiguous();
    const std::vector<Tensor> p(sv.begin() + NS + 1, sv.begin() + NS + 1 + NP);
    std::vector<Tensor> in(sv.begin() + NS + 1 + NP, sv.end());  // saved where the traits read them
    for (auto& t : s) t = t.contiguous();
    for (auto& t : in) t = t.contiguous();
    const auto opts = v.options();
    // A missing grad stays undefined: the kernel reads zeros for it.
    auto dense = [&](const Tensor& t) { return t.defined() ? as_type(t, v.scalar_type()).contiguous() : Tensor(); };
    const bool has_s = grads[0].defined(), has_m = grads[1 + Tr::kMem].defined();
    bool any = has_s;
    std::vector<Tensor> gout;
    for (int k = 0; k < NS; ++k) {
      any = any || grads[1 + k].defined();
      gout.push_back(dense(grads[1 + k]));
    }
    torch::autograd::variable_list res(NI + NS + NP + 1);
    if (!any) return res;
    const bool immediate = Tr::kResetDelay && cfg.immediate() && has_m;
    const bool sg = !cfg.surrogate_disable && (has_s || immediate);
#ifdef SNN_WITH_CUDA
    if (v.is_cuda()) return backward_cuda(ctx, in, s, v, p, grads, cfg, immediate, sg);
#endif
    const Tensor gS = dense(grads[0]);
    const auto pv = param_views<Tr>(p, v.sizes(), v.scalar_type());
    std::vector<Tensor> gin, gs, gfull(NP);
    for (int k = 0; k < input_grads<Tr>(); ++k) gin.push_back(at::empty_like(v));
    for (int k = 0; k < NS; ++k) gs.push_back(at::empty_like(v));
    // Single-value parameters are summed inside the pass; broadcast ones go through a full buffer.
    std::array<bool, NP> sum{};
    for (int k = 0; k < NP; ++k) {
      if (!ctx->needs_input_grad(NI + NS + k) || !Tr::param_grad(k)) continue;
      if (pv[k].period == 1) sum[k] = true;
      else gfull[k] = at::zeros_like(v);
    }
    const auto tot = backward_into<Tr>(s, v, pv, gS, gout, sg, immediate, cfg, gin, gs, gfull, sum, in);
    for (int k = 0; k < NI; ++k)
      if (ctx->needs_input_grad(k)) res[k] = gin[Tr::kSharedInputGrad ? 0 : k];
    for (int k = 0; k < NS; ++k)
      if (ctx->needs_input_grad(NI + k)) res[NI + k] = gs[k];
    for (int k = 0; k < NP; ++k) {
      if (gfull[k].defined()) res[NI + NS + k] = detail::reduce_to(gfull[k], p[k]);
      else if (sum[k]) res[NI + NS + k] = at::full(p[k].sizes(), tot[k], opts);
    }
    return res;
  }

#ifdef SNN_WITH_CUDA
  static torch::autograd::variable_list backward_cuda(torch::autograd::AutogradContext* ctx,
                                                      const std::vector<Tensor>& in, const std::vector<Tensor>& s,
                                                      const Tensor& v, const std::vector<Tensor>& p,
                                                      const torch::autograd::variable_list& grads,
                                                      const StepConfig& cfg, bool immediate, bool sg) {
    std::vector<bool> need(NI + NS + NP);
    for (int k = 0; k < NI + NS + NP; ++k)
      need[k] = ctx->needs_input_grad(k) && (k < NI + NS || Tr::param_grad(k - NI - NS));
    // Equal input grads: one buffer, returned for every input that wants it.
    if (Tr::kSharedInputGrad)
      for (int k = 1; k < NI; ++k) {
        need[0] = need[0] || need[k];
        need[k] = false;
      }
    const std::vector<Tensor> gout(grads.begin() + 1, grads.begin() + 1 + NS);
    auto g =
        cuda::neuron_backward(CudaKind<Tr>::value, in, s, v, p, Tr::kNames, grads[0], gout, cfg, immediate, sg, need);
    torch::autograd::variable_list res(NI + NS + NP + 1);
    for (int k = 0; k < NI + NS + NP; ++k) res[k] = g[k];
    if (Tr::kSharedInputGrad)
      for (int k = 0; k < NI; ++k) res[k] = ctx->needs_input_grad(k) ? g[0] : Tensor();
    return res;
  }
#endif
};

// One step of neuron Tr through node Node (a StepNode<Tr, Node>): returns {spk, new states...}.
// All tensors are defined; inputs and states share one shape; parameters broadcast to it without
// growing it. CPU float32/float64 run the kernel; 16-bit CPU states compute in float32; CUDA
// float32/float16/bfloat16 run the CUDA kernel (fused_neuron_cuda.cu) in a build with CUDA;
// anything else returns an empty vector (the caller runs the composed step).
template <class Tr, class Node>
std::vector<Tensor> fused_step(const std::vector<Tensor>& in, const std::vector<Tensor>& states,
                               const std::vector<Tensor>& params, const StepConfig& cfg) {
  const char* fn = Node::kName;
  TORCH_CHECK(static_cast<int>(in.size()) == Tr::kInputs, fn, ": expected ", Tr::kInputs, " inputs, got ", in.size());
  TORCH_CHECK(static_cast<int>(states.size()) == Tr::kStates, fn, ": expected ", Tr::kStates, " states, got ",
              states.size());
  TORCH_CHECK(static_cast<int>(params.size()) == Tr::kParams, fn, ": expected ", Tr::kParams, " parameters, got ",
              params.size());
  const Tensor& x = in[0];
  TORCH_CHECK(x.defined(), fn, ": input must be defined");
  auto st = x.scalar_type();
  auto check = [&](const Tensor& t, const char* what) {
    TORCH_CHECK(t.defined(), fn, ": ", what, " must be defined");
    TORCH_CHECK(t.sizes().equals(x.sizes()), fn, ": ", what, " shape ", t.sizes(), " differs from input shape ",
                x.sizes());
    TORCH_CHECK(t.device() == x.device(), fn, ": ", what, " and input are on different devices");
    st = at::promote_types(st, t.scalar_type());
  };
  for (size_t k = 1; k < in.size(); ++k) check(in[k], "rec");
  for (size_t k = 0; k < states.size(); ++k) check(states[k], Tr::kNames[Tr::kParams + k]);
  TORCH_CHECK(at::isFloatingType(st), fn, ": the state must be floating point, got ", st);
  if (!x.is_cpu() && !(CudaKind<Tr>::has && cuda::fused_available(x, st))) return {};
  // CPU: 16-bit states compute in float32. CUDA: 16-bit states stay 16-bit (the kernels compute
  // in float) and parameters go to the state's device as float32.
  const bool half = x.is_cpu() && (st == at::kHalf || st == at::kBFloat16);
  const auto ct = half ? at::kFloat : st;
  std::vector<Tensor> all;
  all.reserve(in.size() + states.size() + params.size());
  for (const auto& t : in) all.push_back(as_type(t, ct).contiguous());
  for (const auto& t : states) all.push_back(as_type(t, ct).contiguous());
  for (const auto& t : params) all.push_back(x.is_cpu() ? as_type(t, ct) : t.to(x.device(), at::kFloat));
  bool grad = false;
  if (at::GradMode::is_enabled())
    for (const auto& t : all) grad = grad || t.requires_grad();
  std::vector<Tensor> r;
  if (!grad) {
    const std::vector<Tensor> i2(all.begin(), all.begin() + Tr::kInputs);
    const std::vector<Tensor> s2(all.begin() + Tr::kInputs, all.begin() + Tr::kInputs + Tr::kStates);
    const std::vector<Tensor> p2(all.begin() + Tr::kInputs + Tr::kStates, all.end());
    auto o = fused::forward_step<Tr>(i2, s2, p2, cfg);
    r.push_back(o.spk);
    r.insert(r.end(), o.states.begin(), o.states.end());
  } else {
    r = Node::apply(at::TensorList(all), cfg);
  }
  if (half)
    for (auto& t : r) t = t.to(st);
  return r;
}

}  // namespace fused
}  // namespace snntorch::kernels
