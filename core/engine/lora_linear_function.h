#pragma once
// y = x Wᵀ (+ b) + scale · dropout(x) Aᵀ Bᵀ for a frozen base W (dense, NF4 or int8) as one autograd
// node: the LoRA projection's fast path on the CPU. Left to autograd, the same formula records six
// nodes and makes several extra passes over activations of tokens × features: a float dropout mask,
// the masked copy, a copy of y for the sum, the masked gradient and the sum of the two input gradients.
// Here:
//
// - without dropout (p = 0, or not training) the adapter and W act as one weight W' = W + scale · B A:
//   merged for the call (one pass over out × in) when the tokens outnumber the weight's dimension on
//   the multiplied side (in for the forward, out for the input gradient), so forward is x W'ᵀ and the input gradient g
//   W', one matrix product each, like the base alone; with fewer tokens the rank-r term is added to the base's product
//   instead, which is then the cheaper pass. The adapters' gradients come from rank-r products.
// - with dropout up to kLoraSparseDropoutMax, the mask is sparse (SparseDropout, drawn from one seed
//   per call): the products are those without dropout (x Aᵀ; in backward g (W + keep · scale · B A)
//   and gradTᵀ x) corrected at the dropped elements only, a few per cent of them at LoRA's usual p;
// - with a higher dropout, one pass makes the masked input h and a byte mask (the same masks as
//   fastDropout for the same generator state), the update accumulates into y in place, and backward
//   adds the masked adapter gradient into g W in one pass.
//
// Only the base's own storage is saved for backward (a quantized base is dequantized again there, as
// quantized_linear.h does), and the saved activations are x and t = dropout(x) Aᵀ with a sparse mask,
// h and a byte mask with a dense one, or x alone without dropout. No gradient flows to W or b.
// Shapes: x (..., in), W (out, in), b (out) or undefined, A (r, in), B (out, r).

#include <torch/torch.h>

#include "engine/frozen_weight.h"

namespace ft {

// Up to this dropout the mask is sparse (SparseDropout): work per dropped element. Above it, a dense
// byte mask and a masked copy of x, as fastDropout draws them.
constexpr double kLoraSparseDropoutMax = 0.25;

struct LoraLinearFunction : public torch::autograd::Function<LoraLinearFunction> {
    // Autograd inputs, in order: 0 x, 1 A, 2 B, 3 bias (only when present, hence last and optional).
    static torch::Tensor forward(torch::autograd::AutogradContext* ctx, torch::Tensor x, const FrozenWeight& base,
                                 torch::Tensor loraA, torch::Tensor loraB, const c10::optional<torch::Tensor>& bias,
                                 double scale, double dropout);
    static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                   torch::autograd::variable_list gradOutputs);
};

// Whether loraLinear applies: CPU and fp32 activations and adapters.
bool loraLinearApplies(const torch::Tensor& x, const FrozenWeight& base, const torch::Tensor& loraA);

// dropout is the probability used when training (0 for none); pass 0 when not training.
torch::Tensor loraLinear(const torch::Tensor& x, const FrozenWeight& base, const torch::Tensor& bias,
                         const torch::Tensor& loraA, const torch::Tensor& loraB, double scale, double dropout);

} // namespace ft
