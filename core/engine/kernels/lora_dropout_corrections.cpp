#include "engine/kernels/lora_dropout_corrections.h"

#include <ATen/Parallel.h>

#include <type_traits>
#include <vector>

#include "engine/kernels/cpu_features.h"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace ft {

namespace {

// Rows in contiguous chunks, one per thread at most and at least 64 rows each, so that a chunk covers
// the same rows whenever the thread count is the same; sums over chunks are added in chunk order.
int64_t chunkCount(int64_t rows) { return std::max<int64_t>(1, std::min<int64_t>(at::get_num_threads(), rows / 64)); }

template <typename Body> void forEachChunk(int64_t rows, int64_t chunks, const Body& body)
{
    at::parallel_for(0, chunks, 1, [&](int64_t first, int64_t last) {
        for (int64_t c = first; c < last; ++c)
            body(c, rows * c / chunks, rows * (c + 1) / chunks);
    });
}

// Asks for a row of n floats to be brought into cache. The dropped elements of a row are a few
// scattered ones, which the hardware prefetcher does not foresee; the profile showed the corrections
// stalled on loading them, and fetching the next row ahead trimmed the forward's about a tenth.
void prefetchRow(const float* row, int64_t n, bool forWriting)
{
    for (int64_t j = 0; j < n; j += 16) {
        if (forWriting)
            __builtin_prefetch(row + j, 1);
        else
            __builtin_prefetch(row + j, 0);
    }
}

// The backward's next row: the input gradient's (written) and the input's (read), where used.
void prefetchNextRow(const float* gx, const float* x, int64_t row, int64_t in)
{
    if (gx)
        prefetchRow(gx + row * in, in, true);
    if (x)
        prefetchRow(x + row * in, in, false);
}

// Calls body(std::integral_constant<int, R>) with R the rank for the common ranks (loops of known
// length unroll), else with R = 0, meaning the rank given at run time.
template <typename Body> void withRank(int64_t rank, const Body& body)
{
    switch (rank) {
    case 4:
        body(std::integral_constant<int, 4>());
        break;
    case 8:
        body(std::integral_constant<int, 8>());
        break;
    case 16:
        body(std::integral_constant<int, 16>());
        break;
    default:
        body(std::integral_constant<int, 0>());
        break;
    }
}

#if defined(__x86_64__)
__attribute__((target("avx2,fma"))) float horizontalSum(__m256 v)
{
    __m128 sum = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    sum = _mm_add_ps(sum, _mm_movehl_ps(sum, sum));
    sum = _mm_add_ss(sum, _mm_movehdup_ps(sum));
    return _mm_cvtss_f32(sum);
}

// correctDroppedGradients for one row with a rank that is a multiple of 8, the row's gradient of t in
// registers: gxi[j] -= keep · gradT[i] · A[:, j] (when gxi), and acc[j] += gradT[i] · x[i, j] (when
// acc, (in, rank)), at the row's dropped columns. xi (in), aT (in, rank), gti (rank).
__attribute__((target("avx2,fma"))) void correctRowAvx2(const float* xi, const float* aT, int64_t rank,
                                                        const float* gti, const int32_t* dropped, int64_t count,
                                                        float keep, float* gxi, float* acc)
{
    for (int64_t d = 0; d < count; ++d) {
        const int64_t j = dropped[d];
        if (gxi) {
            __m256 dot = _mm256_mul_ps(_mm256_loadu_ps(gti), _mm256_loadu_ps(aT + j * rank));
            for (int64_t v = 8; v < rank; v += 8)
                dot = _mm256_fmadd_ps(_mm256_loadu_ps(gti + v), _mm256_loadu_ps(aT + j * rank + v), dot);
            gxi[j] -= keep * horizontalSum(dot);
        }
        if (acc) {
            const __m256 xj = _mm256_broadcast_ss(xi + j);
            float* row = acc + j * rank;
            for (int64_t v = 0; v < rank; v += 8)
                _mm256_storeu_ps(row + v, _mm256_fmadd_ps(xj, _mm256_loadu_ps(gti + v), _mm256_loadu_ps(row + v)));
        }
    }
}
#endif

} // namespace

void subtractDroppedShare(const torch::Tensor& x2, const torch::Tensor& aT, const SparseDropout& drop, torch::Tensor& t)
{
    const int64_t in = x2.size(1);
    const float* x = x2.data_ptr<float>();
    const float* a = aT.data_ptr<float>();
    float* out = t.data_ptr<float>();
    withRank(aT.size(1), [&](auto fixed) {
        constexpr int R = decltype(fixed)::value;
        const int64_t rank = R > 0 ? R : aT.size(1);
        forEachChunk(x2.size(0), chunkCount(x2.size(0)), [&](int64_t, int64_t begin, int64_t end) {
            for (int64_t i = begin; i < end; ++i) {
                if (i + 1 < end)
                    prefetchRow(x + (i + 1) * in, in, false);
                float* ti = out + i * rank;
                drop.forEachDropped(i, in, [&](int64_t j) {
                    const float xij = x[i * in + j];
                    const float* aj = a + j * rank;
                    for (int64_t k = 0; k < rank; ++k)
                        ti[k] -= xij * aj[k];
                });
            }
        });
    });
}

torch::Tensor correctDroppedGradients(const torch::Tensor& x2, const torch::Tensor& aT, const torch::Tensor& gradT,
                                      const SparseDropout& drop, torch::Tensor gx, bool wantA)
{
    const int64_t rows = x2.size(0), in = x2.size(1);
    const float keep = drop.keep();
    const float* x = x2.data_ptr<float>();
    const float* a = aT.data_ptr<float>();
    const float* gt = gradT.data_ptr<float>();
    float* g = gx.defined() ? gx.data_ptr<float>() : nullptr;
    const int64_t chunks = chunkCount(rows);
    torch::Tensor acc = wantA ? torch::zeros({chunks, in, aT.size(1)}) : torch::Tensor(); // per chunk, (in, r)
    float* accData = wantA ? acc.data_ptr<float>() : nullptr;
#if defined(__x86_64__)
    const bool vectorRows = cpuHasAvx2Fma() && aT.size(1) % 8 == 0;
#else
    const bool vectorRows = false;
#endif
    if (vectorRows) {
#if defined(__x86_64__)
        const int64_t rank = aT.size(1);
        forEachChunk(rows, chunks, [&](int64_t c, int64_t begin, int64_t end) {
            float* chunkAcc = wantA ? accData + c * in * rank : nullptr;
            std::vector<int32_t> dropped(static_cast<size_t>(in));
            for (int64_t i = begin; i < end; ++i) {
                if (i + 1 < end)
                    prefetchNextRow(g, chunkAcc ? x : nullptr, i + 1, in);
                int64_t count = 0;
                drop.forEachDropped(
                    i, in, [&](int64_t j) { dropped[static_cast<size_t>(count++)] = static_cast<int32_t>(j); });
                correctRowAvx2(x + i * in, a, rank, gt + i * rank, dropped.data(), count, keep,
                               g ? g + i * in : nullptr, chunkAcc);
            }
        });
#endif
    } else {
        withRank(aT.size(1), [&](auto fixed) {
            constexpr int R = decltype(fixed)::value;
            const int64_t rank = R > 0 ? R : aT.size(1);
            forEachChunk(rows, chunks, [&](int64_t c, int64_t begin, int64_t end) {
                float* chunkAcc = wantA ? accData + c * in * rank : nullptr;
                for (int64_t i = begin; i < end; ++i) {
                    if (i + 1 < end)
                        prefetchNextRow(g, chunkAcc ? x : nullptr, i + 1, in);
                    const float* gti = gt + i * rank;
                    drop.forEachDropped(i, in, [&](int64_t j) {
                        if (g) {
                            const float* aj = a + j * rank;
                            float dot = 0.0f;
                            for (int64_t k = 0; k < rank; ++k)
                                dot += gti[k] * aj[k];
                            g[i * in + j] -= keep * dot;
                        }
                        if (chunkAcc) {
                            const float xij = x[i * in + j];
                            float* row = chunkAcc + j * rank;
                            for (int64_t k = 0; k < rank; ++k)
                                row[k] += gti[k] * xij;
                        }
                    });
                }
            });
        });
    }
    if (!wantA)
        return torch::Tensor();
    torch::Tensor total = acc[0].clone();
    for (int64_t c = 1; c < chunks; ++c)
        total.add_(acc[c]);
    return total.t();
}

} // namespace ft
