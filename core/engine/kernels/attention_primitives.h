#pragma once
// The inner loops of the fused attention kernel, for up to kAttentionRowBlock query rows at a time, in
// two versions: AVX-512 (chosen when the processor has it) and portable C++. Key columns j run over
// [lo, hi), both multiples of kAttentionLanes; row buffers are that long, zero-padded past the keys.

#include <cstdint>

namespace ft {

constexpr int64_t kAttentionLanes = 16;
constexpr int kAttentionRowBlock = 4;

// Each `const float* const*` argument holds kAttentionRowBlock row pointers; rows the caller does not
// need point at valid scratch (a repeated row, or zeros for weights).
struct AttentionPrimitives {
    // out_r[j] = sum_d a_r[d] * bT[d * stride + j], j in [lo, hi): scores q k^T, or dO v^T.
    void (*dotColumns)(const float* const* a, const float* bT, int64_t stride, int64_t depth, int64_t lo, int64_t hi,
                       float* const* out);
    // out_r[d] = sum_{j in [lo, hi)} w_r[j] * m[j * depth + d]: probabilities times values.
    void (*weightedRows)(const float* const* w, const float* m, int64_t depth, int64_t lo, int64_t hi,
                         float* const* out);
    // m[j * depth + d] += sum_r w_r[j] * a_r[d], j in [lo, hi): the key and value gradients.
    void (*addOuter)(const float* const* w, const float* const* a, float* m, int64_t depth, int64_t lo, int64_t hi);
    // The largest of s[lo, hi).
    float (*rowMax)(const float* s, int64_t lo, int64_t hi);
    // s[j] = exp(s[j] - shift) in place (0 where s[j] is -inf), j in [lo, hi); returns their sum.
    float (*expShifted)(float* s, int64_t lo, int64_t hi, float shift);
    // p[j] = exp(s[j] - lse) (0 where s[j] is -inf) and ds[j] = p[j] * (dp[j] - delta), j in [lo, hi).
    void (*probabilityGradients)(const float* s, const float* dp, int64_t lo, int64_t hi, float lse, float delta,
                                 float* p, float* ds);
};

const AttentionPrimitives& portableAttentionPrimitives();
// AVX-512 where the processor has it, else the portable ones.
const AttentionPrimitives& bestAttentionPrimitives();

} // namespace ft
