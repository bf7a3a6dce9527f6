#include "engine/kernels/fused_rms_norm.h"

#include <cmath>
#include <vector>

#include <ATen/Parallel.h>

namespace ft {

namespace {

// Rows per block of the weight gradient's partial sums: fixed, so the sum does not depend on the
// number of threads.
constexpr int64_t kRowsPerBlock = 64;

struct FusedRmsNormFunction : public torch::autograd::Function<FusedRmsNormFunction> {
    static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& input,
                                 const torch::Tensor& weightInput, double eps)
    {
        const torch::Tensor x = input.contiguous();
        const torch::Tensor weight = weightInput.contiguous();
        const int64_t C = x.size(-1);
        const int64_t rows = x.numel() / C;
        torch::Tensor y = torch::empty_like(x);
        torch::Tensor inverseRms = torch::empty({rows}, x.options()); // 1 / sqrt(mean(x^2) + eps) per row
        const float* xData = x.data_ptr<float>();
        const float* w = weight.data_ptr<float>();
        float* yData = y.data_ptr<float>();
        float* r = inverseRms.data_ptr<float>();
        at::parallel_for(0, rows, 16, [&](int64_t begin, int64_t end) {
            for (int64_t row = begin; row < end; ++row) {
                const float* xr = xData + row * C;
                float sumSquares = 0.0f;
                for (int64_t c = 0; c < C; ++c)
                    sumSquares += xr[c] * xr[c];
                const float inverse = 1.0f / std::sqrt(sumSquares / static_cast<float>(C) + static_cast<float>(eps));
                r[row] = inverse;
                float* yr = yData + row * C;
                for (int64_t c = 0; c < C; ++c)
                    yr[c] = w[c] * (xr[c] * inverse);
            }
        });
        ctx->save_for_backward({x, weight, inverseRms});
        return y;
    }

    // u = gy * w; gx = r u - x r^3 (u . x) / C; gw = sum over rows of gy * x * r.
    static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                   torch::autograd::variable_list gradOutputs)
    {
        const torch::autograd::variable_list saved = ctx->get_saved_variables();
        const torch::Tensor& x = saved[0];
        const torch::Tensor& weight = saved[1];
        const torch::Tensor& inverseRms = saved[2];
        const torch::Tensor gradY = gradOutputs[0].contiguous();
        const bool needInput = ctx->needs_input_grad(0);
        const bool needWeight = ctx->needs_input_grad(1);
        const int64_t C = x.size(-1);
        const int64_t rows = x.numel() / C;
        const int64_t blocks = (rows + kRowsPerBlock - 1) / kRowsPerBlock;
        torch::Tensor gradX = needInput ? torch::empty_like(x) : torch::Tensor();
        std::vector<float> partials(needWeight ? static_cast<size_t>(blocks * C) : 0, 0.0f);
        const float* xData = x.data_ptr<float>();
        const float* w = weight.data_ptr<float>();
        const float* r = inverseRms.data_ptr<float>();
        const float* gy = gradY.data_ptr<float>();
        float* gx = needInput ? gradX.data_ptr<float>() : nullptr;
        at::parallel_for(0, blocks, 1, [&](int64_t firstBlock, int64_t endBlock) {
            for (int64_t block = firstBlock; block < endBlock; ++block) {
                float* partial = needWeight ? partials.data() + block * C : nullptr;
                for (int64_t row = block * kRowsPerBlock; row < std::min(rows, (block + 1) * kRowsPerBlock); ++row) {
                    const float* xr = xData + row * C;
                    const float* gyr = gy + row * C;
                    const float inverse = r[row];
                    if (partial)
                        for (int64_t c = 0; c < C; ++c)
                            partial[c] += gyr[c] * xr[c] * inverse;
                    if (!gx)
                        continue;
                    float dot = 0.0f;
                    for (int64_t c = 0; c < C; ++c)
                        dot += gyr[c] * w[c] * xr[c];
                    const float correction = inverse * inverse * inverse * dot / static_cast<float>(C);
                    float* gxr = gx + row * C;
                    for (int64_t c = 0; c < C; ++c)
                        gxr[c] = inverse * gyr[c] * w[c] - xr[c] * correction;
                }
            }
        });
        torch::Tensor gradWeight;
        if (needWeight) {
            gradWeight = torch::zeros({C}, weight.options());
            float* gw = gradWeight.data_ptr<float>();
            for (int64_t block = 0; block < blocks; ++block)
                for (int64_t c = 0; c < C; ++c)
                    gw[c] += partials[static_cast<size_t>(block * C + c)];
        }
        return {gradX, gradWeight, torch::Tensor()};
    }
};

} // namespace

bool fusedRmsNormApplies(const torch::Tensor& x, const torch::Tensor& weight)
{
    return x.scalar_type() == torch::kFloat32 && weight.scalar_type() == torch::kFloat32 && x.device().is_cpu() &&
           weight.device().is_cpu() && x.dim() >= 1 && weight.dim() == 1 && x.size(-1) == weight.size(0) &&
           x.numel() > 0;
}

torch::Tensor fusedRmsNorm(const torch::Tensor& x, const torch::Tensor& weight, double eps)
{
    return FusedRmsNormFunction::apply(x, weight, eps);
}

} // namespace ft
