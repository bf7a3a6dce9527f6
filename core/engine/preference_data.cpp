#include "engine/preference_data.h"

#include <numeric>

#include "common/error.h"
#include "engine/preference_loss.h"

namespace ft {

TokenizedSet tokenizePreferencePairs(const std::vector<ExampleRecord>& records, const Tokenizer& tokenizer,
                                     const PromptTemplate& promptTemplate, int64_t maxLength, const QString& origin)
{
    TokenizedSet set;
    set.examples.reserve(records.size() * 2);
    for (size_t i = 0; i < records.size(); ++i) {
        const ExampleRecord& record = records[i];
        if (!record.isPreferencePair())
            throw Error(QStringLiteral("%1: example %2 %3; DPO trains on preference pairs (a response and a "
                                       "\"rejected\" answer to the same prompt)")
                            .arg(origin)
                            .arg(i + 1)
                            .arg(record.isMultiTurn() ? QStringLiteral("is a multi-turn conversation")
                                                      : QStringLiteral("has no rejected answer")));
        for (const ExampleRecord& answer : {record, record.rejectedVariant()}) {
            TokenizedExample example = encodeExample(tokenizer, promptTemplate, answer, LossOn::Response, maxLength);
            set.truncated += example.truncated ? 1 : 0;
            set.tokens += static_cast<int64_t>(example.ids.size());
            set.targets += example.targetCount();
            set.examples.push_back(std::move(example));
        }
    }
    return set;
}

EpochPlan planPreferenceEpoch(const TokenizedSet& pairs, const std::vector<int64_t>& pairOrder, int64_t pairsPerBatch)
{
    EpochPlan plan;
    for (size_t i = 0; i < pairOrder.size(); i += static_cast<size_t>(pairsPerBatch)) {
        MicroBatchPlan micro;
        for (size_t k = i; k < std::min(pairOrder.size(), i + static_cast<size_t>(pairsPerBatch)); ++k) {
            for (const int64_t index : {2 * pairOrder[k], 2 * pairOrder[k] + 1}) {
                BatchRow row;
                row.examples = {index};
                row.length = static_cast<int64_t>(pairs.examples[static_cast<size_t>(index)].ids.size());
                micro.tokens += row.length;
                micro.rows.push_back(std::move(row));
            }
            ++micro.targets;
        }
        plan.microBatches.push_back(std::move(micro));
    }
    return plan;
}

std::vector<double> answerLogProbs(LlamaForCausalLMImpl& model, const TokenizedSet& pairs, TokenId padId,
                                   int64_t pairsPerBatch)
{
    const bool wasTraining = model.is_training();
    torch::NoGradGuard noGrad;
    model.eval();
    std::vector<int64_t> order(pairs.examples.size() / 2);
    std::iota(order.begin(), order.end(), 0);
    std::vector<double> logProbs(pairs.examples.size(), 0.0);
    for (const MicroBatchPlan& micro : planPreferenceEpoch(pairs, order, pairsPerBatch).microBatches) {
        const Batch batch = makeBatch(micro, pairs, padId, false);
        const torch::Tensor values =
            sequenceLogProbs(model, model.hiddenStates(batch.tokens, batch.layout), batch.targets).to(torch::kFloat64);
        for (size_t r = 0; r < micro.rows.size(); ++r)
            logProbs[static_cast<size_t>(micro.rows[r].examples.front())] =
                values[static_cast<int64_t>(r)].item<double>();
    }
    model.train(wasTraining);
    return logProbs;
}

torch::Tensor rowValues(const MicroBatchPlan& plan, const std::vector<double>& all)
{
    std::vector<double> values;
    values.reserve(plan.rows.size());
    for (const BatchRow& row : plan.rows)
        values.push_back(all[static_cast<size_t>(row.examples.front())]);
    return torch::tensor(values, torch::kFloat64);
}

} // namespace ft
