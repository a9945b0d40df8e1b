// Support for nn.Module: replacing a parameter's data in place keeps the JS Parameter object (and
// anything holding it, e.g. an optimizer) valid across module.to(device|dtype).
#include <ATen/ATen.h>

#include "args.h"
#include "registry.h"

namespace snntorch::binding {

NATIVE_FN(set_data) {
  argTensor(info, 0).set_data(argTensor(info, 1));
  return info.Env().Undefined();
}

}  // namespace snntorch::binding
