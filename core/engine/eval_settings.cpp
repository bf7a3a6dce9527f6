#include "engine/eval_settings.h"

#include <algorithm>

#include <QCryptographicHash>
#include <QJsonArray>
#include <QJsonDocument>

#include "common/error.h"
#include "data/example_encoder.h"
#include "data/prompt_template.h"

namespace ft {

SamplingOptions EvalSettings::defaultSampling()
{
    SamplingOptions sampling;
    sampling.greedy = true;
    sampling.maxNewTokens = 128;
    sampling.seed = 0;
    sampling.stopAtEos = true;
    return sampling;
}

EvalSettings EvalSettings::fromRunConfig(const TrainConfig& config)
{
    EvalSettings settings;
    settings.promptTemplate = config.promptTemplate;
    settings.templateModelFolder = config.model;
    settings.lossOn = config.lossOn;
    settings.maxLength = config.maxLength;
    settings.packing = config.packing;
    settings.batchSize = config.batchSize;
    return settings;
}

bool EvalSettings::wants(EvalMetric metric) const
{
    return std::find(metrics.begin(), metrics.end(), metric) != metrics.end();
}

bool EvalSettings::wantsGeneration() const { return std::any_of(metrics.begin(), metrics.end(), isGenerationMetric); }

QJsonObject EvalSettings::keyJson() const
{
    const bool greedy = sampling.greedy || sampling.temperature <= 0.0;
    QJsonObject generation{{QStringLiteral("greedy"), greedy},
                           {QStringLiteral("max_new_tokens"), sampling.maxNewTokens},
                           {QStringLiteral("stop_at_eos"), sampling.stopAtEos}};
    if (!greedy) {
        generation[QStringLiteral("temperature")] = sampling.temperature;
        generation[QStringLiteral("top_k")] = sampling.topK;
        generation[QStringLiteral("top_p")] = sampling.topP;
        generation[QStringLiteral("seed")] = static_cast<qint64>(sampling.seed);
    }
    return {{QStringLiteral("template"), promptTemplate},
            {QStringLiteral("loss_on"), lossOn},
            {QStringLiteral("max_length"), static_cast<qint64>(maxLength)},
            {QStringLiteral("generation"), generation}};
}

QString EvalSettings::key() const
{
    const QByteArray text = QJsonDocument(keyJson()).toJson(QJsonDocument::Compact);
    return QString::fromLatin1(QCryptographicHash::hash(text, QCryptographicHash::Sha256).toHex());
}

QJsonObject EvalSettings::toJson() const
{
    QJsonObject json = keyJson();
    QJsonArray names;
    for (EvalMetric metric : metrics)
        names.append(evalMetricName(metric));
    json[QStringLiteral("metrics")] = names;
    json[QStringLiteral("batch_size")] = static_cast<qint64>(batchSize);
    json[QStringLiteral("packing")] = packing;
    return json;
}

void EvalSettings::validate() const
{
    PromptTemplate::validateName(promptTemplate); // throws for an unknown name or a bad custom template
    lossOnFromName(lossOn);
    if (maxLength < 2)
        throw Error(QStringLiteral("evaluation: max_length must be at least 2, not %1").arg(maxLength));
    if (batchSize < 1)
        throw Error(QStringLiteral("evaluation: batch size must be at least 1, not %1").arg(batchSize));
    if (sampling.maxNewTokens < 1)
        throw Error(
            QStringLiteral("evaluation: the token limit must be at least 1, not %1").arg(sampling.maxNewTokens));
    if (metrics.empty())
        throw Error(QStringLiteral("evaluation: no metric to compute"));
}

} // namespace ft
