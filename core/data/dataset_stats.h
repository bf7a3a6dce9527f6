#pragma once
// Statistics of a dataset under a model's tokenizer and a template: counts, token lengths and their
// histogram (what the statistics panel draws, with the context cut-off).

#include <map>
#include <vector>

#include <QString>

#include "common/progress.h"
#include "data/example_encoder.h"

namespace ft {

struct Histogram {
    std::vector<double> edges;   // bins + 1 ascending edges
    std::vector<int64_t> counts; // one per bin
};

struct LengthSummary {
    int64_t total = 0;
    double mean = 0;
    int64_t median = 0;
    int64_t p95 = 0;
    int64_t max = 0;
};

struct DatasetStatistics {
    int64_t examples = 0;
    int64_t multiTurn = 0;
    std::map<QString, int64_t> tags;
    std::vector<int64_t> promptTokens;   // per example (template and BOS included)
    std::vector<int64_t> responseTokens; // per example (EOS included)
    LengthSummary prompt, response, combined;
    Histogram combinedHistogram;
    int64_t overMaxLength = 0; // examples longer than maxLength (when > 0)
    bool cancelled = false;
};

DatasetStatistics computeStatistics(const std::vector<ExampleRecord>& examples, const std::vector<QStringList>& tags,
                                    const Tokenizer& tokenizer, const PromptTemplate& promptTemplate, int64_t maxLength,
                                    int histogramBins = 40, const ProgressCallback& progress = {});

} // namespace ft
