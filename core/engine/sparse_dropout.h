#pragma once
// A dropout mask over a (rows, cols) tensor described by the elements it drops, drawn row by row from
// one seed. With LoRA's usual p of 0.05-0.1 the dropped elements are a few per cent of the tensor, so
// work proportional to them (a correction per dropped element) costs far less than a pass that
// multiplies every element by a mask; and the mask need not be stored, since any row's dropped
// columns can be drawn again from the seed.
//
// Each row has its own counter-based stream (splitmix64 of the seed, the row and a counter), and the
// gaps between dropped columns are geometric with parameter p, which makes every element dropped
// independently with probability p: the same distribution as a Bernoulli mask, not the same draws as
// fastDropout's. Rows can be drawn in any order, on any thread, with the same result.

#include <cmath>
#include <cstdint>

#include <torch/torch.h>

#include "engine/fast_dropout.h"

namespace ft {

class SparseDropout {
public:
    SparseDropout(uint64_t seed, double p)
        : m_seed(seed), m_gapScale(static_cast<float>(1.0 / std::log1p(-p))), m_keep(static_cast<float>(1.0 / (1.0 - p)))
    {
    }

    // The factor kept elements are scaled by, 1 / (1 - p).
    float keep() const { return m_keep; }

    // Calls visit(j) for every dropped column j < cols of row `row`, in increasing order.
    template <typename Visit> void forEachDropped(int64_t row, int64_t cols, const Visit& visit) const
    {
        const uint64_t rowSeed = splitmix64(m_seed ^ (static_cast<uint64_t>(row) * 0xD1B54A32D192ED03ULL));
        uint64_t counter = 0;
        for (int64_t j = gap(rowSeed, counter++); j < cols; j += 1 + gap(rowSeed, counter++))
            visit(j);
    }

    // The mask as a dense (rows, cols) fp32 tensor of 1 / (1 - p) where kept and 0 where dropped: the
    // reference form, for tests.
    torch::Tensor denseMask(int64_t rows, int64_t cols) const;

private:
    // Kept elements before the next dropped one: floor(log(u) / log(1 - p)) for u uniform in (0, 1] in
    // steps of 2^-32, in single precision (a double log cost more than the rest of the work per drop).
    int64_t gap(uint64_t rowSeed, uint64_t counter) const
    {
        const float u = static_cast<float>((splitmix64(rowSeed + counter) >> 32) + 1) * 0x1.0p-32f;
        const float kept = std::log(u) * m_gapScale; // both factors ≤ 0: truncation is floor
        return kept < 4.0e18f ? static_cast<int64_t>(kept) : INT64_MAX / 2;
    }

    uint64_t m_seed;
    float m_gapScale; // 1 / log(1 - p), negative
    float m_keep;
};

} // namespace ft
