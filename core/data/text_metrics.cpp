#include "data/text_metrics.h"

#include <cmath>
#include <limits>

#include <QHash>
#include <QRegularExpression>

#include "common/error.h"

namespace ft {

namespace {

constexpr int kMaxOrder = 4;
constexpr double kEpsilon = 0.1; // NLTK SmoothingFunction(epsilon=0.1).method1

// Python's str.split(): runs of (Unicode) whitespace separate tokens.
QStringList whitespaceTokens(const QString& text)
{
    return text.simplified().split(QLatin1Char(' '), Qt::SkipEmptyParts);
}

// n-gram counts; an n-gram is its tokens joined by U+001F, which whitespace tokens cannot contain.
QHash<QString, int> ngramCounts(const QStringList& tokens, int n)
{
    QHash<QString, int> counts;
    for (qsizetype i = 0; i + n <= tokens.size(); ++i) {
        QString key = tokens[i];
        for (int k = 1; k < n; ++k)
            key += QChar(0x1F) + tokens[i + k];
        ++counts[key];
    }
    return counts;
}

// NLTK modified_precision for one reference: hypothesis n-gram counts clipped by the reference's,
// over the number of hypothesis n-grams (at least 1).
void modifiedPrecision(const QStringList& hypothesis, const QStringList& reference, int n, int64_t* numerator,
                       int64_t* denominator)
{
    const QHash<QString, int> hyp = ngramCounts(hypothesis, n);
    const QHash<QString, int> ref = ngramCounts(reference, n);
    int64_t clipped = 0;
    int64_t total = 0;
    for (auto it = hyp.constBegin(); it != hyp.constEnd(); ++it) {
        clipped += std::min(it.value(), ref.value(it.key(), 0));
        total += it.value();
    }
    *numerator += clipped;
    *denominator += std::max<int64_t>(1, total);
}

double brevityPenalty(int64_t referenceLength, int64_t hypothesisLength)
{
    if (hypothesisLength > referenceLength)
        return 1.0;
    if (hypothesisLength == 0)
        return 0.0;
    return std::exp(1.0 - static_cast<double>(referenceLength) / static_cast<double>(hypothesisLength));
}

} // namespace

double corpusBleu(const std::vector<QString>& hypotheses, const std::vector<QString>& references,
                  BleuSmoothing smoothing)
{
    if (hypotheses.size() != references.size())
        throw Error(
            QStringLiteral("BLEU: %1 hypotheses but %2 references").arg(hypotheses.size()).arg(references.size()));
    int64_t numerators[kMaxOrder + 1] = {};
    int64_t denominators[kMaxOrder + 1] = {};
    int64_t hypothesisLength = 0;
    int64_t referenceLength = 0;
    for (size_t i = 0; i < hypotheses.size(); ++i) {
        const QStringList hyp = whitespaceTokens(hypotheses[i]);
        const QStringList ref = whitespaceTokens(references[i]);
        for (int n = 1; n <= kMaxOrder; ++n)
            modifiedPrecision(hyp, ref, n, &numerators[n], &denominators[n]);
        hypothesisLength += hyp.size();
        referenceLength += ref.size(); // the closest reference length, with one reference per hypothesis
    }
    if (numerators[1] == 0)
        return 0.0; // no unigram matches at all: NLTK returns 0 before smoothing
    const double bp = brevityPenalty(referenceLength, hypothesisLength);
    double logSum = 0.0;
    for (int n = 1; n <= kMaxOrder; ++n) {
        double precision;
        if (numerators[n] != 0)
            precision = static_cast<double>(numerators[n]) / static_cast<double>(denominators[n]);
        else if (smoothing == BleuSmoothing::Method1)
            precision = kEpsilon / static_cast<double>(denominators[n]);
        else
            precision = std::numeric_limits<double>::min(); // NLTK method0: sys.float_info.min
        logSum += std::log(precision) / kMaxOrder;
    }
    return bp * std::exp(logSum);
}

double sentenceBleu(const QString& hypothesis, const QString& reference, BleuSmoothing smoothing)
{
    return corpusBleu({hypothesis}, {reference}, smoothing);
}

QStringList rougeTokens(const QString& text)
{
    static const QRegularExpression separators(QStringLiteral("[^a-z0-9]+"));
    return text.toLower().split(separators, Qt::SkipEmptyParts);
}

double rougeLF1(const QString& hypothesis, const QString& reference)
{
    const QStringList hyp = rougeTokens(hypothesis);
    const QStringList ref = rougeTokens(reference);
    if (hyp.isEmpty() || ref.isEmpty())
        return 0.0;
    // Longest common subsequence, one row at a time.
    std::vector<int> previous(static_cast<size_t>(hyp.size()) + 1, 0);
    std::vector<int> current(previous.size(), 0);
    for (const QString& r : ref) {
        for (qsizetype j = 1; j <= hyp.size(); ++j)
            current[j] = r == hyp[j - 1] ? previous[j - 1] + 1 : std::max(previous[j], current[j - 1]);
        std::swap(previous, current);
    }
    const double lcs = previous.back();
    const double precision = lcs / static_cast<double>(hyp.size());
    const double recall = lcs / static_cast<double>(ref.size());
    return precision + recall > 0 ? 2.0 * precision * recall / (precision + recall) : 0.0;
}

QString squadNormalize(const QString& text)
{
    static const QRegularExpression articles(QStringLiteral("\\b(a|an|the)\\b"),
                                             QRegularExpression::UseUnicodePropertiesOption);
    static const QString punctuation = QStringLiteral("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~");
    QString s = text.toLower();
    s.removeIf([](QChar c) { return punctuation.contains(c); });
    s.replace(articles, QStringLiteral(" "));
    return whitespaceTokens(s).join(QLatin1Char(' '));
}

bool exactMatch(const QString& hypothesis, const QString& reference)
{
    return squadNormalize(hypothesis) == squadNormalize(reference);
}

double tokenF1(const QString& hypothesis, const QString& reference)
{
    const QStringList hyp = whitespaceTokens(squadNormalize(hypothesis));
    const QStringList ref = whitespaceTokens(squadNormalize(reference));
    if (hyp.isEmpty() || ref.isEmpty())
        return hyp.isEmpty() && ref.isEmpty() ? 1.0 : 0.0; // SQuAD 2.0: no answer matches only no answer
    QHash<QString, int> refCounts;
    for (const QString& token : ref)
        ++refCounts[token];
    int common = 0;
    for (const QString& token : hyp) {
        auto it = refCounts.find(token);
        if (it != refCounts.end() && it.value() > 0) {
            --it.value();
            ++common;
        }
    }
    if (common == 0)
        return 0.0;
    const double precision = static_cast<double>(common) / static_cast<double>(hyp.size());
    const double recall = static_cast<double>(common) / static_cast<double>(ref.size());
    return 2.0 * precision * recall / (precision + recall);
}

} // namespace ft
