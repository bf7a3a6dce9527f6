#pragma once
// How many tokens the training data makes under a model's tokenizer and a template: the input of the
// time estimate. Counts the records, tokenizes the first `sampleLimit` of them and scales up. Slow
// for big files: call it from a worker thread.

#include <optional>
#include <vector>

#include <QString>

#include "data/example_record.h"
#include "data/splits.h"

QT_BEGIN_NAMESPACE
class QSqlDatabase;
QT_END_NAMESPACE

namespace ft {

struct TrainingDataMeasure {
    bool ok = false;
    QString error; // the first bad record, an unreadable tokenizer, ...
    qint64 records = 0;
    qint64 sampledRecords = 0;
    double meanTokens = 0; // per record, after truncation to max_length
    qint64 truncatedInSample = 0;
    qint64 estimatedTokens = 0; // records x meanTokens
    // The sampled records' token counts in order (after truncation): every record's when
    // sampledRecords == records, which lets the estimate count the run's steps exactly.
    std::vector<int64_t> sampleLengths;
    std::optional<ExampleRecord> firstRecord; // what the Train page's template preview shows
};

// A JSONL training file: reads and checks every record. An empty file is an error.
TrainingDataMeasure measureTrainingData(const QString& trainFile, const QString& modelFolder,
                                        const QString& promptTemplate, const QString& lossOn, qint64 maxLength,
                                        int sampleLimit = 2000);

// One split of a workspace dataset, read from the store without exporting it: the split's count,
// and its first `sampleLimit` examples in the dataset's order (the order an export or a run's
// snapshot writes them in). `db` is this thread's connection (threadConnection()). A dataset that
// does not exist or an empty split is an error naming it.
TrainingDataMeasure measureTrainingData(QSqlDatabase db, qint64 datasetId, Split split, const QString& modelFolder,
                                        const QString& promptTemplate, const QString& lossOn, qint64 maxLength,
                                        int sampleLimit = 2000);

} // namespace ft
