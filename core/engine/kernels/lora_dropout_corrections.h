#pragma once
// The LoRA projection's work at the elements a sparse dropout mask drops (SparseDropout): the
// products are computed as if nothing were dropped, and these corrections subtract the dropped
// elements' part, a few per cent of the elements at LoRA's usual p. With AVX2 and FMA and a rank that
// is a multiple of 8, the backward's corrections work a row at a time with its gradient of t held in
// vector registers. Shapes: x (n, in) contiguous, aT = Aᵀ (in, r) contiguous, t and gradT (n, r)
// contiguous, gx (n, in) contiguous. Work is spread over the threads by contiguous chunks of rows;
// sums over chunks are added in chunk order, so results are the same for a given thread count.

#include <torch/torch.h>

#include "engine/kernels/sparse_dropout.h"

namespace ft {

// t -= the dropped elements' share of x Aᵀ: t[i] -= x[i, j] · A[:, j] for every dropped (i, j).
void subtractDroppedShare(const torch::Tensor& x2, const torch::Tensor& aT, const SparseDropout& drop,
                          torch::Tensor& t);

// Backward, where the dense products counted x as kept: gx[i, j] -= keep · gradT[i] · A[:, j] at every
// dropped (i, j) when gx is defined, and returns Σ gradT[i]ᵀ x[i, j] over the dropped (i, j), (r, in),
// when wantA (else undefined).
torch::Tensor correctDroppedGradients(const torch::Tensor& x2, const torch::Tensor& aT, const torch::Tensor& gradT,
                                      const SparseDropout& drop, torch::Tensor gx, bool wantA);

} // namespace ft
