// The step configuration as the snn natives receive it. Leaky/RLeaky's natives take it as the
// positional (reset, reset_delay, surrogate, surrogate_param, surrogate_disable) codes from
// argument i on (argStepConfig); the generic neuron step takes one named object (argNeuronConfig):
//   { reset: 'subtract' | 'zero' | 'none', reset_delay: boolean,
//     surrogate: 'atan' | 'fast_sigmoid' | 'sigmoid' | 'straight_through_estimator' | 'heaviside' | 'triangular',
//     surrogate_param: number, surrogate_disable: boolean }
// parsed here, once, into kernels::StepConfig (the names are the TypeScript API's own).
#pragma once
#include <napi.h>

#include <string>

#include "args.h"
#include "kernels/neuron_step.h"

namespace snntorch::binding {

inline kernels::StepConfig argStepConfig(const Napi::CallbackInfo& info, size_t i) {
  kernels::StepConfig c;
  int64_t reset = argInt(info, i);
  int64_t sg = argInt(info, i + 2);
  if (reset < 0 || reset > 2) throw Napi::RangeError::New(info.Env(), "reset mechanism code must be 0, 1 or 2");
  if (sg < 0 || sg > 5) throw Napi::RangeError::New(info.Env(), "surrogate code must be in [0, 5]");
  c.reset = static_cast<kernels::Reset>(reset);
  c.reset_delay = argBool(info, i + 1);
  c.surrogate = static_cast<kernels::Surrogate>(sg);
  c.surrogate_param = argDouble(info, i + 3);
  c.surrogate_disable = argBool(info, i + 4);
  return c;
}

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

inline kernels::StepConfig argNeuronConfig(const Napi::CallbackInfo& info, size_t i) {
  const Napi::Env env = info.Env();
  if (i >= info.Length() || !info[i].IsObject())
    throw Napi::TypeError::New(env, "argument " + std::to_string(i) + ": expected a neuron step config object");
  const Napi::Object o = info[i].As<Napi::Object>();
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

}  // namespace snntorch::binding
