#include "engine/lora_projection.h"

#include "engine/kernels/fast_dropout.h"
#include "engine/lora_down_function.h"
#include "engine/lora_linear_function.h"

#include <cmath>

#include "common/error.h"

namespace ft {

namespace {

torch::Device deviceOf(const torch::nn::Module& module)
{
    for (const auto& t : module.parameters())
        return t.device();
    for (const auto& t : module.buffers())
        return t.device();
    return torch::kCPU;
}

} // namespace

LoraProjectionImpl::LoraProjectionImpl(Projection base, int64_t rank, double scale, double dropout,
                                       at::Generator generator)
    : ProjectionImpl(base->inFeatures(), base->outFeatures())
    , m_base(std::move(base))
    , m_rank(rank)
    , m_scale(scale)
    , m_dropout(dropout)
{
    if (!m_base->children().empty())
        throw Error(QStringLiteral("LoRA wraps a plain projection, not one with submodules (LoRA applied twice?)"));
    // The same tensors, registered here under the base's names (see the header).
    for (const auto& item : m_base->named_parameters(/*recurse=*/false))
        register_parameter(item.key(), item.value(), /*requires_grad=*/false);
    for (const auto& item : m_base->named_buffers(/*recurse=*/false))
        register_buffer(item.key(), item.value());

    lora_A = register_module("lora_A", DenseProjection(inFeatures(), rank, false, torch::kFloat32));
    lora_B = register_module("lora_B", DenseProjection(rank, outFeatures(), false, torch::kFloat32));
    torch::NoGradGuard noGrad;
    // PEFT: kaiming_uniform_(A, a=sqrt(5)), i.e. gain sqrt(2 / (1 + 5)) and bound gain·sqrt(3 / fan_in) = 1/sqrt(in).
    const double bound = 1.0 / std::sqrt(static_cast<double>(inFeatures()));
    lora_A->weight.uniform_(-bound, bound, generator);
    lora_B->weight.zero_();
    const torch::Device device = deviceOf(*m_base);
    if (device != torch::kCPU) {
        lora_A->to(device);
        lora_B->to(device);
    }
}

torch::Tensor LoraProjectionImpl::forward(const torch::Tensor& x)
{
    if (const std::optional<FrozenWeight> frozen = FrozenWeight::of(*m_base);
        frozen && loraLinearApplies(x, *frozen, lora_A->weight))
        return loraLinear(x, *frozen, m_base->bias(), lora_A->weight, lora_B->weight, m_scale,
                          is_training() ? m_dropout : 0.0);
    const torch::Tensor y = m_base->forward(x); // (..., out)
    torch::Tensor t;                            // dropout(x) Aᵀ, (..., r) in fp32
    if (x.scalar_type() != torch::kFloat32 && x.device().is_cpu()) {
        t = loraDown(x, lora_A->weight, m_dropout, is_training()); // keeps x in bf16, not an fp32 copy
    } else {
        torch::Tensor h = x.to(torch::kFloat32); // (..., in)
        if (m_dropout > 0)
            h = fastDropout(h, m_dropout, is_training());
        t = torch::linear(h, lora_A->weight);
    }
    if (y.scalar_type() == torch::kFloat32) {
        // y + scale · t Bᵀ as one matrix product accumulating into y: no separate scale and sum passes.
        const int64_t out = y.size(-1);
        return torch::addmm(y.reshape({-1, out}), t.reshape({-1, t.size(-1)}), lora_B->weight.t(), 1.0, m_scale)
            .view(y.sizes());
    }
    const torch::Tensor update = torch::linear(t, lora_B->weight) * m_scale; // (..., out)
    return y + update.to(y.scalar_type());
}

torch::Tensor LoraProjectionImpl::denseWeight() const
{
    torch::NoGradGuard noGrad;
    const torch::Tensor w = m_base->denseWeight(); // (out, in)
    return (w.to(torch::kFloat32) + torch::matmul(lora_B->weight, lora_A->weight) * m_scale).to(w.scalar_type());
}

} // namespace ft
