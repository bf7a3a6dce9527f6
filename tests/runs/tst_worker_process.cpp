// WorkerProcess against the real worker (a short training run on a tiny model: points arrive and the
// run ends; pause/resume/stop on stdin; the LoRA refusal of this build) and against fake workers
// (shell scripts) that misbehave: garbage and cut-off lines, a 2 MB line, a flood of steps, a crash,
// an exit without a final event, a missing program.

#include <csignal>

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include "contract/train_config.h"
#include "fake_workers.h"
#include "runs/run_trace.h"
#include "runs/worker_process.h"
#include "support/test_support.h"

using namespace ft;

namespace {

QVector<StepPoint> allSteps(const QSignalSpy& spy)
{
    QVector<StepPoint> points;
    for (const QList<QVariant>& arguments : spy)
        points += arguments.at(0).value<QVector<StepPoint>>();
    return points;
}

RunEndInfo endOf(const QSignalSpy& spy) { return spy.isEmpty() ? RunEndInfo() : spy.first().at(0).value<RunEndInfo>(); }

} // namespace

class TestWorkerProcess : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    QString m_model;
    QString m_train;

    // A prepared run folder, as the Train page writes it.
    QString prepareRun(const QString& name, int steps, const std::function<void(TrainConfig&)>& adjust = {})
    {
        TrainConfig config;
        config.applyModePreset(QStringLiteral("full"));
        config.model = m_model;
        config.trainFile = m_train;
        config.promptTemplate = QStringLiteral("plain");
        config.maxLength = 64;
        config.maxSteps = steps;
        config.batchSize = 2;
        config.evalEvery = 3;
        config.samplePrompts = 1;
        config.sampleMaxTokens = 8;
        config.threads = 1;
        if (adjust)
            adjust(config);
        const QString runDir = m_dir.filePath(name);
        QDir().mkpath(runDir);
        QFile file(QDir(runDir).filePath(QStringLiteral("config.json")));
        file.open(QIODevice::WriteOnly);
        file.write(QJsonDocument(config.toJson()).toJson());
        return runDir;
    }

    QString fakeWorker(const QString& name, const QByteArray& body)
    {
        return test::writeScript(m_dir.filePath(name), body);
    }

private slots:
    void initTestCase()
    {
        qRegisterMetaType<RunEndInfo>();
        qRegisterMetaType<RunStartInfo>();
        QVERIFY2(!test::cliPath().isEmpty(), "FT_CLI is not set");
        QString error;
        m_model = test::makeTinyModel(m_dir.filePath(QStringLiteral("model")), &error);
        QVERIFY2(!m_model.isEmpty(), qPrintable(error));
        m_train = test::writeSampleJsonl(m_dir.filePath(QStringLiteral("train.jsonl")), 60);
        QVERIFY(!m_train.isEmpty());
    }

    void realRunDeliversPointsAndFinishes()
    {
        const QString runDir = prepareRun(QStringLiteral("finished"), 6);
        WorkerProcess worker;
        worker.setCliPath(test::cliPath());
        QSignalSpy started(&worker, &WorkerProcess::started);
        QSignalSpy steps(&worker, &WorkerProcess::steps);
        QSignalSpy evals(&worker, &WorkerProcess::evaluated);
        QSignalSpy samples(&worker, &WorkerProcess::sampled);
        QSignalSpy checkpoints(&worker, &WorkerProcess::checkpointed);
        QSignalSpy ended(&worker, &WorkerProcess::ended);
        worker.startRun(runDir);
        QVERIFY(worker.isActive());
        QVERIFY(ended.wait(180000));
        QCOMPARE(ended.size(), 1);
        const RunEndInfo end = endOf(ended);
        QVERIFY2(end.status == QLatin1String("finished"), qPrintable(end.status + QStringLiteral(": ") + end.message));
        QVERIFY(end.reportedByWorker);
        QCOMPARE(end.exitCode, 0);
        QVERIFY(QFileInfo::exists(end.exportPath + QStringLiteral("/model.safetensors")));
        QVERIFY(!worker.isActive());

        QCOMPARE(started.size(), 1);
        QCOMPARE(started.first().at(0).value<RunStartInfo>().totalSteps, 6);
        const QVector<StepPoint> points = allSteps(steps);
        QCOMPARE(points.size(), 6);
        for (int i = 0; i < points.size(); ++i) {
            QCOMPARE(points[i].step, i + 1);
            QVERIFY(std::isfinite(points[i].loss) && points[i].loss > 0);
            QVERIFY(points[i].tokens > 0);
        }
        QCOMPARE(evals.size(), 2); // steps 3 and 6
        QVERIFY(samples.size() >= 1);
        QVERIFY(checkpoints.size() >= 1);
        QCOMPARE(worker.rejectedLines(), 0);

        // The events were kept in the run folder and read back the same.
        const RunTrace trace = RunTrace::loadEventLog(QDir(runDir).filePath(QStringLiteral("events.jsonl")));
        QCOMPARE(trace.steps.size(), 6);
        QCOMPARE(trace.evals.size(), 2);
        QCOMPARE(trace.end.status, QStringLiteral("finished"));
    }

    void pauseResumeAndStopOnStdin()
    {
        const QString runDir = prepareRun(QStringLiteral("stopped"), 100000, [](TrainConfig& c) { c.evalEvery = 0; });
        WorkerProcess worker;
        worker.setCliPath(test::cliPath());
        worker.setStepBatchInterval(20);
        QSignalSpy steps(&worker, &WorkerProcess::steps);
        QSignalSpy paused(&worker, &WorkerProcess::pausedChanged);
        QSignalSpy checkpoints(&worker, &WorkerProcess::checkpointed);
        QSignalSpy ended(&worker, &WorkerProcess::ended);
        worker.startRun(runDir);
        QVERIFY(steps.wait(120000));
        worker.pause();
        QTRY_VERIFY_WITH_TIMEOUT(worker.isPaused(), 30000);
        QCOMPARE(paused.last().at(0).toBool(), true);
        worker.checkpointNow(); // honoured once resumed
        worker.resume();
        QTRY_VERIFY_WITH_TIMEOUT(!worker.isPaused(), 30000);
        QTRY_VERIFY_WITH_TIMEOUT(!checkpoints.isEmpty(), 30000);
        worker.stop();
        QVERIFY(ended.wait(60000));
        QCOMPARE(endOf(ended).status, QStringLiteral("stopped"));
        QVERIFY(!QDir(QDir(runDir).filePath(QStringLiteral("checkpoints")))
                     .entryList({QStringLiteral("step-*")}, QDir::Dirs)
                     .isEmpty());
    }

    void refusedConfigurationIsAFailureWithTheWorkersMessage()
    {
        // A maximum length shorter than the template itself: the worker refuses before training,
        // exits 2, and says why.
        const QString runDir = prepareRun(QStringLiteral("refused"), 3, [](TrainConfig& c) {
            c.applyModePreset(QStringLiteral("instruction"));
            c.promptTemplate = QStringLiteral("alpaca");
            c.maxLength = 12; // below what Alpaca's preamble alone needs
        });
        WorkerProcess worker;
        worker.setCliPath(test::cliPath());
        QSignalSpy ended(&worker, &WorkerProcess::ended);
        worker.startRun(runDir);
        QVERIFY(ended.wait(120000));
        const RunEndInfo end = endOf(ended);
        QCOMPARE(end.status, QStringLiteral("failed"));
        QVERIFY(end.reportedByWorker);
        QCOMPARE(end.exitCode, 2);
        QVERIFY2(end.message.contains(QStringLiteral("max_length")), qPrintable(end.message));
    }

    void destroyingTheObjectStopsTheWorkerGracefully()
    {
        const QString runDir = prepareRun(QStringLiteral("orphan"), 100000, [](TrainConfig& c) { c.evalEvery = 0; });
        auto* worker = new WorkerProcess;
        worker->setCliPath(test::cliPath());
        QSignalSpy steps(worker, &WorkerProcess::steps);
        worker->startRun(runDir);
        QVERIFY(steps.wait(120000));
        const qint64 pid = worker->processId();
        QVERIFY(pid > 0);
        delete worker; // SIGTERM: the worker finishes its step, writes a checkpoint and exits on its own
        // The process is gone (reaped by the left-behind QProcess as the event loop runs).
        QTRY_VERIFY_WITH_TIMEOUT(::kill(static_cast<pid_t>(pid), 0) != 0, 60000);
        QTRY_VERIFY_WITH_TIMEOUT(!QDir(QDir(runDir).filePath(QStringLiteral("checkpoints")))
                                      .entryList({QStringLiteral("step-*")}, QDir::Dirs)
                                      .isEmpty(),
                                 30000);
    }

    // A SIGTERM that comes while the worker is still starting (loading LibTorch) is held until the
    // worker can act on it: the run ends "stopped" with its event and exit 0, never as a bare 143.
    void sigtermWhileStartingStillEndsWithItsEvent()
    {
        const QString runDir =
            prepareRun(QStringLiteral("early-term"), 100000, [](TrainConfig& c) { c.evalEvery = 0; });
        WorkerProcess worker;
        worker.setCliPath(test::cliPath());
        QSignalSpy ended(&worker, &WorkerProcess::ended);
        worker.startRun(runDir);
        QTRY_VERIFY_WITH_TIMEOUT(worker.processId() > 0, 10000);
        QCOMPARE(::kill(static_cast<pid_t>(worker.processId()), SIGTERM), 0);
        QVERIFY(ended.wait(120000));
        const RunEndInfo end = endOf(ended);
        QVERIFY2(end.status == QLatin1String("stopped"), qPrintable(end.status + QStringLiteral(": ") + end.message));
        QVERIFY(end.reportedByWorker);
        QCOMPARE(end.exitCode, 0);
    }

    void hostileOutputNeverCrashes()
    {
        const QString script = fakeWorker(QStringLiteral("hostile.sh"), test::kHostileWorker);
        WorkerProcess worker;
        worker.setCliPath(script);
        QSignalSpy steps(&worker, &WorkerProcess::steps);
        QSignalSpy started(&worker, &WorkerProcess::started);
        QSignalSpy logs(&worker, &WorkerProcess::logLine);
        QSignalSpy ended(&worker, &WorkerProcess::ended);
        worker.startRun(m_dir.filePath(QStringLiteral("hostile-run")));
        QVERIFY(ended.wait(30000));
        QCOMPARE(started.size(), 1);
        const QVector<StepPoint> points = allSteps(steps);
        QCOMPARE(points.size(), 3); // step 3 had no newline: read at exit
        QCOMPARE(points[1].loss, 1.5);
        QCOMPARE(worker.rejectedLines(), 5); // garbage, binary, the 2 MB line, a bad step, an array
        const RunEndInfo end = endOf(ended);
        QCOMPARE(end.status, QStringLiteral("failed"));
        QVERIFY(!end.reportedByWorker);
        QVERIFY2(end.message.contains(QStringLiteral("exited with status 0 without reporting an end")),
                 qPrintable(end.message));
        QVERIFY2(end.message.contains(QStringLiteral("something went wrong here")), qPrintable(end.message));
        bool sawStderr = false;
        for (const auto& arguments : logs)
            sawStderr |= arguments.at(0).toString() == QLatin1String("stderr");
        QVERIFY(sawStderr);
    }

    void crashIsInterrupted()
    {
        const QString script = fakeWorker(QStringLiteral("crash.sh"), test::kCrashingWorker);
        WorkerProcess worker;
        worker.setCliPath(script);
        QSignalSpy steps(&worker, &WorkerProcess::steps);
        QSignalSpy ended(&worker, &WorkerProcess::ended);
        worker.startRun(m_dir.filePath(QStringLiteral("crash-run")));
        QVERIFY(ended.wait(30000));
        QCOMPARE(allSteps(steps).size(), 1);
        const RunEndInfo end = endOf(ended);
        QCOMPARE(end.status, QStringLiteral("interrupted"));
        QCOMPARE(end.exitCode, 9);
        QVERIFY2(end.message.contains(QStringLiteral("signal 9")), qPrintable(end.message));
        QVERIFY2(end.message.contains(QStringLiteral("out of memory (pretend)")), qPrintable(end.message));
    }

    void killIsInterrupted()
    {
        const QString script = fakeWorker(QStringLiteral("sleepy.sh"), "echo '{\"event\":\"started\"}'\nsleep 60\n");
        WorkerProcess worker;
        worker.setCliPath(script);
        QSignalSpy started(&worker, &WorkerProcess::started);
        QSignalSpy ended(&worker, &WorkerProcess::ended);
        worker.startRun(m_dir.filePath(QStringLiteral("killed-run")));
        QVERIFY(started.wait(10000));
        worker.kill();
        QVERIFY(ended.wait(10000));
        QCOMPARE(endOf(ended).status, QStringLiteral("interrupted"));
        QVERIFY(endOf(ended).message.contains(QStringLiteral("killed")));
    }

    void floodOfStepsArrivesInFewBatches()
    {
        const QString script = fakeWorker(QStringLiteral("flood.sh"), test::kFloodingWorker);
        WorkerProcess worker;
        worker.setCliPath(script);
        QSignalSpy steps(&worker, &WorkerProcess::steps);
        QSignalSpy evals(&worker, &WorkerProcess::evaluated);
        QSignalSpy ended(&worker, &WorkerProcess::ended);
        // Order: every step is delivered before the evaluation that follows it.
        int stepsBeforeEval = -1;
        connect(&worker, &WorkerProcess::evaluated, this,
                [&] { stepsBeforeEval = static_cast<int>(allSteps(steps).size()); });
        worker.startRun(m_dir.filePath(QStringLiteral("flood-run")));
        QVERIFY(ended.wait(60000));
        QCOMPARE(endOf(ended).status, QStringLiteral("finished"));
        const QVector<StepPoint> points = allSteps(steps);
        QCOMPARE(points.size(), 20000);
        for (int i = 0; i < points.size(); ++i)
            QCOMPARE(points[i].step, i + 1);
        QCOMPARE(stepsBeforeEval, 20000);
        qInfo("20000 steps arrived in %d batches", static_cast<int>(steps.size()));
        QVERIFY2(steps.size() <= 100, qPrintable(QString::number(steps.size())));
    }

    void commandsGoToStdin()
    {
        const QString script = fakeWorker(QStringLiteral("echo.sh"), test::kEchoingWorker);
        WorkerProcess worker;
        worker.setCliPath(script);
        QSignalSpy logs(&worker, &WorkerProcess::logLine);
        QSignalSpy paused(&worker, &WorkerProcess::pausedChanged);
        QSignalSpy ended(&worker, &WorkerProcess::ended);
        worker.startRun(m_dir.filePath(QStringLiteral("echo-run")));
        worker.pause();
        QTRY_VERIFY_WITH_TIMEOUT(worker.isPaused(), 10000);
        worker.checkpointNow();
        worker.resume();
        QTRY_VERIFY_WITH_TIMEOUT(!worker.isPaused(), 10000);
        worker.stop();
        QVERIFY(ended.wait(10000));
        QCOMPARE(endOf(ended).status, QStringLiteral("stopped"));
        QStringList messages;
        for (const auto& arguments : logs)
            messages << arguments.at(1).toString();
        QCOMPARE(messages, (QStringList{QStringLiteral("got pause"), QStringLiteral("got checkpoint"),
                                        QStringLiteral("got resume"), QStringLiteral("got stop")}));
        QCOMPARE(paused.size(), 2);
    }

    void missingProgramFails()
    {
        WorkerProcess worker;
        worker.setCliPath(QStringLiteral("/nonexistent/ftstudio-cli"));
        QSignalSpy ended(&worker, &WorkerProcess::ended);
        worker.startRun(m_dir.filePath(QStringLiteral("never")));
        QVERIFY(ended.wait(10000));
        QCOMPARE(endOf(ended).status, QStringLiteral("failed"));
        QVERIFY2(endOf(ended).message.contains(QStringLiteral("could not start")), qPrintable(endOf(ended).message));
        QVERIFY(!worker.isActive());
    }
};

QTEST_GUILESS_MAIN(TestWorkerProcess)
#include "tst_worker_process.moc"
