#include "common/cpu_bf16.h"

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

namespace ft {

bool cpuHasNativeBf16()
{
#if defined(__x86_64__) || defined(__i386__)
    // avx512f also says the operating system saves the 512-bit registers (XCR0), which both need.
    if (!__builtin_cpu_supports("avx512f"))
        return false;
    unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
    // CPUID leaf 7, sub-leaf 0: EDX bit 22 is AMX-BF16.
    const bool amxBf16 = __get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx) && (edx & (1u << 22)) != 0;
    // Sub-leaf 1: EAX bit 5 is AVX512_BF16.
    const bool avx512Bf16 = __get_cpuid_count(7, 1, &eax, &ebx, &ecx, &edx) && (eax & (1u << 5)) != 0;
    return avx512Bf16 || amxBf16;
#else
    return false;
#endif
}

} // namespace ft
