// torch::nn::init, so parameter initialisation draws the same random stream as LibTorch/PyTorch.
// Every function fills its tensor in place (under NoGradGuard, inside torch::nn::init).
#include <torch/nn/init.h>

#include "args.h"
#include "registry.h"
#include "rng.h"

namespace snntorch::binding {
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

// On a worker thread the same formulas as torch::nn::init, drawing from the thread's generator.
void uniformWith(at::Tensor& t, double low, double high, const at::Generator& gen) {
  at::NoGradGuard guard;
  t.uniform_(low, high, gen);
}
void normalWith(at::Tensor& t, double mean, double std, const at::Generator& gen) {
  at::NoGradGuard guard;
  t.normal_(mean, std, gen);
}
double kaimingStd(const at::Tensor& t, double a, const std::string& mode, const std::string& nl) {
  auto fans = torch::nn::init::_calculate_fan_in_and_fan_out(t);
  fanMode(mode);  // validates
  double fan = static_cast<double>(mode == "fan_in" ? std::get<0>(fans) : std::get<1>(fans));
  return torch::nn::init::calculate_gain(nonlinearity(nl), a) / std::sqrt(fan);
}
double xavierStd(const at::Tensor& t, double gain) {
  auto fans = torch::nn::init::_calculate_fan_in_and_fan_out(t);
  return gain * std::sqrt(2.0 / static_cast<double>(std::get<0>(fans) + std::get<1>(fans)));
}

}  // namespace

// init_uniform_(t, low, high)
NATIVE_FN(init_uniform_) {
  at::Tensor& t = argTensor(info, 0);
  if (auto gen = threadGenerator(t.device())) uniformWith(t, argDouble(info, 1), argDouble(info, 2), *gen);
  else torch::nn::init::uniform_(t, argDouble(info, 1), argDouble(info, 2));
  return info.Env().Undefined();
}
// init_normal_(t, mean, std)
NATIVE_FN(init_normal_) {
  at::Tensor& t = argTensor(info, 0);
  if (auto gen = threadGenerator(t.device())) normalWith(t, argDouble(info, 1), argDouble(info, 2), *gen);
  else torch::nn::init::normal_(t, argDouble(info, 1), argDouble(info, 2));
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
  if (auto gen = threadGenerator(argTensor(info, 0).device())) {
    double bound =
        std::sqrt(3.0) * kaimingStd(argTensor(info, 0), argDouble(info, 1), argString(info, 2), argString(info, 3));
    uniformWith(argTensor(info, 0), -bound, bound, *gen);
    return info.Env().Undefined();
  }
  torch::nn::init::kaiming_uniform_(argTensor(info, 0), argDouble(info, 1), fanMode(argString(info, 2)),
                                    nonlinearity(argString(info, 3)));
  return info.Env().Undefined();
}
NATIVE_FN(init_kaiming_normal_) {
  if (auto gen = threadGenerator(argTensor(info, 0).device())) {
    normalWith(argTensor(info, 0), 0,
               kaimingStd(argTensor(info, 0), argDouble(info, 1), argString(info, 2), argString(info, 3)), *gen);
    return info.Env().Undefined();
  }
  torch::nn::init::kaiming_normal_(argTensor(info, 0), argDouble(info, 1), fanMode(argString(info, 2)),
                                   nonlinearity(argString(info, 3)));
  return info.Env().Undefined();
}
// init_xavier_uniform_(t, gain)
NATIVE_FN(init_xavier_uniform_) {
  if (auto gen = threadGenerator(argTensor(info, 0).device())) {
    double a = std::sqrt(3.0) * xavierStd(argTensor(info, 0), argDouble(info, 1));
    uniformWith(argTensor(info, 0), -a, a, *gen);
    return info.Env().Undefined();
  }
  torch::nn::init::xavier_uniform_(argTensor(info, 0), argDouble(info, 1));
  return info.Env().Undefined();
}
NATIVE_FN(init_xavier_normal_) {
  if (auto gen = threadGenerator(argTensor(info, 0).device())) {
    normalWith(argTensor(info, 0), 0, xavierStd(argTensor(info, 0), argDouble(info, 1)), *gen);
    return info.Env().Undefined();
  }
  torch::nn::init::xavier_normal_(argTensor(info, 0), argDouble(info, 1));
  return info.Env().Undefined();
}
// init_calculate_gain(nonlinearity, param)
NATIVE_FN(init_calculate_gain) {
  return Napi::Number::New(info.Env(),
                           torch::nn::init::calculate_gain(nonlinearity(argString(info, 0)), argDouble(info, 1)));
}
// init_fan_in_and_fan_out(t) -> [fan_in, fan_out]
NATIVE_FN(init_fan_in_and_fan_out) {
  auto fans = torch::nn::init::_calculate_fan_in_and_fan_out(argTensor(info, 0));
  Napi::Array a = Napi::Array::New(info.Env(), 2);
  a.Set(0u, Napi::Number::New(info.Env(), static_cast<double>(std::get<0>(fans))));
  a.Set(1u, Napi::Number::New(info.Env(), static_cast<double>(std::get<1>(fans))));
  return a;
}

}  // namespace snntorch::binding
