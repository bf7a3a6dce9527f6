#pragma once
// The draw behind SparseDropout: gaps between dropped elements, 16 at a time. A draw is a 64-bit hash
// and a logarithm, which one at a time cost more than the correction each dropped element needs, so
// they are made in AVX-512 where the processor has it. Both instruction sets make the same float
// operations in the same order, and this file is compiled without fused multiply-adds
// (-ffp-contract=off), so they give the same gaps bit for bit. No LibTorch here.

#include <cstdint>

namespace ft {

constexpr int kDropoutGapBatch = 16;
// The largest gap reported: a row of at most this many columns is masked exactly as with unbounded gaps.
constexpr int32_t kMaxDropoutGap = 1 << 30;

// Whether drawDropoutGaps can use AVX-512 here (F and DQ, checked once).
bool dropoutGapsHaveAvx512();

// gaps[k] = floor(log(u_k) · gapScale), at most kMaxDropoutGap, for k < kDropoutGapBatch, where u_k in
// (0, 1] in steps of 2^-32 comes from splitmix64(rowSeed + first + k); gapScale = 1 / log(1 - p).
void drawDropoutGaps(uint64_t rowSeed, uint64_t first, float gapScale, bool avx512, int32_t* gaps);

} // namespace ft
