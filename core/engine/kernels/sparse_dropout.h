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
//
// Gaps are drawn 16 at a time, in AVX-512 where the processor has it (sparse_dropout_gaps.h); both
// instruction sets drop the same elements.

#include <cstdint>

#include <torch/torch.h>

#include "engine/kernels/sparse_dropout_gaps.h"
#include "engine/kernels/splitmix64.h"

namespace ft {

enum class SparseDropoutIsa { Best, Portable };

class SparseDropout {
public:
    SparseDropout(uint64_t seed, double p, SparseDropoutIsa isa = SparseDropoutIsa::Best);

    // The factor kept elements are scaled by, 1 / (1 - p).
    float keep() const { return m_keep; }

    // Calls visit(j) for every dropped column j < cols of row `row`, in increasing order.
    template <typename Visit> void forEachDropped(int64_t row, int64_t cols, const Visit& visit) const
    {
        const uint64_t rowSeed = splitmix64(m_seed ^ (static_cast<uint64_t>(row) * 0xD1B54A32D192ED03ULL));
        int32_t gaps[kDropoutGapBatch];
        int64_t j = -1;
        for (uint64_t counter = 0;; counter += kDropoutGapBatch) {
            drawDropoutGaps(rowSeed, counter, m_gapScale, m_avx512, gaps);
            for (int k = 0; k < kDropoutGapBatch; ++k) {
                j += 1 + gaps[k];
                if (j >= cols)
                    return;
                visit(j);
            }
        }
    }

    // The mask as a dense (rows, cols) fp32 tensor of 1 / (1 - p) where kept and 0 where dropped: the
    // reference form, for tests.
    torch::Tensor denseMask(int64_t rows, int64_t cols) const;

private:
    uint64_t m_seed;
    float m_gapScale; // 1 / log(1 - p), negative
    float m_keep;
    bool m_avx512; // draw the gaps in AVX-512
};

} // namespace ft
