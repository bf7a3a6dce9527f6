#include "engine/training_data.h"

#include <algorithm>
#include <numeric>
#include <random>

#include <QDir>
#include <QJsonDocument>
#include <QJsonObject>

#include "common/atomic_write.h"
#include "common/error.h"
#include "common/json_file.h"
#include "contract/epoch_plan.h"
#include "data/jsonl_records.h"

namespace ft {

namespace {

std::vector<ExampleRecord> readAll(const QString& path)
{
    std::vector<ExampleRecord> records;
    readJsonlRecords(path, [&](NumberedRecord&& numbered) { records.push_back(std::move(numbered.record)); });
    if (records.empty())
        throw Error(QStringLiteral("%1: no examples in this file").arg(path));
    return records;
}

} // namespace

TrainingRecords readTrainingRecords(const TrainConfig& config)
{
    TrainingRecords records;
    records.train = readAll(config.trainFile);
    if (!config.valFile.isEmpty()) {
        records.val = readAll(config.valFile);
        return records;
    }
    const auto count = static_cast<int64_t>(records.train.size());
    // A seeded permutation decides which examples validate (the rule the studio's estimate uses too);
    // both sets keep the file's order.
    const std::vector<bool> isVal = sharedValidationMask(count, config.valFraction, config.seed);
    if (isVal.empty())
        return records;
    std::vector<ExampleRecord> train;
    for (int64_t i = 0; i < count; ++i)
        (isVal[static_cast<size_t>(i)] ? records.val : train)
            .push_back(std::move(records.train[static_cast<size_t>(i)]));
    records.train = std::move(train);
    return records;
}

void freezeTrainingRecords(const TrainingRecords& records, const QString& runDir)
{
    const QDir data(QDir(runDir).filePath(QStringLiteral("data")));
    if (!QDir().mkpath(data.path()))
        throw Error(QStringLiteral("%1: cannot create folder").arg(data.path()));
    const QString trainSha = writeJsonlRecords(data.filePath(QStringLiteral("train.jsonl")), records.train);
    const QString valSha = writeJsonlRecords(data.filePath(QStringLiteral("val.jsonl")), records.val);
    const QJsonObject manifest{
        {QStringLiteral("train"), QJsonObject{{QStringLiteral("file"), QStringLiteral("train.jsonl")},
                                              {QStringLiteral("records"), static_cast<qint64>(records.train.size())},
                                              {QStringLiteral("sha256"), trainSha}}},
        {QStringLiteral("val"), QJsonObject{{QStringLiteral("file"), QStringLiteral("val.jsonl")},
                                            {QStringLiteral("records"), static_cast<qint64>(records.val.size())},
                                            {QStringLiteral("sha256"), valSha}}}};
    writeFileAtomically(data.filePath(QStringLiteral("manifest.json")), QJsonDocument(manifest).toJson());
}

TrainingRecords readFrozenRecords(const QString& runDir)
{
    const QDir data(QDir(runDir).filePath(QStringLiteral("data")));
    const QJsonObject manifest = readJsonObjectFile(data.filePath(QStringLiteral("manifest.json")));
    TrainingRecords records;
    for (const char* split : {"train", "val"}) {
        const QJsonObject entry = manifest.value(QLatin1String(split)).toObject();
        const QString path = data.filePath(QStringLiteral("%1.jsonl").arg(QLatin1String(split)));
        // The snapshot must be the one the run started with: a changed file would break exact resume.
        const QString sha = fileSha256(path);
        if (sha != entry.value(QStringLiteral("sha256")).toString())
            throw Error(
                QStringLiteral("%1: its SHA-256 differs from data/manifest.json; the frozen training data was modified")
                    .arg(path));
        std::vector<ExampleRecord>& out = QLatin1String(split) == QLatin1String("train") ? records.train : records.val;
        readJsonlRecords(path, [&](NumberedRecord&& numbered) { out.push_back(std::move(numbered.record)); });
    }
    return records;
}

TokenizedSet tokenizeRecords(const std::vector<ExampleRecord>& records, const Tokenizer& tokenizer,
                             const PromptTemplate& promptTemplate, LossOn lossOn, int64_t maxLength)
{
    TokenizedSet set;
    set.examples.reserve(records.size());
    for (const ExampleRecord& record : records) {
        TokenizedExample example = encodeExample(tokenizer, promptTemplate, record, lossOn, maxLength);
        set.truncated += example.truncated ? 1 : 0;
        set.tokens += static_cast<int64_t>(example.ids.size());
        set.targets += example.targetCount();
        set.examples.push_back(std::move(example));
    }
    return set;
}

} // namespace ft
