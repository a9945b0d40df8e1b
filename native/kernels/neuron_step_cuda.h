// Launchers of the fused Leaky/RLeaky step on CUDA, over raw device pointers. Plain C++ with no
// LibTorch and no CUDA header, so nvcc compiles neuron_step_cuda.cu without LibTorch's CUDA
// headers and the host side (cuda_dispatch.cpp) calls it without CUDA's.
//
// Contract: the same per-element maths as the CPU kernels (step_math.h, compiled for the device
// with FMA contraction off, so float32/float64 results equal the CPU fused step bit for bit,
// except the summed grads of single-value parameters, which differ only in summation order).
// Storage dtypes: float32, float16, bfloat16 (float64 CUDA states take the composed path). All are
// computed in float: 16-bit values are widened on load and rounded once on store. Parameters and
// parameter grads are float32.
// All state pointers are contiguous, of n elements, on the current device.
#pragma once
#include <cstdint>

namespace snntorch::kernels {
namespace cuda {

enum class DType : int { Float32 = 0, Float16 = 1, BFloat16 = 2 };

// A per-neuron parameter broadcast over the state without materialising it (as ParamView on the
// CPU): element i reads p[(i / inner) % period], a float32. p == nullptr reads as 1 (RLeaky's graded
// factor).
struct ParamPtr {
  const void* p = nullptr;
  int64_t inner = 1, period = 1;
};

struct FwdArgs {
  DType dtype = DType::Float32;
  int64_t n = 0;
  bool rec_mode = false;   // RLeaky (x + rec) rather than Leaky
  int reset = 0;           // kernels::Reset
  bool immediate = false;  // reset_delay == false with a reset mechanism
  const void* x = nullptr;
  const void* rec = nullptr;  // rec_mode only
  const void* u = nullptr;    // previous mem
  ParamPtr beta, th, g;
  void* spk = nullptr;
  void* mem = nullptr;
  void* v = nullptr;  // mem before the immediate reset; may be null unless `immediate`
};

struct BwdArgs {
  DType dtype = DType::Float32;
  int64_t n = 0;
  bool rec_mode = false;
  int reset = 0;           // kernels::Reset
  bool immediate = false;  // the immediate reset is active AND mem received a gradient
  bool sg = false;         // the surrogate runs (not disabled, and a gradient reaches the spike)
  int surrogate = 0;       // kernels::Surrogate
  double surrogate_param = 2.0;
  const void* u = nullptr;   // previous mem (saved)
  const void* v = nullptr;   // returned mem, or mem before the immediate reset (saved)
  const void* gS = nullptr;  // may be null: no gradient reached spk (reads as 0)
  const void* gM = nullptr;  // may be null: no gradient reached mem (reads as 0)
  ParamPtr beta, th, g;
  void* gx = nullptr;  // may be null (not needed); also the grad of rec
  void* gu = nullptr;  // may be null (not needed)
  // Per parameter (beta, threshold, graded factor): a full-size float32 buffer that is
  // OVERWRITTEN with the per-element grad, or (sum[k]) a sum over all elements, in double, written
  // per block to partials[block * 3 + k] (partials holds bwd_blocks(n) * 3 doubles), or neither.
  void* full[3] = {nullptr, nullptr, nullptr};
  bool sum[3] = {false, false, false};
  double* partials = nullptr;
};

// Blocks of the backward launch for n elements (rows of `partials`).
int64_t bwd_blocks(int64_t n);

// Enqueue on `stream` (a cudaStream_t); return nullptr, or CUDA's error message. n == 0 is a no-op.
const char* launch_step_fwd(const FwdArgs& a, void* stream);
const char* launch_step_bwd(const BwdArgs& a, void* stream);

}  // namespace cuda
}  // namespace snntorch::kernels
