// Types and the host/device marker shared by the CPU kernels and the CUDA kernels. Plain C++:
// nvcc includes this (through neuron_traits.h) without any LibTorch header.
#pragma once
#include <cstdint>

// Marks the per-element maths as callable from CUDA kernels too; empty for the host compiler.
#ifdef __CUDACC__
#define SNNK_HD __host__ __device__
#else
#define SNNK_HD
#endif

namespace snntorch::kernels {

enum class Reset : int64_t { Subtract = 0, Zero = 1, None = 2 };

}  // namespace snntorch::kernels
