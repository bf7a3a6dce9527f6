#include "runs/stored_trace.h"

#include <cmath>
#include <map>

#include <QDir>
#include <QFileInfo>

#include "common/error.h"
#include "contract/run_folder.h"
#include "store/database.h"
#include "store/metric_store.h"
#include "store/run_store.h"
#include "store/workspace.h"

namespace ft {

RunTrace loadStoredTrace(const QString& workspacePath, qint64 runId)
{
    const Workspace workspace = Workspace::open(workspacePath);
    QSqlDatabase db = workspace.database();
    ReadSnapshot snapshot(db);
    RunStore runs(db, workspace.path());
    const std::optional<RunInfo> run = runs.run(runId);
    if (!run)
        throw Error(QStringLiteral("run %1 does not exist").arg(runId));
    MetricStore metrics(db);
    RunTrace trace;
    trace.hasStart = true;
    trace.start.runDir = run->runDir;
    trace.start.config = run->config;
    trace.start.totalSteps = run->config.value(QStringLiteral("max_steps")).toInteger();

    // One step point per recorded step, its fields from each metric's curve.
    std::map<qint64, StepPoint> steps;
    auto fill = [&](const QString& name, auto setter) {
        const MetricSeries series = metrics.series(runId, name);
        for (size_t i = 0; i < series.steps.size(); ++i) {
            StepPoint& point = steps[series.steps[i]];
            point.step = series.steps[i];
            setter(point, series.values[i]);
        }
    };
    fill(QStringLiteral("loss"), [](StepPoint& p, double v) { p.loss = v; });
    fill(QStringLiteral("lr"), [](StepPoint& p, double v) { p.learningRate = v; });
    fill(QStringLiteral("grad_norm"), [](StepPoint& p, double v) { p.gradNorm = v; });
    fill(QStringLiteral("tokens_per_second"), [](StepPoint& p, double v) { p.tokensPerSecond = v; });
    fill(QStringLiteral("tokens"), [](StepPoint& p, double v) { p.tokens = static_cast<qint64>(v); });
    fill(QStringLiteral("epoch"), [](StepPoint& p, double v) { p.epoch = v; });
    fill(QStringLiteral("elapsed"), [](StepPoint& p, double v) { p.elapsed = v; });
    fill(QStringLiteral("chosen_reward"), [](StepPoint& p, double v) { p.chosenReward = v; });
    fill(QStringLiteral("rejected_reward"), [](StepPoint& p, double v) { p.rejectedReward = v; });
    fill(QStringLiteral("reward_margin"), [](StepPoint& p, double v) { p.rewardMargin = v; });
    fill(QStringLiteral("reward_accuracy"), [](StepPoint& p, double v) { p.rewardAccuracy = v; });
    for (auto& [step, point] : steps) {
        point.totalSteps = trace.start.totalSteps;
        trace.steps.append(point);
    }

    const MetricSeries val = metrics.series(runId, QStringLiteral("val_loss"));
    // DPO runs: their validation loss is DPO's, with reward margin and accuracy instead of perplexity.
    std::map<qint64, std::pair<double, double>> preference;
    const MetricSeries margins = metrics.series(runId, QStringLiteral("val_reward_margin"));
    const MetricSeries accuracies = metrics.series(runId, QStringLiteral("val_reward_accuracy"));
    for (size_t i = 0; i < margins.steps.size() && i < accuracies.steps.size(); ++i)
        preference[margins.steps[i]] = {margins.values[i], accuracies.values[i]};
    double best = kNoValue;
    for (size_t i = 0; i < val.steps.size(); ++i) {
        EvalPoint eval;
        eval.step = val.steps[i];
        eval.valLoss = val.values[i];
        if (const auto found = preference.find(eval.step); found != preference.end()) {
            eval.rewardMargin = found->second.first;
            eval.rewardAccuracy = found->second.second;
        } else {
            eval.perplexity = std::exp(val.values[i]);
        }
        eval.isBest = !(best <= eval.valLoss);
        if (eval.isBest)
            best = eval.valLoss;
        eval.bestValLoss = best;
        trace.evals.append(eval);
    }
    for (const CheckpointInfo& checkpoint : runs.checkpoints(runId)) {
        CheckpointPoint point;
        point.step = checkpoint.step;
        point.path = checkpoint.path;
        point.best = checkpoint.best;
        point.valLoss = checkpoint.valLoss.value_or(kNoValue);
        trace.checkpoints.append(point);
    }
    trace.appendLog(QStringLiteral("info"),
                    QStringLiteral("Read from the workspace's history (run %1, \"%2\"): %3 steps recorded")
                        .arg(runId)
                        .arg(run->name)
                        .arg(trace.steps.size()));
    if (isFinalStatus(run->status)) {
        trace.hasEnd = true;
        trace.end.status = runStatusName(run->status);
        trace.end.message = run->message;
        trace.end.step = trace.steps.isEmpty() ? -1 : trace.steps.constLast().step;
        trace.end.tokens = run->tokensSeen;
        trace.end.bestValLoss = run->bestValLoss.value_or(kNoValue);
        trace.end.reportedByWorker = true;
        const RunFolder folder(run->runDir);
        if (run->status == RunStatus::Finished && QFileInfo::exists(folder.exportModelPath()))
            trace.end.exportPath = folder.exportModelPath();
        else if (run->status == RunStatus::Finished && QFileInfo::exists(folder.exportAdapterPath()))
            trace.end.exportPath = folder.exportAdapterPath(); // a prompt-tuned run's soft prompt
    }
    return trace;
}

} // namespace ft
