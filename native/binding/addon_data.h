// Per-environment state of the addon (constructor references), kept as N-API instance data.
#pragma once
#include <napi.h>

namespace snntorch::binding {

struct AddonData {
  Napi::FunctionReference tensorCtor;
};

AddonData& addonData(Napi::Env env);

}  // namespace snntorch::binding
