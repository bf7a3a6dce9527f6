#pragma once
// Scoring generated answers against references: the per-example scores an evaluation keeps for
// every example, and the set's summary (corpus BLEU-4, mean ROUGE-L F1, exact-match rate, mean token
// F1, mean response length). The metrics themselves are text_metrics.h (see docs/metrics.md).

#include <cstdint>
#include <optional>
#include <vector>

#include <QJsonObject>
#include <QString>
#include <QStringList>

namespace ft {

// The metrics an evaluation can compute. Loss (teacher-forced) brings perplexity with it; every
// generation metric brings the response lengths.
enum class EvalMetric { Loss, Bleu, RougeL, ExactMatch, F1 };
QString evalMetricName(EvalMetric metric); // "loss", "bleu", "rouge-l", "exact-match", "f1"
std::optional<EvalMetric> evalMetricFromName(const QString& name);
std::vector<EvalMetric> allEvalMetrics();
// "loss,bleu,rouge-l" -> metrics; throws ft::Error naming an unknown one.
std::vector<EvalMetric> parseEvalMetrics(const QString& commaSeparated);
bool isGenerationMetric(EvalMetric metric); // everything but loss

// One example's scores: sentence BLEU (NLTK method1 smoothing, whitespace tokens), ROUGE-L F1,
// exact match (SQuAD-normalised) and token F1.
struct ExampleScores {
    double bleu = 0.0;
    double rougeL = 0.0;
    bool exactMatch = false;
    double f1 = 0.0;

    // {"bleu", "rouge-l", "exact-match" (0 or 1), "f1"}: the names the store and the event stream use.
    QJsonObject toJson() const;
    static ExampleScores fromJson(const QJsonObject& json);
    // The score of one metric (exact match as 0/1); 0 for loss.
    double value(EvalMetric metric) const;
};

ExampleScores scoreExample(const QString& output, const QString& reference);

// Summary of a set of generations.
struct GenerationSummary {
    int64_t examples = 0;
    double corpusBleu = 0.0; // NLTK corpus_bleu, BLEU-4, no smoothing, whitespace tokens
    double meanRougeL = 0.0;
    double exactMatchRate = 0.0; // share of examples that match exactly
    double meanF1 = 0.0;
    double meanWords = 0.0;  // whitespace words per generated response
    double meanTokens = 0.0; // generated tokens per response
};

GenerationSummary summarizeGenerations(const std::vector<QString>& outputs, const std::vector<QString>& references,
                                       const std::vector<ExampleScores>& scores,
                                       const std::vector<int64_t>& outputTokens);

int64_t whitespaceWordCount(const QString& text);

} // namespace ft
