#pragma once
// Seeded train/validation/test splits, optionally stratified by tag.

#include <vector>

#include <QString>
#include <QStringList>

namespace ft {

enum class Split { Train, Validation, Test };
QString splitName(Split split); // "train", "val", "test"
bool splitFromName(const QString& name, Split* split);

struct SplitSettings {
    double validationFraction = 0.1;
    double testFraction = 0.0;
    uint64_t seed = 42;
    bool stratifyByTag = false; // keep each tag's proportion in every split (first tag of each example)
};

// One split per example; the same inputs and seed always give the same assignment. `tags` may be
// empty when not stratifying; otherwise it has one entry per example.
std::vector<Split> assignSplits(int64_t count, const std::vector<QStringList>& tags, const SplitSettings& settings);

} // namespace ft
