#pragma once
// A linear projection y = x W^T (+ b) as an interchangeable module: the model holds every q/k/v/o and
// gate/up/down projection through this interface, so that LoRA adapters and quantized bases replace
// a dense projection without the model knowing.

#include <torch/torch.h>

namespace ft {

class ProjectionImpl : public torch::nn::Module {
public:
    ProjectionImpl(int64_t inFeatures, int64_t outFeatures)
        : m_in(inFeatures)
        , m_out(outFeatures)
    {
    }
    // x (..., in) -> (..., out)
    virtual torch::Tensor forward(const torch::Tensor& x) = 0;
    // The effective weight (out, in) in the compute dtype: dequantized, or with adapters merged.
    virtual torch::Tensor denseWeight() const = 0;
    virtual void assignWeight(const torch::Tensor& weight) = 0;
    // The bias (out) or an undefined tensor.
    virtual torch::Tensor bias() const = 0;
    virtual void assignBias(const torch::Tensor& bias) = 0;

    int64_t inFeatures() const { return m_in; }
    int64_t outFeatures() const { return m_out; }

private:
    int64_t m_in;
    int64_t m_out;
};
using Projection = std::shared_ptr<ProjectionImpl>;

// The plain projection: a trainable weight (out, in) and an optional bias, registered as "weight"
// and "bias" so that parameter names match Hugging Face's.
class DenseProjectionImpl : public ProjectionImpl {
public:
    DenseProjectionImpl(int64_t inFeatures, int64_t outFeatures, bool withBias, torch::ScalarType dtype);
    torch::Tensor forward(const torch::Tensor& x) override;
    torch::Tensor denseWeight() const override { return weight; }
    void assignWeight(const torch::Tensor& source) override;
    torch::Tensor bias() const override { return m_bias; }
    void assignBias(const torch::Tensor& source) override;

    torch::Tensor weight; // (out, in)

private:
    torch::Tensor m_bias; // (out) or undefined
};
TORCH_MODULE(DenseProjection);

// Copies `source` into `target` (same shape, any float dtype), without recording gradients.
void assignInto(torch::Tensor& target, const torch::Tensor& source, const char* what);

} // namespace ft
