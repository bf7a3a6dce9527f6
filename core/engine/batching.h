#pragma once
// From tokenized examples to micro-batches: a seeded order per epoch, rows either packed (several
// examples per row, each attending only to itself, positions restarting) or padded (one example per
// row), and the tensors a forward pass takes.

#include <vector>

#include <torch/torch.h>

#include "contract/epoch_plan.h"
#include "engine/llama_model.h"
#include "engine/training_data.h"

namespace ft {

using BatchRow = PlannedRow; // indices into the tokenized set, in row order, and their tokens

struct MicroBatchPlan {
    std::vector<BatchRow> rows;
    int64_t targets = 0; // tokens carrying loss
    int64_t tokens = 0;
};

struct EpochPlan {
    std::vector<MicroBatchPlan> microBatches;
};

// Rows of at most maxLength tokens (planRows, contract/epoch_plan.h: the rule the studio's estimate
// counts with), grouped into micro-batches of batchSize rows.
EpochPlan planEpoch(const TokenizedSet& set, const std::vector<int64_t>& order, int64_t maxLength, int64_t batchSize,
                    bool packing);

struct Batch {
    torch::Tensor tokens;  // (B, T) int64
    torch::Tensor targets; // (B, T) int64: the next token where it carries loss, else -100
    TokenLayout layout;    // positions and segments when packed; undefined when padded
    int64_t targetCount = 0;
};

constexpr int64_t kIgnoreTarget = -100;

// Padding uses `padId`; padded positions are never targets.
Batch makeBatch(const MicroBatchPlan& plan, const TokenizedSet& set, TokenId padId, bool packed);

} // namespace ft
