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

// snn_neuron_sequence(kind, input, num_steps (0 = input is [T, B, ...]), states0[], params[], spk0 | null,
//   feedback | null, config) -> [spk_rec, ...state_recs]; spk0 and feedback only for rsynaptic.
NATIVE_FN(snn_neuron_sequence) {
  at::Tensor spk;
  if (auto s = argOptTensor(info, 5)) spk = *s;
  kernels::FeedbackSpec fb;
  const bool has_fb = !argIsMissing(info, 6);
  if (has_fb) fb = argFeedback(info, 6);
  auto out =
      kernels::neuron_sequence(argString(info, 0), argTensor(info, 1), staticSteps(info, 2), argTensorList(info, 3),
                               spk, argTensorList(info, 4), has_fb ? &fb : nullptr, argNeuronConfig(info, 7));
  return wrapList(info, out);
}

// snn_rleaky_sequence(input, num_steps (0 = input is [T, B, ...]), spk0, mem0, beta, threshold, feedback, config)
//   -> [spk_rec, mem_rec]
NATIVE_FN(snn_rleaky_sequence) {
  auto out =
      kernels::rleaky_sequence(argTensor(info, 0), staticSteps(info, 1), argTensor(info, 2), argTensor(info, 3),
                               argTensor(info, 4), argTensor(info, 5), argFeedback(info, 6), argNeuronConfig(info, 7));
  return wrapList(info, out);
}

// snn_leaky_sequence(input, num_steps (0 = input is [T, B, ...]), mem0, beta, threshold, graded_spikes_factor,
//   config) -> [spk_rec, mem_rec]
NATIVE_FN(snn_leaky_sequence) {
  auto out = kernels::leaky_sequence(argTensor(info, 0), staticSteps(info, 1), argTensor(info, 2), argTensor(info, 3),
                                     argTensor(info, 4), argTensor(info, 5), argNeuronConfig(info, 6));
  return wrapList(info, out);
}

}  // namespace snntorch::binding
