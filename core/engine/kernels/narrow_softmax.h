#pragma once
// Softmax over the last dimension of bf16 attention scores: computed in float32 and rounded once to
// bf16, keeping only that bf16 result for the backward pass. It replaces the composite
// `torch::softmax(x, -1, kFloat32).to(bf16)`, which also keeps the float32 probabilities (33 MB more
// per layer of a 1B model at batch 1 x 512: 32 heads x 512 x 512 x 4 bytes) and, in LibTorch 1.13,
// widens and narrows whole tensors around a float32 softmax (bench_kernels: 36 x slower at that shape).
//
// Each row is one task: forward, the largest score, the sum of exp(x - largest) and the rounded
// probabilities, with masked scores (-inf) exactly 0; backward, dx = p * (dy - sum(dy * p)) in
// float32 from the saved bf16 p and the bf16 dy. AVX-512 where the processor has it, portable C++
// otherwise.

#include <torch/torch.h>

namespace ft {

// scores (..., S) in bfloat16 (or float16) -> probabilities of the same shape and dtype. Float32
// scores take torch::softmax unchanged.
torch::Tensor narrowSoftmax(const torch::Tensor& scores);

} // namespace ft
