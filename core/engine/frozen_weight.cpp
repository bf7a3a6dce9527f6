#include "engine/frozen_weight.h"

#include "common/error.h"
#include "engine/quantized_linear.h"
#include "engine/quantized_projection.h"

namespace ft {

FrozenWeight FrozenWeight::dense(const torch::Tensor& weight)
{
    FrozenWeight w;
    w.m_kind = Kind::Dense;
    w.m_shape = weight.sizes().vec();
    w.m_dense = weight;
    return w;
}

FrozenWeight FrozenWeight::nf4(const Nf4Tensor& weight)
{
    FrozenWeight w;
    w.m_kind = Kind::Nf4;
    w.m_shape = weight.shape;
    w.m_nf4 = weight;
    return w;
}

FrozenWeight FrozenWeight::int8(const Int8Tensor& weight)
{
    FrozenWeight w;
    w.m_kind = Kind::Int8;
    w.m_shape = weight.codes.sizes().vec();
    w.m_int8 = weight;
    return w;
}

std::optional<FrozenWeight> FrozenWeight::of(const ProjectionImpl& projection)
{
    if (const auto* dense = dynamic_cast<const DenseProjectionImpl*>(&projection)) {
        if (dense->weight.requires_grad())
            return std::nullopt;
        return FrozenWeight::dense(dense->weight);
    }
    if (const auto* nf4 = dynamic_cast<const Nf4ProjectionImpl*>(&projection))
        return FrozenWeight::nf4(nf4->quantized());
    if (const auto* int8 = dynamic_cast<const Int8ProjectionImpl*>(&projection))
        return FrozenWeight::int8(int8->quantized());
    return std::nullopt;
}

torch::Device FrozenWeight::device() const
{
    switch (m_kind) {
    case Kind::Dense:
        return m_dense.device();
    case Kind::Nf4:
        return m_nf4.codes.device();
    case Kind::Int8:
        return m_int8.codes.device();
    }
    return torch::kCPU;
}

torch::Tensor FrozenWeight::materialize(torch::ScalarType dtype) const
{
    switch (m_kind) {
    case Kind::Dense:
        return m_dense.scalar_type() == dtype ? m_dense : m_dense.to(dtype);
    case Kind::Nf4:
        return timedNf4Dequantize(m_nf4, dtype);
    case Kind::Int8:
        return timedInt8Dequantize(m_int8, dtype);
    }
    return {};
}

std::vector<torch::Tensor> FrozenWeight::tensors() const
{
    switch (m_kind) {
    case Kind::Dense:
        return {m_dense};
    case Kind::Nf4:
        return {m_nf4.codes, m_nf4.absmax, m_nf4.scales.codes, m_nf4.scales.steps, m_nf4.scales.offset};
    case Kind::Int8:
        return {m_int8.codes, m_int8.steps};
    }
    return {};
}

FrozenWeight FrozenWeight::fromSaved(int64_t kindCode, const std::vector<int64_t>& shape,
                                     const std::vector<torch::Tensor>& t)
{
    FrozenWeight w;
    w.m_kind = static_cast<Kind>(kindCode);
    w.m_shape = shape;
    switch (w.m_kind) {
    case Kind::Dense:
        w.m_dense = t.at(0);
        break;
    case Kind::Nf4:
        w.m_nf4.shape = shape;
        w.m_nf4.codes = t.at(0);
        w.m_nf4.absmax = t.at(1);
        w.m_nf4.scales = {t.at(2), t.at(3), t.at(4)};
        break;
    case Kind::Int8:
        w.m_int8 = {t.at(0), t.at(1)};
        break;
    default:
        throw Error(QStringLiteral("frozen weight: unknown kind %1").arg(kindCode));
    }
    return w;
}

} // namespace ft
