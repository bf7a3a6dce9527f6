#pragma once
// Telling a run that has gone wrong from one that is merely noisy, from its own history of step
// losses and gradient norms (before clipping). Three signs, each named in the verdict:
//   - a loss or gradient norm that is NaN or infinite;
//   - an explosion: the loss, for `persistence` steps in a row, above both `factor` times and
//     `margin` nats above the run's reference loss: the first step's (the weights as loaded), or the
//     lowest smoothed loss (an exponential mean of the step losses) once `warmupSteps` steps have
//     been seen, whichever is lower;
//   - dead gradients: a gradient norm of exactly zero for `persistence` steps in a row while the loss
//     is not zero: nothing learns any more (weights saturated by a huge learning rate).
// One bad batch is never enough: every sign but NaN/Inf must persist.

#include <cstdint>
#include <optional>

#include <QString>

namespace ft {

struct DivergenceSettings {
    double factor = 2.0;    // times the best smoothed loss ...
    double margin = 2.0;    // ... and at least this many nats above it
    int persistence = 3;    // consecutive steps a sign must last
    int warmupSteps = 5;    // steps before the smoothed loss is a reference
    double smoothing = 0.1; // weight of a new step in the smoothed loss
};

struct DivergenceVerdict {
    int64_t firstBadStep = 0; // the step where the trouble began (weights after it are suspect)
    QString reason;           // e.g. "the loss rose from 3.81 (its best, smoothed) to 2013 for 3 steps"
};

class DivergenceMonitor {
public:
    explicit DivergenceMonitor(DivergenceSettings settings = {});

    // One optimizer step's loss and gradient norm; a verdict once the run has diverged.
    std::optional<DivergenceVerdict> observe(int64_t step, double loss, double gradNorm);

    double referenceLoss() const { return m_bestSmoothed; } // NaN before the first step

private:
    DivergenceSettings m_settings;
    int64_t m_seen = 0;
    double m_smoothed = 0.0;
    double m_bestSmoothed;
    int m_explodingSteps = 0;
    int64_t m_explosionStart = 0;
    int m_deadSteps = 0;
    int64_t m_deadStart = 0;
};

} // namespace ft
