// The plain composed path: snnTorch's Leaky/RLeaky step written op by op with ATen autograd,
// and the surrogate spike as its own autograd Function (backward in torch's op order).
#include <ATen/ATen.h>
#include <torch/csrc/autograd/custom_function.h>

#include "neuron_step.h"
#include "step_kernels.h"

namespace snntorch::kernels {
namespace {

using at::Tensor;
using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

struct SpikeFn : torch::autograd::Function<SpikeFn> {
  static Tensor forward(AutogradContext* ctx, const Tensor& x, int64_t kind, double param) {
    ctx->saved_data["kind"] = kind;
    ctx->saved_data["param"] = param;
    ctx->save_for_backward({x});
    return x.gt(0).to(x.scalar_type());
  }
  // Each line is the Python expression of snntorch/surrogate.py.
  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const Tensor x = ctx->get_saved_variables()[0];
    const Tensor& g = grads[0];
    const double p = ctx->saved_data["param"].toDouble();
    Tensor gi;
    switch (static_cast<Surrogate>(ctx->saved_data["kind"].toInt())) {
      case Surrogate::ATan:  // alpha / 2 / (1 + (pi/2*alpha*x).pow_(2)) * g
        gi = x.mul(kPi / 2 * p).pow_(2).add(1).reciprocal().mul(p / 2).mul(g);
        break;
      case Surrogate::FastSigmoid:  // g / (slope * |x| + 1.0) ** 2
        gi = g.div(x.abs().mul(p).add(1.0).pow(2));
        break;
      case Surrogate::Sigmoid:  // g * slope * exp(-slope*x) / ((exp(-slope*x) + 1) ** 2)
        gi = g.mul(p).mul(x.mul(-p).exp()).div(x.mul(-p).exp().add(1).pow(2));
        break;
      case Surrogate::StraightThrough: gi = g.clone(); break;
      case Surrogate::Heaviside: gi = g.mul(x.gt(0).to(x.scalar_type())); break;
      case Surrogate::Triangular: {  // grad = g * t; grad[x >= 0] = -grad[x >= 0]
        const Tensor t = g.mul(p);
        gi = at::where(x.ge(0), t.neg(), t);
        break;
      }
    }
    return {gi, Tensor(), Tensor()};
  }
};

Tensor fire(const Tensor& z, const StepConfig& cfg) {
  if (cfg.surrogate_disable) return z.gt(0).to(z.scalar_type());  // no graph at all
  return spike_fn(z, cfg.surrogate, cfg.surrogate_param);
}

// Immediate reset for reset_delay=False (d is not detached).
Tensor immediate_reset(const Tensor& m, const Tensor& spk, const Tensor& gsf, const Tensor& r, const Tensor& th,
                       const StepConfig& cfg) {
  if (cfg.reset_delay) return m;
  const Tensor d = spk.div(gsf).sub(r);
  if (cfg.reset == Reset::Subtract) return m.sub(d.mul(th));
  if (cfg.reset == Reset::Zero) return m.sub(d.mul(m));
  return m;
}

}  // namespace

Tensor spike_fn(const Tensor& x, Surrogate kind, double param) {
  return SpikeFn::apply(x, static_cast<int64_t>(kind), param);
}

std::vector<Tensor> leaky_step_composed(const Tensor& input, const Tensor& mem, const Tensor& beta,
                                        const Tensor& threshold, const Tensor& graded_spikes_factor,
                                        const StepConfig& cfg) {
  const auto st = detail::check_state(input, mem, Tensor(), "leaky_step_composed");
  const Tensor x = input.to(st), u = mem.to(st), th = threshold.to(st), gsf = graded_spikes_factor.to(st);
  const Tensor b = beta.to(st).clamp(0, 1);
  const Tensor r = u.sub(th).gt(0).to(st);  // delayed reset: detached Heaviside
  Tensor m;
  switch (cfg.reset) {
    case Reset::Subtract: m = b.mul(u).add(x).sub(r.mul(th)); break;
    case Reset::Zero: m = b.mul(at::rsub(r, 1).mul(u)).add(x); break;  // only U is zeroed
    case Reset::None: m = b.mul(u).add(x); break;
  }
  const Tensor spk = fire(m.sub(th), cfg).mul(gsf);
  return {spk, immediate_reset(m, spk, gsf, r, th, cfg)};
}

std::vector<Tensor> rleaky_step_composed(const Tensor& input, const Tensor& rec, const Tensor& mem, const Tensor& beta,
                                         const Tensor& threshold, const StepConfig& cfg) {
  const auto st = detail::check_state(input, mem, rec, "rleaky_step_composed");
  const Tensor x = input.to(st), rc = rec.to(st), u = mem.to(st), th = threshold.to(st);
  const Tensor gsf = at::ones({}, x.options());
  const Tensor b = beta.to(st).clamp(0, 1);
  const Tensor r = u.sub(th).gt(0).to(st);
  auto base = [&] { return b.mul(u).add(x).add(rc); };
  Tensor m;
  switch (cfg.reset) {
    case Reset::Subtract: m = base().sub(r.mul(th)); break;
    case Reset::Zero: m = base().sub(r.mul(base())); break;  // P built twice, as snnTorch does
    case Reset::None: m = base(); break;
  }
  const Tensor spk = fire(m.sub(th), cfg).mul(gsf);
  return {spk, immediate_reset(m, spk, gsf, r, th, cfg)};
}

}  // namespace snntorch::kernels
