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

DpoOptions DpoOptions::fromConfig(const TrainConfig& config)
{
    DpoOptions options;
    options.beta = config.dpoBeta;
    options.type = config.dpoLoss == QLatin1String("hinge") ? DpoLossType::Hinge
                   : config.dpoLoss == QLatin1String("ipo") ? DpoLossType::Ipo
                                                            : DpoLossType::Sigmoid;
    options.labelSmoothing = config.dpoLabelSmoothing;
    return options;
}

torch::Tensor answerTokenCounts(const torch::Tensor& targets) { return targets.ne(-100).sum(1).to(torch::kFloat64); }

DpoTerms dpoTerms(const torch::Tensor& policyChosen, const torch::Tensor& policyRejected,
                  const torch::Tensor& referenceChosen, const torch::Tensor& referenceRejected,
                  const DpoOptions& options, const torch::Tensor& chosenTokens, const torch::Tensor& rejectedTokens)
{
    torch::Tensor chosen = policyChosen.to(torch::kFloat64) - referenceChosen.to(torch::kFloat64);
    torch::Tensor rejected = policyRejected.to(torch::kFloat64) - referenceRejected.to(torch::kFloat64);
    const double beta = options.beta;
    torch::Tensor losses;
    if (options.type == DpoLossType::Ipo) {
        TORCH_CHECK(chosenTokens.defined() && rejectedTokens.defined(), "ipo needs the answers' token counts");
        chosen = chosen / chosenTokens.to(torch::kFloat64).clamp_min(1.0);
        rejected = rejected / rejectedTokens.to(torch::kFloat64).clamp_min(1.0);
        losses = (chosen - rejected - 1.0 / (2.0 * beta)).pow(2);
    } else if (options.type == DpoLossType::Hinge) {
        losses = torch::relu(1.0 - beta * (chosen - rejected));
    } else {
        // -log sigmoid(x) = softplus(-x), stable for large |x|.
        const torch::Tensor z = beta * (chosen - rejected);
        losses = torch::nn::functional::softplus(-z);
        if (options.labelSmoothing > 0.0)
            losses =
                (1.0 - options.labelSmoothing) * losses + options.labelSmoothing * torch::nn::functional::softplus(z);
    }
    DpoTerms terms;
    terms.losses = losses.to(torch::kFloat32);
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
