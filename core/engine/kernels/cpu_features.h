#pragma once
// Instruction-set checks for kernels compiled with __attribute__((target(...))) and chosen at run
// time. Each is checked once. No LibTorch here, so that any kernel file can use them.

namespace ft {

// AVX-512F: the fused kernels' 16-float vectors (cross-entropy, attention, SwiGLU, NF4 dequantization).
inline bool cpuHasAvx512()
{
#if defined(__x86_64__)
    static const bool supported = __builtin_cpu_supports("avx512f");
    return supported;
#else
    return false;
#endif
}

// AVX-512F and DQ: 64-bit integer multiplies and conversions in vectors (the dropout hashes).
inline bool cpuHasAvx512Dq()
{
#if defined(__x86_64__)
    static const bool supported = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq");
    return supported;
#else
    return false;
#endif
}

// AVX2 and FMA: the LoRA dropout corrections' 8-float rows.
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
