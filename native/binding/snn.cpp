// N-API glue for the spiking-neuron kernels in native/kernels (conversion only).
#include <ATen/ATen.h>

#include "args.h"
#include "kernels/neuron_step.h"
#include "registry.h"
#include "snn_args.h"

namespace snntorch::binding {

// snn_leaky_step(input, mem, beta, threshold, graded_spikes_factor, config)
NATIVE_FN(snn_leaky_step) {
  auto out = kernels::leaky_step(argTensor(info, 0), argTensor(info, 1), argTensor(info, 2), argTensor(info, 3),
                                 argTensor(info, 4), argNeuronConfig(info, 5));
  return wrapList(info, out);
}

// snn_rleaky_step(input, rec, mem, beta, threshold, config)
NATIVE_FN(snn_rleaky_step) {
  auto out = kernels::rleaky_step(argTensor(info, 0), argTensor(info, 1), argTensor(info, 2), argTensor(info, 3),
                                  argTensor(info, 4), argNeuronConfig(info, 5));
  return wrapList(info, out);
}

// snn_step_config(config) -> a handle to the parsed config, accepted wherever a config is.
NATIVE_FN(snn_step_config) {
  if (info.Length() < 1 || !info[0].IsObject())
    throw Napi::TypeError::New(info.Env(), "argument 0: expected a neuron step config object");
  return stepConfigHandle(info.Env(), parseNeuronConfig(info.Env(), info[0].As<Napi::Object>()));
}

// snn_spike(x, surrogate, param): H(x) forward with the surrogate's backward, one autograd node.
NATIVE_FN(snn_spike) {
  const kernels::Surrogate sg = surrogateFromName(info.Env(), argString(info, 1));
  return wrap(info, kernels::spike_fn(argTensor(info, 0), sg, argDouble(info, 2)));
}

// A second handle to the same tensor (same autograd identity): modules keep their own handle to
// state they also return, so a caller disposing the returned one cannot free the module's.
NATIVE_FN(alias) { return wrap(info, argTensor(info, 0)); }

}  // namespace snntorch::binding
