#include "store/dataset_export.h"

#include <QDir>

#include "common/error.h"
#include "data/jsonl_records.h"
#include "store/database.h"
#include "store/dataset_store.h"
#include "store/example_store.h"

namespace ft {

std::vector<ImportedExample> loadDatasetExamples(QSqlDatabase db, qint64 datasetId, std::optional<Split> split)
{
    ExampleFilter filter;
    filter.split = split;
    std::vector<ImportedExample> result;
    for (StoredExample& stored : ExampleStore(db).examples(datasetId, filter))
        result.push_back({std::move(stored.record), std::move(stored.tags), std::move(stored.source)});
    return result;
}

qint64 exportDataset(QSqlDatabase db, qint64 datasetId, const QString& path, DatasetFormat format,
                     std::optional<Split> split)
{
    if (!DatasetStore(db).find(datasetId))
        throw Error(QStringLiteral("dataset %1 does not exist").arg(datasetId));
    const std::vector<ImportedExample> examples = loadDatasetExamples(db, datasetId, split);
    writeDataset(path, format, examples);
    return static_cast<qint64>(examples.size());
}

TrainingSnapshot exportTrainingSnapshot(QSqlDatabase db, qint64 datasetId, const QString& runDir,
                                        const SnapshotSplits& splits)
{
    if (splits.validation && *splits.validation == splits.train)
        throw Error(QStringLiteral("the training and validation splits are both \"%1\": choose two different splits")
                        .arg(splitName(splits.train)));
    TrainingSnapshot snapshot;
    std::vector<ExampleRecord> train;
    std::vector<ExampleRecord> val;
    {
        ReadSnapshot consistent(db);
        const auto info = DatasetStore(db).find(datasetId);
        if (!info)
            throw Error(QStringLiteral("dataset %1 does not exist").arg(datasetId));
        snapshot.datasetId = datasetId;
        snapshot.datasetName = info->name;
        snapshot.datasetVersion = info->version;
        ExampleStore examples(db);
        ExampleFilter filter;
        filter.split = splits.train;
        for (StoredExample& stored : examples.examples(datasetId, filter))
            train.push_back(std::move(stored.record));
        if (splits.validation) {
            filter.split = *splits.validation;
            for (StoredExample& stored : examples.examples(datasetId, filter))
                val.push_back(std::move(stored.record));
        }
    }
    if (train.empty())
        throw Error(QStringLiteral("dataset \"%1\" has no examples in the %2 split (the training split)")
                        .arg(snapshot.datasetName, splitName(splits.train)));
    if (splits.validation && splits.requireValidation && val.empty())
        throw Error(QStringLiteral("dataset \"%1\" has no examples in the %2 split (the validation split)")
                        .arg(snapshot.datasetName, splitName(*splits.validation)));

    const QString dataDir = QDir(runDir).filePath(QStringLiteral("data"));
    if (!QDir().mkpath(dataDir))
        throw Error(QStringLiteral("%1: cannot create the folder").arg(dataDir));
    snapshot.trainPath = QDir(dataDir).filePath(QStringLiteral("train.jsonl"));
    snapshot.trainSha256 = writeJsonlRecords(snapshot.trainPath, train);
    snapshot.trainExamples = static_cast<qint64>(train.size());
    if (!val.empty()) {
        snapshot.valPath = QDir(dataDir).filePath(QStringLiteral("val.jsonl"));
        snapshot.valSha256 = writeJsonlRecords(snapshot.valPath, val);
        snapshot.valExamples = static_cast<qint64>(val.size());
    } else {
        QFile::remove(QDir(dataDir).filePath(QStringLiteral("val.jsonl")));
    }
    return snapshot;
}

} // namespace ft
