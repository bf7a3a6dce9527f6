#include "engine/preference_loss.h"

#include "engine/token_loss.h"

namespace ft {

torch::Tensor sequenceLogProbs(LlamaForCausalLMImpl& model, const torch::Tensor& hidden, const torch::Tensor& targets)
{
    // Row by row through the fused head + cross-entropy: each row's sum gets its own gradient scale
    // from the loss above it, and no (tokens x vocabulary) logits are ever held.
    std::vector<torch::Tensor> rows;
    rows.reserve(static_cast<size_t>(hidden.size(0)));
    for (int64_t r = 0; r < hidden.size(0); ++r)
        rows.push_back(-tokenCrossEntropySum(model, hidden.narrow(0, r, 1), targets.narrow(0, r, 1)));
    return torch::stack(rows);
}

DpoTerms dpoTerms(const torch::Tensor& policyChosen, const torch::Tensor& policyRejected,
                  const torch::Tensor& referenceChosen, const torch::Tensor& referenceRejected, double beta)
{
    const torch::Tensor chosen = policyChosen.to(torch::kFloat64) - referenceChosen.to(torch::kFloat64);
    const torch::Tensor rejected = policyRejected.to(torch::kFloat64) - referenceRejected.to(torch::kFloat64);
    DpoTerms terms;
    // -log sigmoid(z) = softplus(-z), stable for large |z|.
    terms.losses = torch::nn::functional::softplus(-beta * (chosen - rejected)).to(torch::kFloat32);
    terms.chosenRewards = (beta * chosen).detach();
    terms.rejectedRewards = (beta * rejected).detach();
    return terms;
}

void PreferenceSums::add(const DpoTerms& terms)
{
    loss += terms.losses.sum().item<double>();
    chosenReward += terms.chosenRewards.sum().item<double>();
    rejectedReward += terms.rejectedRewards.sum().item<double>();
    correct += (terms.chosenRewards > terms.rejectedRewards).sum().item<double>();
    pairs += static_cast<double>(terms.losses.numel());
}

PreferenceSums PreferenceSums::fromValues(const std::vector<double>& values)
{
    PreferenceSums sums;
    sums.loss = values.at(0);
    sums.chosenReward = values.at(1);
    sums.rejectedReward = values.at(2);
    sums.correct = values.at(3);
    sums.pairs = values.at(4);
    return sums;
}

} // namespace ft
