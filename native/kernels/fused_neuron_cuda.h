// Launchers of the generic fused neuron step (neuron_traits.h) on CUDA, over raw device pointers:
// plain C++ with no LibTorch and no CUDA header, as neuron_step_cuda.h. The kernels are written
// once over a traits type and instantiated per NeuronKind. Same storage rules as the Leaky/RLeaky
// kernels: float32, float16 or bfloat16 states computed in float; parameters and their grads float32.
#pragma once
#include <cstdint>

#include "neuron_step_cuda.h"

namespace snntorch::kernels {
namespace cuda {

enum class NeuronKind : int { Synaptic = 0, RSynaptic = 1, Lapicque = 2 };

constexpr int kMaxTensors = 4;  // inputs or states per neuron
constexpr int kMaxParams = 8;

struct NeuronFwdArgs {
  DType dtype = DType::Float32;
  int64_t n = 0;
  int reset = 0;           // kernels::Reset
  bool immediate = false;  // reset_delay == false with a reset mechanism (neurons that have it)
  const void* in[kMaxTensors] = {};
  const void* s[kMaxTensors] = {};  // previous states
  ParamPtr p[kMaxParams];
  void* spk = nullptr;
  void* out[kMaxTensors] = {};  // new states
  void* v = nullptr;            // membrane before the immediate reset; may be null unless `immediate`
};

struct NeuronBwdArgs {
  DType dtype = DType::Float32;
  int64_t n = 0;
  int reset = 0;
  bool immediate = false;  // the immediate reset is active AND the membrane received a gradient
  bool sg = false;         // the surrogate runs
  int surrogate = 0;       // kernels::Surrogate
  double surrogate_param = 2.0;
  const void* s[kMaxTensors] = {};     // previous states (saved)
  const void* v = nullptr;             // membrane before the immediate reset, or the returned one
  const void* gS = nullptr;            // may be null (reads as 0)
  const void* gout[kMaxTensors] = {};  // grads of the new states; each may be null (reads as 0)
  ParamPtr p[kMaxParams];
  void* gin[kMaxTensors] = {};  // may be null (not needed)
  void* gs[kMaxTensors] = {};   // grads of the previous states; may be null
  // Per parameter: a full-size float32 buffer OVERWRITTEN with the per-element grad, or (sum[k])
  // per-block double sums in partials[block * kParams + k] (neuron_bwd_blocks(n) rows), or neither.
  void* full[kMaxParams] = {};
  bool sum[kMaxParams] = {};
  double* partials = nullptr;
};

// Rows of `partials` for n elements, and the neuron's parameter count (its columns).
int64_t neuron_bwd_blocks(int64_t n);
int neuron_params(NeuronKind k);

// Enqueue on `stream` (a cudaStream_t); nullptr, or CUDA's error message. n == 0 is a no-op.
const char* launch_neuron_fwd(NeuronKind k, const NeuronFwdArgs& a, void* stream);
const char* launch_neuron_bwd(NeuronKind k, const NeuronBwdArgs& a, void* stream);

}  // namespace cuda
}  // namespace snntorch::kernels
