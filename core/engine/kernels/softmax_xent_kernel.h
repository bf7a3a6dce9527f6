#pragma once
// The softmax cross-entropy of a block of logits, in place: each row's loss, and (optionally) the
// row overwritten by its gradient softmax - one-hot. Three passes over a row that stays in cache
// (max; exp and sum; scale), vectorised with AVX-512 where the processor has it. Replaces logsumexp,
// gather, subtract, exp and scatter, each a pass over the whole block.

#include <cstdint>

namespace ft {

// logits (rows, vocab) fp32 contiguous; targets (rows) int64 in [0, vocab). Returns the summed loss.
double softmaxCrossEntropyInPlace(float* logits, const int64_t* targets, int64_t rows, int64_t vocab,
                                  bool writeGradient);

} // namespace ft
