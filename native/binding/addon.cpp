// Module entry: registers the TensorHandle class and every NATIVE_FN, each wrapped so that any C++
// exception (LibTorch's c10::Error included) becomes a JS Error carrying its message.
#include <cstdlib>
#include <c10/util/Exception.h>
#include <map>
#include <regex>
#include <string>
#include <napi.h>

#include "addon_data.h"
#include "registry.h"
#include "tensor_handle.h"
#include "runtime/malloc_tuning.h"

namespace snntorch::binding {

std::vector<Export>& exportRegistry() {
  static std::vector<Export> registry;
  return registry;
}

AddonData& addonData(Napi::Env env) { return *env.GetInstanceData<AddonData>(); }

namespace {

// LibTorch's "<kernel>" not implemented for '<Type>' names neither our function nor a dtype a
// user knows: say which function, which dtype (PyTorch's name) and what to do.
std::string explainNotImplemented(const char* fn, const std::string& msg) {
  static const std::regex re("\"([A-Za-z0-9_]+)\" not implemented for '([A-Za-z0-9]+)'");
  std::smatch m;
  if (!std::regex_search(msg, m, re)) return msg;
  static const std::map<std::string, std::string> names = {
      {"Half", "float16"}, {"BFloat16", "bfloat16"}, {"Float", "float32"}, {"Double", "float64"}, {"Bool", "bool"},
      {"Long", "int64"},   {"Int", "int32"},         {"Short", "int16"},   {"Char", "int8"},      {"Byte", "uint8"}};
  auto it = names.find(m[2].str());
  std::string dtype = it == names.end() ? m[2].str() : it->second;
  std::string out = std::string(fn) + ": LibTorch has no " + dtype + " kernel for this operation on this device (" +
                    msg + "); convert the " + dtype + " tensor argument";
  bool floating = dtype == "float16" || dtype == "bfloat16";
  out += floating ? " with .float() first (or compute on CUDA)" : " to a supported dtype first (e.g. .float())";
  return out;
}

// Hands an error to JS. When the environment cannot take it (a worker being stopped by
// worker.terminate() or process.exit), napi_throw fails and the failure is ignored: that JS never
// resumes. Nothing may escape from here, since a C++ exception leaving a Node-API callback aborts
// the process, and node-addon-api's own wrapper rethrows when napi_throw fails.
Napi::Value throwToJs(napi_env env, const Napi::Error& e) noexcept {
  try {
    napi_throw(env, e.Value());
  } catch (...) {
  }
  return Napi::Value();
}

Napi::Value throwToJs(napi_env env, const std::string& message) noexcept {
  napi_throw_error(env, nullptr, message.c_str());
  return Napi::Value();
}

Napi::Value guarded(const Napi::CallbackInfo& info) {
  const auto* entry = static_cast<const Export*>(info.Data());
  napi_env env = info.Env();
  try {
    return entry->fn(info);
  } catch (const Napi::Error& e) {
    return throwToJs(env, e);
  } catch (const c10::Error& e) {
    return throwToJs(env, explainNotImplemented(entry->name, e.what_without_backtrace()));
  } catch (const std::exception& e) {
    return throwToJs(env, e.what());
  } catch (...) {
    return throwToJs(env, "unknown native error");
  }
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  runtime::tuneMalloc();

  auto* data = new AddonData();
  env.SetInstanceData<AddonData>(data);
  Napi::Function tensorClass = TensorHandle::DefineClass(env);
  data->tensorCtor = Napi::Persistent(tensorClass);
  exports.Set("TensorHandle", tensorClass);

  for (const Export& e : exportRegistry()) {
    // The registry is complete before Init runs and never changes, so &e stays valid.
    exports.Set(e.name, Napi::Function::New(env, guarded, e.name, const_cast<Export*>(&e)));
  }
  return exports;
}

}  // namespace
}  // namespace snntorch::binding

static Napi::Object InitAddon(Napi::Env env, Napi::Object exports) { return snntorch::binding::Init(env, exports); }

// Module registration, as NODE_API_MODULE writes it, except for the Node-API version the module
// declares to Node at load time: NAPI_VERSION_EXPERIMENTAL (the code is still compiled against
// version 8). With it, Node (>= 20.10) runs this module's finalizers during the garbage collection
// that collects their objects ("basic finalizers") instead of queueing them for a later event-loop
// turn, so a tensor dropped in a synchronous training loop is freed by the next GC. Every finalizer
// in this addon only frees C++ memory and calls GC-safe Node-API functions.
// SNNTORCH_DEFERRED_FINALIZERS=1 declares version 8 instead (finalizers wait for the event loop).
static napi_value RegisterAddon(napi_env env, napi_value exports) {
  return Napi::RegisterModule(env, exports, InitAddon);
}
EXTERN_C_START
NAPI_MODULE_EXPORT int32_t NODE_API_MODULE_GET_API_VERSION(void) {
  const char* deferred = std::getenv("SNNTORCH_DEFERRED_FINALIZERS");
  return deferred != nullptr && deferred[0] == '1' ? NAPI_VERSION : NAPI_VERSION_EXPERIMENTAL;
}
NAPI_MODULE_EXPORT napi_value NAPI_MODULE_INITIALIZER(napi_env env, napi_value exports) {
  return RegisterAddon(env, exports);
}
EXTERN_C_END
