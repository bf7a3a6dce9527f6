#pragma once
// Step points as a long run reports them: a decaying, noisy loss (period of a few steps), a constant
// learning rate, a wobbling gradient norm and speed, 512 tokens and half a second per step. Fed to
// the training plot by tst_training_plot and bench/bench_plot.

#include <QVector>

#include <cmath>

#include "widgets/training_plot.h"

namespace ft::test {

inline QVector<StepPoint> syntheticStepPoints(qint64 from, qint64 count)
{
    QVector<StepPoint> result;
    for (qint64 s = from; s < from + count; ++s) {
        StepPoint p;
        p.step = s;
        p.loss = 3.0 * std::exp(-static_cast<double>(s) / 20000.0) + 0.3 * std::sin(static_cast<double>(s)) + 0.5;
        p.learningRate = 1e-4;
        p.gradNorm = 1.0 + 0.1 * std::cos(static_cast<double>(s));
        p.tokens = s * 512;
        p.tokensPerSecond = 900.0 + static_cast<double>(s % 50);
        p.elapsed = static_cast<double>(s) * 0.5;
        result.append(p);
    }
    return result;
}

} // namespace ft::test
