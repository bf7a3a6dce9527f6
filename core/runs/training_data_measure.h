#pragma once
// How many tokens a training file makes under a model's tokenizer and a template: the input of the
// time estimate. Reads and checks every record; tokenizes the first `sampleLimit` of them and scales
// up. Slow for big files: call it from a worker thread.

#include <QString>

namespace ft {

struct TrainingDataMeasure {
    bool ok = false;
    QString error;            // the first bad record, an unreadable tokenizer, ...
    qint64 records = 0;
    qint64 sampledRecords = 0;
    double meanTokens = 0;    // per record, after truncation to max_length
    qint64 truncatedInSample = 0;
    qint64 estimatedTokens = 0; // records x meanTokens
};

TrainingDataMeasure measureTrainingData(const QString& trainFile, const QString& modelFolder, const QString& promptTemplate,
                                        const QString& lossOn, qint64 maxLength, int sampleLimit = 2000);

} // namespace ft
