#pragma once
// Direct Preference Optimization (Rafailov et al., 2023): for a prompt x with a chosen answer y_w and
// a rejected one y_l, the loss is
//     -log sigmoid(beta * [(log pi(y_w|x) - log ref(y_w|x)) - (log pi(y_l|x) - log ref(y_l|x))])
// where log pi(y|x) is the sum of the answer tokens' log-probabilities under the trained model, and
// ref is the frozen reference (the model the run starts from). beta * (log pi - log ref) is an
// answer's implicit reward.

#include <vector>

#include <torch/torch.h>

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

// All inputs (P): summed log-probabilities of each pair's answers under the policy and the reference.
DpoTerms dpoTerms(const torch::Tensor& policyChosen, const torch::Tensor& policyRejected,
                  const torch::Tensor& referenceChosen, const torch::Tensor& referenceRejected, double beta);

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
