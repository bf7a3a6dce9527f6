#include "data/generation_scores.h"

#include <algorithm>

#include "common/error.h"
#include "data/text_metrics.h"

namespace ft {

QString evalMetricName(EvalMetric metric)
{
    switch (metric) {
    case EvalMetric::Loss:
        return QStringLiteral("loss");
    case EvalMetric::Bleu:
        return QStringLiteral("bleu");
    case EvalMetric::RougeL:
        return QStringLiteral("rouge-l");
    case EvalMetric::ExactMatch:
        return QStringLiteral("exact-match");
    case EvalMetric::F1:
        return QStringLiteral("f1");
    }
    return {};
}

std::vector<EvalMetric> allEvalMetrics()
{
    return {EvalMetric::Loss, EvalMetric::Bleu, EvalMetric::RougeL, EvalMetric::ExactMatch, EvalMetric::F1};
}

std::optional<EvalMetric> evalMetricFromName(const QString& name)
{
    const QString wanted = name.trimmed().toLower();
    for (EvalMetric metric : allEvalMetrics())
        if (evalMetricName(metric) == wanted)
            return metric;
    // Common spellings.
    if (wanted == QLatin1String("rougel") || wanted == QLatin1String("rouge_l") || wanted == QLatin1String("rouge"))
        return EvalMetric::RougeL;
    if (wanted == QLatin1String("em") || wanted == QLatin1String("exact_match") || wanted == QLatin1String("exact"))
        return EvalMetric::ExactMatch;
    if (wanted == QLatin1String("perplexity"))
        return EvalMetric::Loss;
    return std::nullopt;
}

std::vector<EvalMetric> parseEvalMetrics(const QString& commaSeparated)
{
    std::vector<EvalMetric> metrics;
    for (const QString& part : commaSeparated.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        const auto metric = evalMetricFromName(part);
        if (!metric) {
            QStringList known;
            for (EvalMetric m : allEvalMetrics())
                known << evalMetricName(m);
            throw Error(QStringLiteral("unknown metric \"%1\" (known: %2)")
                            .arg(part.trimmed(), known.join(QStringLiteral(", "))));
        }
        if (std::find(metrics.begin(), metrics.end(), *metric) == metrics.end())
            metrics.push_back(*metric);
    }
    if (metrics.empty())
        throw Error(QStringLiteral("no metric given"));
    return metrics;
}

bool isGenerationMetric(EvalMetric metric) { return metric != EvalMetric::Loss; }

QJsonObject ExampleScores::toJson() const
{
    return {{QStringLiteral("bleu"), bleu},
            {QStringLiteral("rouge-l"), rougeL},
            {QStringLiteral("exact-match"), exactMatch ? 1 : 0},
            {QStringLiteral("f1"), f1}};
}

ExampleScores ExampleScores::fromJson(const QJsonObject& json)
{
    ExampleScores scores;
    scores.bleu = json.value(QStringLiteral("bleu")).toDouble();
    scores.rougeL = json.value(QStringLiteral("rouge-l")).toDouble();
    scores.exactMatch = json.value(QStringLiteral("exact-match")).toDouble() != 0.0;
    scores.f1 = json.value(QStringLiteral("f1")).toDouble();
    return scores;
}

double ExampleScores::value(EvalMetric metric) const
{
    switch (metric) {
    case EvalMetric::Bleu:
        return bleu;
    case EvalMetric::RougeL:
        return rougeL;
    case EvalMetric::ExactMatch:
        return exactMatch ? 1.0 : 0.0;
    case EvalMetric::F1:
        return f1;
    case EvalMetric::Loss:
        return 0.0;
    }
    return 0.0;
}

ExampleScores scoreExample(const QString& output, const QString& reference)
{
    ExampleScores scores;
    scores.bleu = sentenceBleu(output, reference, BleuSmoothing::Method1);
    scores.rougeL = rougeLF1(output, reference);
    scores.exactMatch = exactMatch(output, reference);
    scores.f1 = tokenF1(output, reference);
    return scores;
}

int64_t whitespaceWordCount(const QString& text)
{
    return text.simplified().split(QLatin1Char(' '), Qt::SkipEmptyParts).size();
}

GenerationSummary summarizeGenerations(const std::vector<QString>& outputs, const std::vector<QString>& references,
                                       const std::vector<ExampleScores>& scores,
                                       const std::vector<int64_t>& outputTokens)
{
    if (outputs.size() != references.size() || outputs.size() != scores.size() || outputs.size() != outputTokens.size())
        throw Error(QStringLiteral("summarizeGenerations: %1 outputs, %2 references, %3 scores, %4 lengths")
                        .arg(outputs.size())
                        .arg(references.size())
                        .arg(scores.size())
                        .arg(outputTokens.size()));
    GenerationSummary summary;
    summary.examples = static_cast<int64_t>(outputs.size());
    if (outputs.empty())
        return summary;
    summary.corpusBleu = corpusBleu(outputs, references, BleuSmoothing::None);
    double words = 0.0;
    double tokens = 0.0;
    for (size_t i = 0; i < outputs.size(); ++i) {
        summary.meanRougeL += scores[i].rougeL;
        summary.exactMatchRate += scores[i].exactMatch ? 1.0 : 0.0;
        summary.meanF1 += scores[i].f1;
        words += static_cast<double>(whitespaceWordCount(outputs[i]));
        tokens += static_cast<double>(outputTokens[i]);
    }
    const double n = static_cast<double>(outputs.size());
    summary.meanRougeL /= n;
    summary.exactMatchRate /= n;
    summary.meanF1 /= n;
    summary.meanWords = words / n;
    summary.meanTokens = tokens / n;
    return summary;
}

} // namespace ft
