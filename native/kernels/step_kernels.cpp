// The state checks and the parameter-grad reduction shared by the step entry points.
#include "step_kernels.h"

namespace snntorch::kernels {
namespace detail {

using at::Tensor;

Tensor reduce_to(const Tensor& full, const Tensor& like) {
  if (full.sizes().equals(like.sizes())) return full;
  return at::sum_to(full, like.sizes());
}

at::ScalarType check_state(const Tensor& input, const Tensor& mem, const Tensor& rec, const char* fn) {
  TORCH_CHECK(input.defined() && mem.defined(), fn, ": input and mem must be defined");
  TORCH_CHECK(mem.sizes().equals(input.sizes()), fn, ": mem shape ", mem.sizes(), " differs from input shape ",
              input.sizes());
  TORCH_CHECK(mem.device() == input.device(), fn, ": mem and input are on different devices");
  auto st = at::promote_types(input.scalar_type(), mem.scalar_type());
  if (rec.defined()) {
    TORCH_CHECK(rec.sizes().equals(input.sizes()), fn, ": rec shape ", rec.sizes(), " differs from input shape ",
                input.sizes());
    TORCH_CHECK(rec.device() == input.device(), fn, ": rec and input are on different devices");
    st = at::promote_types(st, rec.scalar_type());
  }
  TORCH_CHECK(at::isFloatingType(st), fn, ": the state must be floating point, got ", st);
  return st;
}

}  // namespace detail
}  // namespace snntorch::kernels
