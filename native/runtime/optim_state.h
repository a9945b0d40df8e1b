// Per-parameter optimizer state as torch::optim keeps it.
#pragma once
#include <ATen/ATen.h>

#include <string>

namespace snntorch::runtime {

// LibTorch keys per-parameter state by the TensorImpl's address.
std::string stateKey(const at::Tensor& p);

// A state tensor follows its parameter's dtype and device (as PyTorch's load_state_dict casts
// them): after model.to('float64') or .cuda() the next step would otherwise mix dtypes and fail
// inside ATen. A shape change cannot be followed and is reported with the fix. `name` is the
// state's key in error messages; an undefined tensor is left alone.
void alignToParam(at::Tensor& s, const at::Tensor& p, const char* name);

}  // namespace snntorch::runtime
