#pragma once
// Masked (causal) attention on fp32 buffers without the (queries x keys) score tensors: each query
// row's scores, probabilities and their gradients live in a row buffer, only the keys its mask allows
// at all are visited (about half of them for a causal mask), and the backward recomputes the
// probabilities from the saved log-sum-exp. Parallel over (batch, key head) pairs.

#include <cstdint>

namespace ft {

// Shapes in the projections' own layout, every buffer contiguous:
// q, out, gradQ, gradOut (batch, queries, heads, headDim); k, v, gradK, gradV (batch, keys, kvHeads,
// headDim), heads a multiple of kvHeads (query head h reads key head h / (heads / kvHeads));
// allowed (maskBatch, queries, keys), true where query t may attend key s, maskBatch 1 or batch;
// lse (batch, heads, queries).
struct AttentionDims {
    int64_t batch = 0;
    int64_t queries = 0;
    int64_t keys = 0;
    int64_t heads = 0;
    int64_t kvHeads = 0;
    int64_t headDim = 0;
    int64_t maskBatch = 1;
};

enum class AttentionIsa { Best, Portable };

// out = softmax(scale q k^T where allowed) v per head, and lse the log of each row's softmax
// denominator. A query with no allowed key gets zeros and lse = -inf.
void attentionForward(const AttentionDims& dims, const float* q, const float* k, const float* v, const bool* allowed,
                      float scale, float* out, float* lse, AttentionIsa isa = AttentionIsa::Best);

// The gradients of attentionForward, from its inputs, out and lse; gradQ, gradK, gradV are overwritten.
void attentionBackward(const AttentionDims& dims, const float* q, const float* k, const float* v, const bool* allowed,
                       float scale, const float* out, const float* lse, const float* gradOut, float* gradQ,
                       float* gradK, float* gradV, AttentionIsa isa = AttentionIsa::Best);

} // namespace ft
