// The caching CPU allocator the addon installs over LibTorch's default (installed when the library
// loads); these read and empty its cache of large blocks.
#pragma once
#include <cstddef>

namespace snntorch::runtime {

struct CpuCacheStats {
  size_t cached_bytes = 0;
  size_t cap_bytes = 0;
  size_t hits = 0;
  size_t misses = 0;
};

CpuCacheStats cpuCacheStats();
// Returns every cached block to the system.
void cpuEmptyCache();

}  // namespace snntorch::runtime
