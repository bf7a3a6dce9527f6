#include "modelio/rope_scaling.h"

#include <algorithm>
#include <cmath>

#include <QStringList>

#include "common/error.h"
#include "common/json_file.h"

namespace ft {

QStringList RopeScaling::supportedTypes()
{
    return {QStringLiteral("linear"), QStringLiteral("llama3"), QStringLiteral("dynamic")};
}

RopeScaling RopeScaling::fromConfig(const QJsonObject& config, const QString& origin)
{
    RopeScaling scaling;
    const QJsonValue value = config.value(QStringLiteral("rope_scaling"));
    if (value.isUndefined() || value.isNull())
        return scaling;
    const QString where = origin + QStringLiteral(" rope_scaling");
    if (!value.isObject())
        throw Error(QStringLiteral("%1: expected an object or null").arg(where));
    const QJsonObject s = value.toObject();
    // Newer configs name it rope_type, older ones type.
    const QString type = s.value(QStringLiteral("rope_type")).toString(s.value(QStringLiteral("type")).toString());
    if (type.isEmpty() || type == QLatin1String("default"))
        return scaling;
    if (!supportedTypes().contains(type))
        throw Error(QStringLiteral("%1: type \"%2\" is not supported (supported: %3)")
                        .arg(where, type, supportedTypes().join(QStringLiteral(", "))));
    scaling.type = type;
    scaling.factor = requireDouble(s, QStringLiteral("factor"), where);
    if (!(scaling.factor > 0.0))
        throw Error(QStringLiteral("%1: factor must be positive").arg(where));
    if (type == QLatin1String("llama3")) {
        scaling.lowFreqFactor = optionalDouble(s, QStringLiteral("low_freq_factor"), 1.0, where);
        scaling.highFreqFactor = optionalDouble(s, QStringLiteral("high_freq_factor"), 4.0, where);
        scaling.originalContext =
            optionalInt(s, QStringLiteral("original_max_position_embeddings"),
                        optionalInt(config, QStringLiteral("original_max_position_embeddings"), 8192, origin), where);
        if (!(scaling.lowFreqFactor > 0.0) || !(scaling.highFreqFactor > scaling.lowFreqFactor))
            throw Error(QStringLiteral("%1: expected 0 < low_freq_factor < high_freq_factor").arg(where));
        if (scaling.originalContext <= 0)
            throw Error(QStringLiteral("%1: original_max_position_embeddings must be positive").arg(where));
    }
    return scaling;
}

std::vector<float> llama3FrequencyDivisors(int64_t headDim, double theta, const RopeScaling& scaling)
{
    const double lowWavelength = double(scaling.originalContext) / scaling.lowFreqFactor;
    const double highWavelength = double(scaling.originalContext) / scaling.highFreqFactor;
    std::vector<float> divisors;
    divisors.reserve(static_cast<size_t>(headDim / 2));
    for (int64_t i = 0; i < headDim; i += 2) {
        const float exponent = static_cast<float>(i) / static_cast<float>(headDim);
        const float frequency = 1.0f / std::pow(static_cast<float>(theta), exponent);
        const double wavelength = 2 * M_PI / double(frequency);
        double divisor = 1.0;
        if (wavelength > lowWavelength) {
            divisor = scaling.factor;
        } else if (wavelength >= highWavelength) {
            // HF: (1 - smooth) * freq / factor + smooth * freq, i.e. freq divided by the reciprocal below.
            const double smooth = (double(scaling.originalContext) / wavelength - scaling.lowFreqFactor) /
                                  (scaling.highFreqFactor - scaling.lowFreqFactor);
            divisor = 1.0 / ((1 - smooth) / scaling.factor + smooth);
        }
        divisors.push_back(static_cast<float>(divisor));
    }
    return divisors;
}

double dynamicNtkTheta(double theta, int64_t headDim, int64_t maxPositions, int64_t sequenceLength,
                       const RopeScaling& scaling)
{
    const double length = static_cast<double>(std::max(sequenceLength, maxPositions));
    const double growth = scaling.factor * length / static_cast<double>(maxPositions) - (scaling.factor - 1.0);
    return theta * std::pow(growth, double(headDim) / double(headDim - 2));
}

} // namespace ft
