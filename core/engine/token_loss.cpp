#include "engine/token_loss.h"

#include "engine/batching.h"

namespace ft {

namespace {

// Rows of logits per chunk: about 32 MB of fp32 logits, so a chunk stays in cache-friendly sizes and
// the (tokens x vocabulary) logits never exist at once.
int64_t chunkRows(int64_t vocab) { return std::max<int64_t>(16, (int64_t{8} << 20) / std::max<int64_t>(1, vocab)); }

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
        const int64_t step = chunkRows(weight.size(0));
        torch::Tensor gradHidden = needHidden ? torch::empty_like(hidden) : torch::Tensor();
        torch::Tensor gradWeight = needWeight ? torch::zeros(weight.sizes(), weight.options().dtype(torch::kFloat32)) : torch::Tensor();
        double loss = 0.0;
        for (int64_t start = 0; start < N; start += step) {
            const int64_t n = std::min(step, N - start);
            const torch::Tensor h = hidden.narrow(0, start, n);                         // (n, C)
            const torch::Tensor t = targets.narrow(0, start, n).unsqueeze(1);           // (n, 1)
            torch::Tensor logits = torch::matmul(h, weight.t()).to(torch::kFloat32);   // (n, V)
            const torch::Tensor lse = torch::logsumexp(logits, 1, /*keepdim=*/true);    // (n, 1)
            loss += (lse - logits.gather(1, t)).sum().item<double>();
            if (!needHidden && !needWeight)
                continue;
            // d loss / d logits = softmax - one-hot, computed in place over the logits.
            torch::Tensor grad = logits.sub_(lse).exp_();
            grad.scatter_add_(1, t, torch::full({n, 1}, -1.0f, grad.options()));
            const torch::Tensor g = grad.to(hidden.scalar_type());
            if (needHidden)
                gradHidden.narrow(0, start, n).copy_(torch::matmul(g, weight)); // (n, C)
            if (needWeight)
                gradWeight.addmm_(grad.t(), h.to(torch::kFloat32)); // (V, C)
        }
        ctx->saved_data["grad_hidden"] = gradHidden;
        ctx->saved_data["grad_weight"] = needWeight ? gradWeight.to(weight.scalar_type()) : gradWeight;
        return torch::full({}, loss, torch::TensorOptions().dtype(torch::kFloat32));
    }

    static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                   torch::autograd::variable_list gradOutputs)
    {
        const torch::Tensor scale = gradOutputs[0]; // scalar
        torch::Tensor gradHidden = ctx->saved_data["grad_hidden"].toTensor();
        torch::Tensor gradWeight = ctx->saved_data["grad_weight"].toTensor();
        return {gradHidden.defined() ? gradHidden * scale.to(gradHidden.scalar_type()) : torch::Tensor(),
                gradWeight.defined() ? gradWeight * scale.to(gradWeight.scalar_type()) : torch::Tensor(), torch::Tensor()};
    }
};

} // namespace

torch::Tensor tokenCrossEntropySum(LlamaForCausalLMImpl& model, const torch::Tensor& hidden, const torch::Tensor& targets)
{
    const torch::Tensor flatTargets = targets.reshape({-1});                        // (B*T)
    const torch::Tensor rows = (flatTargets != kIgnoreTarget).nonzero().squeeze(1); // (N)
    if (rows.numel() == 0)
        return torch::zeros({}, torch::TensorOptions().dtype(torch::kFloat32));
    const torch::Tensor selected = hidden.reshape({-1, hidden.size(-1)}).index_select(0, rows); // (N, C)
    const torch::Tensor selectedTargets = flatTargets.index_select(0, rows);                    // (N)
    // A plain head (tied embedding or dense lm_head without bias) takes the fused path.
    if (!model.lm_head || (std::dynamic_pointer_cast<DenseProjectionImpl>(model.lm_head) && !model.lm_head->bias().defined()))
        return FusedHeadCrossEntropy::apply(selected, model.outputWeight(), selectedTargets);
    const torch::Tensor logits = model.logitsFromHidden(selected).to(torch::kFloat32); // (N, V)
    return torch::nn::functional::cross_entropy(logits, selectedTargets,
                                                torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum));
}

} // namespace ft
