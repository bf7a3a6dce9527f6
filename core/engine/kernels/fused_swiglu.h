#pragma once
// The MLP's gate, silu(gate) * up, as one autograd function for fp32 CPU tensors: one pass forward,
// one pass backward (the sigmoid recomputed), instead of silu, multiply and their three backward
// operators with the silu output kept. Other dtypes and devices take the composite path.

#include <torch/torch.h>

namespace ft {

bool fusedSwigluApplies(const torch::Tensor& gate, const torch::Tensor& up);

// gate, up (same shape) -> silu(gate) * up = gate * sigmoid(gate) * up.
torch::Tensor fusedSwiglu(const torch::Tensor& gate, const torch::Tensor& up);

} // namespace ft
