// N-API glue for the sequence (whole time loop) neuron kernels in native/kernels (conversion only).
#include <ATen/ATen.h>

#include "args.h"
#include "kernels/neuron_sequence.h"
#include "registry.h"
#include "snn_args.h"
#include "tensor_handle.h"

namespace snntorch::binding {
namespace {

int64_t staticSteps(const Napi::CallbackInfo& info, size_t i) {
  int64_t n = argInt(info, i);
  if (n < 0) throw Napi::RangeError::New(info.Env(), "num_steps must be >= 0 (0: input is [T, B, ...])");
  return n;
}

// The recurrent operator { kind: 'one_to_one' | 'linear' | 'conv', weight?, bias?, V?, padding?: [ph, pw] }
// (absent or null tensors left undefined) into the kernel's spec.
kernels::FeedbackSpec argSequenceFeedback(const Napi::CallbackInfo& info, size_t i) {
  const Napi::Env env = info.Env();
  if (!info[i].IsObject())
    throw Napi::TypeError::New(env, "argument " + std::to_string(i) + ": expected a feedback object");
  const Napi::Object o = info[i].As<Napi::Object>();
  const Napi::Value k = o.Get("kind");
  const std::string kind = k.IsString() ? k.As<Napi::String>().Utf8Value() : "";
  kernels::FeedbackSpec fb;
  if (kind == "one_to_one") fb.kind = kernels::Feedback::OneToOne;
  else if (kind == "linear") fb.kind = kernels::Feedback::Linear;
  else if (kind == "conv") fb.kind = kernels::Feedback::Conv;
  else throw Napi::RangeError::New(env, "feedback.kind must be 'one_to_one', 'linear' or 'conv'");
  auto opt = [&](const char* name, at::Tensor& dst) {
    Napi::Value v = o.Get(name);
    if (!v.IsUndefined() && !v.IsNull()) dst = TensorHandle::From(v, (std::string("feedback.") + name).c_str());
  };
  opt("weight", fb.weight);
  opt("bias", fb.bias);
  opt("V", fb.V);
  Napi::Value pad = o.Get("padding");
  if (!pad.IsUndefined()) {
    if (!pad.IsArray()) throw Napi::TypeError::New(env, "feedback.padding must be an array of two integers");
    Napi::Array a = pad.As<Napi::Array>();
    fb.padding.clear();
    for (uint32_t j = 0; j < a.Length(); ++j) {
      Napi::Value e = a.Get(j);
      if (!e.IsNumber()) throw Napi::TypeError::New(env, "feedback.padding must be an array of two integers");
      fb.padding.push_back(e.As<Napi::Number>().Int64Value());
    }
  }
  return fb;
}

}  // namespace

// snn_neuron_sequence(kind, input, num_steps (0 = input is [T, B, ...]), states0[], params[], spk0 | null,
//   feedback | null, config) -> [spk_rec, ...state_recs]; spk0 and feedback only for rsynaptic.
NATIVE_FN(snn_neuron_sequence) {
  at::Tensor spk;
  if (auto s = argOptTensor(info, 5)) spk = *s;
  kernels::FeedbackSpec fb;
  const bool has_fb = !argIsMissing(info, 6);
  if (has_fb) fb = argSequenceFeedback(info, 6);
  auto out =
      kernels::neuron_sequence(argString(info, 0), argTensor(info, 1), staticSteps(info, 2), argTensorList(info, 3),
                               spk, argTensorList(info, 4), has_fb ? &fb : nullptr, argNeuronConfig(info, 7));
  return wrapList(info, out);
}

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
