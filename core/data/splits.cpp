#include "data/splits.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>

#include "common/error.h"

namespace ft {

namespace {

// A small, fully specified generator (std::shuffle and std::uniform_int_distribution differ between
// standard libraries, and a split must not change with the compiler).
class SplitRandom {
public:
    explicit SplitRandom(uint64_t seed)
        : m_state(seed)
    {
    }
    uint64_t next()
    {
        uint64_t z = (m_state += 0x9E3779B97F4A7C15ULL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        return z ^ (z >> 31);
    }
    uint64_t below(uint64_t bound) // uniform in [0, bound), without modulo bias
    {
        const uint64_t limit = UINT64_MAX - UINT64_MAX % bound;
        uint64_t value;
        do {
            value = next();
        } while (value >= limit);
        return value % bound;
    }

private:
    uint64_t m_state;
};

void shuffle(std::vector<int64_t>& items, SplitRandom& random)
{
    for (size_t i = items.size(); i > 1; --i)
        std::swap(items[i - 1], items[random.below(i)]);
}

// Whole-number shares of `total` proportional to `sizes` (largest remainder), each at most its size
// minus what `taken` already holds.
std::vector<int64_t> apportion(int64_t total, const std::vector<int64_t>& sizes, const std::vector<int64_t>& taken,
                               double fraction)
{
    std::vector<int64_t> shares(sizes.size());
    std::vector<std::pair<double, size_t>> remainders;
    int64_t assigned = 0;
    for (size_t s = 0; s < sizes.size(); ++s) {
        const double exact = static_cast<double>(sizes[s]) * fraction;
        shares[s] = std::min<int64_t>(static_cast<int64_t>(std::floor(exact)), sizes[s] - taken[s]);
        assigned += shares[s];
        remainders.emplace_back(exact - std::floor(exact), s);
    }
    std::stable_sort(remainders.begin(), remainders.end(),
                     [](const auto& a, const auto& b) { return a.first > b.first; });
    bool progress = true;
    while (assigned < total && progress) {
        progress = false;
        for (size_t k = 0; k < remainders.size() && assigned < total; ++k) {
            const size_t s = remainders[k].second;
            if (shares[s] + taken[s] < sizes[s]) {
                ++shares[s];
                ++assigned;
                progress = true;
            }
        }
    }
    return shares;
}

} // namespace

QString splitName(Split split)
{
    switch (split) {
    case Split::Train:
        return QStringLiteral("train");
    case Split::Validation:
        return QStringLiteral("val");
    case Split::Test:
        return QStringLiteral("test");
    }
    return {};
}

bool splitFromName(const QString& name, Split* split)
{
    const QString n = name.trimmed().toLower();
    if (n == QLatin1String("train"))
        *split = Split::Train;
    else if (n == QLatin1String("val") || n == QLatin1String("validation"))
        *split = Split::Validation;
    else if (n == QLatin1String("test"))
        *split = Split::Test;
    else
        return false;
    return true;
}

std::vector<Split> assignSplits(int64_t count, const std::vector<QStringList>& tags, const SplitSettings& settings)
{
    const double val = settings.validationFraction;
    const double test = settings.testFraction;
    if (count < 0)
        throw Error(QStringLiteral("cannot split %1 examples").arg(count));
    if (!(val >= 0.0 && test >= 0.0 && val + test <= 1.0))
        throw Error(
            QStringLiteral("split fractions must be at least 0 and add up to at most 1 (validation %1, test %2)")
                .arg(val)
                .arg(test));
    if (settings.stratifyByTag && static_cast<int64_t>(tags.size()) != count)
        throw Error(QStringLiteral("stratified split: %1 tag lists for %2 examples").arg(tags.size()).arg(count));

    // Strata: the first tag of each example (one stratum for all when not stratifying), in name order.
    std::map<QString, std::vector<int64_t>> strata;
    for (int64_t i = 0; i < count; ++i)
        strata[settings.stratifyByTag && !tags[i].isEmpty() ? tags[i].front() : QString()].push_back(i);
    std::vector<int64_t> sizes;
    for (const auto& [tag, members] : strata)
        sizes.push_back(static_cast<int64_t>(members.size()));

    const int64_t totalVal = std::llround(static_cast<double>(count) * val);
    const int64_t totalTest = std::min<int64_t>(std::llround(static_cast<double>(count) * test), count - totalVal);
    const std::vector<int64_t> none(sizes.size(), 0);
    const std::vector<int64_t> valShares = apportion(totalVal, sizes, none, val);
    const std::vector<int64_t> testShares = apportion(totalTest, sizes, valShares, test);

    std::vector<Split> result(static_cast<size_t>(count), Split::Train);
    SplitRandom random(settings.seed);
    size_t s = 0;
    for (auto& [tag, members] : strata) {
        shuffle(members, random);
        for (int64_t k = 0; k < valShares[s]; ++k)
            result[members[k]] = Split::Validation;
        for (int64_t k = valShares[s]; k < valShares[s] + testShares[s]; ++k)
            result[members[k]] = Split::Test;
        ++s;
    }
    return result;
}

} // namespace ft
