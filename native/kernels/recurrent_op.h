// The recurrent term Rec(S_{t-1}) of RLeaky / RSynaptic inside the sequence node: the same ATen op
// the step form uses (addmm / mul / conv2d), written into a reused buffer where the op has an
// out= form, and its input gradient. Also the checks that turn a FeedbackSpec into one.
#pragma once
#include <ATen/ATen.h>

#include <vector>

#include "neuron_sequence.h"

namespace snntorch::kernels {
namespace detail {

struct RecurrentOp {
  Feedback kind;
  at::Tensor w, b, V;
  std::vector<int64_t> pad;

  // Rec(s); buf is a contiguous state-shaped tensor the result may be written into.
  at::Tensor forward(const at::Tensor& s, at::Tensor buf) const {
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
    return at::Tensor();
  }

  // add + d/dS of sum(Rec(S) * g), in one op where possible (add may be undefined).
  at::Tensor backward_input(const at::Tensor& g, const at::Tensor& s, at::Tensor buf, const at::Tensor& add) const {
    switch (kind) {
      case Feedback::OneToOne:
        if (add.defined()) at::addcmul_out(buf, add, g, V);
        else at::mul_out(buf, g, V);
        return buf;
      case Feedback::Linear: {
        const int64_t n = w.size(1);
        at::Tensor o = buf.view({-1, n});
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
        at::Tensor gi = std::get<0>(r).reshape(sp);
        if (add.defined()) gi.add_(add);
        return gi;
      }
    }
    return at::Tensor();
  }
};

// Checks fb against a state of shape sp and casts its tensors to dtype st.
inline RecurrentOp make_recurrent_op(const FeedbackSpec& fb, at::IntArrayRef sp, at::ScalarType st, const char* fn) {
  RecurrentOp op{fb.kind, at::Tensor(), at::Tensor(), at::Tensor(), {0, 0}};
  switch (fb.kind) {
    case Feedback::OneToOne:
      TORCH_CHECK(fb.V.defined(), fn, ": one-to-one feedback needs V");
      op.V = fb.V.to(st);
      TORCH_CHECK(at::infer_size(op.V.sizes(), sp) == sp, fn, ": V of shape ", op.V.sizes(),
                  " does not broadcast to the state shape ", sp);
      break;
    case Feedback::Linear:
      TORCH_CHECK(fb.weight.defined() && fb.weight.dim() == 2 && !sp.empty() && fb.weight.size(0) == sp.back() &&
                      fb.weight.size(1) == sp.back(),
                  fn, ": linear feedback needs a [N, N] weight with N the state's last dim");
      op.w = fb.weight.to(st);
      if (fb.bias.defined()) {
        TORCH_CHECK(fb.bias.dim() == 1 && fb.bias.size(0) == sp.back(), fn, ": bad bias shape");
        op.b = fb.bias.to(st);
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
      op.w = fb.weight.to(st);
      if (fb.bias.defined()) {
        TORCH_CHECK(fb.bias.dim() == 1 && fb.bias.size(0) == C, fn, ": bad bias shape");
        op.b = fb.bias.to(st);
      }
      op.pad = fb.padding;
      break;
    }
    default: TORCH_CHECK(false, fn, ": unknown feedback kind");
  }
  return op;
}

}  // namespace detail
}  // namespace snntorch::kernels
