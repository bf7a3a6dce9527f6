#pragma once
// The LoRA projection's rank-r product of its dropped-out input, t = dropout(x) Aᵀ, under a sparse
// mask (SparseDropout), in one pass over x: each row's dense product and its dropped elements'
// share are taken while the row is in cache, instead of a matrix product and then a second, scattered
// pass for the corrections. The vector kernel needs AVX2 with FMA and a rank that is a multiple of 8;
// otherwise it is those two passes.
//
// Shapes: x2 (n, in) contiguous fp32, aT = Aᵀ (in, r) contiguous; returns t (n, r) =
// keep · (x Aᵀ - Σ over dropped (i, j) of x[i, j] A[:, j]).

#include <torch/torch.h>

#include "engine/kernels/sparse_dropout.h"

namespace ft {

enum class MaskedProductIsa { Best, Portable };

torch::Tensor maskedLowRankProduct(const torch::Tensor& x2, const torch::Tensor& aT, const SparseDropout& drop,
                                   MaskedProductIsa isa = MaskedProductIsa::Best);

} // namespace ft
