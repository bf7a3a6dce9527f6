#include <algorithm>

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include "common/error.h"
#include "data/jsonl_records.h"
#include "data/sample_dataset.h"
#include "engine/generation.h"
#include "engine/model_loader.h"
#include "engine/trainer.h"
#include "engine_test_support.h"
#include "support/test_support.h"
#include "training_test_support.h"

using namespace ft;

namespace {

TrainConfig smallConfig(const QString& model, const QString& train)
{
    TrainConfig c;
    c.model = model;
    c.trainFile = train;
    c.valFraction = 0.2;
    c.maxLength = 128;
    c.batchSize = 4;
    c.learningRate = 2e-3;
    c.schedule = QStringLiteral("cosine");
    c.warmupSteps = 2;
    c.samplePrompts = 0;
    c.seed = 5;
    c.threads = 1;
    return c;
}

} // namespace

class TestTrainer : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    QString m_tinyModel;
    QString m_train;

private slots:
    void initTestCase()
    {
        m_tinyModel = test::writeRandomModel(m_dir.filePath(QStringLiteral("tiny")), test::tinyConfig());
        m_train = test::writeSampleTrainingFile(m_dir.path(), 40);
    }

    void resumeGivesTheSameLosses()
    {
        TrainConfig config = smallConfig(m_tinyModel, m_train);
        config.maxSteps = 8;
        config.evalEvery = 4;
        test::TrainingRecorder whole;
        QCOMPARE(test::trainNewRun(m_dir.filePath(QStringLiteral("whole")), config, whole).status,
                 runOutcomeName(RunOutcome::Finished));
        QCOMPARE(whole.losses.size(), size_t(8));

        test::TrainingRecorder first;
        first.stopAfterStep = 3;
        const QString interrupted = m_dir.filePath(QStringLiteral("interrupted"));
        const RunEndInfo stopped = test::trainNewRun(interrupted, config, first);
        QCOMPARE(stopped.status, runOutcomeName(RunOutcome::Stopped));
        QCOMPARE(stopped.step, 3);
        QVERIFY(!first.checkpoints.empty());
        test::TrainingRecorder second;
        QCOMPARE(test::resumeRun(interrupted, second).status, runOutcomeName(RunOutcome::Finished));
        std::vector<double> joined = first.losses;
        joined.insert(joined.end(), second.losses.begin(), second.losses.end());
        QCOMPARE(joined.size(), whole.losses.size());
        for (size_t i = 0; i < joined.size(); ++i)
            QVERIFY2(std::abs(joined[i] - whole.losses[i]) <= 1e-6 * std::abs(whole.losses[i]),
                     qPrintable(QStringLiteral("step %1: %2 after resume vs %3")
                                    .arg(i + 1)
                                    .arg(joined[i], 0, 'g', 12)
                                    .arg(whole.losses[i], 0, 'g', 12)));
        QCOMPARE(second.valLosses.back(), whole.valLosses.back());
    }
    // A worker killed after setting up and before its first checkpoint leaves settings and frozen
    // data but nothing to load: --resume starts it from step 0 and it trains as it first would have.
    void aRunKilledBeforeItsFirstCheckpointResumesFromTheStart()
    {
        TrainConfig config = smallConfig(m_tinyModel, m_train);
        config.maxSteps = 4;
        test::TrainingRecorder whole;
        test::trainNewRun(m_dir.filePath(QStringLiteral("uninterrupted")), config, whole);

        const QString killed = m_dir.filePath(QStringLiteral("killed-early"));
        {
            test::TrainingRecorder setUpOnly;
            TrainerControl control;
            Trainer trainer(killed, setUpOnly, control);
            trainer.setupNew(config); // then the process died: no step, no checkpoint
        }
        QVERIFY(CheckpointStore(killed).list().empty());
        test::TrainingRecorder resumed;
        const RunEndInfo end = test::resumeRun(killed, resumed);
        QCOMPARE(end.status, runOutcomeName(RunOutcome::Finished));
        QCOMPARE(resumed.start.resumedFromStep, 0);
        QCOMPARE(resumed.losses, whole.losses);
        QCOMPARE(resumed.valLosses, whole.valLosses);
    }
    void gradientAccumulationEqualsOneBigBatch()
    {
        TrainConfig big = smallConfig(m_tinyModel, m_train);
        big.maxSteps = 3;
        big.valFraction = 0.0;
        TrainConfig accumulated = big;
        accumulated.batchSize = 2;
        accumulated.gradAccumulation = 2;
        test::TrainingRecorder a, b;
        test::trainNewRun(m_dir.filePath(QStringLiteral("big")), big, a);
        test::trainNewRun(m_dir.filePath(QStringLiteral("accumulated")), accumulated, b);
        QCOMPARE(a.losses.size(), b.losses.size());
        for (size_t i = 0; i < a.losses.size(); ++i)
            QVERIFY2(std::abs(a.losses[i] - b.losses[i]) < 1e-5 * a.losses[i],
                     qPrintable(QStringLiteral("%1 vs %2").arg(a.losses[i]).arg(b.losses[i])));
    }
    void divergenceStopsAndKeepsTheLastGoodCheckpoint()
    {
        TrainConfig config = smallConfig(m_tinyModel, m_train);
        config.maxSteps = 20;
        config.saveEvery = 1;
        config.maxGradNorm = 0.0;
        config.warmupSteps = 0;
        config.schedule = QStringLiteral("constant");
        config.learningRate = 1e30;
        test::TrainingRecorder recorder;
        const QString runDir = m_dir.filePath(QStringLiteral("diverged"));
        const RunEndInfo end = test::trainNewRun(runDir, config, recorder);
        QCOMPARE(end.status, runOutcomeName(RunOutcome::Diverged));
        QVERIFY2(end.message.contains(QStringLiteral("step %1").arg(end.step + 1)), qPrintable(end.message));
        // Every checkpoint on disk holds finite weights, and none was written after the bad step.
        const auto checkpoints = CheckpointStore(runDir).list();
        QVERIFY(!checkpoints.empty());
        QCOMPARE(checkpoints.back().step, end.step);
    }
    // The trials of a learning rate far too high on a real pretrained model (stories260K): a loss
    // that explodes (10) and weights saturated with no gradient left (1e3) both end the run as
    // diverged, and the message says truthfully which checkpoint predates the trouble.
    void explosionsAndDeadGradientsEndTheRun_data()
    {
        QTest::addColumn<double>("learningRate");
        QTest::addColumn<int>("warmup");
        QTest::addColumn<int>("saveEvery");
        QTest::addColumn<QString>("reason");
        QTest::addColumn<QString>("checkpoint");
        QTest::newRow("lr 10, no checkpoint") << 10.0 << 0 << 0 << QStringLiteral("the loss exploded")
                                              << QStringLiteral("No checkpoint from before it went wrong is left.");
        // Step s's loss comes from the weights after s - 1 updates: checkpoint 1 already holds the
        // weights whose loss exploded at step 2.
        QTest::newRow("lr 10, every step")
            << 10.0 << 0 << 1 << QStringLiteral("the loss exploded")
            << QStringLiteral("No checkpoint from before it went wrong is left; the 3 written since hold the diverged "
                              "weights.");
        // Warming up to 1 over 30 steps: step 1 (at 1/30) is still good, then it explodes.
        QTest::newRow("lr 1 reached over 30 steps, every step")
            << 1.0 << 30 << 1 << QStringLiteral("the loss exploded")
            << QStringLiteral("The last checkpoint from before it went wrong is step 1 (checkpoints/step-00000001); "
                              "the 3 after it hold the diverged weights.");
        QTest::newRow("lr 1e3") << 1e3 << 0 << 0 << QStringLiteral("the gradient has been exactly zero for 3 steps")
                                << QStringLiteral("No checkpoint from before it went wrong is left.");
    }
    void explosionsAndDeadGradientsEndTheRun()
    {
        FT_REQUIRE_SHARED();
        QFETCH(double, learningRate);
        QFETCH(int, warmup);
        QFETCH(int, saveEvery);
        QFETCH(QString, reason);
        QFETCH(QString, checkpoint);
        TrainConfig config = smallConfig(test::sharedPath(QStringLiteral("fixtures/stories260K/hf")), m_train);
        config.maxSteps = 30;
        config.warmupSteps = warmup;
        config.schedule = QStringLiteral("constant");
        config.learningRate = learningRate;
        config.saveEvery = saveEvery;
        config.keepLast = 100;
        test::TrainingRecorder recorder;
        const QString runDir = m_dir.filePath(QStringLiteral("lr-%1-%2-%3").arg(learningRate).arg(warmup).arg(saveEvery));
        const RunEndInfo end = test::trainNewRun(runDir, config, recorder);
        QCOMPARE(end.status, runOutcomeName(RunOutcome::Diverged));
        QVERIFY2(end.step < 10, qPrintable(end.message));
        QVERIFY2(end.message.contains(reason), qPrintable(end.message));
        QVERIFY2(end.message.contains(checkpoint), qPrintable(end.message));
        QVERIFY2(end.message.endsWith(
                     QStringLiteral("Try a lower learning rate (this run's: %1).").arg(learningRate, 0, 'g', 3)),
                 qPrintable(end.message));
        QCOMPARE(end.exportPath, QString()); // a wrecked model is not exported

        // Turned off, only NaN and Inf end a run: the same trial runs to its last step. (Only for the
        // saturated trial: an exploded model's steps are about 20 times slower.)
        if (learningRate < 100)
            return;
        config.stopOnDivergence = false;
        config.maxSteps = 12;
        config.saveEvery = 0;
        test::TrainingRecorder unchecked;
        const RunEndInfo finished = test::trainNewRun(runDir + QStringLiteral("-unchecked"), config, unchecked);
        QCOMPARE(finished.status, runOutcomeName(RunOutcome::Finished));
        QCOMPARE(unchecked.losses.size(), size_t(12));
    }
    // tokens/s is each step's own throughput: an evaluation after every step (here on as many examples
    // as train) must not pull it down to the average since the start (issue 21: it dropped after each).
    void throughputIsTheStepsOwn()
    {
        TrainConfig config = smallConfig(m_tinyModel, m_train);
        config.maxSteps = 6;
        config.valFraction = 0.5;
        config.evalEvery = 1;
        test::TrainingRecorder recorder;
        const RunEndInfo end = test::trainNewRun(m_dir.filePath(QStringLiteral("throughput")), config, recorder);
        QCOMPARE(end.status, runOutcomeName(RunOutcome::Finished));
        QCOMPARE(recorder.steps.size(), size_t(6));
        // The median over the steps after the first two, so that one step slowed by the machine does not decide.
        std::vector<double> ratios;
        for (size_t i = 2; i < recorder.steps.size(); ++i) {
            const StepPoint& p = recorder.steps[i];
            ratios.push_back(p.tokensPerSecond / (static_cast<double>(p.tokens) / p.elapsed)); // vs since the start
        }
        std::sort(ratios.begin(), ratios.end());
        const double median = ratios[ratios.size() / 2];
        QVERIFY2(median > 1.5, qPrintable(QStringLiteral("the steps' throughput is %1 x the average since the start")
                                              .arg(median)));
    }

    void earlyStoppingOnValidationLoss()
    {
        TrainConfig config = smallConfig(m_tinyModel, m_train);
        config.maxSteps = 30;
        config.evalEvery = 2;
        config.earlyStoppingPatience = 2;
        config.earlyStoppingMinDelta = 100.0; // nothing counts as an improvement after the first evaluation
        test::TrainingRecorder recorder;
        const RunEndInfo end = test::trainNewRun(m_dir.filePath(QStringLiteral("early")), config, recorder);
        QCOMPARE(end.status, runOutcomeName(RunOutcome::Finished));
        QCOMPARE(end.step, 6); // evaluations at 2 (best), 4, 6 -> two without improvement
        QVERIFY(end.message.contains(QLatin1String("early stopping")));
        QVERIFY(end.hasBestValLoss());
        QCOMPARE(recorder.checkpoints.front().step, 2);
        QVERIFY(recorder.checkpoints.front().best);
    }
    void freezeTuningChangesOnlyTheTopLayers()
    {
        TrainConfig config = smallConfig(m_tinyModel, m_train);
        config.applyModePreset(QStringLiteral("freeze"));
        config.trainTopLayers = 1;
        config.maxSteps = 2;
        config.valFraction = 0.0;
        test::TrainingRecorder recorder;
        const QString runDir = m_dir.filePath(QStringLiteral("freeze"));
        QCOMPARE(test::trainNewRun(runDir, config, recorder).status, runOutcomeName(RunOutcome::Finished));
        LoadedModel before = loadModel(m_tinyModel);
        LoadedModel after = loadModel(QDir(runDir).filePath(QStringLiteral("export/model")));
        const auto original = before.model->named_parameters();
        int changed = 0;
        for (const auto& item : after.model->named_parameters()) {
            const bool same = torch::equal(item.value(), original[item.key()]);
            if (item.key().rfind("model.layers.1.", 0) == 0)
                changed += same ? 0 : 1;
            else
                QVERIFY2(same, item.key().c_str());
        }
        QVERIFY(changed > 0);
    }
    void fineTuningStories260KLowersValidationLoss()
    {
        FT_REQUIRE_SHARED();
        TrainConfig config = smallConfig(test::sharedPath(QStringLiteral("fixtures/stories260K/hf")), m_train);
        config.lossOn = QStringLiteral("response");
        config.maxSteps = 12;
        config.evalEvery = 6;
        config.learningRate = 3e-3;
        config.samplePrompts = 1;
        config.sampleMaxTokens = 8;
        test::TrainingRecorder recorder;
        const QString runDir = m_dir.filePath(QStringLiteral("stories"));
        TrainerControl control;
        Trainer trainer(runDir, recorder, control);
        trainer.setupNew(config);
        // The validation loss before any training, for comparison.
        LoadedModel base = loadModel(config.model);
        const RunEndInfo end = trainer.run();
        QCOMPARE(end.status, runOutcomeName(RunOutcome::Finished));
        QCOMPARE(recorder.valLosses.size(), size_t(2));
        QVERIFY2(recorder.valLosses.back() < recorder.valLosses.front(),
                 qPrintable(QStringLiteral("%1 -> %2").arg(recorder.valLosses.front()).arg(recorder.valLosses.back())));
        QVERIFY(recorder.losses.back() < recorder.losses.front());

        // The export is a model folder that loads and generates.
        LoadedModel exported = loadModel(end.exportPath);
        SamplingOptions options;
        options.greedy = true;
        options.maxNewTokens = 10;
        options.stopAtEos = false;
        const auto result = generate(*exported.model, *exported.tokenizer,
                                     promptWithBos(*exported.tokenizer, QStringLiteral("Hello")), options);
        QCOMPARE(result.tokens.size(), size_t(10));
        QVERIFY(QFile::exists(QDir(runDir).filePath(QStringLiteral("data/manifest.json"))));
        QVERIFY(QFile::exists(QDir(runDir).filePath(QStringLiteral("config.json"))));
    }
    void badDataFailsBeforeTraining()
    {
        const QString bad = m_dir.filePath(QStringLiteral("bad.jsonl"));
        QFile file(bad);
        file.open(QIODevice::WriteOnly);
        file.write("{\"instruction\": \"a\", \"response\": \"b\"}\n{\"instruction\": \"c\", \"response\": \"\"}\n");
        file.close();
        test::TrainingRecorder recorder;
        const QString runDir = m_dir.filePath(QStringLiteral("bad-run"));
        TrainerControl control;
        Trainer trainer(runDir, recorder, control);
        try {
            trainer.setupNew(smallConfig(m_tinyModel, bad));
            QFAIL("an empty response was accepted");
        } catch (const Error& error) {
            QVERIFY2(error.message().contains(bad + QStringLiteral(":2")), qPrintable(error.message()));
        }
        QVERIFY(!QFile::exists(QDir(runDir).filePath(QStringLiteral("config.json"))));
    }
    void maxLengthBelowTheTemplateIsRefused()
    {
        TrainConfig config = smallConfig(m_tinyModel, m_train);
        config.maxLength = 10; // the Alpaca preamble alone is longer
        test::TrainingRecorder recorder;
        TrainerControl control;
        Trainer trainer(m_dir.filePath(QStringLiteral("short")), recorder, control);
        try {
            trainer.setupNew(config);
            QFAIL("max_length below the template accepted");
        } catch (const Error& error) {
            QVERIFY2(error.message().contains(QLatin1String("max_length")), qPrintable(error.message()));
        }
    }
};

QTEST_APPLESS_MAIN(TestTrainer)
#include "tst_trainer.moc"
