#pragma once
// Getting examples out of the workspace: a dataset (or one split) written in any format, and the
// frozen training snapshot a run trains on.

#include <optional>
#include <vector>

#include <QSqlDatabase>
#include <QString>

#include "data/dataset_format.h"
#include "data/splits.h"

namespace ft {

// The examples of a dataset (optionally one split) in their stable order, with tags and source, read
// in one snapshot of the database.
std::vector<ImportedExample> loadDatasetExamples(QSqlDatabase db, qint64 datasetId, std::optional<Split> split = {});

// Writes the dataset (or one split) to `path` in `format` (atomically). Returns the number written.
qint64 exportDataset(QSqlDatabase db, qint64 datasetId, const QString& path, DatasetFormat format,
                     std::optional<Split> split = {});

// Which splits of a dataset a run trains and validates on. The default: train, and validation when
// it has examples (else the worker validates on a seeded share of the training examples).
// `validation` empty: no validation file at all. `requireValidation`: the validation split was chosen
// explicitly, so an empty one is an error rather than a reason to fall back.
struct SnapshotSplits {
    Split train = Split::Train;
    std::optional<Split> validation = Split::Validation;
    bool requireValidation = false;
};

// The data a run trains on, frozen: runDir/data/train.jsonl and runDir/data/val.jsonl as example
// records (jsonl_records.h), read in one snapshot of the database so that the version matches the
// rows. Splits other than the chosen two are held out of both (by default the test split).
// val.jsonl is written only when the validation split has examples (else valPath is empty and the
// worker splits the training set itself). Throws ft::Error when the training split is empty, the
// two splits are the same, or a required validation split is empty.
struct TrainingSnapshot {
    qint64 datasetId = 0;
    QString datasetName;
    qint64 datasetVersion = 0;
    QString trainPath;
    QString trainSha256;
    qint64 trainExamples = 0;
    QString valPath;
    QString valSha256;
    qint64 valExamples = 0;
};
TrainingSnapshot exportTrainingSnapshot(QSqlDatabase db, qint64 datasetId, const QString& runDir,
                                        const SnapshotSplits& splits = {});

} // namespace ft
