#include "engine/lora_linear_function.h"

#include <ATen/Parallel.h>

#include "engine/kernels/fast_dropout.h"
#include "engine/kernels/lora_dropout_corrections.h"
#include "engine/kernels/lora_masked_product.h"
#include "engine/kernels/sparse_dropout.h"

namespace ft {

namespace {

constexpr int64_t kGrain = 1 << 14; // elements per parallel chunk

// Saved tensors, by path; the base's own tensors follow.
enum MergedSaved { MergedInput, MergedA, MergedB, MergedBase };
enum SparseSaved { SparseInput, SparseT, SparseA, SparseB, SparseBase };
enum DropoutSaved { DropInput, DropMask, DropT, DropA, DropB, DropBase };

// Whether a dropout takes the sparse path: up to kLoraSparseDropoutMax it holds less memory than the
// dense byte mask at the same speed (bench/README.md); above it the corrections, one per dropped
// element, grow past the dense mask's single pass.
bool sparseMaskFor(double dropout) { return dropout <= kLoraSparseDropoutMax; }

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

// x2 (n, k) times the adapted weight W + scale · B A (out × in) on the side of width k: `right` is the
// weight as the right operand of the product (Wᵀ for the forward, W for the input gradient), `first`
// and `second` the adapter factors in the same orientation (Aᵀ and Bᵀ, or B and A). Merging passes
// once over the weight, adding the rank-r term once over the (n × width) result: whichever is
// smaller. Few tokens through a large weight (a 1.1B model, 512 tokens) add; many tokens through a
// small one (stories15M, 2048 tokens) merge. x2First is x2 · first when the caller has it already.
torch::Tensor adaptedProduct(const torch::Tensor& x2, const torch::Tensor& right, const torch::Tensor& first,
                             const torch::Tensor& second, double scale, const torch::Tensor& x2First = torch::Tensor())
{
    if (right.size(0) < x2.size(0))
        return torch::mm(x2, torch::addmm(right, first, second, 1.0, scale));
    torch::Tensor product = torch::mm(x2, right);
    product.addmm_(x2First.defined() ? x2First : torch::mm(x2, first), second, 1.0, scale);
    return product;
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
    return FrozenWeight::fromSaved(
        ctx->saved_data["baseKind"].toInt(), ctx->saved_data["baseShape"].toIntVector(),
        std::vector<torch::Tensor>(saved.begin() + static_cast<std::ptrdiff_t>(first), saved.end()));
}

} // namespace

torch::Tensor LoraLinearFunction::forward(torch::autograd::AutogradContext* ctx, torch::Tensor x,
                                          const FrozenWeight& base, torch::Tensor loraA, torch::Tensor loraB,
                                          const c10::optional<torch::Tensor>& optionalBias, double scale,
                                          double dropout)
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
        torch::Tensor y =
            adaptedProduct(x2, base.materialize(torch::kFloat32).t(), loraA.t(), loraB.t(), scale); // (n, out)
        if (bias.defined())
            y.add_(bias);
        return y.view(outputShape(x, out));
    }
    torch::Tensor y = project(x2, base.materialize(torch::kFloat32), bias); // (n, out)
    const uint64_t seed = dropoutSeed();
    if (sparseMaskFor(dropout)) {
        // t = dropout(x) Aᵀ = keep · (x Aᵀ - the dropped elements' share)
        const SparseDropout drop(seed, dropout);
        const torch::Tensor t = maskedLowRankProduct(x2, loraA.t().contiguous(), drop); // (n, r)
        y.addmm_(t, loraB.t(), 1.0, scale);
        ctx->saved_data["dense"] = false;
        ctx->saved_data["seed"] = static_cast<int64_t>(seed);
        saveAll(ctx, {x2, t, loraA, loraB}, base);
        return y.view(outputShape(x, out));
    }
    const float keep = static_cast<float>(1.0 / (1.0 - dropout));
    ctx->saved_data["dense"] = true;
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
        const torch::Tensor gB = torch::mm(g, loraB);                        // (n, r)
        if (needX) {
            const torch::Tensor weight = savedBase(ctx, saved, MergedBase).materialize(torch::kFloat32);
            gradX = adaptedProduct(g, weight, loraB, loraA, scale, gB).view(inputShape);
        }
        if (needB)
            gradB = torch::mm(g.t(), torch::mm(x2, loraA.t())).mul_(scale); // (out, r)
        if (needA)
            gradA = torch::mm(gB.t(), x2).mul_(scale); // (r, in)
    } else if (!ctx->saved_data["dense"].toBool()) {
        // The dense products as if nothing were dropped (the adapter at keep · scale for the input
        // gradient), then corrections at the dropped elements.
        const torch::Tensor& x2 = saved[SparseInput];
        const torch::Tensor& loraA = saved[SparseA];
        const torch::Tensor& loraB = saved[SparseB];
        const SparseDropout drop(static_cast<uint64_t>(ctx->saved_data["seed"].toInt()), dropout);
        const torch::Tensor g = gradOutputs[0].reshape({-1, loraB.size(0)}); // (n, out)
        const torch::Tensor gB = torch::mm(g, loraB);                        // (n, r)
        const torch::Tensor gradT = gB * scale;                              // (n, r): gradient of t
        if (needB)
            gradB = torch::mm(g.t(), saved[SparseT]).mul_(scale);
        torch::Tensor gx;
        if (needX) {
            const torch::Tensor weight = savedBase(ctx, saved, SparseBase).materialize(torch::kFloat32);
            gx = adaptedProduct(g, weight, loraB, loraA, scale * drop.keep(), gB).contiguous(); // (n, in)
        }
        const torch::Tensor droppedA =
            correctDroppedGradients(x2, loraA.t().contiguous(), gradT.contiguous(), drop, gx, needA);
        if (needA)
            gradA = torch::mm(gradT.t(), x2).sub_(droppedA).mul_(drop.keep());
        if (needX)
            gradX = gx.view(inputShape);
    } else {
        const torch::Tensor& h = saved[DropInput];
        const torch::Tensor& loraA = saved[DropA];
        const torch::Tensor& loraB = saved[DropB];
        const torch::Tensor g = gradOutputs[0].reshape({-1, loraB.size(0)}); // (n, out)
        const torch::Tensor gradT = torch::mm(g, loraB).mul_(scale);         // (n, r): gradient of t, scaled
        if (needB)
            gradB = torch::mm(g.t(), saved[DropT]).mul_(scale);
        if (needA)
            gradA = torch::mm(gradT.t(), h);
        if (needX) {
            const torch::Tensor weight = savedBase(ctx, saved, DropBase).materialize(torch::kFloat32);
            torch::Tensor gx = torch::mm(g, weight).contiguous(); // (n, in)
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
    return x.device().is_cpu() && base.device().is_cpu() && x.scalar_type() == torch::kFloat32 &&
           loraA.scalar_type() == torch::kFloat32;
}

torch::Tensor loraLinear(const torch::Tensor& x, const FrozenWeight& base, const torch::Tensor& bias,
                         const torch::Tensor& loraA, const torch::Tensor& loraB, double scale, double dropout)
{
    const c10::optional<torch::Tensor> optionalBias =
        bias.defined() ? c10::optional<torch::Tensor>(bias) : c10::nullopt;
    return LoraLinearFunction::apply(x, base, loraA, loraB, optionalBias, scale, dropout);
}

} // namespace ft
