// Seeded train/validation/test splits: exact proportions, determinism, stratification.
#include <map>

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

#include "common/error.h"
#include "data/sample_dataset.h"
#include "data/splits.h"

using namespace ft;

namespace {

std::map<Split, int64_t> tally(const std::vector<Split>& splits)
{
    std::map<Split, int64_t> counts;
    for (Split s : splits)
        ++counts[s];
    return counts;
}

} // namespace

class TestSplits : public QObject {
    Q_OBJECT
private slots:
    void names()
    {
        QCOMPARE(splitName(Split::Validation), QStringLiteral("val"));
        Split s = Split::Train;
        QVERIFY(splitFromName(QStringLiteral("validation"), &s));
        QCOMPARE(s, Split::Validation);
        QVERIFY(splitFromName(QStringLiteral("test"), &s));
        QCOMPARE(s, Split::Test);
        QVERIFY(!splitFromName(QStringLiteral("dev"), &s));
    }
    void proportions_data()
    {
        QTest::addColumn<int>("count");
        QTest::addColumn<double>("val");
        QTest::addColumn<double>("test");
        QTest::addColumn<int>("expectedVal");
        QTest::addColumn<int>("expectedTest");
        QTest::newRow("1000 10/20") << 1000 << 0.1 << 0.2 << 100 << 200;
        QTest::newRow("999 10/0") << 999 << 0.1 << 0.0 << 100 << 0; // 99.9 rounds to 100
        QTest::newRow("7 50/50") << 7 << 0.5 << 0.5 << 4 << 3;      // never more than there are
        QTest::newRow("0") << 0 << 0.1 << 0.1 << 0 << 0;
        QTest::newRow("all train") << 10 << 0.0 << 0.0 << 0 << 0;
    }
    void proportions()
    {
        QFETCH(int, count);
        QFETCH(double, val);
        QFETCH(double, test);
        QFETCH(int, expectedVal);
        QFETCH(int, expectedTest);
        SplitSettings settings;
        settings.validationFraction = val;
        settings.testFraction = test;
        const std::vector<Split> splits = assignSplits(count, {}, settings);
        QCOMPARE(splits.size(), size_t(count));
        std::map<Split, int64_t> counts = tally(splits);
        QCOMPARE(counts[Split::Validation], int64_t(expectedVal));
        QCOMPARE(counts[Split::Test], int64_t(expectedTest));
        QCOMPARE(counts[Split::Train], int64_t(count - expectedVal - expectedTest));
    }
    void deterministicAndSeeded()
    {
        SplitSettings settings;
        const std::vector<Split> a = assignSplits(500, {}, settings);
        QVERIFY(a == assignSplits(500, {}, settings));
        settings.seed = 43;
        const std::vector<Split> b = assignSplits(500, {}, settings);
        QVERIFY(a != b);
        QCOMPARE(tally(a), tally(b));
        // The split is shuffled, not the first or last examples.
        int firstFifty = 0;
        for (int i = 0; i < 50; ++i)
            firstFifty += a[size_t(i)] == Split::Validation ? 1 : 0;
        QVERIFY(firstFifty < 50);
        // Pinned: the assignment for seed 42 must not change between builds or compilers.
        QString pattern;
        for (int i = 0; i < 20; ++i)
            pattern += a[size_t(i)] == Split::Validation ? QLatin1Char('v') : QLatin1Char('.');
        QCOMPARE(pattern, QStringLiteral("...v............v..."));
    }
    void stratified()
    {
        // Three tags of 500, 300 and 200 examples: every tag keeps its share in every split.
        std::vector<QStringList> tags;
        for (int i = 0; i < 1000; ++i)
            tags.push_back({i % 10 < 5   ? QStringLiteral("a")
                            : i % 10 < 8 ? QStringLiteral("b")
                                         : QStringLiteral("c"),
                            QStringLiteral("second")});
        SplitSettings settings;
        settings.validationFraction = 0.1;
        settings.testFraction = 0.2;
        settings.stratifyByTag = true;
        const std::vector<Split> splits = assignSplits(1000, tags, settings);
        std::map<QString, std::map<Split, int>> perTag;
        for (size_t i = 0; i < splits.size(); ++i)
            ++perTag[tags[i].front()][splits[i]];
        QCOMPARE(perTag[QStringLiteral("a")][Split::Validation], 50);
        QCOMPARE(perTag[QStringLiteral("a")][Split::Test], 100);
        QCOMPARE(perTag[QStringLiteral("b")][Split::Validation], 30);
        QCOMPARE(perTag[QStringLiteral("b")][Split::Test], 60);
        QCOMPARE(perTag[QStringLiteral("c")][Split::Validation], 20);
        QCOMPARE(perTag[QStringLiteral("c")][Split::Test], 40);
        QVERIFY(splits == assignSplits(1000, tags, settings));
    }
    void stratifiedSampleDataset()
    {
        // 216 records in 14 categories of 15 or 16: 10% validation is 22 records (21.6 rounded),
        // one or two from every category, so no category is missing from validation.
        std::vector<QStringList> tags;
        QFile file(sampleDatasetPath());
        QVERIFY(file.open(QIODevice::ReadOnly));
        while (!file.atEnd()) {
            QStringList recordTags;
            for (const QJsonValue& tag :
                 QJsonDocument::fromJson(file.readLine()).object().value(QStringLiteral("tags")).toArray())
                recordTags << tag.toString();
            tags.push_back(recordTags);
        }
        QCOMPARE(tags.size(), size_t(216));
        SplitSettings settings;
        settings.stratifyByTag = true;
        const std::vector<Split> splits = assignSplits(216, tags, settings);
        std::map<QString, int> validationPerTag;
        int validation = 0;
        for (size_t k = 0; k < splits.size(); ++k) {
            if (splits[k] == Split::Validation) {
                ++validationPerTag[tags[k].front()];
                ++validation;
            }
        }
        QCOMPARE(validation, 22);
        QCOMPARE(validationPerTag.size(), size_t(14));
        for (const auto& [tag, n] : validationPerTag)
            QVERIFY2(n == 1 || n == 2, qPrintable(tag));
    }
    void badSettings()
    {
        SplitSettings settings;
        settings.validationFraction = 0.7;
        settings.testFraction = 0.4;
        QVERIFY_THROWS_EXCEPTION(Error, assignSplits(10, {}, settings));
        settings.validationFraction = -0.1;
        settings.testFraction = 0.0;
        QVERIFY_THROWS_EXCEPTION(Error, assignSplits(10, {}, settings));
        settings.validationFraction = 0.1;
        settings.stratifyByTag = true;
        QVERIFY_THROWS_EXCEPTION(Error, assignSplits(10, {{QStringLiteral("a")}}, settings));
    }
};

QTEST_APPLESS_MAIN(TestSplits)
#include "tst_splits.moc"
