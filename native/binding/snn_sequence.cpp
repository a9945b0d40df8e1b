// N-API glue for the sequence (whole time loop) neuron kernels in native/kernels (conversion only).
#include <ATen/ATen.h>

#include "args.h"
#include "kernels/neuron_sequence.h"
#include "registry.h"
#include "snn_args.h"

namespace snntorch::binding {
namespace {

int64_t staticSteps(const Napi::CallbackInfo& info, size_t i) {
  int64_t n = argInt(info, i);
  if (n < 0) throw Napi::RangeError::New(info.Env(), "num_steps must be >= 0 (0: input is [T, B, ...])");
  return n;
}

}  // namespace

// snn_rleaky_sequence(input, num_steps (0 = input is [T, B, ...]), spk0, mem0, beta, threshold,
//   feedback (0 one_to_one | 1 linear | 2 conv), weight?, bias?, V?, padding[2],
//   reset, reset_delay, surrogate, param, surrogate_disable) -> [spk_rec, mem_rec]
NATIVE_FN(snn_rleaky_sequence) {
  int64_t kind = argInt(info, 6);
  if (kind < 0 || kind > 2) throw Napi::RangeError::New(info.Env(), "feedback code must be 0, 1 or 2");
  kernels::FeedbackSpec fb;
  fb.kind = static_cast<kernels::Feedback>(kind);
  if (auto w = argOptTensor(info, 7)) fb.weight = *w;
  if (auto b = argOptTensor(info, 8)) fb.bias = *b;
  if (auto v = argOptTensor(info, 9)) fb.V = *v;
  fb.padding = argIntList(info, 10);
  auto out = kernels::rleaky_sequence(argTensor(info, 0), staticSteps(info, 1), argTensor(info, 2), argTensor(info, 3),
                                      argTensor(info, 4), argTensor(info, 5), fb, argStepConfig(info, 11));
  return wrapList(info, out);
}

// snn_leaky_sequence(input, num_steps (0 = input is [T, B, ...]), mem0, beta, threshold, graded_spikes_factor,
//   reset, reset_delay, surrogate, param, surrogate_disable) -> [spk_rec, mem_rec]
NATIVE_FN(snn_leaky_sequence) {
  auto out = kernels::leaky_sequence(argTensor(info, 0), staticSteps(info, 1), argTensor(info, 2), argTensor(info, 3),
                                     argTensor(info, 4), argTensor(info, 5), argStepConfig(info, 6));
  return wrapList(info, out);
}

}  // namespace snntorch::binding
