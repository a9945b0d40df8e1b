// N-API glue for the generic fused neuron step (native/kernels/fused_neurons.h), conversion only.
#include <ATen/ATen.h>

#include "args.h"
#include "kernels/fused_neurons.h"
#include "registry.h"
#include "snn_args.h"

namespace snntorch::binding {

// snn_neuron_step(kind, inputs[], states[], params[], config) -> [spk, ...states] or [] where the
// fused kernel does not run (the caller then runs the composed step).
NATIVE_FN(snn_neuron_step) {
  auto out = kernels::neuron_step(argString(info, 0), argTensorList(info, 1), argTensorList(info, 2),
                                  argTensorList(info, 3), argNeuronConfig(info, 4));
  return wrapList(info, out);
}

}  // namespace snntorch::binding
