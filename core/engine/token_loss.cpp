#include "engine/token_loss.h"

#include "engine/batching.h"

namespace ft {

torch::Tensor tokenCrossEntropySum(LlamaForCausalLMImpl& model, const torch::Tensor& hidden, const torch::Tensor& targets)
{
    const torch::Tensor flatTargets = targets.reshape({-1});                        // (B*T)
    const torch::Tensor rows = (flatTargets != kIgnoreTarget).nonzero().squeeze(1); // (N)
    if (rows.numel() == 0)
        return torch::zeros({}, torch::TensorOptions().dtype(torch::kFloat32));
    const torch::Tensor selected = hidden.reshape({-1, hidden.size(-1)}).index_select(0, rows); // (N, C)
    const torch::Tensor logits = model.logitsFromHidden(selected).to(torch::kFloat32);         // (N, V)
    return torch::nn::functional::cross_entropy(
        logits, flatTargets.index_select(0, rows),
        torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum));
}

} // namespace ft
