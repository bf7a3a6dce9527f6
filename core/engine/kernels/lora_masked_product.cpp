#include "engine/kernels/lora_masked_product.h"

#include <ATen/Parallel.h>

#include <vector>

#include "engine/kernels/cpu_features.h"
#include "engine/kernels/lora_dropout_corrections.h"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace ft {

namespace {

#if defined(__x86_64__)
// One row of t, 8 of its r columns at a time (r a multiple of 8): the row's dense product over `in`
// columns in eight partial sums, so that the fused multiply-adds do not wait on each other, then the
// dropped columns' share taken off. xi (in), aT (in, rank), dropped (count) columns, ti (rank).
__attribute__((target("avx2,fma"))) void lowRankRowAvx2(const float* xi, const float* aT, int64_t in, int64_t rank,
                                                        const int32_t* dropped, int64_t count, float keep, float* ti)
{
    for (int64_t v = 0; v < rank; v += 8) {
        const float* a = aT + v; // column block v of row j: a + j * rank
        __m256 s0 = _mm256_setzero_ps(), s1 = s0, s2 = s0, s3 = s0, s4 = s0, s5 = s0, s6 = s0, s7 = s0;
        int64_t j = 0;
        for (; j + 8 <= in; j += 8) {
            const float* aj = a + j * rank;
            s0 = _mm256_fmadd_ps(_mm256_broadcast_ss(xi + j), _mm256_loadu_ps(aj), s0);
            s1 = _mm256_fmadd_ps(_mm256_broadcast_ss(xi + j + 1), _mm256_loadu_ps(aj + rank), s1);
            s2 = _mm256_fmadd_ps(_mm256_broadcast_ss(xi + j + 2), _mm256_loadu_ps(aj + 2 * rank), s2);
            s3 = _mm256_fmadd_ps(_mm256_broadcast_ss(xi + j + 3), _mm256_loadu_ps(aj + 3 * rank), s3);
            s4 = _mm256_fmadd_ps(_mm256_broadcast_ss(xi + j + 4), _mm256_loadu_ps(aj + 4 * rank), s4);
            s5 = _mm256_fmadd_ps(_mm256_broadcast_ss(xi + j + 5), _mm256_loadu_ps(aj + 5 * rank), s5);
            s6 = _mm256_fmadd_ps(_mm256_broadcast_ss(xi + j + 6), _mm256_loadu_ps(aj + 6 * rank), s6);
            s7 = _mm256_fmadd_ps(_mm256_broadcast_ss(xi + j + 7), _mm256_loadu_ps(aj + 7 * rank), s7);
        }
        for (; j < in; ++j)
            s0 = _mm256_fmadd_ps(_mm256_broadcast_ss(xi + j), _mm256_loadu_ps(a + j * rank), s0);
        __m256 sum = _mm256_add_ps(_mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3)),
                                   _mm256_add_ps(_mm256_add_ps(s4, s5), _mm256_add_ps(s6, s7)));
        for (int64_t d = 0; d < count; ++d)
            sum = _mm256_fnmadd_ps(_mm256_broadcast_ss(xi + dropped[d]), _mm256_loadu_ps(a + dropped[d] * rank), sum);
        _mm256_storeu_ps(ti + v, _mm256_mul_ps(sum, _mm256_set1_ps(keep)));
    }
}

#endif

} // namespace

torch::Tensor maskedLowRankProduct(const torch::Tensor& x2, const torch::Tensor& aT, const SparseDropout& drop,
                                   MaskedProductIsa isa)
{
    const int64_t rows = x2.size(0), in = x2.size(1), rank = aT.size(1);
#if defined(__x86_64__)
    if (isa == MaskedProductIsa::Best && cpuHasAvx2Fma() && rank % 8 == 0) {
        torch::Tensor t = torch::empty({rows, rank}, x2.options());
        const float* x = x2.data_ptr<float>();
        const float* a = aT.data_ptr<float>();
        float* out = t.data_ptr<float>();
        at::parallel_for(0, rows, 16, [&](int64_t begin, int64_t end) {
            std::vector<int32_t> dropped(static_cast<size_t>(in));
            for (int64_t i = begin; i < end; ++i) {
                int64_t count = 0;
                drop.forEachDropped(
                    i, in, [&](int64_t j) { dropped[static_cast<size_t>(count++)] = static_cast<int32_t>(j); });
                lowRankRowAvx2(x + i * in, a, in, rank, dropped.data(), count, drop.keep(), out + i * rank);
            }
        });
        return t;
    }
#else
    (void)isa;
#endif
    torch::Tensor t = torch::mm(x2, aT);
    subtractDroppedShare(x2, aT, drop, t);
    return t.mul_(drop.keep());
}

} // namespace ft
