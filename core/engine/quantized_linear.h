#pragma once
// y = x W^T for a frozen quantized W, as custom autograd functions that keep only the quantized
// buffers for the backward pass: W is dequantized in forward, used, and dropped; backward dequantizes
// it again for grad_x = grad_y W. No gradient flows to W. So at most the layer being computed holds a
// full-precision copy of its weight (Unsloth's fast_lora does the same).

#include <torch/torch.h>

#include "engine/int8_quant.h"
#include "engine/nf4.h"

namespace ft {

// Time spent dequantizing inside these functions since the last reset (all threads), for benchmarks
// that report the share of a training step spent on it.
int64_t dequantizeNanoseconds();
void resetDequantizeNanoseconds();
// Dequantization counted in that time, for other functions that dequantize a frozen weight.
torch::Tensor timedNf4Dequantize(const Nf4Tensor& weight, torch::ScalarType dtype);
torch::Tensor timedInt8Dequantize(const Int8Tensor& weight, torch::ScalarType dtype);

// x (..., in) -> (..., out), in x's dtype.
torch::Tensor nf4Linear(const torch::Tensor& x, const Nf4Tensor& weight);
torch::Tensor int8Linear(const torch::Tensor& x, const Int8Tensor& weight);

// The functions themselves, declared here so that tests can look at what they save
// (CppNode<T>::ctx_.get_saved_variables()).
struct Nf4LinearFunction : public torch::autograd::Function<Nf4LinearFunction> {
    static torch::Tensor forward(torch::autograd::AutogradContext* ctx, torch::Tensor x, const Nf4Tensor& weight);
    static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                   torch::autograd::variable_list gradOutputs);
};

struct Int8LinearFunction : public torch::autograd::Function<Int8LinearFunction> {
    static torch::Tensor forward(torch::autograd::AutogradContext* ctx, torch::Tensor x, const Int8Tensor& weight);
    static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                   torch::autograd::variable_list gradOutputs);
};

} // namespace ft
