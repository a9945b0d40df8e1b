// One traits type per torch::optim optimizer (as LibTorch pairs AdamOptions with AdamParamState):
// its options and state as JS sees them, in one place. The generic optimizer binding (optim.cpp)
// reaches them through OptimizerKind, chosen once by name when the optimizer is created.
#pragma once
#include <napi.h>
#include <torch/optim/adam.h>
#include <torch/optim/adamw.h>
#include <torch/optim/sgd.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace snntorch::binding {

class OptimizerKind {
 public:
  virtual ~OptimizerKind() = default;
  // Every group carries its own options, so the optimizer's defaults are never used for a group.
  virtual std::unique_ptr<torch::optim::Optimizer> create(
      std::vector<torch::optim::OptimizerParamGroup> groups) const = 0;
  // Fresh options (LibTorch's defaults) with the keys present in `o` applied.
  virtual std::unique_ptr<torch::optim::OptimizerOptions> options(const Napi::Object& o) const = 0;
  // Sets the keys present in `o`.
  virtual void setOptions(torch::optim::OptimizerOptions& opts, const Napi::Object& o) const = 0;
  virtual Napi::Object optionsToJs(Napi::Env env, const torch::optim::OptimizerOptions& opts) const = 0;
  // Adds the state's defined tensors to the counts.
  virtual void countState(const torch::optim::OptimizerParamState& s, int64_t& tensors, int64_t& bytes) const = 0;
  // Moves the state's tensors to the parameter's dtype and device.
  virtual void alignState(torch::optim::OptimizerParamState& s, const at::Tensor& p) const = 0;
  virtual Napi::Value stateToJs(Napi::Env env, const torch::optim::OptimizerParamState& s) const = 0;
  virtual std::unique_ptr<torch::optim::OptimizerParamState> stateFromJs(const Napi::Object& o,
                                                                         const at::Tensor& p) const = 0;
  // One step with the fused kernel where the optimizer has one (Adam, AdamW) and every parameter
  // with a grad suits it; false (nothing changed) where the caller must run torch::optim's step.
  virtual bool stepFused(torch::optim::Optimizer& opt) const = 0;
};

// "adam", "adamw" or "sgd"; throws for any other name.
const OptimizerKind& optimizerKind(const std::string& name);

}  // namespace snntorch::binding
