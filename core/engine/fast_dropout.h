#pragma once
// Dropout whose mask comes from a counter-based hash instead of one random draw per element.
// LibTorch's CPU dropout draws every element from a single-threaded Mersenne twister (about 30 ns
// each), which made LoRA's adapter dropout cost more than the whole forward pass. Here the default
// generator gives one 64-bit seed per call (so saving and restoring the generator, as checkpoints and
// activation recomputation do, reproduces the mask), and element i keeps its value when
// splitmix64(seed + i) lands above p; the work is spread over the compute threads.

#include <torch/torch.h>

namespace ft {

// x * mask / (1 - p) in training, x otherwise. Gradients flow through the multiplication.
torch::Tensor fastDropout(const torch::Tensor& x, double p, bool training);

} // namespace ft
