#include "engine/token_loss.h"

#include "engine/batching.h"

#include "engine/kernels/softmax_xent_kernel.h"
#include <ATen/Parallel.h>

namespace ft {

namespace {

// Rows of logits per chunk: about 64 MB of fp32 logits, so that the (tokens x vocabulary) logits
// never exist at once. Every chunk's products repack the whole head weight (OpenBLAS packs the
// operand each call), so fewer, larger chunks spend less of the step copying it; the chunks share
// one buffer, allocated once per call.
int64_t chunkRows(int64_t vocab) { return std::max<int64_t>(16, (int64_t{16} << 20) / std::max<int64_t>(1, vocab)); }

// sum += part, a bf16 tensor added to an fp32 one of the same shape (both contiguous). LibTorch's
// mixed-dtype add_ takes an unvectorized path, four times slower than the bf16 product itself.
void addWidened(torch::Tensor& sum, const torch::Tensor& part)
{
    TORCH_CHECK(sum.scalar_type() == torch::kFloat32 && part.scalar_type() == torch::kBFloat16 && sum.is_contiguous() &&
                    part.is_contiguous() && sum.numel() == part.numel(),
                "addWidened: a contiguous float32 sum and bfloat16 part of the same size");
    float* s = sum.data_ptr<float>();
    const auto* p = part.data_ptr<at::BFloat16>();
    at::parallel_for(0, sum.numel(), 1 << 16, [&](int64_t begin, int64_t end) {
        for (int64_t i = begin; i < end; ++i)
            s[i] += static_cast<float>(p[i]);
    });
}

// The output head fused with the cross-entropy. The forward pass computes, chunk by chunk, the loss
// and already the gradients of its inputs (softmax minus one-hot, times the head weight or the
// hidden states); the backward pass only scales them. Memory: O(chunk x vocab) instead of
// O(tokens x vocab) for the logits and again for their gradient.
struct FusedHeadCrossEntropy : public torch::autograd::Function<FusedHeadCrossEntropy> {
    // hidden (N, C), weight (V, C), targets (N) -> scalar sum of token cross-entropies (fp32)
    static torch::Tensor forward(torch::autograd::AutogradContext* ctx, torch::Tensor hidden, torch::Tensor weight,
                                 torch::Tensor targets)
    {
        const bool needHidden = hidden.requires_grad();
        const bool needWeight = weight.requires_grad();
        const int64_t N = hidden.size(0);
        const int64_t V = weight.size(0);
        const int64_t step = chunkRows(V);
        const torch::Tensor targetsContiguous = targets.contiguous();
        torch::Tensor gradHidden = needHidden ? torch::empty_like(hidden) : torch::Tensor();
        const bool fp32 = hidden.scalar_type() == torch::kFloat32 && weight.scalar_type() == torch::kFloat32;
        // The head's gradient, summed in fp32 over the chunks. In fp32 as (C, V): h^T g runs faster
        // than g^T h in OpenBLAS. In bf16 as (V, C), the weight's own layout: oneDNN runs g^T h as fast,
        // and turning a (C, V) sum into a bf16 (V, C) tensor costs more than all its products.
        const auto gradWeightShape =
            fp32 ? std::vector<int64_t>{weight.size(1), V} : std::vector<int64_t>{V, weight.size(1)};
        torch::Tensor gradWeightSum =
            needWeight ? torch::zeros(gradWeightShape, weight.options().dtype(torch::kFloat32)) : torch::Tensor();
        // bf16: one chunk's share of the head's gradient, before it is added to the fp32 sum.
        torch::Tensor chunkGradWeight =
            needWeight && !fp32 ? torch::empty({V, weight.size(1)}, hidden.options()) : torch::Tensor();
        torch::Tensor logitsBuffer = torch::empty({std::min(step, N), V}, hidden.options().dtype(torch::kFloat32));
        double loss = 0.0;
        for (int64_t start = 0; start < N; start += step) {
            const int64_t n = std::min(step, N - start);
            const torch::Tensor h = hidden.narrow(0, start, n);  // (n, C)
            torch::Tensor logits = logitsBuffer.narrow(0, 0, n); // (n, V)
            if (fp32)
                torch::mm_out(logits, h, weight.t());
            else
                logits.copy_(torch::matmul(h, weight.t()));
            // In place: the loss of each row, and the logits become softmax - one-hot.
            loss += softmaxCrossEntropyInPlace(logits.data_ptr<float>(), targetsContiguous.data_ptr<int64_t>() + start,
                                               n, V, needHidden || needWeight);
            if (!needHidden && !needWeight)
                continue;
            // In bf16 both products run in bf16 (oneDNN, several times sgemm's rate) on the logits'
            // gradient rounded once; each chunk's share of the head's gradient is summed in fp32.
            const torch::Tensor gradLogits = fp32 ? logits : logits.to(hidden.scalar_type());
            if (needHidden) {
                torch::Tensor gradRows = gradHidden.narrow(0, start, n); // (n, C)
                if (fp32)
                    torch::mm_out(gradRows, logits, weight);
                else
                    gradRows.copy_(torch::mm(gradLogits, weight));
            }
            if (needWeight) {
                if (fp32) {
                    gradWeightSum.addmm_(h.t(), logits); // (C, V)
                } else {
                    torch::mm_out(chunkGradWeight, gradLogits.t(), h); // (V, C)
                    addWidened(gradWeightSum, chunkGradWeight);
                }
            }
        }
        ctx->saved_data["grad_hidden"] = gradHidden;
        torch::Tensor gradWeight;
        if (needWeight)
            gradWeight = fp32 ? gradWeightSum.t().contiguous() : gradWeightSum.to(weight.scalar_type());
        ctx->saved_data["grad_weight"] = gradWeight;
        return torch::full({}, loss, torch::TensorOptions().dtype(torch::kFloat32));
    }

    static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                   torch::autograd::variable_list gradOutputs)
    {
        const torch::Tensor scale = gradOutputs[0]; // scalar
        torch::Tensor gradHidden = ctx->saved_data["grad_hidden"].toTensor();
        torch::Tensor gradWeight = ctx->saved_data["grad_weight"].toTensor();
        return {gradHidden.defined() ? gradHidden * scale.to(gradHidden.scalar_type()) : torch::Tensor(),
                gradWeight.defined() ? gradWeight * scale.to(gradWeight.scalar_type()) : torch::Tensor(),
                torch::Tensor()};
    }
};

} // namespace

torch::Tensor tokenCrossEntropySum(LlamaForCausalLMImpl& model, const torch::Tensor& hidden,
                                   const torch::Tensor& targets)
{
    const torch::Tensor flatTargets = targets.reshape({-1});                        // (B*T)
    const torch::Tensor rows = (flatTargets != kIgnoreTarget).nonzero().squeeze(1); // (N)
    if (rows.numel() == 0)
        return torch::zeros({}, torch::TensorOptions().dtype(torch::kFloat32));
    const torch::Tensor selected = hidden.reshape({-1, hidden.size(-1)}).index_select(0, rows); // (N, C)
    const torch::Tensor selectedTargets = flatTargets.index_select(0, rows);                    // (N)
    // A plain head (tied embedding or dense lm_head without bias) takes the fused path.
    if (!model.lm_head ||
        (std::dynamic_pointer_cast<DenseProjectionImpl>(model.lm_head) && !model.lm_head->bias().defined()))
        return FusedHeadCrossEntropy::apply(selected, model.outputWeight(), selectedTargets);
    const torch::Tensor logits = model.logitsFromHidden(selected).to(torch::kFloat32); // (N, V)
    return torch::nn::functional::cross_entropy(
        logits, selectedTargets, torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum));
}

} // namespace ft
