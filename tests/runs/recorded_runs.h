#pragma once
// Recorded runs for the tests of the studio's run history: a workspace in a temporary folder with
// runs written straight into its store (as a worker would record them), with a config.json, loss
// curves, checkpoints and evaluation numbers.

#include <QDir>
#include <QJsonDocument>
#include <QString>
#include <QStringList>

#include "common/atomic_write.h"
#include "contract/run_folder.h"
#include "contract/train_config.h"
#include "store/evaluation_store.h"
#include "store/metric_store.h"
#include "store/run_store.h"
#include "store/workspace.h"

namespace ft::test {

struct RecordedRunSpec {
    QString name;
    RunStatus status = RunStatus::Finished;
    double learningRate = 2e-5;
    int steps = 20;
    double startLoss = 3.0; // the loss falls linearly to half of it
    QStringList tags;
    bool checkpoint = true;
    QMap<QString, double> evaluation; // "final"/"val" numbers, when any
    bool evaluationOutputs = false;   // also a run evaluation with per-example outputs (as ftstudio-cli eval keeps)
};

// Records a run in `workspace` (its folder under runs/, config.json, curves); returns its id.
inline qint64 addRecordedRun(const Workspace& workspace, const RecordedRunSpec& spec)
{
    const QString runDir = RunFolder::create(workspace.runsPath(), spec.name).path();
    TrainConfig config;
    config.mode = QStringLiteral("instruction");
    config.applyModePreset(config.mode);
    config.model = QStringLiteral("/models/tiny");
    config.trainFile = QDir(runDir).filePath(QStringLiteral("data/train.jsonl"));
    config.learningRate = spec.learningRate;
    config.maxSteps = spec.steps;
    writeFileAtomically(QDir(runDir).filePath(QStringLiteral("config.json")), QJsonDocument(config.toJson()).toJson());
    RunStore runs(workspace.database(), workspace.path());
    NewRun run;
    run.name = spec.name;
    run.mode = config.mode;
    run.baseModelPath = config.model;
    run.datasetName = QStringLiteral("train.jsonl");
    run.config = config.toJson();
    run.runDir = runDir;
    run.tags = spec.tags;
    const qint64 id = runs.createRun(run);
    MetricStore metrics(workspace.database());
    std::vector<MetricPoint> points;
    const double t0 = 1.7e9;
    for (int step = 1; step <= spec.steps; ++step) {
        const double loss = spec.startLoss * (1.0 - 0.5 * (step - 1) / std::max(1, spec.steps - 1));
        points.push_back({step, QStringLiteral("loss"), loss, t0 + step});
        points.push_back({step, QStringLiteral("tokens"), 64.0 * step, t0 + step});
        points.push_back({step, QStringLiteral("elapsed"), 0.5 * step, t0 + step});
        if (step % 10 == 0)
            points.push_back({step, QStringLiteral("val_loss"), loss + 0.1, t0 + step});
    }
    metrics.append(id, points);
    if (spec.checkpoint)
        runs.addCheckpoint(id, spec.steps, QDir(runDir).filePath(QStringLiteral("checkpoints/step-%1").arg(spec.steps)),
                           std::nullopt, false);
    for (auto it = spec.evaluation.cbegin(); it != spec.evaluation.cend(); ++it)
        metrics.recordEvaluation(id, QStringLiteral("final"), QStringLiteral("val"), it.key(), it.value());
    if (spec.evaluationOutputs) {
        StoredEvaluation evaluation;
        evaluation.runId = id;
        evaluation.checkpoint = QStringLiteral("final");
        evaluation.split = QStringLiteral("val");
        evaluation.recordsSha256 = QStringLiteral("records");
        evaluation.settingsKey = QStringLiteral("settings");
        evaluation.examples = 1;
        for (auto it = spec.evaluation.cbegin(); it != spec.evaluation.cend(); ++it)
            evaluation.metrics[it.key()] = it.value();
        EvaluationOutput output;
        output.key = QStringLiteral("example-0");
        output.prompt = QStringLiteral("Say hi.");
        output.reference = QStringLiteral("Hi.");
        output.output = QStringLiteral("Hi!");
        EvaluationStore(workspace.database()).saveRunEvaluation(evaluation, {output});
    }
    runs.finishRun(id, spec.status, 64LL * spec.steps, spec.startLoss * 0.5 + 0.1, QString());
    return id;
}

} // namespace ft::test
