#pragma once
// Teacher-forced loss over a set of examples: the masked mean cross-entropy over every target token,
// in batches planned exactly as the trainer plans its validation batches (same order, packing and
// batch size), so the value is the trainer's validation loss for the same weights and data.

#include <cstdint>
#include <functional>

#include "engine/llama_model.h"
#include "engine/training_data.h"

namespace ft {

struct TeacherForcedLoss {
    double sum = 0.0;       // summed token cross-entropy (nats)
    int64_t targets = 0;    // tokens that carry loss
    int64_t batches = 0;    // batches evaluated
    bool cancelled = false; // progress returned false (even after the last batch)
    double mean() const { return targets > 0 ? sum / static_cast<double>(targets) : 0.0; }
};

// `progress(done, total)` is called after every batch; returning false stops before the next one.
TeacherForcedLoss teacherForcedLoss(LlamaForCausalLMImpl& model, const TokenizedSet& set, TokenId padId,
                                    int64_t maxLength, int64_t batchSize, bool packing,
                                    const std::function<bool(int64_t, int64_t)>& progress = {});

} // namespace ft
