#pragma once
// Dropout whose mask comes from a counter-based hash instead of one random draw per element.
// LibTorch's CPU dropout draws every element from a single-threaded Mersenne twister (about 30 ns
// each), which made LoRA's adapter dropout cost more than the whole forward pass. Here the default
// generator gives one 64-bit seed per call (so saving and restoring the generator, as checkpoints and
// activation recomputation do, reproduces the mask), and element i keeps its value when
// splitmix64(seed + i) lands above p; the work is spread over the compute threads.

#include <torch/torch.h>

#include "engine/kernels/splitmix64.h"

namespace ft {

// x * mask / (1 - p) in training, x otherwise. Gradients flow through the multiplication.
torch::Tensor fastDropout(const torch::Tensor& x, double p, bool training);

// The pieces of fastDropout for kernels that fuse it (the LoRA projection's autograd function): one
// seed from the default generator per call, and element i of a contiguous fp32 tensor kept when
// dropoutKeeps(seed, i, threshold). Same masks as fastDropout for the same generator state.
uint64_t dropoutSeed();
inline uint64_t dropoutThreshold(double p) { return static_cast<uint64_t>(p * 4294967296.0); } // p · 2^32

// An element is dropped when the top 32 bits of its hash fall below p · 2^32.
inline bool dropoutKeeps(uint64_t seed, int64_t index, uint64_t threshold)
{
    return (splitmix64(seed + static_cast<uint64_t>(index)) >> 32) >= threshold;
}

// For elements [begin, end) of contiguous arrays: h = x · keep and mask = 1 where dropoutKeeps, else
// h = 0 and mask = 0. Uses AVX-512 where the CPU has it (the 64-bit hash then costs a quarter).
void dropoutMaskedCopy(const float* x, float* h, uint8_t* mask, int64_t begin, int64_t end, uint64_t seed,
                       uint64_t threshold, float keep);

} // namespace ft
