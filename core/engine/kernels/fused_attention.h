#pragma once
// Grouped-query attention as one autograd function over the fused kernel (attention_kernel.h): no
// (T x S) score, probability or gradient tensors are made or kept, only out and each row's
// log-sum-exp. Used for fp32 CPU tensors; other dtypes and devices take the composite path.

#include <torch/torch.h>

namespace ft {

// True when fusedAttention takes these tensors (fp32, on the CPU).
bool fusedAttentionApplies(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v);

// q (B, T, H, D), k and v (B, S, kvH, D), allowed bool (B or 1, T, S) -> (B, T, H, D):
// softmax(scale q k^T where allowed) v per head; query head h reads key head h / (H / kvH).
torch::Tensor fusedAttention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                             const torch::Tensor& allowed, double scale);

} // namespace ft
