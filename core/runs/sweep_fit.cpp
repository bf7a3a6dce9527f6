#include "runs/sweep_fit.h"

#include <algorithm>
#include <cmath>

#include "common/error.h"
#include "modelio/model_folder.h"
#include "runs/resource_estimate.h"

namespace ft {

SweepParallelism sweepParallelism(const SweepSpec& spec, const TrainConfig& base, qint64 machineMemoryBytes)
{
    SweepParallelism result;
    result.trials = std::clamp(spec.parallel, 1, 16);
    if (result.trials == 1)
        return result;
    const qint64 machine = machineMemoryBytes >= 0 ? machineMemoryBytes : ft::machineMemoryBytes();
    if (machine <= 0) {
        result.reason =
            QStringLiteral("this machine's memory is unknown: %1 trials at once, unchecked").arg(result.trials);
        return result;
    }
    double needed = 0.0; // bytes, the most demanding trial's
    try {
        const ModelConfig model = ModelFolder::inspect(base.model).config;
        ResourceEstimateOptions options;
        options.machineMemoryBytes = machine;
        for (const QJsonObject& settings : sweepTrialSettings(spec))
            needed = std::max(needed,
                              estimateResources(model, sweepTrialConfig(base, settings, spec), options).totalBytes());
    } catch (const Error& error) {
        result.reason = QStringLiteral("the trials' memory could not be estimated (%1): %2 at once, unchecked")
                            .arg(error.message())
                            .arg(result.trials);
        return result;
    }
    const double usable = 0.85 * static_cast<double>(machine);
    const double room = std::floor(usable / std::max(needed, 1.0));
    const int fit = static_cast<int>(std::clamp(room, 1.0, static_cast<double>(result.trials)));
    if (fit < result.trials) {
        result.reason = QStringLiteral("%1 trials at once, not %2: each needs about %3 and %4 of %5 is usable")
                            .arg(fit)
                            .arg(result.trials)
                            .arg(formatBytes(needed), formatBytes(usable), formatBytes(static_cast<double>(machine)));
        result.trials = fit;
    }
    return result;
}

} // namespace ft
