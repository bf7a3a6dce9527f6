#pragma once
// Rotary position embeddings in Hugging Face's rotate-half convention: the head dimension is split
// into halves (x1, x2) and rotated as (x1 cos - x2 sin, x2 cos + x1 sin) with one frequency per pair.

#include <torch/torch.h>

#include "modelio/model_config.h"

namespace ft {

struct RotaryTables {
    torch::Tensor cos; // (B, T, 1, D), compute dtype
    torch::Tensor sin; // (B, T, 1, D)
};

// Tables for integer `positions` (B, T); frequencies theta^(-2i/D) computed in fp32 as Hugging Face does,
// then scaled as config.ropeScaling says (linear, llama3, dynamic NTK: see modelio/rope_scaling.h).
RotaryTables rotaryTables(const ModelConfig& config, const torch::Tensor& positions, torch::ScalarType dtype);

// x (B, T, H, D) rotated by its positions.
torch::Tensor applyRotary(const torch::Tensor& x, const RotaryTables& tables);

} // namespace ft
