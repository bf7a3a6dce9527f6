#include "engine/divergence_monitor.h"

#include <cmath>
#include <limits>

namespace ft {

DivergenceMonitor::DivergenceMonitor(DivergenceSettings settings)
    : m_settings(settings)
    , m_bestSmoothed(std::numeric_limits<double>::quiet_NaN())
{
}

std::optional<DivergenceVerdict> DivergenceMonitor::observe(int64_t step, double loss, double gradNorm)
{
    if (!std::isfinite(loss) || !std::isfinite(gradNorm))
        return DivergenceVerdict{step,
                                 QStringLiteral("the loss is %1 and the gradient norm %2").arg(loss).arg(gradNorm)};

    // Dead gradients: exactly zero, step after step, with something left to learn.
    if (gradNorm == 0.0 && loss > 0.0) {
        if (m_deadSteps++ == 0)
            m_deadStart = step;
        if (m_deadSteps >= m_settings.persistence)
            return DivergenceVerdict{
                m_deadStart, QStringLiteral("the gradient has been exactly zero for %1 steps while the loss stays at "
                                            "%2: the weights are saturated and nothing learns any more")
                                 .arg(m_deadSteps)
                                 .arg(loss, 0, 'g', 4)};
    } else {
        m_deadSteps = 0;
    }

    // Explosion, against the best of the run's own smoothed loss.
    const bool haveReference = std::isfinite(m_bestSmoothed);
    const double ceiling =
        haveReference ? std::max(m_bestSmoothed * m_settings.factor, m_bestSmoothed + m_settings.margin) : 0.0;
    if (haveReference && loss > ceiling) {
        if (m_explodingSteps++ == 0)
            m_explosionStart = step;
        if (m_explodingSteps >= m_settings.persistence)
            return DivergenceVerdict{m_explosionStart,
                                     QStringLiteral("the loss exploded: %1 steps in a row above %2, against the "
                                                    "run's reference loss of %3 (its lowest, smoothed); now %4")
                                         .arg(m_explodingSteps)
                                         .arg(ceiling, 0, 'g', 4)
                                         .arg(m_bestSmoothed, 0, 'g', 4)
                                         .arg(loss, 0, 'g', 4)};
        return std::nullopt; // a spike does not move the reference
    }
    m_explodingSteps = 0;

    // The first step's loss comes from the weights as they were loaded: the reference until the
    // smoothed loss, after the warm-up, goes below it.
    m_smoothed = m_seen == 0 ? loss : m_smoothed + m_settings.smoothing * (loss - m_smoothed);
    ++m_seen;
    if ((m_seen == 1 || m_seen >= m_settings.warmupSteps) && !(m_smoothed >= m_bestSmoothed))
        m_bestSmoothed = m_smoothed;
    return std::nullopt;
}

} // namespace ft
