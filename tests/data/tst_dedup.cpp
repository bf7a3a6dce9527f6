// Exact and near-duplicate detection: the planted duplicates of the sample dataset, the shared
// datasets against a brute-force Jaccard search, the threshold's meaning, determinism.
#include <functional>
#include <random>

#include <QTest>

#include "data/dataset_format.h"
#include "data/dedup.h"
#include "data/jsonl_records.h"
#include "data/sample_dataset.h"
#include "support/example_builders.h"
#include "support/test_support.h"

using namespace ft;

namespace {

// Word k-gram sets and their exact Jaccard similarity: the reference for what MinHash must find.
QSet<QString> shingleSet(const QString& text, int k)
{
    const QStringList words =
        QString(text).replace(QLatin1Char('\n'), QLatin1Char(' ')).split(QLatin1Char(' '), Qt::SkipEmptyParts);
    QSet<QString> shingles;
    if (words.size() < k)
        shingles.insert(words.join(QLatin1Char(' ')));
    for (qsizetype i = 0; i + k <= words.size(); ++i)
        shingles.insert(words.mid(i, k).join(QLatin1Char(' ')));
    return shingles;
}
double bruteJaccard(const QSet<QString>& x, const QSet<QString>& y)
{
    qsizetype common = 0;
    for (const QString& s : x)
        common += y.contains(s) ? 1 : 0;
    return double(common) / double(x.size() + y.size() - common);
}
double bruteJaccard(const QString& a, const QString& b, int k)
{
    return bruteJaccard(shingleSet(a, k), shingleSet(b, k));
}

std::vector<ExampleRecord> loadShared(const char* file, DatasetFormat format = DatasetFormat::Alpaca)
{
    ImportOptions options;
    options.format = format;
    const auto reader = openDatasetReader(test::sharedPath(QStringLiteral("datasets/") + QLatin1String(file)), options);
    std::vector<ExampleRecord> records;
    ImportedExample e;
    while (reader->next(&e))
        records.push_back(e.record);
    return records;
}

} // namespace

class TestDedup : public QObject {
    Q_OBJECT
private slots:
    void normalisation()
    {
        ExampleRecord a = test::examplePair(QStringLiteral("  Hello\tWORLD "), QStringLiteral("Line one\n\nline  two"));
        QCOMPARE(normalizedExampleText(a), QStringLiteral("\nhello world\n\nline one line two"));
        // Preference pairs that differ only in their rejected answer are different examples.
        ExampleRecord pair = a;
        pair.rejected = QStringLiteral("Something  worse");
        QCOMPARE(normalizedExampleText(pair), normalizedExampleText(a) + QStringLiteral("\nsomething worse"));
        // Text moved from one field to another is not the same example.
        QVERIFY(normalizedExampleText(test::examplePair(QStringLiteral("a b"), QStringLiteral("c"))) !=
                normalizedExampleText(test::examplePair(QStringLiteral("a"), QStringLiteral("b c"))));
    }
    void sampleDatasetPlantedDuplicates()
    {
        // README: exact duplicates at lines 29 = 195 and 61 = 210; near duplicates 2 ~ 213 and 3 ~ 214.
        std::vector<ExampleRecord> records;
        for (NumberedRecord& n : readJsonlRecords(sampleDatasetPath()))
            records.push_back(n.record);
        QCOMPARE(records.size(), size_t(216));
        const std::vector<DuplicateGroup> groups = findDuplicates(records, DedupSettings{});
        QCOMPARE(groups.size(), size_t(4)); // and nothing else
        QCOMPARE(groups[0].indices, std::vector<int64_t>({1, 212}));
        QVERIFY(!groups[0].exact);
        QVERIFY(groups[0].similarity >= 0.8 && groups[0].similarity < 0.9); // bigram Jaccard 0.857
        QCOMPARE(groups[1].indices, std::vector<int64_t>({2, 213}));
        QVERIFY(!groups[1].exact);
        QCOMPARE(groups[2].indices, std::vector<int64_t>({28, 194}));
        QVERIFY(groups[2].exact);
        QCOMPARE(groups[2].similarity, 1.0);
        QCOMPARE(groups[3].indices, std::vector<int64_t>({60, 209}));
        QVERIFY(groups[3].exact);
        // Exact only: the two planted exact pairs.
        DedupSettings exactOnly;
        exactOnly.nearDuplicates = false;
        const std::vector<DuplicateGroup> exact = findDuplicates(records, exactOnly);
        QCOMPARE(exact.size(), size_t(2));
        QCOMPARE(exact[0].indices, std::vector<int64_t>({28, 194}));
    }
    void thresholdMeaning()
    {
        // Ten words, bigrams: changing the last word changes 1 of 9 bigrams -> Jaccard 8/10 = 0.8.
        const QString base = QStringLiteral("one two three four five six seven eight nine ten");
        std::vector<ExampleRecord> records{
            test::examplePair(base, QString()),
            test::examplePair(base.left(base.size() - 3) + QStringLiteral("eleven"), QString()),
            test::examplePair(QStringLiteral("something else entirely with no words shared at all"), QString())};
        QCOMPARE(bruteJaccard(normalizedExampleText(records[0]), normalizedExampleText(records[1]), 2), 0.8);
        DedupSettings at;
        at.threshold = 0.8;
        std::vector<DuplicateGroup> groups = findDuplicates(records, at);
        QCOMPARE(groups.size(), size_t(1));
        QCOMPARE(groups[0].indices, std::vector<int64_t>({0, 1}));
        QCOMPARE(groups[0].similarity, 0.8);
        DedupSettings above;
        above.threshold = 0.81;
        QVERIFY(findDuplicates(records, above).empty());
    }
    void exactAndNearMerge()
    {
        // An exact pair and a near copy of it form one group that is not exact.
        const QString text =
            QStringLiteral("the quick brown fox jumps over the lazy dog again and again while the farmer watches from "
                           "the porch of his old wooden house by the river");
        std::vector<ExampleRecord> records{
            test::examplePair(text, QStringLiteral("x")),
            test::examplePair(QStringLiteral("unrelated words here"), QStringLiteral("y")),
            test::examplePair(text.toUpper(), QStringLiteral("X")),
            test::examplePair(text + QStringLiteral(" today"), QStringLiteral("x"))};
        const std::vector<DuplicateGroup> groups = findDuplicates(records, DedupSettings{});
        QCOMPARE(groups.size(), size_t(1));
        QCOMPARE(groups[0].indices, std::vector<int64_t>({0, 2, 3}));
        QVERIFY(!groups[0].exact);
        QVERIFY(groups[0].similarity < 1.0);
    }
    void randomNearCopiesAreFound()
    {
        // 2000 random 30-word texts; 100 of them copied with one word replaced (bigram Jaccard
        // 27/31 = 0.87): all 100 must be found, and nothing else.
        std::mt19937_64 rng(5);
        std::vector<QString> vocabulary;
        for (int i = 0; i < 5000; ++i)
            vocabulary.push_back(QStringLiteral("w%1").arg(i));
        std::vector<ExampleRecord> records;
        for (int i = 0; i < 2000; ++i) {
            QStringList words;
            for (int w = 0; w < 30; ++w)
                words << vocabulary[rng() % vocabulary.size()];
            records.push_back(test::examplePair(words.join(QLatin1Char(' ')), QString()));
        }
        for (int i = 0; i < 100; ++i) {
            QStringList words = records[size_t(i) * 7].instruction.split(QLatin1Char(' '));
            words[10 + i % 10] = QStringLiteral("changed");
            records.push_back(test::examplePair(words.join(QLatin1Char(' ')), QString()));
        }
        const std::vector<DuplicateGroup> groups = findDuplicates(records, DedupSettings{});
        QCOMPARE(groups.size(), size_t(100));
        for (int i = 0; i < 100; ++i)
            QCOMPARE(groups[size_t(i)].indices, std::vector<int64_t>({int64_t(i) * 7, 2000 + int64_t(i)}));
    }
    void deterministicAndCancellable()
    {
        std::vector<ExampleRecord> records;
        for (NumberedRecord& n : readJsonlRecords(sampleDatasetPath()))
            records.push_back(n.record);
        DedupSettings loose;
        loose.threshold = 0.3;
        const std::vector<DuplicateGroup> a = findDuplicates(records, loose);
        const std::vector<DuplicateGroup> b = findDuplicates(records, loose);
        QCOMPARE(a.size(), b.size());
        QVERIFY(a.size() > 4); // a loose threshold finds more
        for (size_t i = 0; i < a.size(); ++i)
            QCOMPARE(a[i].indices, b[i].indices);
        int calls = 0;
        QVERIFY(findDuplicates(records, loose, [&](int64_t, int64_t) { return ++calls < 2; }).empty());
        int64_t lastDone = -1, lastTotal = 0;
        findDuplicates(records, loose, [&](int64_t done, int64_t total) {
            lastDone = done;
            lastTotal = total;
            return true;
        });
        QCOMPARE(lastDone, lastTotal);
    }
    void sharedDatasets()
    {
        FT_REQUIRE_SHARED();
        // alpaca_en_demo repeats 13 texts (14 extra copies, counted independently) and has no other
        // pair above even 0.3; gsm8k has no duplicates at all.
        const std::vector<ExampleRecord> alpaca = loadShared("alpaca_en_demo.json");
        const std::vector<DuplicateGroup> groups = findDuplicates(alpaca, DedupSettings{});
        int extraCopies = 0;
        for (const DuplicateGroup& g : groups) {
            QVERIFY(g.exact);
            extraCopies += int(g.indices.size()) - 1;
        }
        QCOMPARE(groups.size(), size_t(13));
        QCOMPARE(extraCopies, 14);
        QVERIFY(findDuplicates(loadShared("gsm8k_alpaca.json"), DedupSettings{}).empty());
    }
    void minHashFindsWhatBruteForceFinds_data()
    {
        QTest::addColumn<double>("threshold");
        QTest::newRow("0.5") << 0.5;
        QTest::newRow("0.8") << 0.8;
    }
    void minHashFindsWhatBruteForceFinds()
    {
        // The glaive tool-call conversations share tool lists and phrasing: many near pairs. Every
        // pair a brute-force search puts at or above the threshold must end up in one group.
        FT_REQUIRE_SHARED();
        QFETCH(double, threshold);
        const std::vector<ExampleRecord> glaive = loadShared("glaive_toolcall_sharegpt.json", DatasetFormat::ShareGpt);
        DedupSettings settings;
        settings.threshold = threshold;
        const std::vector<DuplicateGroup> groups = findDuplicates(glaive, settings);
        std::map<int64_t, size_t> groupOf;
        for (size_t g = 0; g < groups.size(); ++g)
            for (int64_t i : groups[g].indices)
                groupOf[i] = g;
        std::vector<QSet<QString>> sets;
        for (const ExampleRecord& r : glaive)
            sets.push_back(shingleSet(normalizedExampleText(r), 2));
        // Components of the brute-force pairs must be exactly the groups: nothing missed, nothing merged
        // that no verified pair links.
        std::vector<size_t> component(sets.size());
        for (size_t i = 0; i < component.size(); ++i)
            component[i] = i;
        std::function<size_t(size_t)> root = [&](size_t x) {
            return component[x] == x ? x : component[x] = root(component[x]);
        };
        int pairs = 0;
        for (size_t i = 0; i < sets.size(); ++i) {
            for (size_t j = i + 1; j < sets.size(); ++j) {
                if (bruteJaccard(sets[i], sets[j]) < threshold)
                    continue;
                ++pairs;
                component[root(j)] = root(i);
                QVERIFY2(groupOf.count(int64_t(i)) && groupOf.count(int64_t(j)) &&
                             groupOf[int64_t(i)] == groupOf[int64_t(j)],
                         qPrintable(QStringLiteral("pair %1 ~ %2 missed").arg(i).arg(j)));
            }
        }
        std::map<size_t, std::vector<int64_t>> expected;
        for (size_t i = 0; i < sets.size(); ++i)
            expected[root(i)].push_back(int64_t(i));
        std::vector<std::vector<int64_t>> expectedGroups;
        for (const auto& [r, members] : expected)
            if (members.size() > 1)
                expectedGroups.push_back(members);
        std::sort(expectedGroups.begin(), expectedGroups.end());
        QCOMPARE(groups.size(), expectedGroups.size());
        for (size_t g = 0; g < groups.size(); ++g)
            QCOMPARE(groups[g].indices, expectedGroups[g]);
        qInfo("glaive at %.1f: %d brute-force pairs, %zu groups", threshold, pairs, groups.size());
        QVERIFY(pairs > 40);
    }
};

QTEST_APPLESS_MAIN(TestDedup)
#include "tst_dedup.moc"
