// Evaluations with per-example outputs: a run's evaluation (header, numbers in `evaluations`, outputs)
// stored, read back and replaced by a new evaluation of the same checkpoint and split; base-model
// evaluations cached under (model, split, records, settings) and found again only under that key;
// everything going with a deleted run.

#include <cmath>

#include <QJsonObject>
#include <QTest>

#include "common/error.h"
#include "store/database.h"
#include "store/evaluation_store.h"
#include "store/metric_store.h"
#include "store/run_store.h"
#include "store_test_support.h"

using namespace ft;

namespace {

std::vector<EvaluationOutput> outputs(int count, const QString& prefix, double rouge)
{
    std::vector<EvaluationOutput> result;
    for (int i = 0; i < count; ++i)
        result.push_back({i, QStringLiteral("key%1").arg(i), QStringLiteral("prompt %1").arg(i),
                          QStringLiteral("reference %1").arg(i), QStringLiteral("%1 output %2").arg(prefix).arg(i),
                          10 + i, 5, QStringLiteral("eos"),
                          QJsonObject{{QStringLiteral("bleu"), 0.1 * i},
                                      {QStringLiteral("rouge-l"), rouge},
                                      {QStringLiteral("exact-match"), 0},
                                      {QStringLiteral("f1"), 0.5}}});
    return result;
}

StoredEvaluation runEvaluation(qint64 runId, const QString& checkpoint, const QString& split, double loss)
{
    StoredEvaluation e;
    e.kind = EvaluationKind::Run;
    e.runId = runId;
    e.checkpoint = checkpoint;
    e.step = 40;
    e.split = split;
    e.source = QStringLiteral("run:data/val.jsonl");
    e.recordsSha256 = QStringLiteral("records-a");
    e.examples = 3;
    e.settings = {{QStringLiteral("template"), QStringLiteral("alpaca")}};
    e.settingsKey = QStringLiteral("settings-1");
    e.modelId = QStringLiteral("model-x");
    e.modelPath = QStringLiteral("/models/base");
    e.metrics = {
        {QStringLiteral("loss"), loss}, {QStringLiteral("perplexity"), std::exp(loss)}, {QStringLiteral("bleu"), 0.25}};
    e.seconds = 1.5;
    return e;
}

StoredEvaluation baseEvaluation(const QString& records, const QString& settingsKey, double bleu)
{
    StoredEvaluation e;
    e.kind = EvaluationKind::Base;
    e.modelId = QStringLiteral("model-x");
    e.modelPath = QStringLiteral("/models/base");
    e.datasetId = 1;
    e.datasetName = QStringLiteral("Sample");
    e.datasetVersion = 2;
    e.split = QStringLiteral("val");
    e.recordsSha256 = records;
    e.examples = 3;
    e.settings = {{QStringLiteral("template"), QStringLiteral("alpaca")}};
    e.settingsKey = settingsKey;
    e.metrics = {{QStringLiteral("loss"), 3.0}, {QStringLiteral("bleu"), bleu}};
    return e;
}

} // namespace

class TestEvaluationStore : public QObject {
    Q_OBJECT
private slots:
    void runEvaluationRoundTrip()
    {
        test::TempDatabase temp;
        RunStore runs(temp.db());
        const qint64 run = runs.createRun({});
        EvaluationStore store(temp.db());
        const qint64 id =
            store.saveRunEvaluation(runEvaluation(run, QStringLiteral("best"), QStringLiteral("val"), 2.0),
                                    outputs(3, QStringLiteral("run"), 0.4));
        QVERIFY(id > 0);
        const auto read = store.runEvaluation(run, QStringLiteral("best"), QStringLiteral("val"));
        QVERIFY(read);
        QCOMPARE(read->id, id);
        QVERIFY(read->step == std::optional<qint64>(40));
        QCOMPARE(read->recordsSha256, QStringLiteral("records-a"));
        QCOMPARE(read->settingsKey, QStringLiteral("settings-1"));
        QCOMPARE(read->settings.value(QStringLiteral("template")).toString(), QStringLiteral("alpaca"));
        QCOMPARE(read->metrics.at(QStringLiteral("loss")), 2.0);
        QCOMPARE(read->metrics.at(QStringLiteral("bleu")), 0.25);
        // The numbers are also where `runs show` and the Runs table read evaluations.
        QCOMPARE(MetricStore(temp.db()).evaluations(run).size(), size_t(3));
        const auto stored = store.outputs(*read);
        QCOMPARE(stored.size(), size_t(3));
        QCOMPARE(stored[2].output, QStringLiteral("run output 2"));
        QCOMPARE(stored[2].promptTokens, 12);
        QCOMPARE(stored[2].score(QStringLiteral("bleu")), 0.2);
        QCOMPARE(stored[2].stopReason, QStringLiteral("eos"));
        QVERIFY(!store.runEvaluation(run, QStringLiteral("final"), QStringLiteral("val")));
    }

    void evaluatingAgainReplaces()
    {
        test::TempDatabase temp;
        const qint64 run = RunStore(temp.db()).createRun({});
        MetricStore metrics(temp.db());
        // What the trainer records at the end of a run, and an evaluation of another checkpoint.
        metrics.recordEvaluation(run, QStringLiteral("best"), QStringLiteral("val"), QStringLiteral("loss"), 2.1);
        metrics.recordEvaluation(run, QStringLiteral("best"), QStringLiteral("val"), QStringLiteral("perplexity"),
                                 std::exp(2.1));
        EvaluationStore store(temp.db());
        store.saveRunEvaluation(runEvaluation(run, QStringLiteral("final"), QStringLiteral("val"), 2.5),
                                outputs(3, QStringLiteral("final"), 0.3));
        store.saveRunEvaluation(runEvaluation(run, QStringLiteral("best"), QStringLiteral("val"), 2.0),
                                outputs(3, QStringLiteral("old"), 0.3));
        const qint64 newer =
            store.saveRunEvaluation(runEvaluation(run, QStringLiteral("best"), QStringLiteral("val"), 1.9),
                                    outputs(2, QStringLiteral("new"), 0.6));
        QCOMPARE(store.runEvaluations(run).size(), size_t(2)); // final and best
        const auto best = store.runEvaluation(run, QStringLiteral("best"), QStringLiteral("val"));
        QCOMPARE(best->id, newer);
        QCOMPARE(best->metrics.at(QStringLiteral("loss")), 1.9);
        const auto bestOutputs = store.outputs(*best);
        QCOMPARE(bestOutputs.size(), size_t(2));
        QCOMPARE(bestOutputs[0].output, QStringLiteral("new output 0"));
        // One loss per (checkpoint, split): the trainer's 2.1 and the older 2.0 made way for 1.9.
        int bestLosses = 0;
        for (const EvaluationRecord& e : metrics.evaluations(run))
            if (e.checkpoint == QLatin1String("best") && e.metric == QLatin1String("loss")) {
                ++bestLosses;
                QCOMPARE(e.value, 1.9);
            }
        QCOMPARE(bestLosses, 1);
        QCOMPARE(scalarSql(temp.db(), QStringLiteral("SELECT count(*) FROM evaluation_outputs")).toInt(), 5);
        QCOMPARE(store.outputs(*store.runEvaluation(run, QStringLiteral("final"), QStringLiteral("val"))).size(),
                 size_t(3));

        // The Runs table's columns: one query for every run.
        const qint64 other = RunStore(temp.db()).createRun({});
        store.saveRunEvaluation(runEvaluation(other, QStringLiteral("best"), QStringLiteral("val"), 3.5),
                                outputs(1, QStringLiteral("o"), 0.3));
        const auto table = store.metricsByRun(QStringLiteral("best"), QStringLiteral("val"));
        QCOMPARE(table.size(), size_t(2));
        QCOMPARE(table.at(run).at(QStringLiteral("loss")), 1.9);
        QCOMPARE(table.at(other).at(QStringLiteral("loss")), 3.5);
        QCOMPARE(table.at(other).at(QStringLiteral("bleu")), 0.25);
        QVERIFY(store.metricsByRun(QStringLiteral("best"), QStringLiteral("test")).empty());
    }

    // The latest evaluation per run (the Runs page and the comparison): the checkpoint and split of the newest
    // row, with only that pair's numbers.
    void latestEvaluationIsTheNewestCheckpointAndSplit()
    {
        test::TempDatabase temp;
        const qint64 run = RunStore(temp.db()).createRun({});
        const qint64 other = RunStore(temp.db()).createRun({});
        const qint64 never = RunStore(temp.db()).createRun({});
        EvaluationStore store(temp.db());
        store.saveRunEvaluation(runEvaluation(run, QStringLiteral("best"), QStringLiteral("val"), 2.0),
                                outputs(1, QStringLiteral("b"), 0.3));
        StoredEvaluation final = runEvaluation(run, QStringLiteral("final"), QStringLiteral("test"), 1.5);
        final.metrics = {{QStringLiteral("loss"), 1.5}, {QStringLiteral("rouge-l"), NAN}};
        store.saveRunEvaluation(final, outputs(1, QStringLiteral("f"), 0.3));
        store.saveRunEvaluation(runEvaluation(other, QStringLiteral("best"), QStringLiteral("val"), 3.0),
                                outputs(1, QStringLiteral("o"), 0.3));

        const auto all = store.latestEvaluations();
        QCOMPARE(all.size(), size_t(2));
        QCOMPARE(all.at(run).label, QStringLiteral("final / test"));
        QCOMPARE(all.at(run).metrics.size(), size_t(2)); // not best/val's loss, perplexity and bleu
        QCOMPARE(all.at(run).metrics.at(QStringLiteral("loss")), 1.5);
        QVERIFY(std::isnan(all.at(run).metrics.at(QStringLiteral("rouge-l"))));
        QCOMPARE(all.at(other).label, QStringLiteral("best / val"));
        const auto one = store.latestEvaluation(run);
        QVERIFY(one);
        QCOMPARE(one->label, all.at(run).label);
        QCOMPARE(one->metrics.size(), all.at(run).metrics.size());
        QVERIFY(!store.latestEvaluation(never));
    }

    void baseEvaluationsAreCachedByKey()
    {
        test::TempDatabase temp;
        EvaluationStore store(temp.db());
        const qint64 id =
            store.saveBaseEvaluation(baseEvaluation(QStringLiteral("records-a"), QStringLiteral("settings-1"), 0.1),
                                     outputs(3, QStringLiteral("base"), 0.2));
        const auto found = store.findBaseEvaluation(QStringLiteral("model-x"), QStringLiteral("val"),
                                                    QStringLiteral("records-a"), QStringLiteral("settings-1"));
        QVERIFY(found);
        QCOMPARE(found->id, id);
        QVERIFY(found->kind == EvaluationKind::Base);
        QCOMPARE(found->datasetName, QStringLiteral("Sample"));
        QVERIFY(found->datasetVersion == std::optional<qint64>(2));
        QCOMPARE(found->metrics.at(QStringLiteral("bleu")), 0.1);
        QCOMPARE(store.outputs(*found).size(), size_t(3));
        QCOMPARE(store.outputs(*found)[1].output, QStringLiteral("base output 1"));
        // Any part of the key differing: not the same evaluation.
        QVERIFY(!store.findBaseEvaluation(QStringLiteral("model-y"), QStringLiteral("val"), QStringLiteral("records-a"),
                                          QStringLiteral("settings-1")));
        QVERIFY(!store.findBaseEvaluation(QStringLiteral("model-x"), QStringLiteral("test"),
                                          QStringLiteral("records-a"), QStringLiteral("settings-1")));
        QVERIFY(!store.findBaseEvaluation(QStringLiteral("model-x"), QStringLiteral("val"), QStringLiteral("records-b"),
                                          QStringLiteral("settings-1")));
        QVERIFY(!store.findBaseEvaluation(QStringLiteral("model-x"), QStringLiteral("val"), QStringLiteral("records-a"),
                                          QStringLiteral("settings-2")));

        // Another key is another entry; the same key replaces.
        store.saveBaseEvaluation(baseEvaluation(QStringLiteral("records-a"), QStringLiteral("settings-2"), 0.3),
                                 outputs(3, QStringLiteral("b2"), 0.2));
        const qint64 again =
            store.saveBaseEvaluation(baseEvaluation(QStringLiteral("records-a"), QStringLiteral("settings-1"), 0.15),
                                     outputs(1, QStringLiteral("again"), 0.2));
        QCOMPARE(store.baseEvaluations().size(), size_t(2));
        QCOMPARE(store.baseEvaluations(QStringLiteral("model-x")).size(), size_t(2));
        QVERIFY(store.baseEvaluations(QStringLiteral("model-y")).empty());
        const auto replaced = store.findBaseEvaluation(QStringLiteral("model-x"), QStringLiteral("val"),
                                                       QStringLiteral("records-a"), QStringLiteral("settings-1"));
        QCOMPARE(replaced->id, again);
        QCOMPARE(replaced->metrics.at(QStringLiteral("bleu")), 0.15);
        QCOMPARE(store.outputs(*replaced).size(), size_t(1));
        QCOMPARE(scalarSql(temp.db(), QStringLiteral("SELECT count(*) FROM evaluation_outputs")).toInt(), 4); // 3 + 1

        store.removeBaseEvaluation(again);
        QCOMPARE(store.baseEvaluations().size(), size_t(1));
        QCOMPARE(scalarSql(temp.db(), QStringLiteral("SELECT count(*) FROM evaluation_outputs")).toInt(), 3);
    }

    void baseEvaluationForARunsEvaluation()
    {
        test::TempDatabase temp;
        const qint64 run = RunStore(temp.db()).createRun({});
        EvaluationStore store(temp.db());
        store.saveRunEvaluation(runEvaluation(run, QStringLiteral("final"), QStringLiteral("val"), 2.0),
                                outputs(3, QStringLiteral("run"), 0.4));
        const auto evaluation = store.runEvaluation(run, QStringLiteral("final"), QStringLiteral("val"));
        QVERIFY(!store.baseEvaluationFor(*evaluation));
        store.saveBaseEvaluation(baseEvaluation(QStringLiteral("records-a"), QStringLiteral("other settings"), 0.1),
                                 outputs(3, QStringLiteral("b"), 0.2));
        QVERIFY(!store.baseEvaluationFor(*evaluation)); // generated differently: not comparable
        const qint64 base =
            store.saveBaseEvaluation(baseEvaluation(QStringLiteral("records-a"), QStringLiteral("settings-1"), 0.1),
                                     outputs(3, QStringLiteral("b"), 0.2));
        QCOMPARE(store.baseEvaluationFor(*evaluation)->id, base);
    }

    void deletingTheRunDeletesItsEvaluations()
    {
        test::TempDatabase temp;
        RunStore runs(temp.db());
        const qint64 run = runs.createRun({});
        EvaluationStore store(temp.db());
        store.saveRunEvaluation(runEvaluation(run, QStringLiteral("final"), QStringLiteral("val"), 2.0),
                                outputs(3, QStringLiteral("run"), 0.4));
        store.saveBaseEvaluation(baseEvaluation(QStringLiteral("records-a"), QStringLiteral("settings-1"), 0.1),
                                 outputs(3, QStringLiteral("b"), 0.2));
        runs.remove(run);
        QVERIFY(store.runEvaluations(run).empty());
        QCOMPARE(scalarSql(temp.db(), QStringLiteral("SELECT count(*) FROM evaluations")).toInt(), 0);
        // The base model's cache belongs to no run and stays.
        QCOMPARE(scalarSql(temp.db(), QStringLiteral("SELECT count(*) FROM evaluation_outputs")).toInt(), 3);
        QCOMPARE(store.baseEvaluations().size(), size_t(1));
    }

    void aFailedSaveLeavesNothing()
    {
        test::TempDatabase temp;
        const qint64 run = RunStore(temp.db()).createRun({});
        EvaluationStore store(temp.db());
        std::vector<EvaluationOutput> duplicated = outputs(2, QStringLiteral("x"), 0.1);
        duplicated[1].example = 0; // two outputs for one example: refused by the unique index
        QVERIFY_THROWS_EXCEPTION(
            Error, store.saveRunEvaluation(runEvaluation(run, QStringLiteral("final"), QStringLiteral("val"), 2.0),
                                           duplicated));
        QVERIFY(store.runEvaluations(run).empty());
        QCOMPARE(scalarSql(temp.db(), QStringLiteral("SELECT count(*) FROM evaluations")).toInt(), 0);
        QVERIFY_THROWS_EXCEPTION(Error, store.saveBaseEvaluation(StoredEvaluation{}, {})); // no model identity
    }
};

QTEST_GUILESS_MAIN(TestEvaluationStore)
#include "tst_evaluation_store.moc"
