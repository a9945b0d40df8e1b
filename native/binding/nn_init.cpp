// torch::nn::init, so parameter initialisation draws the same random stream as LibTorch/PyTorch.
// Every function fills its tensor in place (under NoGradGuard, inside torch::nn::init).
#include <torch/nn/init.h>

#include "args.h"
#include "registry.h"

namespace snn {
namespace {

torch::nn::init::NonlinearityType nonlinearity(const std::string& name) {
  if (name == "linear") return torch::kLinear;
  if (name == "conv1d") return torch::kConv1D;
  if (name == "conv2d") return torch::kConv2D;
  if (name == "conv3d") return torch::kConv3D;
  if (name == "conv_transpose1d") return torch::kConvTranspose1D;
  if (name == "conv_transpose2d") return torch::kConvTranspose2D;
  if (name == "conv_transpose3d") return torch::kConvTranspose3D;
  if (name == "sigmoid") return torch::kSigmoid;
  if (name == "tanh") return torch::kTanh;
  if (name == "relu") return torch::kReLU;
  if (name == "leaky_relu") return torch::kLeakyReLU;
  throw std::invalid_argument("unsupported nonlinearity '" + name + "'");
}

torch::nn::init::FanModeType fanMode(const std::string& name) {
  if (name == "fan_in") return torch::kFanIn;
  if (name == "fan_out") return torch::kFanOut;
  throw std::invalid_argument("mode must be 'fan_in' or 'fan_out', got '" + name + "'");
}

}  // namespace

// init_uniform_(t, low, high)
NATIVE_FN(init_uniform_) {
  torch::nn::init::uniform_(argTensor(info, 0), argDouble(info, 1), argDouble(info, 2));
  return info.Env().Undefined();
}
// init_normal_(t, mean, std)
NATIVE_FN(init_normal_) {
  torch::nn::init::normal_(argTensor(info, 0), argDouble(info, 1), argDouble(info, 2));
  return info.Env().Undefined();
}
NATIVE_FN(init_constant_) {
  torch::nn::init::constant_(argTensor(info, 0), argScalar(info, 1));
  return info.Env().Undefined();
}
NATIVE_FN(init_zeros_) {
  torch::nn::init::zeros_(argTensor(info, 0));
  return info.Env().Undefined();
}
NATIVE_FN(init_ones_) {
  torch::nn::init::ones_(argTensor(info, 0));
  return info.Env().Undefined();
}
// init_kaiming_uniform_(t, a, mode, nonlinearity)
NATIVE_FN(init_kaiming_uniform_) {
  torch::nn::init::kaiming_uniform_(argTensor(info, 0), argDouble(info, 1), fanMode(argString(info, 2)),
                                    nonlinearity(argString(info, 3)));
  return info.Env().Undefined();
}
NATIVE_FN(init_kaiming_normal_) {
  torch::nn::init::kaiming_normal_(argTensor(info, 0), argDouble(info, 1), fanMode(argString(info, 2)),
                                   nonlinearity(argString(info, 3)));
  return info.Env().Undefined();
}
// init_xavier_uniform_(t, gain)
NATIVE_FN(init_xavier_uniform_) {
  torch::nn::init::xavier_uniform_(argTensor(info, 0), argDouble(info, 1));
  return info.Env().Undefined();
}
NATIVE_FN(init_xavier_normal_) {
  torch::nn::init::xavier_normal_(argTensor(info, 0), argDouble(info, 1));
  return info.Env().Undefined();
}
// init_calculate_gain(nonlinearity, param)
NATIVE_FN(init_calculate_gain) {
  return Napi::Number::New(info.Env(), torch::nn::init::calculate_gain(nonlinearity(argString(info, 0)), argDouble(info, 1)));
}
// init_fan_in_and_fan_out(t) -> [fan_in, fan_out]
NATIVE_FN(init_fan_in_and_fan_out) {
  auto fans = torch::nn::init::_calculate_fan_in_and_fan_out(argTensor(info, 0));
  Napi::Array a = Napi::Array::New(info.Env(), 2);
  a.Set(0u, Napi::Number::New(info.Env(), static_cast<double>(std::get<0>(fans))));
  a.Set(1u, Napi::Number::New(info.Env(), static_cast<double>(std::get<1>(fans))));
  return a;
}

}  // namespace snn
