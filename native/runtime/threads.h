// Intra-op thread settings: LibTorch's pool and the BLAS's, which matmul speed follows.
#pragma once

namespace snntorch::runtime {

// Sets LibTorch's intra-op threads and the BLAS's to n.
void setNumThreads(int n);

}  // namespace snntorch::runtime
