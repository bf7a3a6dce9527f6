#include "data/dedup.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <numeric>
#include <tuple>
#include <unordered_map>
#include <unordered_set>

#include <QHash>

#include "common/error.h"

namespace ft {

namespace {

uint64_t splitMix64(uint64_t x)
{
    x += 0x9E3779B97F4A7C15ULL;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
    return x ^ (x >> 31);
}

uint64_t fnv1a(const QChar* data, qsizetype size, uint64_t hash = 0xCBF29CE484222325ULL)
{
    for (qsizetype i = 0; i < size; ++i) {
        hash ^= data[i].unicode();
        hash *= 0x100000001B3ULL;
    }
    return hash;
}

// The word shingles of a normalised text as sorted, distinct 64-bit hashes. A text shorter than
// `k` words is one shingle of all its words.
std::vector<uint64_t> shingles(QString text, int k)
{
    text.replace(QLatin1Char('\n'), QLatin1Char(' ')); // fields are separated by newlines
    const QList<QStringView> words = QStringView(text).split(QLatin1Char(' '), Qt::SkipEmptyParts);
    std::vector<uint64_t> hashes;
    std::vector<uint64_t> wordHashes;
    wordHashes.reserve(static_cast<size_t>(words.size()));
    for (QStringView word : words)
        wordHashes.push_back(fnv1a(word.data(), word.size()));
    const size_t n = wordHashes.size();
    const size_t width = std::min<size_t>(static_cast<size_t>(k), n);
    for (size_t i = 0; width > 0 && i + width <= n; ++i) {
        uint64_t h = 0x12345678ULL;
        for (size_t j = 0; j < width; ++j)
            h = splitMix64(h ^ wordHashes[i + j]);
        hashes.push_back(h);
    }
    std::sort(hashes.begin(), hashes.end());
    hashes.erase(std::unique(hashes.begin(), hashes.end()), hashes.end());
    return hashes;
}

double jaccard(const std::vector<uint64_t>& a, const std::vector<uint64_t>& b)
{
    if (a.empty() && b.empty())
        return 1.0;
    size_t common = 0;
    for (size_t i = 0, j = 0; i < a.size() && j < b.size();) {
        if (a[i] == b[j]) {
            ++common;
            ++i;
            ++j;
        } else if (a[i] < b[j]) {
            ++i;
        } else {
            ++j;
        }
    }
    return static_cast<double>(common) / static_cast<double>(a.size() + b.size() - common);
}

// Rows per band: the most rows (fewest false candidates) that still make a pair at the threshold a
// candidate with probability >= 0.99, i.e. 1 - (1 - t^r)^b >= 0.99 with b = permutations / r.
int rowsPerBand(int permutations, double threshold)
{
    int best = 1;
    for (int rows = 1; rows <= permutations; ++rows) {
        const int bands = permutations / rows;
        const double p = 1.0 - std::pow(1.0 - std::pow(threshold, rows), bands);
        if (p >= 0.99)
            best = rows;
    }
    return best;
}

struct UnionFind {
    std::vector<int64_t> parent;
    explicit UnionFind(size_t n)
        : parent(n)
    {
        std::iota(parent.begin(), parent.end(), 0);
    }
    int64_t find(int64_t x)
    {
        while (parent[x] != x) {
            parent[x] = parent[parent[x]];
            x = parent[x];
        }
        return x;
    }
    void unite(int64_t a, int64_t b)
    {
        a = find(a);
        b = find(b);
        if (a != b)
            parent[std::max(a, b)] = std::min(a, b);
    }
};

} // namespace

QString normalizedExampleText(const ExampleRecord& example)
{
    QStringList parts{example.system.simplified().toLower(), example.instruction.simplified().toLower(),
                      example.input.simplified().toLower(), example.response.simplified().toLower()};
    if (example.isPreferencePair()) // two pairs differing only in the rejected answer are not duplicates
        parts << example.rejected.simplified().toLower();
    for (const ChatTurn& turn : example.turns)
        parts << turn.content.simplified().toLower();
    return parts.join(QLatin1Char('\n'));
}

std::vector<DuplicateGroup> findDuplicates(const std::vector<ExampleRecord>& examples, const DedupSettings& settings,
                                           const ProgressCallback& progress)
{
    if (settings.threshold <= 0.0 || settings.threshold > 1.0)
        throw Error(QStringLiteral("the near-duplicate threshold must be in (0, 1], not %1").arg(settings.threshold));
    if (settings.shingleWords < 1 || settings.permutations < 1)
        throw Error(QStringLiteral("shingle width and MinHash permutations must be at least 1"));
    const int64_t count = static_cast<int64_t>(examples.size());
    // Work: one step per example for normalising, one more per example for its signature.
    const int64_t totalWork = settings.nearDuplicates ? 2 * count : count;

    // 1. Exact duplicates: equal normalised text. Representatives are each text's first example.
    std::vector<QString> texts(examples.size());
    QHash<QString, int64_t> firstWithText;
    std::vector<int64_t> representativeOf(examples.size());
    UnionFind groups(examples.size());
    for (int64_t i = 0; i < count; ++i) {
        texts[i] = normalizedExampleText(examples[i]);
        const auto it = firstWithText.constFind(texts[i]);
        if (it == firstWithText.constEnd()) {
            firstWithText.insert(texts[i], i);
            representativeOf[i] = i;
        } else {
            representativeOf[i] = *it;
            groups.unite(*it, i);
        }
        if (i % 256 == 0 && !reportProgress(progress, i, totalWork))
            return {};
    }

    // 2. Near duplicates among representatives: MinHash signatures, LSH buckets, Jaccard check.
    std::vector<std::vector<uint64_t>> shingleSets(examples.size());
    std::vector<std::tuple<int64_t, int64_t, double>> nearPairs;
    if (settings.nearDuplicates) {
        const int permutations = settings.permutations;
        std::vector<uint64_t> seeds(static_cast<size_t>(permutations));
        for (int p = 0; p < permutations; ++p)
            seeds[p] = splitMix64(settings.seed * 0x9E3779B97F4A7C15ULL + static_cast<uint64_t>(p));
        const int rows = rowsPerBand(permutations, settings.threshold);
        const int bands = permutations / rows;
        std::unordered_map<uint64_t, std::vector<int64_t>> buckets;
        std::vector<uint64_t> signature(static_cast<size_t>(permutations));
        for (int64_t i = 0; i < count; ++i) {
            if (i % 256 == 0 && !reportProgress(progress, count + i, totalWork))
                return {};
            if (representativeOf[i] != i)
                continue;
            shingleSets[i] = shingles(texts[i], settings.shingleWords);
            if (shingleSets[i].empty())
                continue; // an empty example is only ever an exact duplicate
            std::fill(signature.begin(), signature.end(), std::numeric_limits<uint64_t>::max());
            for (uint64_t shingle : shingleSets[i])
                for (int p = 0; p < permutations; ++p)
                    signature[p] = std::min(signature[p], splitMix64(shingle ^ seeds[p]));
            for (int band = 0; band < bands; ++band) {
                uint64_t key = splitMix64(static_cast<uint64_t>(band) + 0xB5ULL);
                for (int r = 0; r < rows; ++r)
                    key = splitMix64(key ^ signature[band * rows + r]);
                buckets[key].push_back(i);
            }
        }
        std::unordered_set<uint64_t> tried;
        for (const auto& [key, members] : buckets) {
            for (size_t a = 0; a < members.size(); ++a) {
                for (size_t b = a + 1; b < members.size(); ++b) {
                    const int64_t i = members[a];
                    const int64_t j = members[b];
                    if (!tried
                             .insert(static_cast<uint64_t>(i) * static_cast<uint64_t>(count) + static_cast<uint64_t>(j))
                             .second)
                        continue;
                    const double similarity = jaccard(shingleSets[i], shingleSets[j]);
                    if (similarity >= settings.threshold) {
                        nearPairs.emplace_back(i, j, similarity);
                        groups.unite(i, j);
                    }
                }
            }
        }
    }
    reportProgress(progress, totalWork, totalWork);

    // 3. Groups: connected examples, ascending; exact when they all share one text.
    std::map<int64_t, DuplicateGroup> byRoot;
    for (int64_t i = 0; i < count; ++i)
        byRoot[groups.find(i)].indices.push_back(i);
    std::vector<DuplicateGroup> result;
    for (auto& [root, group] : byRoot) {
        if (group.indices.size() < 2)
            continue;
        const int64_t rootRepresentative = representativeOf[root];
        group.exact = std::all_of(group.indices.begin(), group.indices.end(),
                                  [&](int64_t i) { return representativeOf[i] == rootRepresentative; });
        group.similarity = 1.0;
        if (!group.exact) {
            // The lowest similarity between any two distinct texts of the group (for a very large
            // group, the lowest of the verified pairs that joined it).
            std::vector<int64_t> reps;
            for (int64_t i : group.indices)
                if (representativeOf[i] == i)
                    reps.push_back(i);
            if (reps.size() <= 200) {
                for (size_t a = 0; a < reps.size(); ++a)
                    for (size_t b = a + 1; b < reps.size(); ++b)
                        group.similarity =
                            std::min(group.similarity, jaccard(shingleSets[reps[a]], shingleSets[reps[b]]));
            } else {
                for (const auto& [i, j, similarity] : nearPairs)
                    if (groups.find(i) == root)
                        group.similarity = std::min(group.similarity, similarity);
            }
        }
        result.push_back(std::move(group));
    }
    return result;
}

} // namespace ft
