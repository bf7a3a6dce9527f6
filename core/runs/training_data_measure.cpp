#include "runs/training_data_measure.h"
#include "chat/model_prompt_template.h"

#include <algorithm>
#include <cmath>
#include <functional>

#include <QSqlDatabase>

#include "common/error.h"
#include "data/example_encoder.h"
#include "data/jsonl_records.h"
#include "modelio/model_folder.h"
#include "modelio/tokenizer.h"
#include "store/database.h"
#include "store/dataset_store.h"
#include "store/example_store.h"

namespace ft {

namespace {

// Hands records to `sample` (at least the first sampleLimit of them, in order; more are ignored)
// and returns how many records the data holds in all. Throws ft::Error, also when there are none.
using RecordReader = std::function<qint64(const std::function<void(const ExampleRecord&)>& sample)>;

// What both sources share: the model's tokenizer and the template, the sample tokenized under them,
// and its mean scaled up to every record.
TrainingDataMeasure measureRecords(const QString& modelFolder, const QString& promptTemplate, const QString& lossOn,
                                   qint64 maxLength, int sampleLimit, const RecordReader& read)
{
    TrainingDataMeasure measure;
    try {
        const ModelFolder folder = ModelFolder::inspect(modelFolder);
        const auto tokenizer = Tokenizer::fromModelFolder(modelFolder, &folder.config);
        const PromptTemplate format = resolvePromptTemplate(promptTemplate, modelFolder);
        const LossOn on = lossOnFromName(lossOn);
        qint64 tokens = 0;
        measure.records = read([&](const ExampleRecord& record) {
            if (measure.sampledRecords >= sampleLimit)
                return;
            if (!measure.firstRecord)
                measure.firstRecord = record;
            const TokenizedExample example = encodeExample(*tokenizer, format, record, on, maxLength);
            tokens += static_cast<qint64>(example.ids.size());
            measure.sampleLengths.push_back(static_cast<int64_t>(example.ids.size()));
            measure.truncatedInSample += example.truncated ? 1 : 0;
            ++measure.sampledRecords;
        });
        if (measure.sampledRecords > 0)
            measure.meanTokens = static_cast<double>(tokens) / static_cast<double>(measure.sampledRecords);
        measure.estimatedTokens =
            static_cast<qint64>(std::llround(measure.meanTokens * static_cast<double>(measure.records)));
        measure.ok = true;
    } catch (const Error& error) {
        measure.error = error.message();
    } catch (const std::exception& error) {
        measure.error = QString::fromUtf8(error.what());
    }
    return measure;
}

} // namespace

TrainingDataMeasure measureTrainingData(const QString& trainFile, const QString& modelFolder,
                                        const QString& promptTemplate, const QString& lossOn, qint64 maxLength,
                                        int sampleLimit)
{
    return measureRecords(modelFolder, promptTemplate, lossOn, maxLength, sampleLimit, [&](const auto& sample) {
        qint64 records = 0;
        readJsonlRecords(trainFile, [&](NumberedRecord&& numbered) {
            ++records;
            sample(numbered.record);
        });
        if (records == 0)
            throw Error(QStringLiteral("%1 holds no examples").arg(trainFile));
        return records;
    });
}

TrainingDataMeasure measureTrainingData(QSqlDatabase db, qint64 datasetId, Split split, const QString& modelFolder,
                                        const QString& promptTemplate, const QString& lossOn, qint64 maxLength,
                                        int sampleLimit)
{
    return measureRecords(modelFolder, promptTemplate, lossOn, maxLength, sampleLimit, [&](const auto& sample) {
        ReadSnapshot consistent(db); // the count and the sample from one version of the dataset
        const auto dataset = DatasetStore(db).find(datasetId);
        if (!dataset)
            throw Error(QStringLiteral("dataset %1 does not exist (measuring its %2 split)")
                            .arg(datasetId)
                            .arg(splitName(split)));
        ExampleStore examples(db);
        ExampleFilter filter;
        filter.split = split;
        const qint64 records = examples.count(datasetId, filter);
        if (records == 0)
            throw Error(
                QStringLiteral("dataset \"%1\" has no examples in the %2 split").arg(dataset->name, splitName(split)));
        for (const StoredExample& stored : examples.examples(datasetId, filter, {}, 0, std::max(0, sampleLimit)))
            sample(stored.record);
        return records;
    });
}

} // namespace ft
