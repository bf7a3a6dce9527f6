// BLEU, ROUGE-L, exact match and token F1 against reference values from NLTK and rouge-score.
#include <QJsonArray>
#include <QTest>

#include "common/error.h"
#include "common/json_file.h"
#include "data/text_metrics.h"
#include "support/test_support.h"

using namespace ft;

namespace {
QJsonObject fixture()
{
    return readJsonObjectFile(test::sharedPath(QStringLiteral("fixtures/metrics/reference_metrics.json")));
}
#define FT_COMPARE_NEAR(actual, expected)                                                                              \
    QVERIFY2(std::fabs((actual) - (expected)) <= 1e-6,                                                                 \
             qPrintable(QStringLiteral("%1 != %2").arg(actual, 0, 'g', 17).arg(expected, 0, 'g', 17)))
} // namespace

class TestTextMetrics : public QObject {
    Q_OBJECT
private slots:
    void everyPairMatchesTheReference()
    {
        FT_REQUIRE_SHARED();
        const QJsonArray pairs = fixture().value(QStringLiteral("pairs")).toArray();
        QCOMPARE(pairs.size(), 8);
        for (const QJsonValue& value : pairs) {
            const QJsonObject pair = value.toObject();
            const QString hyp = pair.value(QStringLiteral("hypothesis")).toString();
            const QString ref = pair.value(QStringLiteral("reference")).toString();
            const QByteArray label = (hyp + QStringLiteral(" | ") + ref).toUtf8();
            qInfo("%s", label.constData());
            FT_COMPARE_NEAR(sentenceBleu(hyp, ref),
                            pair.value(QStringLiteral("sentence_bleu_smoothing_method1")).toDouble());
            FT_COMPARE_NEAR(rougeLF1(hyp, ref), pair.value(QStringLiteral("rougeL_f1")).toDouble());
            QCOMPARE(exactMatch(hyp, ref), pair.value(QStringLiteral("exact_match")).toBool());
        }
    }
    void corpusValuesMatchTheReference()
    {
        FT_REQUIRE_SHARED();
        const QJsonObject f = fixture();
        std::vector<QString> hyps, refs;
        double rougeSum = 0;
        for (const QJsonValue& value : f.value(QStringLiteral("pairs")).toArray()) {
            hyps.push_back(value.toObject().value(QStringLiteral("hypothesis")).toString());
            refs.push_back(value.toObject().value(QStringLiteral("reference")).toString());
            rougeSum += rougeLF1(hyps.back(), refs.back());
        }
        FT_COMPARE_NEAR(corpusBleu(hyps, refs, BleuSmoothing::None),
                        f.value(QStringLiteral("corpus_bleu_no_smoothing")).toDouble());
        FT_COMPARE_NEAR(corpusBleu(hyps, refs, BleuSmoothing::Method1),
                        f.value(QStringLiteral("corpus_bleu_smoothing_method1")).toDouble());
        FT_COMPARE_NEAR(rougeSum / static_cast<double>(hyps.size()),
                        f.value(QStringLiteral("mean_rougeL_f1")).toDouble());
    }
    void bleuByHand()
    {
        // Identical 4+ token sentences score 1; BLEU is case-sensitive on whitespace tokens.
        FT_COMPARE_NEAR(sentenceBleu(QStringLiteral("a b c d"), QStringLiteral("a b c d")), 1.0);
        QVERIFY(sentenceBleu(QStringLiteral("A b c d"), QStringLiteral("a b c d")) < 1.0);
        // "a b c" vs "a b c d": p1 = 3/3, p2 = 2/2, p3 = 1/1, p4 = 0/1 -> method1 gives 0.1/1;
        // brevity penalty exp(1 - 4/3).
        const double expected = std::exp(1.0 - 4.0 / 3.0) * std::pow(1.0 * 1.0 * 1.0 * 0.1, 0.25);
        FT_COMPARE_NEAR(sentenceBleu(QStringLiteral("a b c"), QStringLiteral("a b c d")), expected);
        // Without smoothing a missing order drives the score to (almost) zero, as NLTK's method0 does.
        QVERIFY(sentenceBleu(QStringLiteral("a b c"), QStringLiteral("a b c d"), BleuSmoothing::None) < 1e-70);
        // Clipping: "the the the the" against "the cat": p1 = 1/4.
        QVERIFY(sentenceBleu(QStringLiteral("the the the the"), QStringLiteral("the cat")) < 0.1);

        try {
            corpusBleu({QStringLiteral("a")}, {});
            QFAIL("mismatched corpus accepted");
        } catch (const Error&) {
        }
    }
    void rougeTokenizer()
    {
        QCOMPARE(rougeTokens(QStringLiteral("Hello, World! It's 2024-06-01 café")),
                 QStringList({"hello", "world", "it", "s", "2024", "06", "01", "caf"}));
        FT_COMPARE_NEAR(rougeLF1(QStringLiteral("The cat"), QStringLiteral("the CAT!")), 1.0);
        FT_COMPARE_NEAR(rougeLF1(QStringLiteral("a b c d"), QStringLiteral("a c")), 2.0 * 0.5 * 1.0 / 1.5);
        FT_COMPARE_NEAR(rougeLF1(QStringLiteral("!!!"), QStringLiteral("a")), 0.0);
    }
    void squad()
    {
        QCOMPARE(squadNormalize(QStringLiteral("  The Quick, brown fox!  ")), QStringLiteral("quick brown fox"));
        QCOMPARE(squadNormalize(QStringLiteral("An apple a day")), QStringLiteral("apple day"));
        QVERIFY(exactMatch(QStringLiteral("Paris."), QStringLiteral("paris")));
        QVERIFY(exactMatch(QStringLiteral("the Eiffel Tower"), QStringLiteral("Eiffel tower")));
        QVERIFY(!exactMatch(QStringLiteral("Paris, France"), QStringLiteral("Paris")));
        // "paris france" vs "paris": precision 1/2, recall 1 -> F1 2/3.
        FT_COMPARE_NEAR(tokenF1(QStringLiteral("Paris, France"), QStringLiteral("Paris")), 2.0 / 3.0);
        // Repeated tokens are matched once per occurrence: 2 of 3 tokens match on each side.
        FT_COMPARE_NEAR(tokenF1(QStringLiteral("x x y"), QStringLiteral("x y y")), 2.0 / 3.0);
        FT_COMPARE_NEAR(tokenF1(QStringLiteral("nothing"), QStringLiteral("else")), 0.0);
        FT_COMPARE_NEAR(tokenF1(QStringLiteral("the"), QStringLiteral("a")), 1.0); // both normalise to no tokens
        FT_COMPARE_NEAR(tokenF1(QStringLiteral("the"), QStringLiteral("cat")), 0.0);
    }
};

QTEST_APPLESS_MAIN(TestTextMetrics)
#include "tst_text_metrics.moc"
