#include "rng.h"

#include <ATen/CPUGeneratorImpl.h>
#include <sys/syscall.h>
#include <torch/csrc/api/include/torch/utils.h>
#include <unistd.h>

#include <mutex>

#include "args.h"
#include "registry.h"

namespace snntorch::binding {

bool onMainThread() {
  // On Linux the process's first thread has the process id as its thread id.
  thread_local const bool main = static_cast<pid_t>(syscall(SYS_gettid)) == getpid();
  return main;
}

namespace {
at::Generator& workerGenerator() {
  thread_local at::Generator gen = at::make_generator<at::CPUGeneratorImpl>(c10::default_rng_seed_val);
  return gen;
}
}  // namespace

c10::optional<at::Generator> threadGenerator(const at::Device& device) {
  if (!device.is_cpu() || onMainThread()) return c10::nullopt;
  return workerGenerator();
}

void seedThisThread(uint64_t seed) {
  if (onMainThread()) {
    torch::manual_seed(seed);
    return;
  }
  at::Generator& g = workerGenerator();
  std::lock_guard<std::mutex> lock(g.mutex());
  g.set_current_seed(seed);
}

uint64_t initialSeedThisThread() {
  if (onMainThread()) return at::detail::getDefaultCPUGenerator().current_seed();
  return workerGenerator().current_seed();
}

NATIVE_FN(initial_seed) { return Napi::Number::New(info.Env(), static_cast<double>(initialSeedThisThread())); }
NATIVE_FN(rng_is_thread_local) { return Napi::Boolean::New(info.Env(), !onMainThread()); }

}  // namespace snntorch::binding
