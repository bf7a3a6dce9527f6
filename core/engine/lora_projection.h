#pragma once
// A LoRA adapter around a frozen base projection (dense or quantized), as torchtune's LoRALinear and
// PEFT's lora.Linear: y = base(x) + scale · dropout(x) Aᵀ Bᵀ, A (r, in) Kaiming-uniform, B (out, r)
// zero, so that a fresh adapter changes nothing.
//
// Names: the base's own tensors ("weight", "bias", or a quantized base's buffers) are registered
// directly on this module, so the model's names for them do not change
// (model.layers.0.self_attn.q_proj.weight); the adapters are "lora_A.weight" and "lora_B.weight".
// Adapters are fp32 whatever the compute dtype (PEFT's default): x is cast for the adapter path and the
// update cast back.
//
// On the CPU with fp32 activations the whole projection (base and adapter) is one autograd node,
// lora_linear_function.h, over a dense, NF4 or int8 base. With bf16 activations on the CPU the base
// runs as it is and the adapter's dropout(x) Aᵀ is one node that keeps x in bf16
// (lora_down_function.h); other cases (GPU) take the plain autograd formula.

#include <ATen/core/Generator.h>

#include "engine/projection.h"

namespace ft {

class LoraProjectionImpl : public ProjectionImpl {
public:
    // Freezes `base` (a projection without submodules). A is drawn from `generator`.
    LoraProjectionImpl(Projection base, int64_t rank, double scale, double dropout, at::Generator generator);

    torch::Tensor forward(const torch::Tensor& x) override;
    // W + scale · B A (out, in) in the base's compute dtype, computed in fp32 without recording gradients.
    torch::Tensor denseWeight() const override;
    void assignWeight(const torch::Tensor& source) override { m_base->assignWeight(source); }
    torch::Tensor bias() const override { return m_base->bias(); }
    void assignBias(const torch::Tensor& source) override { m_base->assignBias(source); }

    const Projection& base() const { return m_base; }
    int64_t rank() const { return m_rank; }
    double scale() const { return m_scale; }
    double dropout() const { return m_dropout; }
    torch::Tensor& loraA() { return lora_A->weight; } // (r, in) fp32
    torch::Tensor& loraB() { return lora_B->weight; } // (out, r) fp32
    const torch::Tensor& loraA() const { return lora_A->weight; }
    const torch::Tensor& loraB() const { return lora_B->weight; }

    DenseProjection lora_A{nullptr};
    DenseProjection lora_B{nullptr};

private:
    Projection m_base;
    int64_t m_rank;
    double m_scale;
    double m_dropout;
};
TORCH_MODULE(LoraProjection);

} // namespace ft
