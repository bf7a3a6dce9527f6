#pragma once
// AVX-512 helpers shared by the fused kernels (cross-entropy, attention, SwiGLU): exp(x) for x <= 0,
// and (from cpu_features.h) whether this processor has AVX-512.

#include "engine/kernels/cpu_features.h"

#if defined(__x86_64__)
#include <immintrin.h>

namespace ft {

// 2^(x log2 e) split into the nearest integer power, set in the exponent bits, and 2^f for f in
// [-1/2, 1/2] by its Taylor series to degree 7 (relative error below 1e-8 before rounding to fp32).
// Inputs below -87 are taken as -87 (a result of about 1.6e-38, not zero).
__attribute__((target("avx512f"))) inline __m512 expNonPositive(__m512 x)
{
    x = _mm512_max_ps(x, _mm512_set1_ps(-87.0f));
    const __m512 t = _mm512_mul_ps(x, _mm512_set1_ps(1.44269504088896341f));
    const __m512 whole = _mm512_roundscale_ps(t, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    const __m512 f = _mm512_sub_ps(t, whole);
    __m512 p = _mm512_set1_ps(1.5252734e-5f); // (ln 2)^7 / 7!
    p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(1.5403530e-4f));
    p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(1.3333558e-3f));
    p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(9.6181291e-3f));
    p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(5.5504109e-2f));
    p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(2.4022651e-1f));
    p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(6.9314718e-1f));
    p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(1.0f));
    const __m512i exponent = _mm512_slli_epi32(_mm512_add_epi32(_mm512_cvtps_epi32(whole), _mm512_set1_epi32(127)), 23);
    return _mm512_mul_ps(p, _mm512_castsi512_ps(exponent));
}

} // namespace ft
#endif
