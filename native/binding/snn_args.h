// The step configuration as the snn natives receive it: (reset, reset_delay, surrogate,
// surrogate_param, surrogate_disable) from argument i on.
#pragma once
#include <napi.h>

#include "args.h"
#include "kernels/neuron_step.h"

namespace snn {

inline snnk::StepConfig argStepConfig(const Napi::CallbackInfo& info, size_t i) {
  snnk::StepConfig c;
  int64_t reset = argInt(info, i);
  int64_t sg = argInt(info, i + 2);
  if (reset < 0 || reset > 2) throw Napi::RangeError::New(info.Env(), "reset mechanism code must be 0, 1 or 2");
  if (sg < 0 || sg > 5) throw Napi::RangeError::New(info.Env(), "surrogate code must be in [0, 5]");
  c.reset = static_cast<snnk::Reset>(reset);
  c.reset_delay = argBool(info, i + 1);
  c.surrogate = static_cast<snnk::Surrogate>(sg);
  c.surrogate_param = argDouble(info, i + 3);
  c.surrogate_disable = argBool(info, i + 4);
  return c;
}

}  // namespace snn
