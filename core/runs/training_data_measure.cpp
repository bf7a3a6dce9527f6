#include "runs/training_data_measure.h"

#include <cmath>

#include "common/error.h"
#include "data/example_encoder.h"
#include "data/jsonl_records.h"
#include "modelio/model_folder.h"
#include "modelio/tokenizer.h"

namespace ft {

TrainingDataMeasure measureTrainingData(const QString& trainFile, const QString& modelFolder, const QString& promptTemplate,
                                        const QString& lossOn, qint64 maxLength, int sampleLimit)
{
    TrainingDataMeasure measure;
    try {
        const ModelFolder folder = ModelFolder::inspect(modelFolder);
        const auto tokenizer = Tokenizer::fromModelFolder(modelFolder, &folder.config);
        const PromptTemplate format = PromptTemplate::resolve(promptTemplate);
        const LossOn on = lossOnFromName(lossOn);
        qint64 tokens = 0;
        readJsonlRecords(trainFile, [&](NumberedRecord&& numbered) {
            ++measure.records;
            if (measure.sampledRecords >= sampleLimit)
                return;
            const TokenizedExample example = encodeExample(*tokenizer, format, numbered.record, on, maxLength);
            tokens += static_cast<qint64>(example.ids.size());
            measure.truncatedInSample += example.truncated ? 1 : 0;
            ++measure.sampledRecords;
        });
        if (measure.sampledRecords > 0)
            measure.meanTokens = static_cast<double>(tokens) / static_cast<double>(measure.sampledRecords);
        measure.estimatedTokens = static_cast<qint64>(std::llround(measure.meanTokens * static_cast<double>(measure.records)));
        measure.ok = measure.records > 0;
        if (!measure.ok)
            measure.error = QStringLiteral("%1 holds no examples").arg(trainFile);
    } catch (const Error& error) {
        measure.error = error.message();
    } catch (const std::exception& error) {
        measure.error = QString::fromUtf8(error.what());
    }
    return measure;
}

} // namespace ft
