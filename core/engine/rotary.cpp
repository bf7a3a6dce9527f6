#include "engine/rotary.h"

namespace ft {

RotaryTables rotaryTables(const ModelConfig& config, const torch::Tensor& positions, torch::ScalarType dtype)
{
    const int64_t dim = config.headDim;
    const auto fp32 = torch::TensorOptions().dtype(torch::kFloat32);
    // inv_freq (D/2) = 1 / theta^(2i / D)
    const torch::Tensor exponents =
        torch::arange(0, dim, 2, torch::TensorOptions().dtype(torch::kInt64)).to(torch::kFloat32) /
        static_cast<double>(dim);
    const RopeScaling& scaling = config.ropeScaling;
    double theta = config.ropeTheta;
    if (scaling.type == QLatin1String("dynamic") && positions.numel() > 0)
        theta = dynamicNtkTheta(theta, dim, config.maxPositions, positions.max().item<int64_t>() + 1, scaling);
    torch::Tensor invFreq = 1.0 / torch::pow(torch::full({}, theta, fp32), exponents);
    if (scaling.type == QLatin1String("llama3")) {
        std::vector<float> divisors = llama3FrequencyDivisors(dim, config.ropeTheta, scaling);
        invFreq = invFreq / torch::from_blob(divisors.data(), {static_cast<int64_t>(divisors.size())}, fp32).clone();
    }
    torch::Tensor scaled = positions.to(torch::kFloat32);
    if (scaling.type == QLatin1String("linear"))
        scaled = scaled / scaling.factor;
    const torch::Tensor freqs = scaled.unsqueeze(-1) * invFreq;               // (B, T, D/2)
    const torch::Tensor angles = torch::cat({freqs, freqs}, -1).unsqueeze(2); // (B, T, 1, D)
    return {angles.cos().to(dtype), angles.sin().to(dtype)};
}

torch::Tensor applyRotary(const torch::Tensor& x, const RotaryTables& tables)
{
    const int64_t half = x.size(-1) / 2;
    const torch::Tensor x1 = x.narrow(-1, 0, half);
    const torch::Tensor x2 = x.narrow(-1, half, half);
    const torch::Tensor rotated = torch::cat({-x2, x1}, -1);
    return x * tables.cos + rotated * tables.sin;
}

} // namespace ft
