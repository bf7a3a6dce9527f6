#include "engine/kernels/softmax_xent_kernel.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include <ATen/Parallel.h>

#include "engine/kernels/avx512_exp.h"

namespace ft {

namespace {

// One row, portable: the compiler vectorises the max and the scale; exp stays scalar.
double rowPortable(float* x, int64_t target, int64_t vocab, bool writeGradient)
{
    float max = -std::numeric_limits<float>::infinity();
    for (int64_t i = 0; i < vocab; ++i)
        max = std::max(max, x[i]);
    const float targetLogit = x[target];
    double sum = 0.0;
    for (int64_t i = 0; i < vocab; ++i) {
        const float e = std::exp(x[i] - max);
        sum += e;
        if (writeGradient)
            x[i] = e;
    }
    if (writeGradient) {
        const float inverse = static_cast<float>(1.0 / sum);
        for (int64_t i = 0; i < vocab; ++i)
            x[i] *= inverse;
        x[target] -= 1.0f;
    }
    return static_cast<double>(max) + std::log(sum) - static_cast<double>(targetLogit);
}

#if defined(__x86_64__)
// GCC 12 flags the intrinsics' own placeholder operands (_mm512_undefined) at -O3.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
__attribute__((target("avx512f"))) double rowAvx512(float* x, int64_t target, int64_t vocab, bool writeGradient)
{
    const int64_t whole = vocab / 16 * 16;
    __m512 maxVector = _mm512_set1_ps(-std::numeric_limits<float>::infinity());
    for (int64_t i = 0; i < whole; i += 16)
        maxVector = _mm512_max_ps(maxVector, _mm512_loadu_ps(x + i));
    float max = _mm512_reduce_max_ps(maxVector);
    for (int64_t i = whole; i < vocab; ++i)
        max = std::max(max, x[i]);
    const float targetLogit = x[target];

    const __m512 shift = _mm512_set1_ps(max);
    // The sum runs over tens of thousands of terms: accumulated in double, like the reference.
    __m512d sumLow = _mm512_setzero_pd();
    __m512d sumHigh = _mm512_setzero_pd();
    for (int64_t i = 0; i < whole; i += 16) {
        const __m512 e = expNonPositive(_mm512_sub_ps(_mm512_loadu_ps(x + i), shift));
        sumLow = _mm512_add_pd(sumLow, _mm512_cvtps_pd(_mm512_castps512_ps256(e)));
        sumHigh =
            _mm512_add_pd(sumHigh, _mm512_cvtps_pd(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(e), 1))));
        if (writeGradient)
            _mm512_storeu_ps(x + i, e);
    }
    double sum = _mm512_reduce_add_pd(_mm512_add_pd(sumLow, sumHigh));
    for (int64_t i = whole; i < vocab; ++i) {
        const float e = std::exp(x[i] - max);
        sum += e;
        if (writeGradient)
            x[i] = e;
    }
    if (writeGradient) {
        const float inverse = static_cast<float>(1.0 / sum);
        const __m512 scale = _mm512_set1_ps(inverse);
        for (int64_t i = 0; i < whole; i += 16)
            _mm512_storeu_ps(x + i, _mm512_mul_ps(_mm512_loadu_ps(x + i), scale));
        for (int64_t i = whole; i < vocab; ++i)
            x[i] *= inverse;
        x[target] -= 1.0f;
    }
    return static_cast<double>(max) + std::log(sum) - static_cast<double>(targetLogit);
}

#pragma GCC diagnostic pop
#endif

} // namespace

double softmaxCrossEntropyInPlace(float* logits, const int64_t* targets, int64_t rows, int64_t vocab,
                                  bool writeGradient)
{
    std::vector<double> losses(static_cast<size_t>(rows));
    at::parallel_for(0, rows, 1, [&](int64_t begin, int64_t end) {
        for (int64_t r = begin; r < end; ++r) {
            float* row = logits + r * vocab;
#if defined(__x86_64__)
            if (cpuHasAvx512()) {
                losses[static_cast<size_t>(r)] = rowAvx512(row, targets[r], vocab, writeGradient);
                continue;
            }
#endif
            losses[static_cast<size_t>(r)] = rowPortable(row, targets[r], vocab, writeGradient);
        }
    });
    double total = 0.0;
    for (double loss : losses)
        total += loss;
    return total;
}

} // namespace ft
