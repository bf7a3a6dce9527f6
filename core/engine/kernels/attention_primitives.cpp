#include "engine/kernels/attention_primitives.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "engine/kernels/avx512_exp.h"

namespace ft {

namespace {

constexpr int kRows = kAttentionRowBlock;
constexpr float kNegativeInfinity = -std::numeric_limits<float>::infinity();

void dotColumnsPortable(const float* const* a, const float* bT, int64_t stride, int64_t depth, int64_t lo, int64_t hi,
                        float* const* out)
{
    for (int r = 0; r < kRows; ++r) {
        std::fill(out[r] + lo, out[r] + hi, 0.0f);
        for (int64_t d = 0; d < depth; ++d) {
            const float ad = a[r][d];
            const float* column = bT + d * stride;
            for (int64_t j = lo; j < hi; ++j)
                out[r][j] += ad * column[j];
        }
    }
}

void weightedRowsPortable(const float* const* w, const float* m, int64_t depth, int64_t lo, int64_t hi,
                          float* const* out)
{
    for (int r = 0; r < kRows; ++r) {
        std::fill(out[r], out[r] + depth, 0.0f);
        for (int64_t j = lo; j < hi; ++j) {
            const float wj = w[r][j];
            const float* row = m + j * depth;
            for (int64_t d = 0; d < depth; ++d)
                out[r][d] += wj * row[d];
        }
    }
}

void addOuterPortable(const float* const* w, const float* const* a, float* m, int64_t depth, int64_t lo, int64_t hi)
{
    for (int64_t j = lo; j < hi; ++j) {
        float* row = m + j * depth;
        for (int r = 0; r < kRows; ++r) {
            const float wj = w[r][j];
            for (int64_t d = 0; d < depth; ++d)
                row[d] += wj * a[r][d];
        }
    }
}

float rowMaxPortable(const float* s, int64_t lo, int64_t hi) { return *std::max_element(s + lo, s + hi); }

float expShiftedPortable(float* s, int64_t lo, int64_t hi, float shift)
{
    float sum = 0.0f;
    for (int64_t j = lo; j < hi; ++j) {
        s[j] = s[j] == kNegativeInfinity ? 0.0f : std::exp(s[j] - shift);
        sum += s[j];
    }
    return sum;
}

void probabilityGradientsPortable(const float* s, const float* dp, int64_t lo, int64_t hi, float lse, float delta,
                                  float* p, float* ds)
{
    for (int64_t j = lo; j < hi; ++j) {
        p[j] = s[j] == kNegativeInfinity ? 0.0f : std::exp(s[j] - lse);
        ds[j] = p[j] * (dp[j] - delta);
    }
}

#if defined(__x86_64__)
// GCC 12 flags the intrinsics' own placeholder operands (_mm512_undefined) at -O3.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#define FT_AVX512 __attribute__((target("avx512f")))

// Two column blocks at once: eight independent accumulators keep both FMA ports busy.
FT_AVX512 void dotColumnsAvx512(const float* const* a, const float* bT, int64_t stride, int64_t depth, int64_t lo,
                                int64_t hi, float* const* out)
{
    int64_t j = lo;
    for (; j + 2 * kAttentionLanes <= hi; j += 2 * kAttentionLanes) {
        __m512 c[2][kRows];
        for (auto& block : c)
            for (__m512& v : block)
                v = _mm512_setzero_ps();
        for (int64_t d = 0; d < depth; ++d) {
            const __m512 b0 = _mm512_loadu_ps(bT + d * stride + j);
            const __m512 b1 = _mm512_loadu_ps(bT + d * stride + j + kAttentionLanes);
            for (int r = 0; r < kRows; ++r) {
                const __m512 ar = _mm512_set1_ps(a[r][d]);
                c[0][r] = _mm512_fmadd_ps(ar, b0, c[0][r]);
                c[1][r] = _mm512_fmadd_ps(ar, b1, c[1][r]);
            }
        }
        for (int r = 0; r < kRows; ++r) {
            _mm512_storeu_ps(out[r] + j, c[0][r]);
            _mm512_storeu_ps(out[r] + j + kAttentionLanes, c[1][r]);
        }
    }
    for (; j < hi; j += kAttentionLanes) {
        __m512 c[kRows];
        for (__m512& v : c)
            v = _mm512_setzero_ps();
        for (int64_t d = 0; d < depth; ++d) {
            const __m512 b = _mm512_loadu_ps(bT + d * stride + j);
            for (int r = 0; r < kRows; ++r)
                c[r] = _mm512_fmadd_ps(_mm512_set1_ps(a[r][d]), b, c[r]);
        }
        for (int r = 0; r < kRows; ++r)
            _mm512_storeu_ps(out[r] + j, c[r]);
    }
}

FT_AVX512 __mmask16 tailMask(int64_t remaining)
{
    return remaining >= kAttentionLanes ? static_cast<__mmask16>(0xFFFF)
                                        : static_cast<__mmask16>((1u << remaining) - 1u);
}

// Depth in chunks of 16 (the last one masked); two keys per iteration into separate accumulators.
FT_AVX512 void weightedRowsAvx512(const float* const* w, const float* m, int64_t depth, int64_t lo, int64_t hi,
                                  float* const* out)
{
    for (int64_t d = 0; d < depth; d += kAttentionLanes) {
        const __mmask16 mask = tailMask(depth - d);
        __m512 c[2][kRows];
        for (auto& half : c)
            for (__m512& v : half)
                v = _mm512_setzero_ps();
        int64_t j = lo;
        for (; j + 1 < hi; j += 2) {
            const __m512 m0 = _mm512_maskz_loadu_ps(mask, m + j * depth + d);
            const __m512 m1 = _mm512_maskz_loadu_ps(mask, m + (j + 1) * depth + d);
            for (int r = 0; r < kRows; ++r) {
                c[0][r] = _mm512_fmadd_ps(_mm512_set1_ps(w[r][j]), m0, c[0][r]);
                c[1][r] = _mm512_fmadd_ps(_mm512_set1_ps(w[r][j + 1]), m1, c[1][r]);
            }
        }
        if (j < hi) {
            const __m512 m0 = _mm512_maskz_loadu_ps(mask, m + j * depth + d);
            for (int r = 0; r < kRows; ++r)
                c[0][r] = _mm512_fmadd_ps(_mm512_set1_ps(w[r][j]), m0, c[0][r]);
        }
        for (int r = 0; r < kRows; ++r)
            _mm512_mask_storeu_ps(out[r] + d, mask, _mm512_add_ps(c[0][r], c[1][r]));
    }
}

FT_AVX512 void addOuterAvx512(const float* const* w, const float* const* a, float* m, int64_t depth, int64_t lo,
                              int64_t hi)
{
    for (int64_t d = 0; d < depth; d += kAttentionLanes) {
        const __mmask16 mask = tailMask(depth - d);
        __m512 ar[kRows];
        for (int r = 0; r < kRows; ++r)
            ar[r] = _mm512_maskz_loadu_ps(mask, a[r] + d);
        for (int64_t j = lo; j < hi; ++j) {
            float* row = m + j * depth + d;
            __m512 acc = _mm512_maskz_loadu_ps(mask, row);
            for (int r = 0; r < kRows; ++r)
                acc = _mm512_fmadd_ps(_mm512_set1_ps(w[r][j]), ar[r], acc);
            _mm512_mask_storeu_ps(row, mask, acc);
        }
    }
}

FT_AVX512 float rowMaxAvx512(const float* s, int64_t lo, int64_t hi)
{
    __m512 max = _mm512_set1_ps(kNegativeInfinity);
    for (int64_t j = lo; j < hi; j += kAttentionLanes)
        max = _mm512_max_ps(max, _mm512_loadu_ps(s + j));
    return _mm512_reduce_max_ps(max);
}

FT_AVX512 float expShiftedAvx512(float* s, int64_t lo, int64_t hi, float shift)
{
    const __m512 negativeInfinity = _mm512_set1_ps(kNegativeInfinity);
    const __m512 shiftVector = _mm512_set1_ps(shift);
    __m512 sum = _mm512_setzero_ps();
    for (int64_t j = lo; j < hi; j += kAttentionLanes) {
        const __m512 x = _mm512_loadu_ps(s + j);
        const __mmask16 finite = _mm512_cmp_ps_mask(x, negativeInfinity, _CMP_NEQ_OQ);
        const __m512 e = _mm512_maskz_mov_ps(finite, expNonPositive(_mm512_sub_ps(x, shiftVector)));
        _mm512_storeu_ps(s + j, e);
        sum = _mm512_add_ps(sum, e);
    }
    return _mm512_reduce_add_ps(sum);
}

FT_AVX512 void probabilityGradientsAvx512(const float* s, const float* dp, int64_t lo, int64_t hi, float lse,
                                          float delta, float* p, float* ds)
{
    const __m512 negativeInfinity = _mm512_set1_ps(kNegativeInfinity);
    const __m512 lseVector = _mm512_set1_ps(lse);
    const __m512 deltaVector = _mm512_set1_ps(delta);
    for (int64_t j = lo; j < hi; j += kAttentionLanes) {
        const __m512 x = _mm512_loadu_ps(s + j);
        const __mmask16 finite = _mm512_cmp_ps_mask(x, negativeInfinity, _CMP_NEQ_OQ);
        const __m512 e = _mm512_maskz_mov_ps(finite, expNonPositive(_mm512_sub_ps(x, lseVector)));
        _mm512_storeu_ps(p + j, e);
        _mm512_storeu_ps(ds + j, _mm512_mul_ps(e, _mm512_sub_ps(_mm512_loadu_ps(dp + j), deltaVector)));
    }
}
#undef FT_AVX512
#pragma GCC diagnostic pop
#endif

} // namespace

const AttentionPrimitives& portableAttentionPrimitives()
{
    static const AttentionPrimitives primitives{dotColumnsPortable, weightedRowsPortable, addOuterPortable,
                                                rowMaxPortable,     expShiftedPortable,   probabilityGradientsPortable};
    return primitives;
}

const AttentionPrimitives& bestAttentionPrimitives()
{
#if defined(__x86_64__)
    static const AttentionPrimitives avx512{dotColumnsAvx512, weightedRowsAvx512, addOuterAvx512,
                                            rowMaxAvx512,     expShiftedAvx512,   probabilityGradientsAvx512};
    if (cpuHasAvx512())
        return avx512;
#endif
    return portableAttentionPrimitives();
}

} // namespace ft
