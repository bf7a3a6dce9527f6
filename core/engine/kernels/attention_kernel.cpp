#include "engine/kernels/attention_kernel.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include <ATen/Parallel.h>

#include "engine/kernels/attention_primitives.h"

namespace ft {

namespace {

constexpr int kRows = kAttentionRowBlock;
constexpr float kNegativeInfinity = -std::numeric_limits<float>::infinity();

int64_t roundUp(int64_t n, int64_t multiple) { return (n + multiple - 1) / multiple * multiple; }

// The keys one query may attend lie in [begin, end); `whole` when every key in between is allowed
// (a causal or sliding-window row), so only the edges need masking.
struct KeyRange {
    int64_t begin = 0;
    int64_t end = 0;
    bool whole = true;
    bool empty() const { return begin >= end; }
};

std::vector<KeyRange> keyRanges(const AttentionDims& dims, const bool* allowed)
{
    std::vector<KeyRange> ranges(static_cast<size_t>(dims.maskBatch * dims.queries));
    for (size_t row = 0; row < ranges.size(); ++row) {
        const bool* mask = allowed + static_cast<int64_t>(row) * dims.keys;
        KeyRange& range = ranges[row];
        const bool* first = std::find(mask, mask + dims.keys, true);
        if (first == mask + dims.keys)
            continue;
        range.begin = first - mask;
        range.end = dims.keys;
        while (!mask[range.end - 1])
            --range.end;
        range.whole = std::all_of(mask + range.begin, mask + range.end, [](bool allowedKey) { return allowedKey; });
    }
    return ranges;
}

// One (batch, key head) pair's keys and values out of the interleaved layout: as rows (stride x depth)
// and transposed (depth x stride), zero-padded to a whole number of lanes. The forward needs keys as
// columns and values as rows; the backward needs both of each.
struct PairKeys {
    std::vector<float> kRows, kColumns, vRows, vColumns;

    void load(const AttentionDims& dims, int64_t stride, const float* k, const float* v, int64_t b, int64_t g,
              bool forBackward)
    {
        const int64_t D = dims.headDim;
        kColumns.assign(static_cast<size_t>(D * stride), 0.0f);
        vRows.assign(static_cast<size_t>(stride * D), 0.0f);
        if (forBackward) {
            kRows.assign(static_cast<size_t>(stride * D), 0.0f);
            vColumns.assign(static_cast<size_t>(D * stride), 0.0f);
        }
        for (int64_t s = 0; s < dims.keys; ++s) {
            const int64_t offset = ((b * dims.keys + s) * dims.kvHeads + g) * D;
            for (int64_t d = 0; d < D; ++d) {
                kColumns[d * stride + s] = k[offset + d];
                vRows[s * D + d] = v[offset + d];
                if (forBackward) {
                    kRows[s * D + d] = k[offset + d];
                    vColumns[d * stride + s] = v[offset + d];
                }
            }
        }
    }
};

// Up to kRows consecutive query rows of one head, the key ranges they need, and the columns [lo, hi)
// (whole lanes) that cover them all.
struct RowBlock {
    int64_t first = 0;
    int count = 0;
    KeyRange ranges[kRows];
    const bool* masks[kRows] = {};
    int64_t lo = 0;
    int64_t hi = 0;

    RowBlock(const AttentionDims& dims, const std::vector<KeyRange>& allRanges, const bool* allowed, int64_t b,
             int64_t i0)
        : first(i0)
        , count(static_cast<int>(std::min<int64_t>(kRows, dims.queries - i0)))
    {
        const int64_t maskRow0 = (dims.maskBatch == 1 ? 0 : b) * dims.queries + i0;
        lo = dims.keys;
        for (int r = 0; r < count; ++r) {
            ranges[r] = allRanges[static_cast<size_t>(maskRow0 + r)];
            masks[r] = allowed + (maskRow0 + r) * dims.keys;
            if (!ranges[r].empty()) {
                lo = std::min(lo, ranges[r].begin);
                hi = std::max(hi, ranges[r].end);
            }
        }
        lo = lo / kAttentionLanes * kAttentionLanes;
        hi = roundUp(hi, kAttentionLanes);
    }
    bool empty() const { return hi <= lo; }

    // Scores of keys row r may not attend become -inf.
    void mask(int r, float* scores) const
    {
        const KeyRange& range = ranges[r];
        if (range.empty()) {
            std::fill(scores + lo, scores + hi, kNegativeInfinity);
            return;
        }
        std::fill(scores + lo, scores + range.begin, kNegativeInfinity);
        std::fill(scores + range.end, scores + hi, kNegativeInfinity);
        if (!range.whole)
            for (int64_t j = range.begin; j < range.end; ++j)
                if (!masks[r][j])
                    scores[j] = kNegativeInfinity;
    }
};

// Per-thread buffers: kRows row buffers per role, plus a zero row and a spare row for absent rows.
struct Scratch {
    int64_t stride;
    std::vector<float> rows; // roles x kRows x stride
    std::vector<float> zeros;
    std::vector<float> scaledQueries; // kRows x depth
    std::vector<float> spareDepth;    // depth

    Scratch(int64_t keyStride, int64_t headDim, int roles)
        : stride(keyStride)
        , rows(static_cast<size_t>(roles * kRows * keyStride))
        , zeros(static_cast<size_t>(std::max(keyStride, headDim)), 0.0f)
        , scaledQueries(static_cast<size_t>(kRows * headDim))
        , spareDepth(static_cast<size_t>(headDim))
    {
    }
    float* row(int role, int r) { return rows.data() + (role * kRows + r) * stride; }
};

int64_t headOffset(const AttentionDims& dims, int64_t b, int64_t i, int64_t h)
{
    return ((b * dims.queries + i) * dims.heads + h) * dims.headDim;
}

void scaleQueries(const AttentionDims& dims, const float* q, float scale, int64_t b, int64_t h, const RowBlock& block,
                  Scratch& scratch, const float* (&scaled)[kRows])
{
    const int64_t D = dims.headDim;
    for (int r = 0; r < kRows; ++r) {
        if (r >= block.count) {
            scaled[r] = scaled[0];
            continue;
        }
        const float* source = q + headOffset(dims, b, block.first + r, h);
        float* target = scratch.scaledQueries.data() + r * D;
        for (int64_t d = 0; d < D; ++d)
            target[d] = source[d] * scale;
        scaled[r] = target;
    }
}

void forwardPair(const AttentionDims& dims, const AttentionPrimitives& ops, const float* q, const float* k,
                 const float* v, const bool* allowed, const std::vector<KeyRange>& ranges, float scale, int64_t b,
                 int64_t g, PairKeys& keys, Scratch& scratch, float* out, float* lse)
{
    const int64_t D = dims.headDim;
    const int64_t stride = scratch.stride;
    keys.load(dims, stride, k, v, b, g, false);
    const int64_t group = dims.heads / dims.kvHeads;
    for (int64_t h = g * group; h < (g + 1) * group; ++h) {
        for (int64_t i0 = 0; i0 < dims.queries; i0 += kRows) {
            const RowBlock block(dims, ranges, allowed, b, i0);
            float* outRows[kRows];
            for (int r = 0; r < kRows; ++r)
                outRows[r] = r < block.count ? out + headOffset(dims, b, i0 + r, h) : scratch.spareDepth.data();
            float* lseRow = lse ? lse + (b * dims.heads + h) * dims.queries + i0 : nullptr;
            if (block.empty()) {
                for (int r = 0; r < block.count; ++r) {
                    std::fill(outRows[r], outRows[r] + D, 0.0f);
                    if (lseRow)
                        lseRow[r] = kNegativeInfinity;
                }
                continue;
            }
            const float* scaled[kRows];
            scaleQueries(dims, q, scale, b, h, block, scratch, scaled);
            float* scores[kRows];
            const float* weights[kRows];
            for (int r = 0; r < kRows; ++r) {
                scores[r] = scratch.row(0, r);
                weights[r] = r < block.count ? scores[r] : scratch.zeros.data();
            }
            ops.dotColumns(scaled, keys.kColumns.data(), stride, D, block.lo, block.hi, scores);
            float inverseSums[kRows] = {};
            for (int r = 0; r < block.count; ++r) {
                if (block.ranges[r].empty()) {
                    std::fill(scores[r] + block.lo, scores[r] + block.hi, 0.0f);
                    if (lseRow)
                        lseRow[r] = kNegativeInfinity;
                    continue;
                }
                block.mask(r, scores[r]);
                const float max = ops.rowMax(scores[r], block.lo, block.hi);
                const float sum = ops.expShifted(scores[r], block.lo, block.hi, max);
                inverseSums[r] = 1.0f / sum;
                if (lseRow)
                    lseRow[r] = max + std::log(sum);
            }
            ops.weightedRows(weights, keys.vRows.data(), D, block.lo, block.hi, outRows);
            for (int r = 0; r < block.count; ++r)
                for (int64_t d = 0; d < D; ++d)
                    outRows[r][d] *= inverseSums[r];
        }
    }
}

void backwardPair(const AttentionDims& dims, const AttentionPrimitives& ops, const float* q, const float* k,
                  const float* v, const bool* allowed, const std::vector<KeyRange>& ranges, float scale,
                  const float* out, const float* lse, const float* gradOut, int64_t b, int64_t g, PairKeys& keys,
                  Scratch& scratch, std::vector<float>& gradKRows, std::vector<float>& gradVRows, float* gradQ,
                  float* gradK, float* gradV)
{
    const int64_t D = dims.headDim;
    const int64_t stride = scratch.stride;
    keys.load(dims, stride, k, v, b, g, true);
    gradKRows.assign(static_cast<size_t>(stride * D), 0.0f);
    gradVRows.assign(static_cast<size_t>(stride * D), 0.0f);
    const int64_t group = dims.heads / dims.kvHeads;
    for (int64_t h = g * group; h < (g + 1) * group; ++h) {
        for (int64_t i0 = 0; i0 < dims.queries; i0 += kRows) {
            const RowBlock block(dims, ranges, allowed, b, i0);
            float* gradQRows[kRows];
            const float* gradOutRows[kRows];
            for (int r = 0; r < kRows; ++r) {
                gradQRows[r] = r < block.count ? gradQ + headOffset(dims, b, i0 + r, h) : scratch.spareDepth.data();
                gradOutRows[r] = r < block.count ? gradOut + headOffset(dims, b, i0 + r, h) : scratch.zeros.data();
            }
            if (block.empty()) {
                for (int r = 0; r < block.count; ++r)
                    std::fill(gradQRows[r], gradQRows[r] + D, 0.0f);
                continue;
            }
            const float* scaled[kRows];
            scaleQueries(dims, q, scale, b, h, block, scratch, scaled);
            float *scores[kRows], *gradProbabilities[kRows], *probabilities[kRows], *gradScores[kRows];
            const float *probabilityWeights[kRows], *gradScoreWeights[kRows];
            for (int r = 0; r < kRows; ++r) {
                scores[r] = scratch.row(0, r);
                gradProbabilities[r] = scratch.row(1, r);
                probabilities[r] = scratch.row(2, r);
                gradScores[r] = scratch.row(3, r);
                probabilityWeights[r] = r < block.count ? probabilities[r] : scratch.zeros.data();
                gradScoreWeights[r] = r < block.count ? gradScores[r] : scratch.zeros.data();
            }
            ops.dotColumns(scaled, keys.kColumns.data(), stride, D, block.lo, block.hi, scores);
            ops.dotColumns(gradOutRows, keys.vColumns.data(), stride, D, block.lo, block.hi, gradProbabilities);
            const float* lseRow = lse + (b * dims.heads + h) * dims.queries + i0;
            for (int r = 0; r < block.count; ++r) {
                // delta = sum_j p_j dp_j = dO . out, the softmax backward's row term.
                const float* outRow = out + headOffset(dims, b, i0 + r, h);
                float delta = 0.0f;
                for (int64_t d = 0; d < D; ++d)
                    delta += gradOutRows[r][d] * outRow[d];
                block.mask(r, scores[r]);
                ops.probabilityGradients(scores[r], gradProbabilities[r], block.lo, block.hi, lseRow[r], delta,
                                         probabilities[r], gradScores[r]);
            }
            // Scores are scale q.k: dq = scale sum_j ds_j k_j, dk_j += ds_j (scale q), dv_j += p_j dO.
            ops.weightedRows(gradScoreWeights, keys.kRows.data(), D, block.lo, block.hi, gradQRows);
            for (int r = 0; r < block.count; ++r)
                for (int64_t d = 0; d < D; ++d)
                    gradQRows[r][d] *= scale;
            ops.addOuter(gradScoreWeights, scaled, gradKRows.data(), D, block.lo, block.hi);
            ops.addOuter(probabilityWeights, gradOutRows, gradVRows.data(), D, block.lo, block.hi);
        }
    }
    for (int64_t s = 0; s < dims.keys; ++s) {
        const int64_t offset = ((b * dims.keys + s) * dims.kvHeads + g) * D;
        std::copy_n(gradKRows.data() + s * D, D, gradK + offset);
        std::copy_n(gradVRows.data() + s * D, D, gradV + offset);
    }
}

const AttentionPrimitives& primitivesFor(AttentionIsa isa)
{
    return isa == AttentionIsa::Portable ? portableAttentionPrimitives() : bestAttentionPrimitives();
}

} // namespace

void attentionForward(const AttentionDims& dims, const float* q, const float* k, const float* v, const bool* allowed,
                      float scale, float* out, float* lse, AttentionIsa isa)
{
    const AttentionPrimitives& ops = primitivesFor(isa);
    const std::vector<KeyRange> ranges = keyRanges(dims, allowed);
    const int64_t stride = roundUp(std::max<int64_t>(dims.keys, 1), kAttentionLanes);
    at::parallel_for(0, dims.batch * dims.kvHeads, 1, [&](int64_t begin, int64_t end) {
        PairKeys keys;
        Scratch scratch(stride, dims.headDim, 1);
        for (int64_t pair = begin; pair < end; ++pair)
            forwardPair(dims, ops, q, k, v, allowed, ranges, scale, pair / dims.kvHeads, pair % dims.kvHeads, keys,
                        scratch, out, lse);
    });
}

void attentionBackward(const AttentionDims& dims, const float* q, const float* k, const float* v, const bool* allowed,
                       float scale, const float* out, const float* lse, const float* gradOut, float* gradQ,
                       float* gradK, float* gradV, AttentionIsa isa)
{
    const AttentionPrimitives& ops = primitivesFor(isa);
    const std::vector<KeyRange> ranges = keyRanges(dims, allowed);
    const int64_t stride = roundUp(std::max<int64_t>(dims.keys, 1), kAttentionLanes);
    at::parallel_for(0, dims.batch * dims.kvHeads, 1, [&](int64_t begin, int64_t end) {
        PairKeys keys;
        Scratch scratch(stride, dims.headDim, 4);
        std::vector<float> gradKRows, gradVRows;
        for (int64_t pair = begin; pair < end; ++pair)
            backwardPair(dims, ops, q, k, v, allowed, ranges, scale, out, lse, gradOut, pair / dims.kvHeads,
                         pair % dims.kvHeads, keys, scratch, gradKRows, gradVRows, gradQ, gradK, gradV);
    });
}

} // namespace ft
