// The step configuration every snn native receives as one named object (argNeuronConfig):
//   { reset: 'subtract' | 'zero' | 'none', reset_delay: boolean,
//     surrogate: 'atan' | 'fast_sigmoid' | 'sigmoid' | 'straight_through_estimator' | 'heaviside' | 'triangular',
//     surrogate_param: number, surrogate_disable: boolean }
// parsed here into kernels::StepConfig (the names are the TypeScript API's own). A neuron parses
// its settings once (snn_step_config, a handle) and passes the handle on every step; and the
// recurrent operator of the RLeaky sequence (argFeedback):
//   { kind: 'one_to_one' | 'linear' | 'conv', weight?, bias?, V?, padding?: [ph, pw] }
#pragma once
#include <napi.h>

#include <string>

#include "args.h"
#include "kernels/neuron_sequence.h"
#include "kernels/neuron_step.h"
#include "tensor_handle.h"

namespace snntorch::binding {

inline kernels::Reset resetFromName(Napi::Env env, const std::string& s) {
  if (s == "subtract") return kernels::Reset::Subtract;
  if (s == "zero") return kernels::Reset::Zero;
  if (s == "none") return kernels::Reset::None;
  throw Napi::RangeError::New(env, "config.reset must be 'subtract', 'zero' or 'none', got '" + s + "'");
}

inline kernels::Surrogate surrogateFromName(Napi::Env env, const std::string& s) {
  if (s == "atan") return kernels::Surrogate::ATan;
  if (s == "fast_sigmoid") return kernels::Surrogate::FastSigmoid;
  if (s == "sigmoid") return kernels::Surrogate::Sigmoid;
  if (s == "straight_through_estimator") return kernels::Surrogate::StraightThrough;
  if (s == "heaviside") return kernels::Surrogate::Heaviside;
  if (s == "triangular") return kernels::Surrogate::Triangular;
  throw Napi::RangeError::New(env,
                              "config.surrogate must be one of 'atan', 'fast_sigmoid', 'sigmoid', "
                              "'straight_through_estimator', 'heaviside', 'triangular', got '" +
                                  s + "'");
}

// A parsed config held by JS (snn_step_config): neurons parse their settings once and pass the
// handle on every step. The tag proves an External is one of these.
inline constexpr napi_type_tag kStepConfigTag = {0x5b1e9c2f7a4d4e31ULL, 0x9f60c8d2b3a71e45ULL};

inline Napi::Value stepConfigHandle(Napi::Env env, const kernels::StepConfig& c) {
  auto ext = Napi::External<kernels::StepConfig>::New(env, new kernels::StepConfig(c),
                                                      [](Napi::Env, kernels::StepConfig* p) { delete p; });
  ext.TypeTag(&kStepConfigTag);
  return ext;
}

inline kernels::StepConfig parseNeuronConfig(Napi::Env env, const Napi::Object& o) {
  auto field = [&](const char* name) {
    Napi::Value v = o.Get(name);
    if (v.IsUndefined()) throw Napi::TypeError::New(env, std::string("config.") + name + " is missing");
    return v;
  };
  auto str = [&](const char* name) {
    Napi::Value v = field(name);
    if (!v.IsString()) throw Napi::TypeError::New(env, std::string("config.") + name + " must be a string");
    return v.As<Napi::String>().Utf8Value();
  };
  auto boolean = [&](const char* name) {
    Napi::Value v = field(name);
    if (!v.IsBoolean()) throw Napi::TypeError::New(env, std::string("config.") + name + " must be a boolean");
    return v.As<Napi::Boolean>().Value();
  };
  kernels::StepConfig c;
  c.reset = resetFromName(env, str("reset"));
  c.reset_delay = boolean("reset_delay");
  c.surrogate = surrogateFromName(env, str("surrogate"));
  Napi::Value p = field("surrogate_param");
  if (!p.IsNumber()) throw Napi::TypeError::New(env, "config.surrogate_param must be a number");
  c.surrogate_param = p.As<Napi::Number>().DoubleValue();
  c.surrogate_disable = boolean("surrogate_disable");
  return c;
}

// The config at argument i: a handle from snn_step_config, or the named object itself.
inline kernels::StepConfig argNeuronConfig(const Napi::CallbackInfo& info, size_t i) {
  const Napi::Env env = info.Env();
  if (i < info.Length() && info[i].IsExternal()) {
    const auto ext = info[i].As<Napi::External<kernels::StepConfig>>();
    if (!ext.CheckTypeTag(&kStepConfigTag))
      throw Napi::TypeError::New(env, "argument " + std::to_string(i) + ": expected a neuron step config");
    return *ext.Data();
  }
  if (i >= info.Length() || !info[i].IsObject())
    throw Napi::TypeError::New(env, "argument " + std::to_string(i) + ": expected a neuron step config object");
  return parseNeuronConfig(env, info[i].As<Napi::Object>());
}

inline kernels::FeedbackSpec argFeedback(const Napi::CallbackInfo& info, size_t i) {
  const Napi::Env env = info.Env();
  if (i >= info.Length() || !info[i].IsObject())
    throw Napi::TypeError::New(env, "argument " + std::to_string(i) + ": expected a feedback object");
  const Napi::Object o = info[i].As<Napi::Object>();
  const Napi::Value k = o.Get("kind");
  if (!k.IsString()) throw Napi::TypeError::New(env, "feedback.kind must be a string");
  const std::string kind = k.As<Napi::String>().Utf8Value();
  kernels::FeedbackSpec fb;
  if (kind == "one_to_one") fb.kind = kernels::Feedback::OneToOne;
  else if (kind == "linear") fb.kind = kernels::Feedback::Linear;
  else if (kind == "conv") fb.kind = kernels::Feedback::Conv;
  else throw Napi::RangeError::New(env, "feedback.kind must be 'one_to_one', 'linear' or 'conv', got '" + kind + "'");
  auto tensor = [&](const char* name, at::Tensor& dst) {
    const Napi::Value v = o.Get(name);
    if (v.IsUndefined() || v.IsNull()) return;
    dst = TensorHandle::From(v, (std::string("feedback.") + name).c_str());
  };
  tensor("weight", fb.weight);
  tensor("bias", fb.bias);
  tensor("V", fb.V);
  const Napi::Value p = o.Get("padding");
  if (!p.IsUndefined()) {
    if (!p.IsArray() || p.As<Napi::Array>().Length() != 2)
      throw Napi::TypeError::New(env, "feedback.padding must be an array of two integers");
    const Napi::Array a = p.As<Napi::Array>();
    for (uint32_t d = 0; d < 2; ++d) {
      const Napi::Value e = a.Get(d);
      if (!e.IsNumber()) throw Napi::TypeError::New(env, "feedback.padding must be an array of two integers");
      fb.padding[d] = e.As<Napi::Number>().Int64Value();
    }
  }
  return fb;
}

}  // namespace snntorch::binding
