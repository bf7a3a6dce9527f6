#include "engine/lora_down_function.h"

#include <ATen/Parallel.h>

#include "engine/kernels/fast_dropout.h"

namespace ft {

namespace {

constexpr int64_t kGrain = 1 << 14;

// dropout(x) in float32, (n, in), with the byte mask of the kept elements when `mask` is given.
torch::Tensor maskedInput(const torch::Tensor& x2, double p, uint64_t seed, torch::Tensor* mask)
{
    const torch::Tensor widened = x2.to(torch::kFloat32);
    if (p <= 0.0)
        return widened;
    torch::Tensor h = torch::empty_like(widened);
    torch::Tensor kept = torch::empty(h.sizes(), torch::TensorOptions().dtype(torch::kUInt8));
    const float* source = widened.data_ptr<float>();
    float* data = h.data_ptr<float>();
    uint8_t* keptData = kept.data_ptr<uint8_t>();
    const float keep = static_cast<float>(1.0 / (1.0 - p));
    const uint64_t threshold = dropoutThreshold(p);
    at::parallel_for(0, h.numel(), kGrain, [&](int64_t begin, int64_t end) {
        dropoutMaskedCopy(source, data, keptData, begin, end, seed, threshold, keep);
    });
    if (mask)
        *mask = kept;
    return h;
}

struct LoraDownFunction : public torch::autograd::Function<LoraDownFunction> {
    static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& x,
                                 const torch::Tensor& loraA, double dropout, bool training)
    {
        const int64_t in = x.size(-1);
        const torch::Tensor x2 = x.reshape({-1, in}).contiguous(); // (n, in)
        const double p = training ? dropout : 0.0;
        const uint64_t seed = p > 0.0 ? dropoutSeed() : 0;
        const torch::Tensor t = maskedInput(x2, p, seed, nullptr).mm(loraA.t()); // (n, r)
        ctx->save_for_backward({x2, loraA});
        ctx->saved_data["p"] = p;
        ctx->saved_data["seed"] = static_cast<int64_t>(seed);
        std::vector<int64_t> shape = x.sizes().vec();
        shape.back() = loraA.size(0);
        return t.view(shape);
    }

    static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                   torch::autograd::variable_list gradOutputs)
    {
        const torch::autograd::variable_list saved = ctx->get_saved_variables();
        const torch::Tensor& x2 = saved[0];
        const torch::Tensor& loraA = saved[1];
        const double p = ctx->saved_data["p"].toDouble();
        const auto seed = static_cast<uint64_t>(ctx->saved_data["seed"].toInt());
        const torch::Tensor g = gradOutputs[0].reshape({-1, loraA.size(0)}).to(torch::kFloat32); // (n, r)
        torch::Tensor kept;
        const torch::Tensor h = maskedInput(x2, p, seed, &kept); // (n, in), made again
        const torch::Tensor gradA = g.t().mm(h);                 // (r, in)
        if (!ctx->needs_input_grad(0))                           // e.g. the first layer's input
            return {torch::Tensor(), gradA, torch::Tensor(), torch::Tensor()};
        torch::Tensor gradH = g.mm(loraA); // (n, in)
        if (p > 0.0)
            gradH.mul_(kept).mul_(1.0 / (1.0 - p));
        std::vector<int64_t> shape = gradOutputs[0].sizes().vec();
        shape.back() = x2.size(1);
        return {gradH.to(x2.scalar_type()).view(shape), gradA, torch::Tensor(), torch::Tensor()};
    }
};

} // namespace

torch::Tensor loraDown(const torch::Tensor& x, const torch::Tensor& loraA, double dropout, bool training)
{
    return LoraDownFunction::apply(x, loraA, dropout, training);
}

} // namespace ft
