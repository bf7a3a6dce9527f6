#include "eval_inputs.h"

#include <QDir>
#include <QFileInfo>

#include "common/error.h"
#include "data/jsonl_records.h"
#include "data/splits.h"
#include "engine/eval_model.h"
#include "store/dataset_export.h"
#include "store/dataset_store.h"

namespace ft::cli {

EvalTarget resolveEvalTarget(const QString& argument, const Workspace& workspace)
{
    EvalTarget target;
    RunStore runs(workspace.database(), workspace.path());
    const QFileInfo info(argument);
    if (info.exists()) {
        if (isRunFolder(argument)) {
            target.isRun = true;
            target.runDir = info.absoluteFilePath();
            for (const RunInfo& run : runs.runs())
                if (!run.runDir.isEmpty() && QFileInfo(run.runDir) == info)
                    target.run = run;
            return target;
        }
        target.modelPath = info.absoluteFilePath();
        return target;
    }
    const RunInfo run = runs.resolve(argument); // throws naming the runs there are
    if (run.runDir.isEmpty() || !QFileInfo(run.runDir).isDir())
        throw Error(QStringLiteral("run %1 (\"%2\"): its folder %3 is gone")
                        .arg(run.id)
                        .arg(run.name, run.runDir.isEmpty() ? QStringLiteral("(none)") : run.runDir));
    target.isRun = true;
    target.runDir = run.runDir;
    target.run = run;
    return target;
}

namespace {

std::vector<ExampleRecord> readFile(const QString& path)
{
    std::vector<ExampleRecord> records;
    readJsonlRecords(path, [&](NumberedRecord&& numbered) { records.push_back(std::move(numbered.record)); });
    return records;
}

void fromDataset(EvalRecords& out, const Workspace& workspace, const DatasetInfo& dataset, const QString& splitName)
{
    Split split = Split::Validation;
    if (!splitFromName(splitName, &split))
        throw Error(QStringLiteral("unknown split \"%1\" (val, test or train)").arg(splitName));
    for (ImportedExample& example : loadDatasetExamples(workspace.database(), dataset.id, split))
        out.records.push_back(std::move(example.record));
    out.split = splitName == QLatin1String("validation") ? QStringLiteral("val") : splitName;
    out.source = QStringLiteral("dataset");
    out.datasetId = dataset.id;
    out.datasetName = dataset.name;
    out.datasetVersion = dataset.version;
    if (out.records.empty())
        throw Error(
            QStringLiteral(
                "dataset \"%1\" (version %2) has no %3 examples (assign some with `ftstudio-cli dataset split`)")
                .arg(dataset.name)
                .arg(dataset.version)
                .arg(out.split));
}

} // namespace

EvalRecords selectEvalRecords(const EvalTarget& target, const RecordChoice& choice, const Workspace& workspace)
{
    EvalRecords out;
    if (!choice.file.isEmpty()) {
        out.records = readFile(choice.file);
        out.split = choice.splitGiven ? choice.split : QStringLiteral("file:%1").arg(QFileInfo(choice.file).fileName());
        out.source = QStringLiteral("file:%1").arg(QFileInfo(choice.file).absoluteFilePath());
        if (out.records.empty())
            throw Error(QStringLiteral("%1: no examples in this file").arg(choice.file));
    } else if (!choice.dataset.isEmpty()) {
        fromDataset(out, workspace, DatasetStore(workspace.database()).resolve(choice.dataset), choice.split);
    } else if (target.isRun && (choice.split == QLatin1String("val") || choice.split == QLatin1String("train"))) {
        // The run's own frozen snapshot: exactly what it validated (or trained) on.
        const QString relative = QStringLiteral("data/%1.jsonl").arg(choice.split);
        const QString path = QDir(target.runDir).filePath(relative);
        if (!QFileInfo::exists(path))
            throw Error(
                QStringLiteral("%1: no %2; evaluate with --dataset NAME or --file JSONL").arg(target.runDir, relative));
        out.records = readFile(path);
        if (out.records.empty())
            throw Error(
                QStringLiteral(
                    "%1: the run has no %2 examples (%3 is empty); evaluate with --dataset NAME or --file JSONL")
                    .arg(target.runDir, choice.split, relative));
        out.split = choice.split;
        out.source = QStringLiteral("run:%1").arg(relative);
        if (target.run) {
            out.datasetId = target.run->datasetId.value_or(0);
            out.datasetName = target.run->datasetName;
            out.datasetVersion = target.run->datasetVersion;
        }
    } else if (target.isRun) {
        // The test split is never frozen into the run: it comes from the run's dataset as it is now.
        if (!target.run || !target.run->datasetId)
            throw Error(
                QStringLiteral("%1: the run did not train on a workspace dataset, so it has no %2 split; evaluate with "
                               "--dataset NAME or --file JSONL")
                    .arg(target.runDir, choice.split));
        const auto dataset = DatasetStore(workspace.database()).find(*target.run->datasetId);
        if (!dataset)
            throw Error(
                QStringLiteral("the run's dataset \"%1\" was deleted; evaluate with --dataset NAME or --file JSONL")
                    .arg(target.run->datasetName));
        fromDataset(out, workspace, *dataset, choice.split);
    } else {
        throw Error(QStringLiteral(
                        "%1 is a model, not a run: say which examples to evaluate it on with --dataset NAME [--split "
                        "val|test] or --file JSONL")
                        .arg(target.modelPath));
    }
    out.totalAvailable = static_cast<qint64>(out.records.size());
    if (choice.limit > 0 && choice.limit < out.totalAvailable)
        out.records.resize(static_cast<size_t>(choice.limit));
    return out;
}

} // namespace ft::cli
