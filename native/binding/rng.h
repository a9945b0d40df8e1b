// Random generators per thread. LibTorch's default CPU generator is one per process, so a worker
// thread's manual_seed would reseed the main thread's stream. Here the process's main thread keeps
// LibTorch's default generator (PyTorch's stream, seeded by torch.manual_seed), and every other
// thread (a Node worker) draws CPU random numbers from a generator of its own, which starts from
// PyTorch's default seed as a fresh process would. CUDA generators stay LibTorch's (per device).
#pragma once
#include <ATen/ATen.h>
#include <c10/util/Optional.h>

namespace snntorch::binding {

// The generator for random ops on `device` on this thread; nullopt means LibTorch's default.
c10::optional<at::Generator> threadGenerator(const at::Device& device);
// torch.manual_seed on this thread: the default generators (CPU and CUDA) on the main thread,
// the thread's own CPU generator elsewhere.
void seedThisThread(uint64_t seed);
// The seed this thread's CPU generator was last seeded with (torch.initial_seed()).
uint64_t initialSeedThisThread();
bool onMainThread();

}  // namespace snntorch::binding
