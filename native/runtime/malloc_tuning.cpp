#include "malloc_tuning.h"

#include <malloc.h>

namespace snntorch::runtime {

void tuneMalloc() {
  // Without this, glibc keeps freed mid-sized tensor buffers in fragmented arenas and a training
  // loop's RSS grows to gigabytes; with it, buffers over 128 KiB go straight back to the OS.
  mallopt(M_MMAP_THRESHOLD, 131072);
}

}  // namespace snntorch::runtime
