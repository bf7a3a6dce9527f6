#include "engine/kernels/narrow_softmax.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include <ATen/Parallel.h>

#include "engine/kernels/avx512_exp.h"

namespace ft {

namespace {

// dx = p * (dy - sum(dy * p)) for one row of `length`, in float32 from bf16 p and dy. LibTorch's own
// bf16 softmax backward rounds the products to bf16 before summing (up to 2.9 times the error of this,
// measured against double precision); widening whole tensors first costs four more passes.
void backwardRowPortable(const c10::BFloat16* p, const c10::BFloat16* dy, c10::BFloat16* dx, int64_t length)
{
    // Eight partial sums, so that the compiler may keep them in one vector register.
    float partial[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    int64_t i = 0;
    for (; i + 8 <= length; i += 8)
        for (int lane = 0; lane < 8; ++lane)
            partial[lane] += static_cast<float>(dy[i + lane]) * static_cast<float>(p[i + lane]);
    float dot = ((partial[0] + partial[1]) + (partial[2] + partial[3])) +
                ((partial[4] + partial[5]) + (partial[6] + partial[7]));
    for (; i < length; ++i)
        dot += static_cast<float>(dy[i]) * static_cast<float>(p[i]);
    for (int64_t j = 0; j < length; ++j)
        dx[j] = static_cast<float>(p[j]) * (static_cast<float>(dy[j]) - dot);
}

// One row of the forward pass: softmax in float32, rounded once to bf16. Masked scores (-inf) give
// exactly 0; a row of nothing but -inf gives NaN, as torch::softmax does.
void forwardRowPortable(const c10::BFloat16* x, c10::BFloat16* p, int64_t length)
{
    float largest = -std::numeric_limits<float>::infinity();
    for (int64_t i = 0; i < length; ++i)
        largest = std::max(largest, static_cast<float>(x[i]));
    float sum = 0.0f;
    for (int64_t i = 0; i < length; ++i)
        sum += std::exp(static_cast<float>(x[i]) - largest);
    const float inverse = 1.0f / sum;
    for (int64_t i = 0; i < length; ++i)
        p[i] = std::exp(static_cast<float>(x[i]) - largest) * inverse;
}

#if defined(__x86_64__)
// GCC 12 flags the intrinsics' own placeholder operands (_mm512_undefined) at -O3.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#define FT_AVX512 __attribute__((target("avx512f")))

// 16 bf16 values widened: each one's bits are the top half of its float32.
FT_AVX512 inline __m512 loadBf16(const c10::BFloat16* x)
{
    const __m256i half = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x));
    return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(half), 16));
}

// 16 floats rounded to the nearest bf16 (ties to even), NaN kept NaN: as c10::BFloat16(float) does.
FT_AVX512 inline void storeBf16(c10::BFloat16* out, __m512 value)
{
    const __m512i bits = _mm512_castps_si512(value);
    const __m512i lsb = _mm512_and_si512(_mm512_srli_epi32(bits, 16), _mm512_set1_epi32(1));
    __m512i rounded = _mm512_srli_epi32(_mm512_add_epi32(bits, _mm512_add_epi32(lsb, _mm512_set1_epi32(0x7fff))), 16);
    const __mmask16 nan = _mm512_cmp_ps_mask(value, value, _CMP_UNORD_Q);
    rounded = _mm512_mask_mov_epi32(rounded, nan, _mm512_set1_epi32(0x7fc0));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out), _mm512_cvtepi32_epi16(rounded));
}

// exp(x - largest) of 16 scores, with masked ones (-inf) exactly 0: expNonPositive stops at exp(-87).
FT_AVX512 inline __m512 exponentials(const c10::BFloat16* x, __m512 largest)
{
    const __m512 value = loadBf16(x);
    const __mmask16 allowed =
        _mm512_cmp_ps_mask(value, _mm512_set1_ps(-std::numeric_limits<float>::infinity()), _CMP_NEQ_OQ);
    return _mm512_maskz_mov_ps(allowed, expNonPositive(_mm512_sub_ps(value, largest)));
}

FT_AVX512 void forwardRowAvx512(const c10::BFloat16* x, c10::BFloat16* p, int64_t length)
{
    const int64_t whole = length / 16 * 16; // 16 at a time, then the tail one by one
    __m512 largestVector = _mm512_set1_ps(-std::numeric_limits<float>::infinity());
    __mmask16 notANumber = 0; // max_ps passes NaN over, so it is looked for on its own
    for (int64_t i = 0; i < whole; i += 16) {
        const __m512 value = loadBf16(x + i);
        notANumber |= _mm512_cmp_ps_mask(value, value, _CMP_UNORD_Q);
        largestVector = _mm512_max_ps(largestVector, value);
    }
    float largest = _mm512_reduce_max_ps(largestVector);
    for (int64_t i = whole; i < length; ++i)
        largest = std::max(largest, static_cast<float>(x[i]));
    // Nothing allowed, a NaN or an infinite score: the portable row gives NaN, as torch::softmax does.
    if (notANumber != 0 || !std::isfinite(largest)) {
        forwardRowPortable(x, p, length);
        return;
    }
    const __m512 shift = _mm512_set1_ps(largest);
    __m512 sumVector = _mm512_setzero_ps();
    for (int64_t i = 0; i < whole; i += 16)
        sumVector = _mm512_add_ps(sumVector, exponentials(x + i, shift));
    float sum = _mm512_reduce_add_ps(sumVector);
    for (int64_t i = whole; i < length; ++i)
        sum += std::exp(static_cast<float>(x[i]) - largest);
    const float inverse = 1.0f / sum;
    for (int64_t i = 0; i < whole; i += 16)
        storeBf16(p + i, _mm512_mul_ps(exponentials(x + i, shift), _mm512_set1_ps(inverse)));
    for (int64_t i = whole; i < length; ++i)
        p[i] = std::exp(static_cast<float>(x[i]) - largest) * inverse;
}

FT_AVX512 void backwardRowAvx512(const c10::BFloat16* p, const c10::BFloat16* dy, c10::BFloat16* dx, int64_t length)
{
    __m512 sum = _mm512_setzero_ps();
    int64_t i = 0;
    for (; i + 16 <= length; i += 16)
        sum = _mm512_fmadd_ps(loadBf16(dy + i), loadBf16(p + i), sum);
    float dot = _mm512_reduce_add_ps(sum);
    for (; i < length; ++i)
        dot += static_cast<float>(dy[i]) * static_cast<float>(p[i]);
    const __m512 dotVector = _mm512_set1_ps(dot);
    int64_t j = 0;
    for (; j + 16 <= length; j += 16)
        storeBf16(dx + j, _mm512_mul_ps(loadBf16(p + j), _mm512_sub_ps(loadBf16(dy + j), dotVector)));
    for (; j < length; ++j)
        dx[j] = static_cast<float>(p[j]) * (static_cast<float>(dy[j]) - dot);
}
#undef FT_AVX512
#pragma GCC diagnostic pop
#endif

using ForwardRow = void (*)(const c10::BFloat16*, c10::BFloat16*, int64_t);
using BackwardRow = void (*)(const c10::BFloat16*, const c10::BFloat16*, c10::BFloat16*, int64_t);

// `row(r)` for every row r, spread over the compute threads.
template <typename Row> void forEachRow(int64_t rows, const Row& row)
{
    at::parallel_for(0, rows, 16, [&](int64_t begin, int64_t end) {
        for (int64_t r = begin; r < end; ++r)
            row(r);
    });
}

torch::Tensor bf16SoftmaxForward(const torch::Tensor& scores)
{
    ForwardRow forwardRow = forwardRowPortable;
#if defined(__x86_64__)
    if (cpuHasAvx512())
        forwardRow = forwardRowAvx512;
#endif
    torch::Tensor probs = torch::empty_like(scores);
    const int64_t length = scores.size(-1);
    const auto* x = scores.data_ptr<c10::BFloat16>();
    auto* p = probs.data_ptr<c10::BFloat16>();
    forEachRow(length == 0 ? 0 : scores.numel() / length,
               [&](int64_t row) { forwardRow(x + row * length, p + row * length, length); });
    return probs;
}

torch::Tensor bf16SoftmaxBackward(const torch::Tensor& gradProbs, const torch::Tensor& probs)
{
    BackwardRow backwardRow = backwardRowPortable;
#if defined(__x86_64__)
    if (cpuHasAvx512())
        backwardRow = backwardRowAvx512;
#endif
    torch::Tensor gradScores = torch::empty_like(probs);
    const int64_t length = probs.size(-1);
    const auto* p = probs.data_ptr<c10::BFloat16>();
    const auto* dy = gradProbs.data_ptr<c10::BFloat16>();
    auto* dx = gradScores.data_ptr<c10::BFloat16>();
    forEachRow(length == 0 ? 0 : probs.numel() / length, [&](int64_t row) {
        const int64_t at = row * length;
        backwardRow(p + at, dy + at, dx + at, length);
    });
    return gradScores;
}

struct NarrowSoftmaxFunction : public torch::autograd::Function<NarrowSoftmaxFunction> {
    static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& scores)
    {
        torch::Tensor probs = scores.scalar_type() == torch::kBFloat16
                                  ? bf16SoftmaxForward(scores.contiguous())
                                  : torch::softmax(scores, -1, torch::kFloat32).to(scores.scalar_type());
        ctx->save_for_backward({probs}); // the output: the same storage the product with V keeps
        return probs;
    }

    static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                   torch::autograd::variable_list gradOutputs)
    {
        const torch::Tensor probs = ctx->get_saved_variables()[0];
        if (probs.scalar_type() != torch::kBFloat16) { // float16: the composite formula in float32
            const torch::Tensor p = probs.to(torch::kFloat32), g = gradOutputs[0].to(torch::kFloat32);
            return {(p * (g - (g * p).sum(-1, /*keepdim=*/true))).to(probs.scalar_type())};
        }
        return {bf16SoftmaxBackward(gradOutputs[0].contiguous(), probs.contiguous())};
    }
};

} // namespace

torch::Tensor narrowSoftmax(const torch::Tensor& scores)
{
    if (scores.scalar_type() == torch::kFloat32 || scores.scalar_type() == torch::kFloat64)
        return torch::softmax(scores, -1);
    if (!scores.device().is_cpu())
        return torch::softmax(scores, -1, torch::kFloat32).to(scores.scalar_type());
    return NarrowSoftmaxFunction::apply(scores);
}

} // namespace ft
