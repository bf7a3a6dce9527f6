// Per-example scores and the set's summary: each score is text_metrics' value, the summary's BLEU is
// corpus BLEU (not the mean of sentence BLEU), means and lengths are plain means; metric names parse.

#include <QTest>

#include "common/error.h"
#include "data/generation_scores.h"
#include "data/text_metrics.h"

using namespace ft;

class TestGenerationScores : public QObject {
    Q_OBJECT
private slots:
    void exampleScores()
    {
        const ExampleScores same =
            scoreExample(QStringLiteral("The cat sat on the mat."), QStringLiteral("The cat sat on the mat."));
        QCOMPARE(same.bleu, 1.0);
        QCOMPARE(same.rougeL, 1.0);
        QVERIFY(same.exactMatch);
        QCOMPARE(same.f1, 1.0);
        const QString hyp = QStringLiteral("the cat is on the mat");
        const QString ref = QStringLiteral("The cat sat on the mat.");
        const ExampleScores partial = scoreExample(hyp, ref);
        QCOMPARE(partial.bleu, sentenceBleu(hyp, ref, BleuSmoothing::Method1));
        QCOMPARE(partial.rougeL, rougeLF1(hyp, ref));
        QCOMPARE(partial.f1, tokenF1(hyp, ref));
        QVERIFY(!partial.exactMatch);
        QCOMPARE(partial.value(EvalMetric::RougeL), partial.rougeL);
        QCOMPARE(partial.value(EvalMetric::ExactMatch), 0.0);
        // Through JSON and back, under the names the store uses.
        const QJsonObject json = partial.toJson();
        QCOMPARE(json.value(QStringLiteral("rouge-l")).toDouble(), partial.rougeL);
        QCOMPARE(json.value(QStringLiteral("exact-match")).toInt(), 0);
        const ExampleScores back = ExampleScores::fromJson(json);
        QCOMPARE(back.bleu, partial.bleu);
        QCOMPARE(back.f1, partial.f1);
    }

    void summary()
    {
        const std::vector<QString> outputs{QStringLiteral("the cat sat on the mat"), QStringLiteral("a dog"),
                                           QStringLiteral("")};
        const std::vector<QString> references{QStringLiteral("the cat sat on the mat"),
                                              QStringLiteral("a big dog barked"), QStringLiteral("nothing")};
        std::vector<ExampleScores> scores;
        for (size_t i = 0; i < outputs.size(); ++i)
            scores.push_back(scoreExample(outputs[i], references[i]));
        const GenerationSummary s = summarizeGenerations(outputs, references, scores, {6, 3, 0});
        QCOMPARE(s.examples, 3);
        QCOMPARE(s.corpusBleu, corpusBleu(outputs, references, BleuSmoothing::None));
        QVERIFY(s.corpusBleu != (scores[0].bleu + scores[1].bleu + scores[2].bleu) / 3); // corpus, not a mean
        QCOMPARE(s.meanRougeL, (scores[0].rougeL + scores[1].rougeL + scores[2].rougeL) / 3);
        QCOMPARE(s.exactMatchRate, 1.0 / 3);
        QCOMPARE(s.meanF1, (scores[0].f1 + scores[1].f1 + scores[2].f1) / 3);
        QCOMPARE(s.meanWords, (6.0 + 2.0 + 0.0) / 3);
        QCOMPARE(s.meanTokens, 3.0);
        QCOMPARE(summarizeGenerations({}, {}, {}, {}).examples, 0);
        QVERIFY_THROWS_EXCEPTION(Error, summarizeGenerations(outputs, references, scores, {1}));
        QCOMPARE(whitespaceWordCount(QStringLiteral("  one\ttwo\n three ")), 3);
    }

    void metricNames()
    {
        const auto metrics = parseEvalMetrics(QStringLiteral("loss, BLEU,rouge-l,rougeL,em,f1"));
        QCOMPARE(metrics.size(), size_t(5)); // rougeL repeats rouge-l
        QVERIFY(metrics[0] == EvalMetric::Loss && metrics[2] == EvalMetric::RougeL &&
                metrics[3] == EvalMetric::ExactMatch);
        QVERIFY_THROWS_EXCEPTION(Error, parseEvalMetrics(QStringLiteral("loss,accuracy")));
        QVERIFY_THROWS_EXCEPTION(Error, parseEvalMetrics(QStringLiteral(",")));
        for (EvalMetric metric : allEvalMetrics())
            QVERIFY(evalMetricFromName(evalMetricName(metric)) == metric);
        QVERIFY(!isGenerationMetric(EvalMetric::Loss));
        QVERIFY(isGenerationMetric(EvalMetric::F1));
    }
};

QTEST_APPLESS_MAIN(TestGenerationScores)
#include "tst_generation_scores.moc"
