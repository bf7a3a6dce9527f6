#include "engine/quantized_projection.h"

#include "common/error.h"
#include "engine/quantized_linear.h"

namespace ft {

namespace {

torch::Tensor registerFrozenBias(torch::nn::Module& module, int64_t outFeatures, torch::ScalarType dtype)
{
    return module.register_parameter("bias", torch::zeros({outFeatures}, torch::TensorOptions().dtype(dtype)),
                                     /*requires_grad=*/false);
}

void checkWeightShape(const ProjectionImpl& projection, const torch::Tensor& source)
{
    if (source.dim() != 2 || source.size(0) != projection.outFeatures() || source.size(1) != projection.inFeatures())
        throw Error(QStringLiteral("quantized projection weight: shape %1 given where [%2, %3] is expected")
                        .arg(QString::fromStdString(c10::str(source.sizes())))
                        .arg(projection.outFeatures())
                        .arg(projection.inFeatures()));
}

// Copies freshly quantized values into the registered buffers, keeping their identity (a LoRA wrapper
// registers the same tensors under its own name).
void copyInto(const torch::Tensor& target, const torch::Tensor& source)
{
    if (target.defined())
        target.copy_(source);
}

} // namespace

Nf4ProjectionImpl::Nf4ProjectionImpl(int64_t inFeatures, int64_t outFeatures, bool withBias,
                                     torch::ScalarType computeDtype, bool doubleQuant)
    : ProjectionImpl(inFeatures, outFeatures)
    , m_dtype(computeDtype)
{
    m_weight = nf4Empty({outFeatures, inFeatures}, doubleQuant);
    m_weight.codes = register_buffer("weight_codes", m_weight.codes);
    if (doubleQuant) {
        m_weight.scales.codes = register_buffer("weight_absmax_codes", m_weight.scales.codes);
        m_weight.scales.steps = register_buffer("weight_absmax_steps", m_weight.scales.steps);
        m_weight.scales.offset = register_buffer("weight_absmax_offset", m_weight.scales.offset);
    } else {
        m_weight.absmax = register_buffer("weight_absmax", m_weight.absmax);
    }
    if (withBias)
        m_bias = registerFrozenBias(*this, outFeatures, computeDtype);
}

torch::Tensor Nf4ProjectionImpl::forward(const torch::Tensor& x)
{
    const torch::Tensor y = nf4Linear(x, m_weight); // (..., out)
    return m_bias.defined() ? y + m_bias : y;
}

torch::Tensor Nf4ProjectionImpl::denseWeight() const { return nf4Dequantize(m_weight, m_dtype); }

void Nf4ProjectionImpl::assignWeight(const torch::Tensor& source)
{
    checkWeightShape(*this, source);
    const Nf4Tensor q = nf4Quantize(source.to(m_weight.codes.device()), m_weight.doubleQuant());
    torch::NoGradGuard noGrad;
    copyInto(m_weight.codes, q.codes);
    copyInto(m_weight.absmax, q.absmax);
    copyInto(m_weight.scales.codes, q.scales.codes);
    copyInto(m_weight.scales.steps, q.scales.steps);
    copyInto(m_weight.scales.offset, q.scales.offset);
}

void Nf4ProjectionImpl::assignBias(const torch::Tensor& source)
{
    if (!m_bias.defined())
        throw Error(QStringLiteral("this projection has no bias"));
    assignInto(m_bias, source, "projection bias");
}

Int8ProjectionImpl::Int8ProjectionImpl(int64_t inFeatures, int64_t outFeatures, bool withBias,
                                       torch::ScalarType computeDtype)
    : ProjectionImpl(inFeatures, outFeatures)
    , m_dtype(computeDtype)
{
    m_weight = int8Empty(outFeatures, inFeatures);
    m_weight.codes = register_buffer("weight_codes", m_weight.codes);
    m_weight.steps = register_buffer("weight_steps", m_weight.steps);
    if (withBias)
        m_bias = registerFrozenBias(*this, outFeatures, computeDtype);
}

torch::Tensor Int8ProjectionImpl::forward(const torch::Tensor& x)
{
    const torch::Tensor y = int8Linear(x, m_weight); // (..., out)
    return m_bias.defined() ? y + m_bias : y;
}

torch::Tensor Int8ProjectionImpl::denseWeight() const { return int8Dequantize(m_weight, m_dtype); }

void Int8ProjectionImpl::assignWeight(const torch::Tensor& source)
{
    checkWeightShape(*this, source);
    const Int8Tensor q = int8Quantize(source.to(m_weight.codes.device()));
    torch::NoGradGuard noGrad;
    m_weight.codes.copy_(q.codes);
    m_weight.steps.copy_(q.steps);
}

void Int8ProjectionImpl::assignBias(const torch::Tensor& source)
{
    if (!m_bias.defined())
        throw Error(QStringLiteral("this projection has no bias"));
    assignInto(m_bias, source, "projection bias");
}

QString quantizationDescription(const ProjectionImpl& projection)
{
    if (const auto* nf4 = dynamic_cast<const Nf4ProjectionImpl*>(&projection))
        return nf4->quantized().doubleQuant() ? QStringLiteral("nf4 (double-quantized scales)") : QStringLiteral("nf4");
    if (dynamic_cast<const Int8ProjectionImpl*>(&projection))
        return QStringLiteral("int8");
    return {};
}

void quantizeBase(LlamaForCausalLMImpl& model, const BaseQuantization& quantization, bool quantizeCurrentWeights)
{
    if (quantization.kind == BaseQuantizationKind::None)
        return;
    const torch::ScalarType dtype = model.dtype();
    for (size_t i = 0; i < model.model->layers.size(); ++i) {
        DecoderLayer& layer = model.model->layers[i];
        for (ProjectionKind kind : allProjectionKinds()) {
            const Projection current = layer->projection(kind);
            if (!std::dynamic_pointer_cast<DenseProjectionImpl>(current))
                throw Error(QStringLiteral("layer %1 %2: only a dense projection can be quantized (quantize the base "
                                           "before applying LoRA)")
                                .arg(i)
                                .arg(QLatin1String(projectionName(kind))));
            const bool withBias = current->bias().defined();
            Projection replacement;
            if (quantization.kind == BaseQuantizationKind::Nf4)
                replacement = std::make_shared<Nf4ProjectionImpl>(current->inFeatures(), current->outFeatures(),
                                                                  withBias, dtype, quantization.doubleQuant);
            else
                replacement = std::make_shared<Int8ProjectionImpl>(current->inFeatures(), current->outFeatures(),
                                                                   withBias, dtype);
            if (quantizeCurrentWeights) {
                replacement->assignWeight(current->denseWeight());
                if (withBias)
                    replacement->assignBias(current->bias());
            }
            replacement->train(model.is_training());
            layer->replaceProjection(kind, replacement);
        }
    }
}

std::function<void(LlamaForCausalLMImpl&)> quantizingPrepare(const BaseQuantization& quantization)
{
    return [quantization](LlamaForCausalLMImpl& model) { quantizeBase(model, quantization); };
}

} // namespace ft
