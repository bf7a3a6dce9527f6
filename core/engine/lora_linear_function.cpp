#include "engine/lora_linear_function.h"

#include <ATen/Parallel.h>

#include "engine/fast_dropout.h"

namespace ft {

namespace {

constexpr int64_t kGrain = 1 << 14; // elements per parallel chunk

// Saved tensors, by path; the base's own tensors follow.
enum MergedSaved { MergedInput, MergedA, MergedB, MergedBase };
enum DropoutSaved { DropInput, DropMask, DropT, DropA, DropB, DropBase };

// h = x · keep where the element is kept, else 0; mask = 1 where kept. Contiguous (n).
void maskInput(const float* x, float* h, uint8_t* mask, int64_t n, uint64_t seed, uint64_t threshold, float keep)
{
    at::parallel_for(0, n, kGrain, [&](int64_t begin, int64_t end) {
        dropoutMaskedCopy(x, h, mask, begin, end, seed, threshold, keep);
    });
}

// gx += update · mask · factor, element by element (n).
void addMasked(float* gx, const float* update, const uint8_t* mask, int64_t n, float factor)
{
    at::parallel_for(0, n, kGrain, [&](int64_t begin, int64_t end) {
        for (int64_t i = begin; i < end; ++i)
            gx[i] += update[i] * (static_cast<float>(mask[i]) * factor);
    });
}

// W + scale · B A, (out, in).
torch::Tensor mergedWeight(const torch::Tensor& weight, const torch::Tensor& loraA, const torch::Tensor& loraB, double scale)
{
    return torch::addmm(weight, loraB, loraA, 1.0, scale);
}

torch::Tensor project(const torch::Tensor& x2, const torch::Tensor& weight, const torch::Tensor& bias)
{
    return bias.defined() ? torch::addmm(bias, x2, weight.t()) : torch::mm(x2, weight.t());
}

std::vector<int64_t> outputShape(const torch::Tensor& x, int64_t out)
{
    std::vector<int64_t> shape = x.sizes().vec();
    shape.back() = out;
    return shape;
}

void saveAll(torch::autograd::AutogradContext* ctx, std::vector<torch::Tensor> tensors, const FrozenWeight& base)
{
    for (const torch::Tensor& t : base.tensors())
        tensors.push_back(t);
    ctx->save_for_backward(tensors);
    ctx->saved_data["baseKind"] = base.kindCode();
    ctx->saved_data["baseShape"] = base.shape();
}

FrozenWeight savedBase(torch::autograd::AutogradContext* ctx, const torch::autograd::variable_list& saved, size_t first)
{
    return FrozenWeight::fromSaved(ctx->saved_data["baseKind"].toInt(), ctx->saved_data["baseShape"].toIntVector(),
                                   std::vector<torch::Tensor>(saved.begin() + static_cast<std::ptrdiff_t>(first), saved.end()));
}

} // namespace

torch::Tensor LoraLinearFunction::forward(torch::autograd::AutogradContext* ctx, torch::Tensor x, const FrozenWeight& base,
                                          torch::Tensor loraA, torch::Tensor loraB,
                                          const c10::optional<torch::Tensor>& optionalBias, double scale, double dropout)
{
    const torch::Tensor bias = optionalBias.value_or(torch::Tensor());
    const int64_t in = loraA.size(1);
    const int64_t out = loraB.size(0);
    const torch::Tensor x2 = x.reshape({-1, in}).contiguous(); // (n, in)
    ctx->saved_data["scale"] = scale;
    ctx->saved_data["dropout"] = dropout;
    ctx->saved_data["inputShape"] = x.sizes().vec();
    if (dropout <= 0.0) {
        saveAll(ctx, {x2, loraA, loraB}, base);
        return project(x2, mergedWeight(base.materialize(torch::kFloat32), loraA, loraB, scale), bias).view(outputShape(x, out));
    }
    torch::Tensor y = project(x2, base.materialize(torch::kFloat32), bias); // (n, out)
    const uint64_t seed = dropoutSeed();
    const float keep = static_cast<float>(1.0 / (1.0 - dropout));
    torch::Tensor h = torch::empty_like(x2);                                          // (n, in)
    torch::Tensor mask = torch::empty(x2.sizes(), x2.options().dtype(torch::kUInt8)); // (n, in)
    maskInput(x2.data_ptr<float>(), h.data_ptr<float>(), mask.data_ptr<uint8_t>(), x2.numel(), seed,
              dropoutThreshold(dropout), keep);
    const torch::Tensor t = torch::mm(h, loraA.t()); // (n, r)
    y.addmm_(t, loraB.t(), 1.0, scale);
    saveAll(ctx, {h, mask, t, loraA, loraB}, base);
    return y.view(outputShape(x, out));
}

torch::autograd::variable_list LoraLinearFunction::backward(torch::autograd::AutogradContext* ctx,
                                                           torch::autograd::variable_list gradOutputs)
{
    const torch::autograd::variable_list saved = ctx->get_saved_variables();
    const double scale = ctx->saved_data["scale"].toDouble();
    const double dropout = ctx->saved_data["dropout"].toDouble();
    const std::vector<int64_t> inputShape = ctx->saved_data["inputShape"].toIntVector();
    const bool needX = ctx->needs_input_grad(0);
    const bool needA = ctx->needs_input_grad(1);
    const bool needB = ctx->needs_input_grad(2);
    torch::Tensor gradX, gradA, gradB;

    if (dropout <= 0.0) {
        const torch::Tensor& x2 = saved[MergedInput]; // (n, in)
        const torch::Tensor& loraA = saved[MergedA];
        const torch::Tensor& loraB = saved[MergedB];
        const torch::Tensor g = gradOutputs[0].reshape({-1, loraB.size(0)}); // (n, out)
        if (needX) {
            const torch::Tensor weight = savedBase(ctx, saved, MergedBase).materialize(torch::kFloat32);
            gradX = torch::mm(g, mergedWeight(weight, loraA, loraB, scale)).view(inputShape);
        }
        if (needB)
            gradB = torch::mm(g.t(), torch::mm(x2, loraA.t())).mul_(scale); // (out, r)
        if (needA)
            gradA = torch::mm(torch::mm(g, loraB).t(), x2).mul_(scale); // (r, in)
    } else {
        const torch::Tensor& h = saved[DropInput];
        const torch::Tensor& loraA = saved[DropA];
        const torch::Tensor& loraB = saved[DropB];
        const torch::Tensor g = gradOutputs[0].reshape({-1, loraB.size(0)}); // (n, out)
        const torch::Tensor gradT = torch::mm(g, loraB).mul_(scale);        // (n, r): gradient of t, scaled
        if (needB)
            gradB = torch::mm(g.t(), saved[DropT]).mul_(scale);
        if (needA)
            gradA = torch::mm(gradT.t(), h);
        if (needX) {
            const torch::Tensor weight = savedBase(ctx, saved, DropBase).materialize(torch::kFloat32);
            torch::Tensor gx = torch::mm(g, weight).contiguous();  // (n, in)
            const torch::Tensor update = torch::mm(gradT, loraA); // (n, in), before the mask
            const torch::Tensor& mask = saved[DropMask];
            addMasked(gx.data_ptr<float>(), update.data_ptr<float>(), mask.data_ptr<uint8_t>(), gx.numel(),
                      static_cast<float>(1.0 / (1.0 - dropout)));
            gradX = gx.view(inputShape);
        }
    }
    // One entry per forward argument: x, base, A, B, bias, scale, dropout.
    return {gradX, torch::Tensor(), gradA, gradB, torch::Tensor(), torch::Tensor(), torch::Tensor()};
}

bool loraLinearApplies(const torch::Tensor& x, const FrozenWeight& base, const torch::Tensor& loraA)
{
    return x.device().is_cpu() && base.device().is_cpu() && x.scalar_type() == torch::kFloat32
        && loraA.scalar_type() == torch::kFloat32;
}

torch::Tensor loraLinear(const torch::Tensor& x, const FrozenWeight& base, const torch::Tensor& bias,
                         const torch::Tensor& loraA, const torch::Tensor& loraB, double scale, double dropout)
{
    const c10::optional<torch::Tensor> optionalBias = bias.defined() ? c10::optional<torch::Tensor>(bias) : c10::nullopt;
    return LoraLinearFunction::apply(x, base, loraA, loraB, optionalBias, scale, dropout);
}

} // namespace ft
