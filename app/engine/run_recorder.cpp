#include "run_recorder.h"

#include <cmath>

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>

#include "common/json_file.h"
#include "contract/run_folder.h"
#include "modelio/model_identity.h"
#include "store/dataset_export.h"

namespace ft::cli {

namespace {

// The store's status of a run that ended as the worker reported.
RunStatus statusOf(const QString& outcome) { return runStatusFromName(outcome).value_or(RunStatus::Failed); }

// The base model's identity (modelio/model_identity.h): what its base-model evaluations are cached
// under. Empty when the model cannot be read (the worker reports that itself).
QString baseModelIdentity(const QString& model)
{
    try {
        return modelIdentity(model);
    } catch (const std::exception&) {
        return {};
    }
}

double now() { return static_cast<double>(QDateTime::currentMSecsSinceEpoch()) / 1000.0; }

} // namespace

RunRecorder::RunRecorder(const Workspace& workspace, qint64 runId, const QString& runName, qint64 datasetId,
                         TrainingObserver& log)
    : m_workspace(workspace)
    , m_runId(runId)
    , m_name(runName)
    , m_datasetId(datasetId)
    , m_log(log)
{
    m_sinceFlush.start();
}

template <typename F> void RunRecorder::guarded(const char* what, F&& write)
{
    try {
        write();
    } catch (const std::exception& error) {
        if (!m_warned)
            m_log.log(QStringLiteral("warning"),
                      QStringLiteral("the workspace database could not record %1 (training goes on): %2")
                          .arg(QLatin1String(what), QString::fromUtf8(error.what())));
        m_warned = true;
    }
}

void RunRecorder::started(const RunStartInfo& start)
{
    m_preferenceRun = start.config.value(QStringLiteral("objective")).toString() == QLatin1String("dpo");
    m_runDir = start.runDir;
    guarded("the run", [&] {
        RunStore runs(m_workspace.database(), m_workspace.path());
        const RunFolder folder(start.runDir);
        const QJsonObject manifest =
            readJsonObjectFile(QDir(folder.dataPath()).filePath(QStringLiteral("manifest.json")));
        TrainingSnapshot snapshot = m_snapshot.value_or(TrainingSnapshot{});
        snapshot.datasetId = m_datasetId;
        snapshot.trainPath = folder.trainDataPath();
        snapshot.trainSha256 = manifest[QStringLiteral("train")].toObject()[QStringLiteral("sha256")].toString();
        snapshot.trainExamples = start.trainExamples;
        snapshot.valPath = folder.valDataPath();
        snapshot.valSha256 = manifest[QStringLiteral("val")].toObject()[QStringLiteral("sha256")].toString();
        snapshot.valExamples = start.valExamples;
        if (m_runId <= 0 && start.resumedFromStep >= 0) {
            // A resumed command-line run: find its row by folder.
            for (const RunInfo& run : runs.runs())
                if (QFileInfo(run.runDir) == QFileInfo(start.runDir))
                    m_runId = run.id;
        }
        if (m_runId <= 0) {
            NewRun run;
            run.name = m_name.isEmpty() ? QFileInfo(start.runDir).fileName() : m_name;
            run.mode = start.config.value(QStringLiteral("mode")).toString();
            run.baseModelPath = start.config.value(QStringLiteral("model")).toString();
            run.baseModelId = baseModelIdentity(run.baseModelPath);
            run.datasetId = m_datasetId;
            run.datasetName = snapshot.datasetName;
            if (m_snapshot)
                run.datasetVersion = snapshot.datasetVersion;
            run.trainSha256 = snapshot.trainSha256;
            run.valSha256 = snapshot.valSha256;
            run.config = start.config;
            run.runDir = start.runDir;
            m_runId = runs.createRun(run);
        }
        runs.setConfig(m_runId, start.config);
        runs.setRunDir(m_runId, start.runDir);
        // A resumed run trains on the data frozen into its folder at its start: its row keeps that lineage
        // (dataset, name, version, hashes); only a new run, or one given a dataset now, records a snapshot.
        if (start.resumedFromStep < 0 || m_datasetId > 0)
            runs.setSnapshot(m_runId, snapshot);
        if (start.resumedFromStep >= 0)
            MetricStore(m_workspace.database()).truncateAfter(m_runId, start.resumedFromStep);
        runs.setStatus(m_runId, RunStatus::Running); // records this process's pid and host
    });
}

void RunRecorder::stepDone(const StepPoint& s)
{
    const double t = now();
    m_tokens = s.tokens;
    for (const auto& [name, value] : {std::pair<const char*, double>{"loss", s.loss},
                                      {"lr", s.learningRate},
                                      {"grad_norm", s.gradNorm},
                                      {"tokens_per_second", s.tokensPerSecond},
                                      {"tokens", static_cast<double>(s.tokens)},
                                      {"epoch", s.epoch},
                                      {"elapsed", s.elapsed}})
        m_pending.push_back({s.step, QLatin1String(name), value, t});
    for (const auto& [name, value] : {std::pair<const char*, double>{"chosen_reward", s.chosenReward},
                                      {"rejected_reward", s.rejectedReward},
                                      {"reward_margin", s.rewardMargin},
                                      {"reward_accuracy", s.rewardAccuracy}})
        if (!std::isnan(value)) // DPO runs only
            m_pending.push_back({s.step, QLatin1String(name), value, t});
    flush(false);
}

void RunRecorder::evaluated(const EvalPoint& e)
{
    const double t = now();
    m_pending.push_back({e.step, QStringLiteral("val_loss"), e.valLoss, t});
    if (!std::isnan(e.perplexity))
        m_pending.push_back({e.step, QStringLiteral("perplexity"), e.perplexity, t});
    if (!std::isnan(e.rewardMargin)) {
        m_pending.push_back({e.step, QStringLiteral("val_reward_margin"), e.rewardMargin, t});
        m_pending.push_back({e.step, QStringLiteral("val_reward_accuracy"), e.rewardAccuracy, t});
    }
    m_best = e.bestValLoss;
    flush(true);
}

void RunRecorder::checkpointed(const CheckpointPoint& c)
{
    guarded("a checkpoint", [&] {
        RunStore runs(m_workspace.database(), m_workspace.path());
        runs.addCheckpoint(m_runId, c.step, c.path,
                           !std::isnan(c.valLoss) ? std::optional<double>(c.valLoss) : std::nullopt, c.best);
        // The worker keeps the last few and the best; forget the ones it removed.
        for (const auto& known : runs.checkpoints(m_runId))
            if (!QFileInfo::exists(known.path))
                runs.removeCheckpoint(m_runId, known.step);
    });
}

void RunRecorder::flush(bool force)
{
    if (m_pending.empty() || m_runId <= 0 || (!force && m_sinceFlush.elapsed() < 1000 && m_pending.size() < 2000))
        return;
    try {
        MetricStore(m_workspace.database()).append(m_runId, m_pending);
        RunStore(m_workspace.database(), m_workspace.path()).setProgress(m_runId, m_tokens, m_best);
        m_pending.clear();
    } catch (const std::exception& error) {
        // Busy (an import holds the write lock): keep the batch for the next flush.
        if (!m_warned)
            m_log.log(
                QStringLiteral("warning"),
                QStringLiteral("metrics wait for the workspace database: %1").arg(QString::fromUtf8(error.what())));
        m_warned = true;
    }
    m_sinceFlush.restart();
}

void RunRecorder::ended(const RunEndInfo& end)
{
    if (m_runId <= 0)
        return;
    flush(true);
    guarded("the end of the run", [&] {
        if (end.hasBestValLoss()) {
            MetricStore metrics(m_workspace.database());
            metrics.recordEvaluation(m_runId, QStringLiteral("best"), QStringLiteral("val"), QStringLiteral("loss"),
                                     end.bestValLoss);
            if (!m_preferenceRun) // a DPO loss has no perplexity
                metrics.recordEvaluation(m_runId, QStringLiteral("best"), QStringLiteral("val"),
                                         QStringLiteral("perplexity"), std::exp(end.bestValLoss));
        }
        RunStore(m_workspace.database(), m_workspace.path())
            .finishRun(m_runId, statusOf(end.status), end.tokens,
                       end.hasBestValLoss() ? std::optional<double>(end.bestValLoss) : std::nullopt, end.message);
    });
}

void RunRecorder::failed(const QString& message)
{
    if (m_runId <= 0)
        return;
    flush(true);
    guarded("the failure", [&] {
        RunStore(m_workspace.database(), m_workspace.path())
            .finishRun(m_runId, RunStatus::Failed, m_tokens, m_best, message);
    });
}

} // namespace ft::cli
