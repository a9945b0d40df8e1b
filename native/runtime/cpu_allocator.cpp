// The CPU allocator the addon installs over LibTorch's default.
//
// 1. Exact-size reuse: LibTorch's default uses posix_memalign(64). With glibc, a freed memalign'd
//    block is too small for the next same-size memalign request (which asks for size + alignment),
//    so while JS handle objects (freed only when the event loop turns) sit between blocks, a
//    synchronous training loop leaks its activations' size every iteration. malloc(n + 128) with a
//    small header before the 64-byte-aligned data gets exact-size reuse.
// 2. A cache of large blocks: the addon sets glibc's mmap threshold to 128 KiB (so freed large
//    buffers go back to the OS and RSS stays flat), but then every large tensor is a fresh mmap
//    whose pages fault and are zeroed on first touch: a quarter of a training step's time went to
//    the kernel. A training loop allocates the same sizes every batch, so freed blocks of 128 KiB
//    and more are kept by size (page-rounded) and handed out again. Blocks are not zeroed: LibTorch
//    never assumes fresh memory is zero.
// 3. The cache's limit: by default the peak of large blocks in use at once (at least 256 MiB), so
//    a graph of gigabytes that BPTT frees every iteration (tutorial 7: ~6 GB over 291 steps) is
//    reused whole instead of faulted in again, while blocks in use plus cached never exceed what
//    the process already held at its peak: a miss that would pass the limit first frees cached
//    blocks. SNNTORCH_CPU_CACHE_MB fixes the limit instead (0 turns the cache off).
#include "cpu_allocator.h"

#include <c10/core/Allocator.h>
#include <c10/util/Exception.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace snntorch::runtime {
namespace {

constexpr uintptr_t kAlign = 64;
constexpr size_t kHeader = 16;     // Header sits just below the aligned data
constexpr size_t kLarge = 131072;  // glibc's mmap threshold as the addon sets it
constexpr size_t kPage = 4096;

struct Header {
  uint64_t bytes;   // usable bytes (page-rounded for large blocks)
  uint64_t offset;  // data - raw
};

struct BlockCache {
  std::mutex mu;
  std::unordered_map<size_t, std::vector<void*>> free;  // bytes -> data pointers
  size_t cached = 0;
  size_t in_use = 0;  // large blocks handed out and not yet released
  size_t peak = 0;    // the most in_use has been
  const char* env = std::getenv("SNNTORCH_CPU_CACHE_MB");
  bool fixed = env != nullptr;
  size_t floor = [this] {
    long mb = fixed ? std::strtol(env, nullptr, 10) : 256;
    return static_cast<size_t>(mb < 0 ? 0 : mb) << 20;
  }();
  size_t hits = 0, misses = 0;
  size_t limit() const { return fixed || peak < floor ? floor : peak; }
  // Frees cached blocks until in use plus cached fits the limit (or none is left).
  void evict();
};

BlockCache& cache() {
  static BlockCache* c = new BlockCache();  // never destroyed: tensors may be freed at exit
  return *c;
}

Header* headerOf(void* data) { return reinterpret_cast<Header*>(static_cast<uint8_t*>(data) - kHeader); }

void freeRaw(void* data) { std::free(static_cast<uint8_t*>(data) - headerOf(data)->offset); }

void BlockCache::evict() {
  for (auto it = free.begin(); it != free.end() && cached > 0 && in_use + cached > limit();) {
    auto& blocks = it->second;
    while (!blocks.empty() && in_use + cached > limit()) {
      freeRaw(blocks.back());
      blocks.pop_back();
      cached -= it->first;
    }
    it = blocks.empty() ? free.erase(it) : std::next(it);
  }
}

void release(void* data) {
  if (!data) return;
  const size_t bytes = headerOf(data)->bytes;
  if (bytes >= kLarge) {
    BlockCache& c = cache();
    std::lock_guard<std::mutex> lock(c.mu);
    c.in_use -= bytes;
    if (c.in_use + c.cached + bytes <= c.limit()) {
      c.free[bytes].push_back(data);
      c.cached += bytes;
      return;
    }
  }
  freeRaw(data);
}

void* allocateData(size_t n) {
  const bool large = n >= kLarge;
  const size_t bytes = large ? (n + kPage - 1) / kPage * kPage : n;
  if (large) {
    BlockCache& c = cache();
    std::lock_guard<std::mutex> lock(c.mu);
    c.in_use += bytes;
    if (c.in_use > c.peak) c.peak = c.in_use;
    auto it = c.free.find(bytes);
    if (it != c.free.end() && !it->second.empty()) {
      void* data = it->second.back();
      it->second.pop_back();
      c.cached -= bytes;
      c.hits++;
      return data;
    }
    c.misses++;
    c.evict();
  }
  void* raw = bytes <= SIZE_MAX - (kAlign + kHeader) ? std::malloc(bytes + kAlign + kHeader) : nullptr;
  if (!raw && large) {
    BlockCache& c = cache();
    std::lock_guard<std::mutex> lock(c.mu);
    c.in_use -= bytes;
  }
  TORCH_CHECK(raw, "DefaultCPUAllocator: can't allocate memory: you tried to allocate ", n, " bytes.");
  auto addr = (reinterpret_cast<uintptr_t>(raw) + kHeader + kAlign - 1) & ~(kAlign - 1);
  auto* data = reinterpret_cast<void*>(addr);
  *headerOf(data) = {bytes, addr - reinterpret_cast<uintptr_t>(raw)};
  return data;
}

// Both allocate() signatures are declared so this compiles against LibTorch 1.x (const) and 2.x
// (non-const, plus copy_data).
struct CachingCpuAllocator final : c10::Allocator {
  static c10::DataPtr make(size_t n) {
    if (n == 0) return {nullptr, nullptr, &release, c10::Device(c10::DeviceType::CPU)};
    void* data = allocateData(n);
    return {data, data, &release, c10::Device(c10::DeviceType::CPU)};
  }
  c10::DataPtr allocate(size_t n) const { return make(n); }
  c10::DataPtr allocate(size_t n) { return make(n); }
  c10::DeleterFnPtr raw_deleter() const override { return &release; }
  void copy_data(void* dest, const void* src, std::size_t count) const { std::memcpy(dest, src, count); }
};

// Installed when the addon loads (LibTorch is loaded first, as a dependency); tensors allocated
// before keep their own deleters.
const bool kAllocatorInstalled = [] {
  static CachingCpuAllocator allocator;
  c10::SetAllocator(c10::DeviceType::CPU, &allocator, /*priority=*/1);
  return true;
}();

}  // namespace

CpuCacheStats cpuCacheStats() {
  BlockCache& c = cache();
  std::lock_guard<std::mutex> lock(c.mu);
  return {c.cached, c.limit(), c.hits, c.misses};
}

void cpuEmptyCache() {
  BlockCache& c = cache();
  std::lock_guard<std::mutex> lock(c.mu);
  for (auto& [bytes, blocks] : c.free) {
    for (void* data : blocks) freeRaw(data);
    blocks.clear();
  }
  c.free.clear();
  c.cached = 0;
}

}  // namespace snntorch::runtime
