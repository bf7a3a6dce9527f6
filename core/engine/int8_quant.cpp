#include "engine/int8_quant.h"

#include "common/error.h"

namespace ft {

int64_t Int8Tensor::storageBytes() const { return codes.numel() + steps.numel() * 4; }

Int8Tensor int8Empty(int64_t rows, int64_t cols, torch::Device device)
{
    const auto options = torch::TensorOptions().device(device);
    return {torch::zeros({rows, cols}, options.dtype(torch::kInt8)),
            torch::zeros({rows}, options.dtype(torch::kFloat32))};
}

Int8Tensor int8Quantize(const torch::Tensor& weight)
{
    torch::NoGradGuard noGrad;
    if (weight.dim() != 2 || !weight.is_floating_point())
        throw Error(QStringLiteral("8-bit quantization needs a 2-D floating-point weight, got %1 %2")
                        .arg(QLatin1String(c10::toString(weight.scalar_type())),
                             QString::fromStdString(c10::str(weight.sizes()))));
    const torch::Tensor w = weight.detach().to(torch::kFloat32); // (out, in)
    Int8Tensor q;
    const torch::Tensor absmax = w.abs().amax(1); // (out)
    if (!torch::isfinite(absmax).all().item<bool>())
        throw Error(QStringLiteral("8-bit quantization: the weight holds NaN or infinite values"));
    q.steps = absmax / 127.0;
    const torch::Tensor safe = torch::where(q.steps > 0, q.steps, torch::ones_like(q.steps));
    q.codes = torch::round(w / safe.unsqueeze(1)).clamp(-127, 127).to(torch::kInt8);
    return q;
}

torch::Tensor int8Dequantize(const Int8Tensor& q, torch::ScalarType dtype)
{
    torch::NoGradGuard noGrad;
    return (q.codes.to(torch::kFloat32) * q.steps.unsqueeze(1)).to(dtype);
}

} // namespace ft
