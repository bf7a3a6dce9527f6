#pragma once
// The first half of a LoRA adapter over bf16 activations, t = dropout(x) Aᵀ, as one autograd node
// that keeps only x in bf16. Left to autograd (x.to(float32), fastDropout, linear), it keeps a
// float32 dropout mask and the float32 masked input: 8 bytes per input feature and token for each
// adapted projection, against 2 here (TinyLlama's shape at 1 x 512: about 73 MB against 18 MB per
// layer that is not recomputed). The backward pass makes the masked input again from x and the seed,
// the same masks as fastDropout draws for the same generator state.
//
// Shapes: x (..., in) in bf16 (or another non-float32 dtype), A (r, in) float32 -> t (..., r) float32.
// The gradient reaching x is rounded to x's dtype.

#include <torch/torch.h>

namespace ft {

torch::Tensor loraDown(const torch::Tensor& x, const torch::Tensor& loraA, double dropout, bool training);

} // namespace ft
