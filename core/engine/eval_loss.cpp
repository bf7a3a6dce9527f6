#include "engine/eval_loss.h"

#include <numeric>

#include "engine/batching.h"
#include "engine/token_loss.h"

namespace ft {

TeacherForcedLoss teacherForcedLoss(LlamaForCausalLMImpl& model, const TokenizedSet& set, TokenId padId,
                                    int64_t maxLength, int64_t batchSize, bool packing,
                                    const std::function<bool(int64_t, int64_t)>& progress)
{
    TeacherForcedLoss result;
    std::vector<int64_t> order(set.examples.size());
    std::iota(order.begin(), order.end(), 0);
    const EpochPlan plan = planEpoch(set, order, maxLength, batchSize, packing);
    const auto total = static_cast<int64_t>(plan.microBatches.size());

    torch::NoGradGuard noGrad;
    const bool wasTraining = model.is_training();
    model.eval();
    for (const MicroBatchPlan& micro : plan.microBatches) {
        const Batch batch = makeBatch(micro, set, padId, packing);
        const torch::Tensor hidden = model.hiddenStates(batch.tokens, batch.layout); // (B, T, C)
        result.sum += tokenCrossEntropySum(model, hidden, batch.targets).item<double>();
        result.targets += batch.targetCount;
        ++result.batches;
        if (progress && !progress(result.batches, total)) {
            result.cancelled = true;
            break;
        }
    }
    if (wasTraining)
        model.train();
    return result;
}

} // namespace ft
