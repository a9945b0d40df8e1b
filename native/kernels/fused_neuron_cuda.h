// Launchers of the generic fused neuron step (neuron_traits.h) on CUDA, over raw device pointers.
// Plain C++ with no LibTorch and no CUDA header, so nvcc compiles fused_neuron_cuda.cu without
// LibTorch's CUDA headers and the host side (cuda_dispatch.cpp) calls it without CUDA's. The kernels
// are written once over a traits type and instantiated per NeuronKind.
//
// Contract: the same per-element maths as the CPU kernels (the traits' functions, compiled for the
// device with FMA contraction off, so float32 results equal the CPU fused step bit for bit, except
// the summed grads of single-value parameters, which differ only in summation order). Storage
// dtypes: float32, float16, bfloat16, all computed in float (16-bit values are widened on load and
// rounded once on store). Parameters and parameter grads are float32. All state pointers are
// contiguous, of n elements, on the current device.
#pragma once
#include <cstdint>

namespace snntorch::kernels {
namespace cuda {

enum class DType : int { Float32 = 0, Float16 = 1, BFloat16 = 2 };

// A per-neuron parameter broadcast over the state without materialising it (as ParamView on the
// CPU): element i reads p[(i / inner) % period], a float32. p == nullptr reads as 1.
struct ParamPtr {
  const void* p = nullptr;
  int64_t inner = 1, period = 1;
};

enum class NeuronKind : int { Synaptic = 0, RSynaptic = 1, Lapicque = 2, Leaky = 3, RLeaky = 4, Alpha = 5 };

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
  const void* in[kMaxTensors] = {};    // the step's inputs (saved) where the neuron's backward reads them
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
