#pragma once
// RMSNorm as one autograd function for fp32 CPU tensors: one pass forward (keeping each row's
// 1 / rms), one pass backward, instead of the five elementwise operators (and their saved tensors)
// of the composite formula. Other dtypes and devices take the composite path (RMSNormImpl).

#include <torch/torch.h>

namespace ft {

bool fusedRmsNormApplies(const torch::Tensor& x, const torch::Tensor& weight);

// x (..., C), weight (C) -> weight * x / sqrt(mean(x^2) + eps), rows reduced over the last axis.
torch::Tensor fusedRmsNorm(const torch::Tensor& x, const torch::Tensor& weight, double eps);

} // namespace ft
