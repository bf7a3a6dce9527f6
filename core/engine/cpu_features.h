#pragma once
// Instruction-set checks for kernels compiled with __attribute__((target(...))) and chosen at run time.

namespace ft {

// True when the processor runs AVX2 and FMA (checked once).
inline bool cpuHasAvx2Fma()
{
#if defined(__x86_64__)
    static const bool supported = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    return supported;
#else
    return false;
#endif
}

} // namespace ft
