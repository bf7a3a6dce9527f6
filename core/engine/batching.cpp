#include "engine/batching.h"

#include <algorithm>
#include <numeric>
#include <random>

namespace ft {

EpochPlan planEpoch(const TokenizedSet& set, const std::vector<int64_t>& order, int64_t maxLength, int64_t batchSize,
                    bool packing)
{
    std::vector<int64_t> lengths;
    lengths.reserve(set.examples.size());
    for (const TokenizedExample& example : set.examples)
        lengths.push_back(static_cast<int64_t>(example.ids.size()));
    std::vector<BatchRow> rows = planRows(lengths, order, maxLength, packing);
    EpochPlan plan;
    for (size_t i = 0; i < rows.size(); i += static_cast<size_t>(batchSize)) {
        MicroBatchPlan micro;
        for (size_t r = i; r < std::min(rows.size(), i + static_cast<size_t>(batchSize)); ++r) {
            for (int64_t index : rows[r].examples)
                micro.targets += set.examples[static_cast<size_t>(index)].targetCount();
            micro.tokens += rows[r].length;
            micro.rows.push_back(std::move(rows[r]));
        }
        plan.microBatches.push_back(std::move(micro));
    }
    return plan;
}

Batch makeBatch(const MicroBatchPlan& plan, const TokenizedSet& set, TokenId padId, bool packed)
{
    const auto B = static_cast<int64_t>(plan.rows.size());
    int64_t T = 0;
    for (const BatchRow& row : plan.rows)
        T = std::max(T, row.length);
    std::vector<int64_t> tokens(static_cast<size_t>(B * T), padId >= 0 ? padId : 0);
    std::vector<int64_t> targets(static_cast<size_t>(B * T), kIgnoreTarget);
    std::vector<int64_t> positions(static_cast<size_t>(B * T), 0);
    std::vector<int64_t> segments(static_cast<size_t>(B * T), -1);
    int64_t targetCount = 0;
    for (int64_t b = 0; b < B; ++b) {
        int64_t t = 0;
        int64_t segment = 0;
        for (int64_t index : plan.rows[static_cast<size_t>(b)].examples) {
            const TokenizedExample& example = set.examples[static_cast<size_t>(index)];
            const auto n = static_cast<int64_t>(example.ids.size());
            for (int64_t i = 0; i < n; ++i) {
                const auto at = static_cast<size_t>(b * T + t + i);
                tokens[at] = example.ids[static_cast<size_t>(i)];
                positions[at] = i;
                segments[at] = segment;
                // Position i predicts token i + 1 of the same example; the last one predicts nothing.
                if (i + 1 < n && example.loss[static_cast<size_t>(i + 1)]) {
                    targets[at] = example.ids[static_cast<size_t>(i + 1)];
                    ++targetCount;
                }
            }
            t += n;
            ++segment;
        }
        // Padding continues the positions and forms its own segment, so no real token attends to it.
        for (int64_t i = t; i < T; ++i)
            positions[static_cast<size_t>(b * T + i)] = i;
    }
    Batch batch;
    batch.tokens = torch::tensor(tokens, torch::kInt64).view({B, T});
    batch.targets = torch::tensor(targets, torch::kInt64).view({B, T});
    if (packed) {
        batch.layout.positions = torch::tensor(positions, torch::kInt64).view({B, T});
        batch.layout.segments = torch::tensor(segments, torch::kInt64).view({B, T});
    }
    batch.targetCount = targetCount;
    return batch;
}

} // namespace ft
