#pragma once
// Learning-rate schedules with linear warmup.

#include <cstdint>

#include <QString>

namespace ft {

// The learning rate of optimizer step `step` (0-based) out of `totalSteps`: linear warmup over the
// first `warmupSteps` steps (step s uses (s + 1) / warmup of the peak, so no step is wasted at zero),
// then constant, linear decay to 0, or cosine decay to 0 at the last step.
double learningRateAt(const QString& schedule, double peak, int64_t step, int64_t warmupSteps, int64_t totalSteps);

} // namespace ft
