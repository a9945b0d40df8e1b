#include "threads.h"

#include <ATen/Parallel.h>

#include "blas.h"

namespace snntorch::runtime {

void setNumThreads(int n) {
  at::set_num_threads(n);
  setBlasThreads(n);
}

}  // namespace snntorch::runtime
