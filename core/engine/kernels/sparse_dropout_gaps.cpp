#include "engine/kernels/sparse_dropout_gaps.h"

#include <cstring>

#include "engine/kernels/cpu_features.h"
#include "engine/kernels/splitmix64.h"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace ft {

namespace {

// Cephes' single-precision logarithm: u = m · 2^e with m in [√½, √2), log(u) = e ln 2 + log(m),
// log(m) = f - f²/2 + f³ P(f) for f = m - 1, ln 2 split in two parts for accuracy. For normal u in
// (0, 1]; about 1 ulp. The vector version below repeats these operations in this order.
constexpr float kLogP[9] = {7.0376836292E-2f,  -1.1514610310E-1f, 1.1676998740E-1f,
                            -1.2420140846E-1f, 1.4249322787E-1f,  -1.6668057665E-1f,
                            2.0000714765E-1f,  -2.4999993993E-1f, 3.3333331174E-1f};
constexpr float kLn2High = 0.693359375f;
constexpr float kLn2Low = -2.12194440e-4f;

// u = m · 2^e with m in [√½, √2), by integer arithmetic on the bits (no branch): e is how many times
// the exponent field exceeds √½'s, rounding down.
constexpr int32_t kSqrtHalfBits = 0x3F3504F3;

inline float logOfUnit(float u)
{
    int32_t bits;
    std::memcpy(&bits, &u, sizeof bits);
    const int32_t exponent = (bits - kSqrtHalfBits) >> 23;
    const int32_t mantissaBits = bits - static_cast<int32_t>(static_cast<uint32_t>(exponent) << 23);
    float m;
    std::memcpy(&m, &mantissaBits, sizeof m);
    const float e = static_cast<float>(exponent);
    const float f = m - 1.0f;
    const float z = f * f;
    float p = kLogP[0];
    for (int k = 1; k < 9; ++k)
        p = p * f + kLogP[k];
    float y = f * z * p;
    y = y + e * kLn2Low;
    y = y + z * -0.5f;
    return (f + y) + e * kLn2High;
}

// u in (0, 1] in steps of 2^-32 from the top 32 bits of a hash.
inline float unitFromHash(uint64_t hash) { return static_cast<float>((hash >> 32) + 1) * 0x1.0p-32f; }

inline int32_t gapFromKept(float kept) // kept ≥ 0: truncation is floor
{
    return kept < static_cast<float>(kMaxDropoutGap) ? static_cast<int32_t>(kept) : kMaxDropoutGap;
}

// In stages over the batch, so that the compiler can vectorize the logarithm's stage.
void drawGapsPortable(uint64_t rowSeed, uint64_t first, float gapScale, int32_t* gaps)
{
    float u[kDropoutGapBatch];
    for (int k = 0; k < kDropoutGapBatch; ++k)
        u[k] = unitFromHash(splitmix64(rowSeed + first + static_cast<uint64_t>(k)));
    for (int k = 0; k < kDropoutGapBatch; ++k)
        gaps[k] = gapFromKept(logOfUnit(u[k]) * gapScale);
}

#if defined(__x86_64__)
// GCC 12's AVX-512 headers trip -Wuninitialized on their own undefined-value placeholders.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#define FT_SPARSE_DROPOUT_AVX512 __attribute__((target("avx512f,avx512dq")))

// splitmix64 of 8 counters in 64-bit lanes.
FT_SPARSE_DROPOUT_AVX512 __m512i splitmix64x8(__m512i z)
{
    z = _mm512_add_epi64(z, _mm512_set1_epi64(static_cast<long long>(0x9E3779B97F4A7C15ULL)));
    z = _mm512_mullo_epi64(_mm512_xor_si512(z, _mm512_srli_epi64(z, 30)),
                           _mm512_set1_epi64(static_cast<long long>(0xBF58476D1CE4E5B9ULL)));
    z = _mm512_mullo_epi64(_mm512_xor_si512(z, _mm512_srli_epi64(z, 27)),
                           _mm512_set1_epi64(static_cast<long long>(0x94D049BB133111EBULL)));
    return _mm512_xor_si512(z, _mm512_srli_epi64(z, 31));
}

FT_SPARSE_DROPOUT_AVX512 __m256 unitFromHashx8(__m512i hash)
{
    const __m512i top = _mm512_add_epi64(_mm512_srli_epi64(hash, 32), _mm512_set1_epi64(1));
    return _mm256_mul_ps(_mm512_cvtepu64_ps(top), _mm256_set1_ps(0x1.0p-32f));
}

FT_SPARSE_DROPOUT_AVX512 __m512 logOfUnitx16(__m512 u)
{
    const __m512i bits = _mm512_castps_si512(u);
    const __m512i exponent = _mm512_srai_epi32(_mm512_sub_epi32(bits, _mm512_set1_epi32(kSqrtHalfBits)), 23);
    const __m512 m = _mm512_castsi512_ps(_mm512_sub_epi32(bits, _mm512_slli_epi32(exponent, 23)));
    const __m512 e = _mm512_cvtepi32_ps(exponent);
    const __m512 f = _mm512_sub_ps(m, _mm512_set1_ps(1.0f));
    const __m512 z = _mm512_mul_ps(f, f);
    __m512 p = _mm512_set1_ps(kLogP[0]);
    for (int k = 1; k < 9; ++k)
        p = _mm512_add_ps(_mm512_mul_ps(p, f), _mm512_set1_ps(kLogP[k]));
    __m512 y = _mm512_mul_ps(_mm512_mul_ps(f, z), p);
    y = _mm512_add_ps(y, _mm512_mul_ps(e, _mm512_set1_ps(kLn2Low)));
    y = _mm512_add_ps(y, _mm512_mul_ps(z, _mm512_set1_ps(-0.5f)));
    return _mm512_add_ps(_mm512_add_ps(f, y), _mm512_mul_ps(e, _mm512_set1_ps(kLn2High)));
}

FT_SPARSE_DROPOUT_AVX512 void drawGapsAvx512(uint64_t rowSeed, uint64_t first, float gapScale, int32_t* gaps)
{
    const __m512i counters = _mm512_add_epi64(_mm512_set1_epi64(static_cast<long long>(rowSeed + first)),
                                              _mm512_set_epi64(7, 6, 5, 4, 3, 2, 1, 0));
    const __m256 low = unitFromHashx8(splitmix64x8(counters));
    const __m256 high = unitFromHashx8(splitmix64x8(_mm512_add_epi64(counters, _mm512_set1_epi64(8))));
    const __m512 u = _mm512_insertf32x8(_mm512_castps256_ps512(low), high, 1);
    const __m512 kept = _mm512_mul_ps(logOfUnitx16(u), _mm512_set1_ps(gapScale));
    const __m512 capped = _mm512_min_ps(kept, _mm512_set1_ps(static_cast<float>(kMaxDropoutGap)));
    const __m512i gap = _mm512_cvttps_epi32(capped); // kMaxDropoutGap itself converts exactly
    _mm512_storeu_si512(gaps, gap);
}
#pragma GCC diagnostic pop
#endif

} // namespace

bool dropoutGapsHaveAvx512() { return cpuHasAvx512Dq(); }

void drawDropoutGaps(uint64_t rowSeed, uint64_t first, float gapScale, bool avx512, int32_t* gaps)
{
#if defined(__x86_64__)
    if (avx512) {
        drawGapsAvx512(rowSeed, first, gapScale, gaps);
        return;
    }
#else
    (void)avx512;
#endif
    drawGapsPortable(rowSeed, first, gapScale, gaps);
}

} // namespace ft
