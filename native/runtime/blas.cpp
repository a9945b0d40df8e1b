// The BLAS keeps its own thread pool (matmul speed follows it, not ATen's); reach it by symbol so
// the same binary works with OpenBLAS, MKL or neither.
#include "blas.h"

#include <dlfcn.h>

#include <initializer_list>

namespace snntorch::runtime {
namespace {

using SetThreads = void (*)(int);
using GetThreads = int (*)();

struct Blas {
  const char* name = "none found";
  SetThreads set = nullptr;
  GetThreads get = nullptr;
};

void* blasSymbol(const char* sym) {
  if (void* p = dlsym(RTLD_DEFAULT, sym)) return p;
  // Node loads addons without RTLD_GLOBAL, so LibTorch's BLAS is not in the global scope: look in
  // the already-loaded libraries by name (RTLD_NOLOAD never loads anything new).
  for (const char* lib : {"libblas.so.3", "libopenblas.so.0", "libmkl_rt.so", "libmkl_rt.so.2"}) {
    if (void* h = dlopen(lib, RTLD_LAZY | RTLD_NOLOAD)) {
      void* p = dlsym(h, sym);
      dlclose(h);
      if (p) return p;
    }
  }
  return nullptr;
}

const Blas& blas() {
  static Blas b = [] {
    Blas r;
    if (auto s = reinterpret_cast<SetThreads>(blasSymbol("openblas_set_num_threads"))) {
      r.name = "OpenBLAS";
      r.set = s;
      r.get = reinterpret_cast<GetThreads>(blasSymbol("openblas_get_num_threads"));
    } else if (auto m = reinterpret_cast<SetThreads>(blasSymbol("MKL_Set_Num_Threads"))) {
      r.name = "MKL";
      r.set = m;
      r.get = reinterpret_cast<GetThreads>(blasSymbol("MKL_Get_Max_Threads"));
    }
    return r;
  }();
  return b;
}

}  // namespace

const char* blasName() { return blas().name; }
int blasThreads() { return blas().get ? blas().get() : 0; }
void setBlasThreads(int n) {
  if (blas().set) blas().set(n);
}

}  // namespace snntorch::runtime
