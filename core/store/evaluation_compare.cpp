#include "store/evaluation_compare.h"

#include <algorithm>
#include <cmath>
#include <map>

namespace ft {

std::optional<ComparisonSort> comparisonSortFromName(const QString& name)
{
    const QString lower = name.trimmed().toLower();
    if (lower == QLatin1String("index"))
        return ComparisonSort::Index;
    if (lower == QLatin1String("diff") || lower == QLatin1String("difference"))
        return ComparisonSort::Difference;
    if (lower == QLatin1String("score"))
        return ComparisonSort::Score;
    return std::nullopt;
}

namespace {

// key -> positions of that key's outputs, in order (a set may hold the same example twice).
std::map<QString, std::vector<size_t>> positionsByKey(const std::vector<EvaluationOutput>& outputs)
{
    std::map<QString, std::vector<size_t>> positions;
    for (size_t i = 0; i < outputs.size(); ++i)
        positions[outputs[i].key].push_back(i);
    return positions;
}

} // namespace

Comparison compareEvaluations(std::vector<ComparisonColumn> columns, const QString& metric, ComparisonSort sort)
{
    Comparison comparison;
    comparison.metric = metric;
    if (columns.empty())
        return comparison;
    std::vector<std::map<QString, std::vector<size_t>>> byKey;
    for (const ComparisonColumn& column : columns)
        byKey.push_back(positionsByKey(column.outputs));
    std::vector<size_t> matched(columns.size(), 0);

    std::map<QString, size_t> seen; // occurrences of each key in the first column so far
    for (const EvaluationOutput& first : columns[0].outputs) {
        ComparisonRow row;
        row.index = first.example;
        row.key = first.key;
        row.prompt = first.prompt;
        row.reference = first.reference;
        const size_t occurrence = seen[first.key]++;
        double best = 0.0;
        for (size_t c = 0; c < columns.size(); ++c) {
            const auto it = byKey[c].find(first.key);
            if (it == byKey[c].end() || occurrence >= it->second.size()) {
                row.outputs.emplace_back();
                continue;
            }
            const EvaluationOutput& output = columns[c].outputs[it->second[occurrence]];
            row.outputs.emplace_back(output);
            ++matched[c];
            if (c > 0) {
                const double difference = output.score(metric) - first.score(metric);
                if (std::fabs(difference) > std::fabs(best))
                    best = difference;
            }
        }
        row.difference = best;
        comparison.rows.push_back(std::move(row));
    }
    for (size_t c = 1; c < columns.size(); ++c)
        comparison.unmatched += static_cast<qint64>(columns[c].outputs.size() - matched[c]);

    auto lastScore = [&](const ComparisonRow& row) {
        const auto& last = row.outputs.back();
        return last ? last->score(metric) : -1.0;
    };
    switch (sort) {
    case ComparisonSort::Index:
        break;
    case ComparisonSort::Difference:
        std::stable_sort(comparison.rows.begin(), comparison.rows.end(),
                         [](const ComparisonRow& a, const ComparisonRow& b) {
                             return std::fabs(a.difference) > std::fabs(b.difference);
                         });
        break;
    case ComparisonSort::Score:
        std::stable_sort(comparison.rows.begin(), comparison.rows.end(),
                         [&](const ComparisonRow& a, const ComparisonRow& b) { return lastScore(a) > lastScore(b); });
        break;
    }
    comparison.columns = std::move(columns);
    return comparison;
}

} // namespace ft
