// Compile-time dispatch of the reset mechanism and the immediate reset, shared by the CPU and CUDA
// kernels of every neuron (plain C++: nvcc includes it without LibTorch).
#pragma once
#include <type_traits>

#include "step_types.h"

namespace snntorch::kernels {

// reset_delay=False with a reset mechanism: the spike resets the returned membrane at once.
inline bool immediate_reset(Reset reset, bool reset_delay) { return !reset_delay && reset != Reset::None; }

// Calls f(R, D) with the reset mechanism R and the immediate-reset flag D as compile-time
// constants (D is false whenever R is None: no combination is compiled that cannot run).
template <typename F>
inline auto dispatch_mode(Reset r, bool d, F&& f) {
  using S = std::integral_constant<Reset, Reset::Subtract>;
  using Z = std::integral_constant<Reset, Reset::Zero>;
  using N = std::integral_constant<Reset, Reset::None>;
  if (r == Reset::None) return f(N{}, std::false_type{});
  if (r == Reset::Subtract) return d ? f(S{}, std::true_type{}) : f(S{}, std::false_type{});
  return d ? f(Z{}, std::true_type{}) : f(Z{}, std::false_type{});
}

// Calls f(std::bool_constant<b>{}).
template <typename F>
inline auto dispatch_bool(bool b, F&& f) {
  return b ? f(std::true_type{}) : f(std::false_type{});
}

}  // namespace snntorch::kernels
