// The side-by-side table: examples matched by record key across evaluations of differently ordered
// or limited sets, missing ones marked, and the orders: index, largest score difference first (up or
// down), last column's score.

#include <QJsonObject>
#include <QTest>

#include "store/evaluation_compare.h"

using namespace ft;

namespace {

EvaluationOutput output(qint64 index, const QString& key, double rouge)
{
    EvaluationOutput o;
    o.example = index;
    o.key = key;
    o.prompt = QStringLiteral("prompt ") + key;
    o.reference = QStringLiteral("reference ") + key;
    o.output = QStringLiteral("output ") + key;
    o.scores = {{QStringLiteral("rouge-l"), rouge}, {QStringLiteral("bleu"), rouge / 2}};
    return o;
}

ComparisonColumn column(const QString& label, std::vector<EvaluationOutput> outputs)
{
    ComparisonColumn c;
    c.label = label;
    c.outputs = std::move(outputs);
    return c;
}

QList<qint64> indexes(const Comparison& comparison)
{
    QList<qint64> result;
    for (const ComparisonRow& row : comparison.rows)
        result << row.index;
    return result;
}

} // namespace

class TestEvaluationCompare : public QObject {
    Q_OBJECT
private slots:
    void matchesByKeyAndSortsByDifference()
    {
        // Base: a b c d; the run evaluated the same examples in another order, and not d.
        const auto base =
            column(QStringLiteral("base"), {output(0, QStringLiteral("a"), 0.5), output(1, QStringLiteral("b"), 0.5),
                                            output(2, QStringLiteral("c"), 0.5), output(3, QStringLiteral("d"), 0.5)});
        const auto run =
            column(QStringLiteral("run"), {output(0, QStringLiteral("c"), 0.1), output(1, QStringLiteral("a"), 0.6),
                                           output(2, QStringLiteral("b"), 1.0), output(3, QStringLiteral("z"), 0.9)});
        const Comparison byIndex = compareEvaluations({base, run}, QStringLiteral("rouge-l"), ComparisonSort::Index);
        QCOMPARE(indexes(byIndex), (QList<qint64>{0, 1, 2, 3}));
        QCOMPARE(byIndex.rows[0].outputs[1]->output, QStringLiteral("output a"));
        QCOMPARE(byIndex.rows[0].difference, 0.6 - 0.5);
        QVERIFY(!byIndex.rows[3].outputs[1]); // d was not evaluated by the run
        QCOMPARE(byIndex.rows[3].difference, 0.0);
        QCOMPARE(byIndex.unmatched, 1); // z is not in the base's set

        // Largest change first, whichever way: b +0.5, c -0.4, a +0.1, d 0.
        const Comparison byDifference =
            compareEvaluations({base, run}, QStringLiteral("rouge-l"), ComparisonSort::Difference);
        QCOMPARE(indexes(byDifference), (QList<qint64>{1, 2, 0, 3}));
        QVERIFY(byDifference.rows[1].difference < 0);
        // Another metric gives another order: bleu differences are half as large, same order here.
        QCOMPARE(compareEvaluations({base, run}, QStringLiteral("bleu"), ComparisonSort::Difference).rows[0].difference,
                 0.25);

        const Comparison byScore = compareEvaluations({base, run}, QStringLiteral("rouge-l"), ComparisonSort::Score);
        QCOMPARE(indexes(byScore), (QList<qint64>{1, 0, 2, 3})); // 1.0, 0.6, 0.1, missing last
    }

    void largestDifferenceOverSeveralRuns()
    {
        const auto base =
            column(QStringLiteral("base"), {output(0, QStringLiteral("a"), 0.5), output(1, QStringLiteral("b"), 0.5)});
        const auto one =
            column(QStringLiteral("one"), {output(0, QStringLiteral("a"), 0.6), output(1, QStringLiteral("b"), 0.2)});
        const auto two =
            column(QStringLiteral("two"), {output(0, QStringLiteral("a"), 0.9), output(1, QStringLiteral("b"), 0.6)});
        const Comparison comparison =
            compareEvaluations({base, one, two}, QStringLiteral("rouge-l"), ComparisonSort::Difference);
        QCOMPARE(comparison.columns.size(), size_t(3));
        QCOMPARE(comparison.rows[0].index, 0); // a: +0.4 (two) beats b: -0.3 (one)
        QVERIFY(qFuzzyCompare(comparison.rows[0].difference, 0.4));
        QVERIFY(qFuzzyCompare(comparison.rows[1].difference, -0.3));
    }

    void repeatedExamplesPairInOrder()
    {
        const auto first =
            column(QStringLiteral("x"), {output(0, QStringLiteral("a"), 0.1), output(1, QStringLiteral("a"), 0.2)});
        const auto second =
            column(QStringLiteral("y"), {output(0, QStringLiteral("a"), 0.3), output(1, QStringLiteral("a"), 0.9)});
        const Comparison comparison =
            compareEvaluations({first, second}, QStringLiteral("rouge-l"), ComparisonSort::Index);
        QCOMPARE(comparison.rows.size(), size_t(2));
        QCOMPARE(comparison.rows[1].outputs[1]->example, 1);
        QVERIFY(qFuzzyCompare(comparison.rows[1].difference, 0.7));
        QCOMPARE(comparison.unmatched, 0);
    }

    void sortNames()
    {
        QVERIFY(comparisonSortFromName(QStringLiteral("diff")) ==
                std::optional<ComparisonSort>(ComparisonSort::Difference));
        QVERIFY(comparisonSortFromName(QStringLiteral("score")) ==
                std::optional<ComparisonSort>(ComparisonSort::Score));
        QVERIFY(comparisonSortFromName(QStringLiteral("index")) ==
                std::optional<ComparisonSort>(ComparisonSort::Index));
        QVERIFY(!comparisonSortFromName(QStringLiteral("random")));
        QVERIFY(compareEvaluations({}, QStringLiteral("rouge-l"), ComparisonSort::Index).rows.empty());
    }
};

QTEST_GUILESS_MAIN(TestEvaluationCompare)
#include "tst_evaluation_compare.moc"
