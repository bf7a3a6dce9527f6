// Sweeps with real workers on stories260K: a 4-trial grid (learning rate x LoRA rank) whose good trials
// finish and whose hopeless ones the median rule stops at their first evaluation; the best trial is
// the one with the lowest validation loss and is recorded in sweep.json; a sweep stopped midway goes on
// from its record, keeping the trials already done. With ROUGE-L as the objective each finished trial's
// best checkpoint is evaluated (its number equal to `ftstudio-cli eval`'s own), the highest wins, and a
// trial whose evaluation was cut short is evaluated again on resume without training again.

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include "common/json_file.h"
#include "fake_workers.h"
#include "runs/run_queue.h"
#include "runs/sweep_record.h"
#include "runs/sweep_runner.h"
#include "support/test_support.h"

using namespace ft;

class TestSweepRunner : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    QString m_train;

    TrainConfig baseConfig() const
    {
        TrainConfig c;
        c.applyModePreset(QStringLiteral("instruction"));
        c.model = test::sharedPath(QStringLiteral("fixtures/stories260K/hf"));
        c.trainFile = m_train;
        c.valFraction = 0.2;
        c.maxLength = 128;
        c.batchSize = 4;
        c.evalEvery = 3;
        c.samplePrompts = 0;
        c.threads = 1;
        return c;
    }

    SweepSpec spec(const QString& name) const
    {
        SweepSpec s;
        s.name = name;
        // A useful rate first, then one too small to learn anything in six steps.
        s.parameters = {parseSweepParameter(QStringLiteral("lr=3e-3,1e-6")),
                        parseSweepParameter(QStringLiteral("r=4,8"))};
        s.stepsPerTrial = 6;
        return s;
    }

    static bool runToEnd(SweepRunner& runner)
    {
        QSignalSpy finished(&runner, &SweepRunner::finished);
        runner.start();
        return finished.wait(240000);
    }

private slots:
    void initTestCase()
    {
        FT_REQUIRE_SHARED();
        QVERIFY2(!test::cliPath().isEmpty(), "FT_CLI is not set (run through ctest)");
        m_train = m_dir.filePath(QStringLiteral("train.jsonl"));
        QFile file(m_train);
        QVERIFY(file.open(QIODevice::WriteOnly));
        for (int i = 0; i < 40; ++i)
            file.write(QJsonDocument(
                           QJsonObject{{QStringLiteral("instruction"), QStringLiteral("Tell a story about %1.").arg(i)},
                                       {QStringLiteral("response"),
                                        QStringLiteral("Once upon a time there was a cat named %1. It "
                                                       "liked to play in the sun.")
                                            .arg(i)}})
                           .toJson(QJsonDocument::Compact) +
                       '\n');
    }

    void fourTrialsBestRecordedHopelessOnesStopped()
    {
        RunQueue queue;
        queue.setCliPath(test::cliPath());
        SweepRecord record =
            SweepRecord::create(m_dir.filePath(QStringLiteral("runs")), spec(QStringLiteral("grid")), baseConfig(), {});
        QCOMPARE(record.trials().size(), size_t(4));
        SweepRunner runner(&queue, record);
        QVERIFY(runToEnd(runner));

        const SweepRecord done = SweepRecord::load(runner.record().folder());
        const std::vector<SweepTrial>& trials = done.trials();
        QCOMPARE(trials[0].status, QStringLiteral("finished"));
        QCOMPARE(trials[1].status, QStringLiteral("finished"));
        for (int i : {2, 3}) { // lr 1e-6: worse than both finished trials at step 3
            QCOMPARE(trials[i].status, QStringLiteral("pruned"));
            QVERIFY2(trials[i].message.contains(QLatin1String("median")), qPrintable(trials[i].message));
            QCOMPARE(trials[i].valLosses.rbegin()->first, qint64(3));
        }
        for (const SweepTrial& t : trials) {
            QVERIFY(t.objective.has_value());
            QVERIFY(QFile::exists(QDir(t.runDir).filePath(QStringLiteral("config.json"))));
            // Each trial's run trained with its own settings.
            const QJsonObject config = readJsonObjectFile(QDir(t.runDir).filePath(QStringLiteral("config.json")));
            QCOMPARE(config.value(QStringLiteral("learning_rate")).toDouble(),
                     t.settings.value(QStringLiteral("learning_rate")).toDouble());
            QCOMPARE(config.value(QStringLiteral("lora_rank")).toInt(),
                     t.settings.value(QStringLiteral("lora_rank")).toInt());
            QCOMPARE(config.value(QStringLiteral("max_steps")).toInt(), 6);
        }
        // The best is the lowest validation loss, and sweep.json says which.
        const std::optional<int> best = done.bestTrial();
        QVERIFY(best.has_value());
        for (const SweepTrial& t : trials)
            QVERIFY(*trials[static_cast<size_t>(*best)].objective <= *t.objective);
        QVERIFY(*best < 2);
        const QJsonObject json = readJsonObjectFile(done.path());
        QCOMPARE(json.value(QStringLiteral("best_trial")).toInt(), *best + 1);
    }

    void stoppedSweepGoesOnFromItsRecord()
    {
        RunQueue queue;
        queue.setCliPath(test::cliPath());
        SweepSpec s = spec(QStringLiteral("resumed"));
        s.pruning = QStringLiteral("none");
        s.maxTrials = 3;
        QString folder;
        QString firstRun;
        {
            SweepRunner runner(&queue,
                               SweepRecord::create(m_dir.filePath(QStringLiteral("runs")), s, baseConfig(), {}));
            folder = runner.record().folder();
            // Stop the sweep as its second trial starts: the first is done, the second is cut short.
            connect(&runner, &SweepRunner::trialStarted, &runner, [&runner](int index, int) {
                if (index == 2)
                    runner.stop();
            });
            runner.start();
            QTRY_VERIFY_WITH_TIMEOUT(!runner.isRunning(), 240000);
            firstRun = runner.record().trials()[0].runDir;
        }
        SweepRecord stopped = SweepRecord::load(folder);
        QCOMPARE(stopped.trials()[0].status, QStringLiteral("finished"));
        QCOMPARE(stopped.trials()[1].status, QStringLiteral("interrupted"));
        QCOMPARE(stopped.trials()[2].status, QStringLiteral("pending"));
        const double firstObjective = *stopped.trials()[0].objective;

        // A process that died with a trial running leaves it "running" in the record: run again too.
        stopped.trials()[1].status = QStringLiteral("running");
        stopped.save();
        SweepRunner again(&queue, SweepRecord::load(folder));
        QVERIFY(runToEnd(again));
        const SweepRecord done = SweepRecord::load(folder);
        for (const SweepTrial& t : done.trials())
            QCOMPARE(t.status, QStringLiteral("finished"));
        QCOMPARE(done.trials()[0].runDir, firstRun); // kept, not run again
        QCOMPARE(*done.trials()[0].objective, firstObjective);
        QVERIFY(done.trials()[1].runDir != stopped.trials()[1].runDir);
    }

    void metricObjectiveEvaluatesEachFinishedTrial()
    {
        RunQueue queue;
        queue.setCliPath(test::cliPath());
        SweepSpec s = spec(QStringLiteral("by rouge"));
        s.parameters = {parseSweepParameter(QStringLiteral("lr=3e-3,1e-6"))};
        s.pruning = QStringLiteral("none");
        s.objective = QStringLiteral("rouge-l");
        s.objectiveExamples = 4;
        RunData data;
        data.workspace = m_dir.filePath(QStringLiteral("workspace"));
        SweepRunner runner(&queue, SweepRecord::create(m_dir.filePath(QStringLiteral("runs")), s, baseConfig(), data));
        QVERIFY(runToEnd(runner));
        SweepRecord done = SweepRecord::load(runner.record().folder());
        for (const SweepTrial& t : done.trials()) {
            QCOMPARE(t.status, QStringLiteral("finished"));
            QVERIFY2(t.metric.has_value(), qPrintable(t.message));
            // The same number from the command line, on the same checkpoint and examples.
            QProcess eval;
            eval.start(test::cliPath(),
                       {QStringLiteral("eval"), t.runDir, QStringLiteral("--workspace"), data.workspace,
                        QStringLiteral("--checkpoint"), QStringLiteral("best"), QStringLiteral("--limit"),
                        QStringLiteral("4"), QStringLiteral("--metrics"), QStringLiteral("rouge-l"),
                        QStringLiteral("--threads"), QStringLiteral("1"), QStringLiteral("--json")});
            QVERIFY(eval.waitForFinished(120000));
            const QJsonObject summary = QJsonDocument::fromJson(eval.readAllStandardOutput()).object();
            const QJsonArray results = summary.value(QStringLiteral("results")).toArray();
            QVERIFY2(!results.isEmpty(), eval.readAllStandardError().constData());
            const double expected = results.at(0)
                                        .toObject()
                                        .value(QStringLiteral("metrics"))
                                        .toObject()
                                        .value(QStringLiteral("rouge-l"))
                                        .toDouble(-1.0);
            QCOMPARE(*t.metric, expected);
        }
        const std::optional<int> best = done.bestTrial();
        QVERIFY(best.has_value());
        for (const SweepTrial& t : done.trials())
            QVERIFY(*done.trials()[static_cast<size_t>(*best)].metric >= *t.metric);

        // A sweep that died while evaluating: the trial is evaluated again, not trained again.
        const QString firstRun = done.trials()[0].runDir;
        const double firstMetric = *done.trials()[0].metric;
        done.trials()[0].status = QStringLiteral("evaluating");
        done.trials()[0].metric.reset();
        done.save();
        SweepRunner again(&queue, SweepRecord::load(done.folder()));
        const int jobsBefore = static_cast<int>(queue.jobIds().size());
        QVERIFY(runToEnd(again));
        const SweepRecord resumed = SweepRecord::load(done.folder());
        QCOMPARE(resumed.trials()[0].status, QStringLiteral("finished"));
        QCOMPARE(resumed.trials()[0].runDir, firstRun);
        QCOMPARE(*resumed.trials()[0].metric, firstMetric);
        QCOMPARE(static_cast<int>(queue.jobIds().size()), jobsBefore); // no training started

        // Stopped while a trial is evaluated: the sweep pauses, and the trial either got its metric in
        // time or stays "evaluating" for the resume; it never ends "finished" without one.
        done.trials()[1].status = QStringLiteral("evaluating");
        done.trials()[1].metric.reset();
        done.save();
        SweepRunner stopped(&queue, SweepRecord::load(done.folder()));
        connect(&stopped, &SweepRunner::trialChanged, &stopped, [&stopped](int index) {
            if (index == 2 && stopped.record().trials()[1].status == QLatin1String("evaluating"))
                stopped.stop();
        });
        QSignalSpy paused(&stopped, &SweepRunner::paused);
        stopped.start();
        QVERIFY(paused.wait(120000));
        QCOMPARE(paused.size(), 1);
        const SweepRecord afterStop = SweepRecord::load(done.folder());
        const SweepTrial& cut = afterStop.trials()[1];
        QVERIFY2((cut.status == QLatin1String("evaluating") && !cut.metric) ||
                     (cut.status == QLatin1String("finished") && cut.metric),
                 qPrintable(cut.status + QStringLiteral(": ") + cut.message));
    }

    // Two trials at once: the second starts before the first ends, both finish, and each trained as it
    // would alone (its losses equal those of the same trial in a one-at-a-time sweep).
    void trialsSideBySide()
    {
        RunQueue queue;
        queue.setCliPath(test::cliPath());
        queue.setMaxConcurrent(2);
        SweepSpec s = spec(QStringLiteral("side by side"));
        s.parameters = {parseSweepParameter(QStringLiteral("lr=3e-3,1e-3"))};
        s.pruning = QStringLiteral("none");
        s.parallel = 2;
        SweepRunner runner(&queue, SweepRecord::create(m_dir.filePath(QStringLiteral("runs")), s, baseConfig(), {}));
        int started = 0;
        int maxActive = 0;
        int active = 0;
        connect(&runner, &SweepRunner::trialStarted, &runner, [&](int, int) {
            ++started;
            maxActive = std::max(maxActive, ++active);
        });
        connect(&runner, &SweepRunner::trialChanged, &runner, [&](int index) {
            if (runner.record().trials()[static_cast<size_t>(index - 1)].isDone())
                --active;
        });
        QVERIFY(runToEnd(runner));
        QCOMPARE(runner.parallelTrials(), 2); // the estimate lets two of stories260K fit
        QCOMPARE(started, 2);
        QCOMPARE(maxActive, 2);
        const SweepRecord together = SweepRecord::load(runner.record().folder());

        s.parallel = 1;
        s.name = QStringLiteral("one by one");
        SweepRunner alone(&queue, SweepRecord::create(m_dir.filePath(QStringLiteral("runs")), s, baseConfig(), {}));
        QVERIFY(runToEnd(alone));
        for (size_t i = 0; i < 2; ++i) {
            const SweepTrial& a = together.trials()[i];
            const SweepTrial& b = alone.record().trials()[i];
            QCOMPARE(a.status, QStringLiteral("finished"));
            QCOMPARE(a.valLosses.size(), b.valLosses.size());
            for (const auto& [step, loss] : a.valLosses)
                QVERIFY2(std::abs(loss - b.valLosses.at(step)) < 1e-6,
                         qPrintable(QStringLiteral("trial %1 step %2: %3 vs %4")
                                        .arg(i + 1)
                                        .arg(step)
                                        .arg(loss)
                                        .arg(b.valLosses.at(step))));
        }
    }

    // A trial stopped from outside the sweep (Stop in the Monitor, the studio closing with "Stop runs")
    // is left to run again, and the sweep pauses instead of starting the next trial.
    void trialStoppedFromOutsidePausesTheSweep()
    {
        RunQueue queue;
        queue.setCliPath(test::cliPath());
        SweepSpec s = spec(QStringLiteral("outside"));
        s.maxTrials = 2;
        SweepRunner runner(&queue, SweepRecord::create(m_dir.filePath(QStringLiteral("runs")), s, baseConfig(), {}));
        connect(&runner, &SweepRunner::trialStarted, &queue, [&queue](int, int job) { queue.cancel(job); });
        QSignalSpy paused(&runner, &SweepRunner::paused);
        QSignalSpy finished(&runner, &SweepRunner::finished);
        runner.start();
        QVERIFY(paused.wait(120000));
        QVERIFY(!runner.isRunning());
        QCOMPARE(finished.size(), 0);
        const SweepRecord record = SweepRecord::load(runner.record().folder());
        QCOMPARE(record.trials()[0].status, QStringLiteral("interrupted"));
        QCOMPARE(record.trials()[1].status, QStringLiteral("pending"));
        QCOMPARE(queue.jobIds().size(), 1); // nothing started behind it
    }

    // With two at once but a queue that runs one (the studio's Runs at once), the second trial waits in
    // the queue; stopping the first from outside keeps the waiting one from starting: both run on resume.
    void outsideStopKeepsWaitingTrialsFromStarting()
    {
        RunQueue queue;
        queue.setCliPath(test::cliPath()); // one run at a time
        SweepSpec s = spec(QStringLiteral("waiting"));
        s.maxTrials = 2;
        s.parallel = 2;
        SweepRunner runner(&queue, SweepRecord::create(m_dir.filePath(QStringLiteral("runs")), s, baseConfig(), {}));
        connect(&runner, &SweepRunner::trialStarted, &queue, [&queue](int index, int job) {
            if (index == 1)
                queue.cancel(job);
        });
        QSignalSpy paused(&runner, &SweepRunner::paused);
        runner.start();
        QVERIFY(paused.wait(120000));
        QTest::qWait(200); // a waiting trial that were started would show up now
        QCOMPARE(paused.size(), 1);
        const SweepRecord record = SweepRecord::load(runner.record().folder());
        QCOMPARE(record.trials()[0].status, QStringLiteral("interrupted"));
        QCOMPARE(record.trials()[1].status, QStringLiteral("interrupted"));
        QCOMPARE(queue.activeCount(), 0);
        QVERIFY(!QFile::exists(QDir(record.trials()[1].runDir).filePath(QStringLiteral("events.jsonl"))));
    }

    // A worker that dies (killed, out of memory) or cannot even start fails its trial: the sweep goes on
    // with the next one, instead of running the same crash again and again or waiting for an end.
    void workerThatFailsFailsItsTrial_data()
    {
        QTest::addColumn<QString>("worker"); // "crash": a script that SIGKILLs itself; "missing": no program
        QTest::addColumn<QString>("message");
        QTest::newRow("killed") << "crash"
                                << "out of memory";
        QTest::newRow("cannot start") << "missing"
                                      << "could not start";
    }
    void workerThatFailsFailsItsTrial()
    {
        QFETCH(QString, worker);
        QFETCH(QString, message);
        RunQueue queue;
        queue.setCliPath(worker == QLatin1String("crash")
                             ? test::writeScript(m_dir.filePath(QStringLiteral("crash.sh")), test::kCrashingWorker)
                             : m_dir.filePath(QStringLiteral("no-such-cli")));
        SweepSpec s = spec(worker);
        s.maxTrials = 2;
        SweepRunner runner(&queue, SweepRecord::create(m_dir.filePath(QStringLiteral("runs")), s, baseConfig(), {}));
        QVERIFY(runToEnd(runner));
        const SweepRecord record = SweepRecord::load(runner.record().folder());
        for (const SweepTrial& t : record.trials()) {
            QCOMPARE(t.status, QStringLiteral("failed"));
            QVERIFY2(t.message.contains(message), qPrintable(t.message));
        }
        QCOMPARE(queue.jobIds().size(), 2); // each trial once
    }
};

QTEST_MAIN(TestSweepRunner)
#include "tst_sweep_runner.moc"
