#include "data/dataset_stats.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace ft {

namespace {

// Nearest-rank percentile: the smallest value with at least p% of the values at or below it.
int64_t percentile(const std::vector<int64_t>& sorted, double p)
{
    if (sorted.empty())
        return 0;
    const auto rank = static_cast<size_t>(std::ceil(p / 100.0 * static_cast<double>(sorted.size())));
    return sorted[std::clamp<size_t>(rank, 1, sorted.size()) - 1];
}

LengthSummary summarize(std::vector<int64_t> values)
{
    LengthSummary s;
    if (values.empty())
        return s;
    std::sort(values.begin(), values.end());
    s.total = std::accumulate(values.begin(), values.end(), int64_t(0));
    s.mean = static_cast<double>(s.total) / static_cast<double>(values.size());
    s.median = percentile(values, 50);
    s.p95 = percentile(values, 95);
    s.max = values.back();
    return s;
}

} // namespace

DatasetStatistics computeStatistics(const std::vector<ExampleRecord>& examples, const std::vector<QStringList>& tags,
                                    const Tokenizer& tokenizer, const PromptTemplate& promptTemplate, int64_t maxLength,
                                    int histogramBins, const ProgressCallback& progress)
{
    DatasetStatistics stats;
    const int64_t count = static_cast<int64_t>(examples.size());
    std::vector<int64_t> combined;
    for (int64_t i = 0; i < count; ++i) {
        if (i % 32 == 0 && !reportProgress(progress, i, count)) {
            stats.cancelled = true;
            break;
        }
        const ExampleRecord& example = examples[i];
        const TokenizedExample encoded = encodeExample(tokenizer, promptTemplate, example, LossOn::Response, 0);
        stats.promptTokens.push_back(encoded.promptTokens);
        stats.responseTokens.push_back(encoded.responseTokens);
        combined.push_back(static_cast<int64_t>(encoded.ids.size()));
        if (maxLength > 0 && combined.back() > maxLength)
            ++stats.overMaxLength;
        if (example.isMultiTurn())
            ++stats.multiTurn;
        if (i < static_cast<int64_t>(tags.size()))
            for (const QString& tag : tags[i])
                ++stats.tags[tag];
        ++stats.examples;
    }
    if (!stats.cancelled)
        reportProgress(progress, count, count);
    stats.prompt = summarize(stats.promptTokens);
    stats.response = summarize(stats.responseTokens);
    stats.combined = summarize(combined);

    // Equal-width bins from 0 to the longest example or the maximum length, whichever is larger, so
    // that the cut-off is inside the plot.
    const int bins = std::max(1, histogramBins);
    const double upper =
        std::max<double>({1.0, static_cast<double>(stats.combined.max), static_cast<double>(maxLength)});
    const double width = upper / bins;
    for (int b = 0; b <= bins; ++b)
        stats.combinedHistogram.edges.push_back(b == bins ? upper : width * b);
    stats.combinedHistogram.counts.assign(static_cast<size_t>(bins), 0);
    for (int64_t length : combined) {
        const int bin = std::min(bins - 1, static_cast<int>(static_cast<double>(length) / width));
        ++stats.combinedHistogram.counts[static_cast<size_t>(bin)];
    }
    return stats;
}

} // namespace ft
