#include "contract/epoch_plan.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

#include "contract/train_config.h"

namespace ft {

std::vector<bool> sharedValidationMask(int64_t count, double valFraction, uint64_t seed)
{
    int64_t valCount = static_cast<int64_t>(std::llround(valFraction * static_cast<double>(count)));
    if (valFraction > 0.0 && count >= 2)
        valCount = std::clamp<int64_t>(valCount, 1, count - 1);
    if (valCount <= 0)
        return {};
    std::vector<int64_t> order(static_cast<size_t>(count));
    std::iota(order.begin(), order.end(), 0);
    std::mt19937_64 rng(seed ^ 0x5eedULL);
    std::shuffle(order.begin(), order.end(), rng);
    std::vector<bool> isVal(static_cast<size_t>(count), false);
    for (int64_t i = 0; i < valCount; ++i)
        isVal[static_cast<size_t>(order[static_cast<size_t>(i)])] = true;
    return isVal;
}

std::vector<int64_t> epochOrder(int64_t count, uint64_t seed, int64_t epoch)
{
    std::vector<int64_t> order(static_cast<size_t>(count));
    std::iota(order.begin(), order.end(), 0);
    std::mt19937_64 rng(seed * 0x9E3779B97F4A7C15ULL + static_cast<uint64_t>(epoch) + 1);
    std::shuffle(order.begin(), order.end(), rng);
    return order;
}

std::vector<PlannedRow> planRows(const std::vector<int64_t>& lengths, const std::vector<int64_t>& order,
                                 int64_t maxLength, bool packing)
{
    std::vector<PlannedRow> rows;
    for (int64_t index : order) {
        const int64_t length = lengths[static_cast<size_t>(index)];
        if (length < 2)
            continue; // nothing to predict
        if (!packing || rows.empty() || rows.back().length + length > maxLength)
            rows.push_back({});
        rows.back().examples.push_back(index);
        rows.back().length += length;
    }
    return rows;
}

int64_t stepsForRows(int64_t rows, int64_t batchSize, int64_t gradAccumulation)
{
    const int64_t microBatches = (rows + batchSize - 1) / std::max<int64_t>(1, batchSize);
    return (microBatches + gradAccumulation - 1) / std::max<int64_t>(1, gradAccumulation);
}

int64_t plannedSteps(const std::vector<int64_t>& lengths, const TrainConfig& config)
{
    if (config.maxSteps > 0)
        return config.maxSteps;
    int64_t steps = 0;
    const auto count = static_cast<int64_t>(lengths.size());
    for (int64_t epoch = 0; epoch < config.epochs; ++epoch) {
        const auto rows = static_cast<int64_t>(
            planRows(lengths, epochOrder(count, config.seed, epoch), config.maxLength, config.packing).size());
        steps += stepsForRows(rows, config.batchSize, config.gradAccumulation);
    }
    return steps;
}

} // namespace ft
