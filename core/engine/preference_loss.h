#pragma once
// Direct Preference Optimization (Rafailov et al., 2023): for a prompt x with a chosen answer y_w and
// a rejected one y_l, the loss is
//     -log sigmoid(beta * [(log pi(y_w|x) - log ref(y_w|x)) - (log pi(y_l|x) - log ref(y_l|x))])
// where log pi(y|x) is the sum of the answer tokens' log-probabilities under the trained model, and
// ref is the frozen reference (the model the run starts from). beta * (log pi - log ref) is an
// answer's implicit reward. With z the bracket above (the margin of log-ratios), the variants are:
//     sigmoid with label smoothing e (conservative DPO): (1 - e) softplus(-beta z) + e softplus(beta z)
//     hinge (SLiC): max(0, 1 - beta z)
//     ipo (Azar et al., 2023): (z - 1 / (2 beta))^2, with each log-probability the mean over the
//         answer's tokens instead of the sum (as TRL computes it); the rewards then use the means too.

#include <vector>

#include <torch/torch.h>

#include "contract/train_config.h"
#include "engine/llama_model.h"

namespace ft {

// hidden (R, T, C) final hidden states, targets (R, T) with -100 where no loss: each row's summed
// log-probability of its target tokens, (R) fp32, differentiable through hidden and the head.
torch::Tensor sequenceLogProbs(LlamaForCausalLMImpl& model, const torch::Tensor& hidden, const torch::Tensor& targets);

struct DpoTerms {
    torch::Tensor losses;          // (P) per pair, differentiable through the policy's log-probabilities
    torch::Tensor chosenRewards;   // (P) beta * (policy - reference) of the chosen answers, detached
    torch::Tensor rejectedRewards; // (P) the same for the rejected answers
};

enum class DpoLossType { Sigmoid, Hinge, Ipo };

struct DpoOptions {
    double beta = 0.1;
    DpoLossType type = DpoLossType::Sigmoid;
    double labelSmoothing = 0.0;                             // sigmoid only
    static DpoOptions fromConfig(const TrainConfig& config); // dpo_beta, dpo_loss, dpo_label_smoothing
};

// All inputs (P): summed log-probabilities of each pair's answers under the policy and the reference;
// the answers' target token counts (P) are needed by ipo only (it divides the sums by them).
DpoTerms dpoTerms(const torch::Tensor& policyChosen, const torch::Tensor& policyRejected,
                  const torch::Tensor& referenceChosen, const torch::Tensor& referenceRejected,
                  const DpoOptions& options, const torch::Tensor& chosenTokens = {},
                  const torch::Tensor& rejectedTokens = {});
// The target tokens of each row of `targets` (R, T) (those not -100), as (R) fp64.
torch::Tensor answerTokenCounts(const torch::Tensor& targets);

// Sums over a set of pairs, for the step's and the validation's means (and for summing across ranks).
struct PreferenceSums {
    double loss = 0.0;
    double chosenReward = 0.0;
    double rejectedReward = 0.0;
    double correct = 0.0; // pairs whose chosen reward is the higher
    double pairs = 0.0;
    void add(const DpoTerms& terms);
    std::vector<double> values() const { return {loss, chosenReward, rejectedReward, correct, pairs}; }
    static PreferenceSums fromValues(const std::vector<double>& values);
};

} // namespace ft
