#pragma once
// Preference pairs as DPO trains on them: each pair's two answers tokenized after the same prompt,
// planned one answer per row (chosen, then rejected, side by side in the same micro-batch), and the
// reference model's log-probability of every answer, computed once before training: the reference
// is frozen, so its numbers never change.

#include <vector>

#include "engine/batching.h"

namespace ft {

// Example 2i of the result is pair i's chosen answer (the record's response), 2i + 1 its rejected
// one. A record that is not a preference pair is refused, named by `origin` ("the training set") and
// its 1-based position there (the run folder's data/train.jsonl or val.jsonl line).
TokenizedSet tokenizePreferencePairs(const std::vector<ExampleRecord>& records, const Tokenizer& tokenizer,
                                     const PromptTemplate& promptTemplate, int64_t maxLength, const QString& origin);

// Micro-batches of `pairsPerBatch` pairs in `pairOrder` (indices of pairs): rows 2k and 2k + 1 of a
// micro-batch are one pair's answers; a micro-batch's `targets` counts its pairs, the unit the DPO
// loss is averaged over.
EpochPlan planPreferenceEpoch(const TokenizedSet& pairs, const std::vector<int64_t>& pairOrder, int64_t pairsPerBatch);

// Every answer's summed log-probability under `model` as it is now, in eval mode and without
// gradients (the model is left in the mode it was in). Indexed like pairs.examples.
std::vector<double> answerLogProbs(LlamaForCausalLMImpl& model, const TokenizedSet& pairs, TokenId padId,
                                   int64_t pairsPerBatch);

// The summed log-probabilities of a micro-batch's rows, from `all` (indexed like the tokenized set).
torch::Tensor rowValues(const MicroBatchPlan& plan, const std::vector<double>& all);

} // namespace ft
