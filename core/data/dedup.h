#pragma once
// Finding duplicate examples: exact ones (after normalising case and whitespace) and near-duplicates
// (MinHash over word shingles with locality-sensitive hashing, verified by Jaccard similarity). The
// groups are shown to the user before anything is removed.

#include <vector>

#include <QString>

#include "common/progress.h"
#include "data/example_record.h"

namespace ft {

struct DedupSettings {
    bool nearDuplicates = true;
    double threshold = 0.8; // Jaccard similarity of word shingles at or above which two examples are near-duplicates
    int shingleWords = 2;   // words per shingle: 2 suits instruction data, where one changed word in a short
                            // prompt must not push a near copy below the threshold
    int permutations = 128; // MinHash signature length
    uint64_t seed = 1;
};

struct DuplicateGroup {
    std::vector<int64_t> indices; // ascending; the first is the one kept by default
    bool exact = false;
    double similarity = 1.0; // lowest pairwise estimate in the group
};

// The text an example is compared by: all its fields, lower-cased, whitespace collapsed.
QString normalizedExampleText(const ExampleRecord& example);

// Groups in ascending order of their first index; every example is in at most one group. Empty when
// `progress` asked to stop.
std::vector<DuplicateGroup> findDuplicates(const std::vector<ExampleRecord>& examples, const DedupSettings& settings,
                                           const ProgressCallback& progress = {});

} // namespace ft
