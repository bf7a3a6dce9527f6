#include "engine/projection.h"

#include "common/error.h"

namespace ft {

void assignInto(torch::Tensor& target, const torch::Tensor& source, const char* what)
{
    if (target.sizes() != source.sizes())
        throw Error(QStringLiteral("%1: shape %2 given where %3 is expected")
                        .arg(QLatin1String(what), QString::fromStdString(c10::str(source.sizes())),
                             QString::fromStdString(c10::str(target.sizes()))));
    torch::NoGradGuard noGrad;
    target.copy_(source);
}

DenseProjectionImpl::DenseProjectionImpl(int64_t inFeatures, int64_t outFeatures, bool withBias,
                                         torch::ScalarType dtype)
    : ProjectionImpl(inFeatures, outFeatures)
{
    const auto options = torch::TensorOptions().dtype(dtype);
    weight = register_parameter("weight", torch::empty({outFeatures, inFeatures}, options));
    if (withBias)
        m_bias = register_parameter("bias", torch::zeros({outFeatures}, options));
}

torch::Tensor DenseProjectionImpl::forward(const torch::Tensor& x) { return torch::linear(x, weight, m_bias); }

void DenseProjectionImpl::assignWeight(const torch::Tensor& source) { assignInto(weight, source, "projection weight"); }

void DenseProjectionImpl::assignBias(const torch::Tensor& source)
{
    if (!m_bias.defined())
        throw Error(QStringLiteral("this projection has no bias"));
    assignInto(m_bias, source, "projection bias");
}

} // namespace ft
