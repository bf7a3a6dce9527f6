#include "engine/lr_schedule.h"

#include <algorithm>
#include <cmath>

namespace ft {

double learningRateAt(const QString& schedule, double peak, int64_t step, int64_t warmupSteps, int64_t totalSteps)
{
    if (step < warmupSteps)
        return peak * static_cast<double>(step + 1) / static_cast<double>(warmupSteps);
    if (schedule == QLatin1String("constant"))
        return peak;
    const int64_t decaySteps = std::max<int64_t>(1, totalSteps - warmupSteps);
    const double progress =
        std::clamp(static_cast<double>(step - warmupSteps) / static_cast<double>(decaySteps), 0.0, 1.0);
    if (schedule == QLatin1String("linear"))
        return peak * (1.0 - progress);
    return peak * 0.5 * (1.0 + std::cos(M_PI * progress)); // cosine
}

} // namespace ft
