// glibc malloc settings the addon applies when it loads.
#pragma once

namespace snntorch::runtime {

// Sets glibc's mmap threshold to 128 KiB, so freed large tensor buffers go back to the OS.
void tuneMalloc();

}  // namespace snntorch::runtime
