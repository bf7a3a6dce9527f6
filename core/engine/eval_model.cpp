#include "engine/eval_model.h"

#include <QDir>
#include <QFileInfo>
#include <QRegularExpression>

#include "common/error.h"
#include "common/json_file.h"
#include "contract/run_folder.h"
#include "engine/checkpoint_store.h"
#include "engine/prompt_tuning.h"
#include "engine/tensor_convert.h"
#include "engine/trainable_setup.h"
#include "engine/training_model.h"

namespace ft {

bool isRunFolder(const QString& path)
{
    const QDir dir(path);
    if (!QFileInfo(path).isDir() || !QFileInfo::exists(dir.filePath(QStringLiteral("config.json"))))
        return false;
    if (QFileInfo::exists(dir.filePath(QStringLiteral("data/manifest.json"))))
        return true;
    try {
        return readJsonObjectFile(dir.filePath(QStringLiteral("config.json"))).contains(QStringLiteral("train_file"));
    } catch (const Error&) {
        return false;
    }
}

QString canonicalCheckpointName(const QString& name)
{
    const QString lower = name.trimmed().toLower();
    if (lower == QLatin1String("final") || lower == QLatin1String("best") || lower == QLatin1String("latest"))
        return lower;
    static const QRegularExpression step(QStringLiteral("^step-?0*(\\d+)$"));
    const QRegularExpressionMatch match = step.match(lower);
    if (match.hasMatch())
        return QStringLiteral("step-%1").arg(match.captured(1).toLongLong());
    throw Error(QStringLiteral("unknown checkpoint \"%1\": expected final, best, latest or step-N").arg(name));
}

TrainConfig readRunConfig(const QString& runDir)
{
    const QString path = RunFolder(runDir).configPath();
    if (!QFileInfo::exists(path))
        throw Error(QStringLiteral("%1: no config.json; not a run folder").arg(runDir));
    return TrainConfig::fromJson(readJsonObjectFile(path), path);
}

EvalModel loadEvalBaseModel(const QString& modelPath, const QString& dtype)
{
    EvalModel model;
    LoadOptions options;
    options.dtype = scalarTypeFromTorchName(dtype);
    model.loaded = loadModel(modelPath, options);
    model.weightsPath = QFileInfo(modelPath).absoluteFilePath();
    model.loaded.model->eval();
    return model;
}

namespace {

QString checkpointList(const std::vector<SavedCheckpoint>& all)
{
    QStringList names;
    for (const SavedCheckpoint& c : all)
        names << QStringLiteral("step-%1%2").arg(c.step).arg(c.best ? QStringLiteral(" (best)") : QString());
    return names.isEmpty() ? QStringLiteral("none") : names.join(QStringLiteral(", "));
}

} // namespace

EvalModel loadEvalRunModel(const QString& runDir, const QString& checkpointName)
{
    EvalModel model;
    model.isRun = true;
    model.runDir = QFileInfo(runDir).absoluteFilePath();
    model.runConfig = readRunConfig(model.runDir);
    model.checkpoint = canonicalCheckpointName(checkpointName);

    if (model.checkpoint == QLatin1String("final")) {
        const QString exported = RunFolder(model.runDir).exportModelPath();
        const QString adapter = RunFolder(model.runDir).exportAdapterPath();
        const bool hasModel = QFileInfo::exists(QDir(exported).filePath(QStringLiteral("config.json")));
        if (!hasModel && isPromptTuningAdapter(adapter)) {
            // A prompt-tuned run exports only its soft prompt, used on the run's base.
            if (!QFileInfo::exists(model.runConfig.model))
                throw Error(QStringLiteral("%1: the run's base model %2 is gone; its export is a soft prompt for "
                                           "that model")
                                .arg(model.runDir, model.runConfig.model));
            model.loaded = loadRunBaseModel(model.runConfig);
            loadPromptTuningAdapter(*model.loaded.model, adapter);
            model.weightsPath = adapter;
            model.loaded.model->eval();
            return model;
        }
        if (!hasModel)
            throw Error(
                QStringLiteral("%1: the run has no exported model (it did not finish); evaluate one of its checkpoints "
                               "instead (best, latest or step-N; it has %2)")
                    .arg(model.runDir, checkpointList(CheckpointStore(model.runDir).list())));
        LoadOptions options;
        options.dtype = scalarTypeFromTorchName(model.runConfig.computeDtype);
        model.loaded = loadModel(exported, options);
        model.weightsPath = exported;
        model.loaded.model->eval();
        return model;
    }

    const CheckpointStore store(model.runDir);
    const std::vector<SavedCheckpoint> all = store.list();
    std::optional<SavedCheckpoint> chosen;
    if (model.checkpoint == QLatin1String("best"))
        chosen = store.best();
    else if (model.checkpoint == QLatin1String("latest"))
        chosen = store.latest();
    else
        for (const SavedCheckpoint& c : all)
            if (QStringLiteral("step-%1").arg(c.step) == model.checkpoint)
                chosen = c;
    if (!chosen)
        throw Error(QStringLiteral("%1: no checkpoint \"%2\" (checkpoints: %3)")
                        .arg(model.runDir, model.checkpoint, checkpointList(all)));

    if (!QFileInfo::exists(model.runConfig.model))
        throw Error(
            QStringLiteral("%1: the run's base model %2 is gone; a checkpoint holds only the trained weights and "
                           "needs it (evaluate \"final\", the exported model, instead)")
                .arg(model.runDir, model.runConfig.model));
    model.loaded = loadTrainingModel(model.runConfig);
    const std::vector<NamedParameter> trainable = selectTrainableParameters(*model.loaded.model, model.runConfig);
    store.load(*chosen, trainable, nullptr);
    model.step = chosen->step;
    model.weightsPath = chosen->path;
    model.loaded.model->eval();
    return model;
}

} // namespace ft
