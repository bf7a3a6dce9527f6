// Dataset statistics: token lengths under a tokenizer and template, summaries, histogram, tags.
#include <algorithm>

#include <QTemporaryDir>
#include <QTest>

#include "data/dataset_stats.h"
#include "data/jsonl_records.h"
#include "data/sample_dataset.h"
#include "support/example_builders.h"

using namespace ft;

namespace {
} // namespace

class TestDatasetStats : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    std::shared_ptr<const Tokenizer> m_tokenizer;

private slots:
    void initTestCase()
    {
        const QString text = m_dir.filePath(QStringLiteral("sample.txt"));
        writeSampleText(text);
        trainSentencepieceModel(text, m_dir.filePath(QStringLiteral("tok")), 400);
        m_tokenizer = Tokenizer::fromFile(m_dir.filePath(QStringLiteral("tok.model")));
    }
    void lengthsMatchTheEncoder()
    {
        const PromptTemplate plain = PromptTemplate::builtin(QStringLiteral("plain"));
        ExampleRecord multi;
        multi.turns = {{ChatTurn::Role::User, QStringLiteral("Hi")},
                       {ChatTurn::Role::Assistant, QStringLiteral("Hello")},
                       {ChatTurn::Role::User, QStringLiteral("Bye")},
                       {ChatTurn::Role::Assistant, QStringLiteral("Goodbye")}};
        const std::vector<ExampleRecord> records{
            test::examplePair(QStringLiteral("Add 2 and 3."), QStringLiteral("5")),
            test::examplePair(QStringLiteral("Write a sentence."), QStringLiteral("The cat sat on the mat.")), multi};
        const DatasetStatistics stats = computeStatistics(
            records, {{QStringLiteral("math")}, {QStringLiteral("writing"), QStringLiteral("math")}, {}}, *m_tokenizer,
            plain, 0);
        QCOMPARE(stats.examples, 3);
        QCOMPARE(stats.multiTurn, 1);
        QCOMPARE(stats.tags.at(QStringLiteral("math")), 2);
        QCOMPARE(stats.tags.at(QStringLiteral("writing")), 1);
        for (size_t i = 0; i < records.size(); ++i) {
            const TokenizedExample e = encodeExample(*m_tokenizer, plain, records[i], LossOn::Response, 0);
            QCOMPARE(stats.promptTokens[i], e.promptTokens);
            QCOMPARE(stats.responseTokens[i], e.responseTokens);
            QCOMPARE(stats.promptTokens[i] + stats.responseTokens[i], int64_t(e.ids.size()));
        }
        // "5" plus EOS: the response of the first example is exactly the encoded "5" and one EOS.
        QCOMPARE(stats.responseTokens[0], int64_t(m_tokenizer->encode(QStringLiteral("5")).size() + 1));
    }
    void summariesAndHistogram()
    {
        // Responses of 1..100 repetitions of one word: lengths rise steadily.
        const PromptTemplate plain = PromptTemplate::builtin(QStringLiteral("plain"));
        std::vector<ExampleRecord> records;
        for (int n = 1; n <= 100; ++n)
            records.push_back(
                test::examplePair(QStringLiteral("Repeat."), QStringLiteral("word ").repeated(n).trimmed()));
        const int64_t maxLength = 120;
        const DatasetStatistics stats = computeStatistics(records, {}, *m_tokenizer, plain, maxLength, 10);
        std::vector<int64_t> combined;
        for (size_t i = 0; i < records.size(); ++i)
            combined.push_back(stats.promptTokens[i] + stats.responseTokens[i]);
        std::vector<int64_t> sorted = combined;
        std::sort(sorted.begin(), sorted.end());
        // Nearest rank: the 50th and the 95th of 100 sorted values.
        QCOMPARE(stats.combined.median, sorted[49]);
        QCOMPARE(stats.combined.p95, sorted[94]);
        QCOMPARE(stats.combined.max, sorted[99]);
        int64_t total = 0;
        for (int64_t v : combined)
            total += v;
        QCOMPARE(stats.combined.total, total);
        QCOMPARE(stats.combined.mean, double(total) / 100.0);
        QCOMPARE(stats.overMaxLength,
                 int64_t(std::count_if(combined.begin(), combined.end(), [&](int64_t v) { return v > maxLength; })));
        QVERIFY(stats.overMaxLength > 0 && stats.overMaxLength < 100);
        // 10 bins from 0 to the longest example (longer than maxLength here); every example counted once.
        QCOMPARE(stats.combinedHistogram.counts.size(), size_t(10));
        QCOMPARE(stats.combinedHistogram.edges.size(), size_t(11));
        QCOMPARE(stats.combinedHistogram.edges.front(), 0.0);
        QCOMPARE(stats.combinedHistogram.edges.back(), double(sorted.back()));
        int64_t counted = 0;
        for (int64_t c : stats.combinedHistogram.counts)
            counted += c;
        QCOMPARE(counted, int64_t(100));
        QVERIFY(stats.combinedHistogram.counts.back() >= 1); // the longest lands in the last bin
        for (size_t b = 0; b < 10; ++b) {
            const double lo = stats.combinedHistogram.edges[b], hi = stats.combinedHistogram.edges[b + 1];
            const int64_t inBin = std::count_if(combined.begin(), combined.end(),
                                                [&](int64_t v) { return v >= lo && (b == 9 ? v <= hi : v < hi); });
            QCOMPARE(stats.combinedHistogram.counts[b], inBin);
        }
    }
    void maxLengthWidensTheRange()
    {
        const PromptTemplate plain = PromptTemplate::builtin(QStringLiteral("plain"));
        const DatasetStatistics stats = computeStatistics({test::examplePair(QStringLiteral("a"), QStringLiteral("b"))},
                                                          {}, *m_tokenizer, plain, 2048, 8);
        QCOMPARE(stats.combinedHistogram.edges.back(), 2048.0);
        QCOMPARE(stats.combinedHistogram.counts.front(), int64_t(1));
        QCOMPARE(stats.overMaxLength, int64_t(0));
        const DatasetStatistics empty = computeStatistics({}, {}, *m_tokenizer, plain, 0, 4);
        QCOMPARE(empty.examples, 0);
        QCOMPARE(empty.combined.max, int64_t(0));
        QCOMPARE(empty.combinedHistogram.counts, std::vector<int64_t>(4, 0));
    }
    void sampleDatasetAndCancel()
    {
        std::vector<ExampleRecord> records;
        for (NumberedRecord& n : readJsonlRecords(sampleDatasetPath()))
            records.push_back(n.record);
        const PromptTemplate chatml = PromptTemplate::builtin(QStringLiteral("chatml"));
        const DatasetStatistics stats = computeStatistics(records, {}, *m_tokenizer, chatml, 512);
        QCOMPARE(stats.examples, 216);
        QCOMPARE(stats.combinedHistogram.counts.size(), size_t(40));
        // The README promises a tail of long answers: the longest is well above the median.
        QVERIFY(stats.combined.max > 3 * stats.combined.median);
        QVERIFY(stats.combined.p95 >= stats.combined.median && stats.combined.max >= stats.combined.p95);
        const DatasetStatistics stopped = computeStatistics(records, {}, *m_tokenizer, chatml, 512, 40,
                                                            [](int64_t done, int64_t) { return done < 64; });
        QVERIFY(stopped.cancelled);
        QCOMPARE(stopped.examples, 64);
    }
};

QTEST_APPLESS_MAIN(TestDatasetStats)
#include "tst_dataset_stats.moc"
