#pragma once
// The side-by-side table of evaluations: one row per example (prompt, reference, each column's output
// and scores), examples matched by their record key, sorted by index, by score difference (the
// examples that improved or regressed most first) or by score. What `ftstudio-cli eval compare`, the
// report and the studio's per-example view show.

#include <optional>
#include <vector>

#include <QString>

#include "store/evaluation_store.h"

namespace ft {

enum class ComparisonSort {
    Index,      // the first column's example order
    Difference, // largest |score difference from the reference column| first
    Score,      // the last column's score, highest first
};
std::optional<ComparisonSort> comparisonSortFromName(const QString& name); // "index", "diff", "score"

struct ComparisonColumn {
    StoredEvaluation evaluation;
    QString label; // "base", "#3 lora-r8 (best)", ...
    std::vector<EvaluationOutput> outputs;
};

struct ComparisonRow {
    qint64 index = 0; // in the first column's evaluation
    QString key;
    QString prompt;
    QString reference;
    std::vector<std::optional<EvaluationOutput>> outputs; // one per column (empty where a column lacks the example)
    // Of the columns after the reference column, the score difference (column - reference) with the
    // largest magnitude; 0 when no other column has the example.
    double difference = 0.0;
};

struct Comparison {
    QString metric; // the per-example score compared: "rouge-l", "bleu", "f1", "exact-match"
    std::vector<ComparisonColumn> columns;
    std::vector<ComparisonRow> rows;
    qint64 unmatched = 0; // examples of later columns that the first column does not have
};

// `columns[0]` is the reference (the base model, or the first run). Examples are matched by record key
// (the n-th occurrence of a key with the n-th), so evaluations of differently ordered or limited
// sets still line up.
Comparison compareEvaluations(std::vector<ComparisonColumn> columns, const QString& metric, ComparisonSort sort);

} // namespace ft
