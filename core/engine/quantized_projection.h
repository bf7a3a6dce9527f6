#pragma once
// Frozen projections whose weight is stored quantized (NF4 or int8). They hold only the quantized
// buffers (registered as buffers, so optimizers never see them) and an optional frozen bias;
// assignWeight quantizes, denseWeight dequantizes, forward goes through quantized_linear.h so that
// the dequantized weight never outlives one call.
//
// Buffer names: NF4 "weight_codes" (uint8, packed), then "weight_absmax" (fp32) or, with double
// quantization, "weight_absmax_codes" (int8), "weight_absmax_steps" (fp32), "weight_absmax_offset"
// (fp32); int8 "weight_codes" (int8) and "weight_steps" (fp32).
// Module::to(dtype) must not be called on a model holding these (it would convert the codes);
// to(device) is fine.

#include <functional>

#include <QString>

#include "engine/int8_quant.h"
#include "engine/llama_model.h"
#include "engine/nf4.h"
#include "engine/projection.h"

namespace ft {

class Nf4ProjectionImpl : public ProjectionImpl {
public:
    Nf4ProjectionImpl(int64_t inFeatures, int64_t outFeatures, bool withBias, torch::ScalarType computeDtype,
                      bool doubleQuant);
    torch::Tensor forward(const torch::Tensor& x) override;
    torch::Tensor denseWeight() const override; // dequantized, compute dtype
    void assignWeight(const torch::Tensor& source) override;
    torch::Tensor bias() const override { return m_bias; }
    void assignBias(const torch::Tensor& source) override;

    const Nf4Tensor& quantized() const { return m_weight; }

private:
    Nf4Tensor m_weight;
    torch::Tensor m_bias; // (out) or undefined
    torch::ScalarType m_dtype;
};
TORCH_MODULE(Nf4Projection);

class Int8ProjectionImpl : public ProjectionImpl {
public:
    Int8ProjectionImpl(int64_t inFeatures, int64_t outFeatures, bool withBias, torch::ScalarType computeDtype);
    torch::Tensor forward(const torch::Tensor& x) override;
    torch::Tensor denseWeight() const override;
    void assignWeight(const torch::Tensor& source) override;
    torch::Tensor bias() const override { return m_bias; }
    void assignBias(const torch::Tensor& source) override;

    const Int8Tensor& quantized() const { return m_weight; }

private:
    Int8Tensor m_weight;
    torch::Tensor m_bias;
    torch::ScalarType m_dtype;
};
TORCH_MODULE(Int8Projection);

enum class BaseQuantizationKind { None, Int8, Nf4 };

struct BaseQuantization {
    BaseQuantizationKind kind = BaseQuantizationKind::None;
    bool doubleQuant = true; // NF4 only
};

// "nf4", "nf4 (double-quantized scales)", "int8", or empty for a dense projection.
QString quantizationDescription(const ProjectionImpl& projection);

// Replaces every q/k/v/o/gate/up/down projection by a quantized one; embeddings, norms and lm_head
// stay in the compute dtype. With `quantizeCurrentWeights` the present weights are quantized;
// otherwise the new projections are empty, for LoadOptions::prepare (see quantizingPrepare). Every
// projection must still be dense (quantize before applying LoRA).
void quantizeBase(LlamaForCausalLMImpl& model, const BaseQuantization& quantization,
                  bool quantizeCurrentWeights = false);

// For LoadOptions::prepare: the loader then quantizes each weight straight from the memory map.
std::function<void(LlamaForCausalLMImpl&)> quantizingPrepare(const BaseQuantization& quantization);

} // namespace ft
