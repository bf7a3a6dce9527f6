#pragma once
// How a run's training examples become steps, as the worker plans them and the studio estimates them:
// which examples validate when no validation data is given, each epoch's seeded order, rows (packed:
// the next examples in order while they fit in max_length; else one example per row), and steps
// (micro-batches of batch_size rows, grad_accumulation micro-batches per step). One rule for both, so
// that the Train page's estimate counts the steps the run will take.

#include <cstdint>
#include <vector>

namespace ft {

struct TrainConfig;

// Which of `count` training records validate when no validation file is given: round(valFraction x
// count), at least one and leaving one when valFraction > 0 and count >= 2, chosen by a permutation
// seeded with `seed`. Empty when none validate.
std::vector<bool> sharedValidationMask(int64_t count, double valFraction, uint64_t seed);

// The example order of `epoch`: a permutation that depends only on (seed, epoch).
std::vector<int64_t> epochOrder(int64_t count, uint64_t seed, int64_t epoch);

struct PlannedRow {
    std::vector<int64_t> examples; // indices, in row order
    int64_t length = 0;            // tokens
};

// The rows of one epoch from the examples' token counts in `order`. Examples of fewer than 2 tokens
// have nothing to predict and are left out.
std::vector<PlannedRow> planRows(const std::vector<int64_t>& lengths, const std::vector<int64_t>& order,
                                 int64_t maxLength, bool packing);

// Optimizer steps for one epoch of `rows` rows: micro-batches of batchSize rows, gradAccumulation of
// them per step (the last step of an epoch may take fewer).
int64_t stepsForRows(int64_t rows, int64_t batchSize, int64_t gradAccumulation);

// The steps of a whole run on examples of these token counts (the training examples only): max_steps
// when set, else every epoch's steps.
int64_t plannedSteps(const std::vector<int64_t>& lengths, const TrainConfig& config);

} // namespace ft
