// nn layer ops beyond ops_nn.cpp (batch norm, 1-D convolution and pooling, transposed convolution,
// full avg_pool2d options, softplus) and snnTorch's state quantiser, straight onto ATen.
#include <ATen/ATen.h>
#include <torch/csrc/autograd/custom_function.h>

#include "args.h"
#include "registry.h"

namespace snntorch::binding {
namespace {
// Forward: each element snaps to the nearest level (the first of equally near ones, as
// torch.min's index does); backward: the gradient passes straight through.
struct StateQuantFn : public torch::autograd::Function<StateQuantFn> {
  static at::Tensor forward(torch::autograd::AutogradContext*, const at::Tensor& input, const at::Tensor& levels) {
    at::Tensor lv = levels.to(input.device(), input.scalar_type());
    at::Tensor flat = input.reshape({-1, 1});
    at::Tensor idx = std::get<1>(at::min(at::abs(lv - flat), -1));
    return lv.index_select(0, idx).reshape(input.sizes());
  }
  static torch::autograd::variable_list backward(torch::autograd::AutogradContext*,
                                                 torch::autograd::variable_list grad) {
    return {grad[0].clone(), at::Tensor()};
  }
};
}  // namespace

// batch_norm(x, weight?, bias?, running_mean?, running_var?, training, momentum, eps); updates the
// running statistics in place when training.
NATIVE_FN(batch_norm) {
  return wrap(info, at::batch_norm(argTensor(info, 0), argOptTensor(info, 1), argOptTensor(info, 2),
                                   argOptTensor(info, 3), argOptTensor(info, 4), argBool(info, 5), argDouble(info, 6),
                                   argDouble(info, 7), at::globalContext().userEnabledCuDNN()));
}

// conv1d(x, weight, bias?, stride[], padding[] | 'same' | 'valid', dilation[], groups)
NATIVE_FN(conv1d) {
  const at::Tensor& x = argTensor(info, 0);
  const at::Tensor& w = argTensor(info, 1);
  auto b = argOptTensor(info, 2);
  auto stride = argIntList(info, 3);
  auto dilation = argIntList(info, 5);
  int64_t groups = argInt(info, 6);
  if (info[4].IsString()) return wrap(info, at::conv1d(x, w, b, stride, argString(info, 4), dilation, groups));
  return wrap(info, at::conv1d(x, w, b, stride, argIntList(info, 4), dilation, groups));
}

// conv_transpose2d(x, weight, bias?, stride[], padding[], output_padding[], groups, dilation[])
NATIVE_FN(conv_transpose2d) {
  return wrap(info,
              at::conv_transpose2d(argTensor(info, 0), argTensor(info, 1), argOptTensor(info, 2), argIntList(info, 3),
                                   argIntList(info, 4), argIntList(info, 5), argInt(info, 6), argIntList(info, 7)));
}

// max_pool1d(x, kernel[], stride[], padding[], dilation[], ceil_mode)
NATIVE_FN(max_pool1d) {
  return wrap(info, at::max_pool1d(argTensor(info, 0), argIntList(info, 1), argIntList(info, 2), argIntList(info, 3),
                                   argIntList(info, 4), argBool(info, 5)));
}

// avg_pool2d_ex(x, kernel[], stride[], padding[], ceil_mode, count_include_pad, divisor_override?)
NATIVE_FN(avg_pool2d_ex) {
  return wrap(info, at::avg_pool2d(argTensor(info, 0), argIntList(info, 1), argIntList(info, 2), argIntList(info, 3),
                                   argBool(info, 4), argBool(info, 5), argOptInt(info, 6)));
}

// softplus(x, beta, threshold)
NATIVE_FN(softplus) { return wrap(info, at::softplus(argTensor(info, 0), argDouble(info, 1), argDouble(info, 2))); }

// state_quant(x, levels): nearest level forward, straight-through backward.
NATIVE_FN(state_quant) { return wrap(info, StateQuantFn::apply(argTensor(info, 0), argTensor(info, 1))); }

}  // namespace snntorch::binding
