// The BLAS LibTorch was linked against, found by symbol at run time (OpenBLAS, MKL or none).
#pragma once

namespace snntorch::runtime {

// "OpenBLAS", "MKL" or "none found".
const char* blasName();
// The BLAS's own thread count (0 when no BLAS was found).
int blasThreads();
// Sets the BLAS's own thread count; does nothing when no BLAS was found.
void setBlasThreads(int n);

}  // namespace snntorch::runtime
