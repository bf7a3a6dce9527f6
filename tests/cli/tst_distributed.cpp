// Data-parallel training on Gloo over loopback: two processes must train exactly like one.

#include <csignal>
#include <cstring>

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include "cli_runner.h"
#include "contract/run_folder.h"
#include "modelio/safetensors_file.h"
#include "support/test_support.h"

using namespace ft;

namespace {

struct RunResult {
    int exitCode = -1;
    std::vector<double> losses;
    QJsonObject started;
    QJsonObject last;
};

RunResult parseEvents(const test::CliResult& result)
{
    RunResult run;
    run.exitCode = result.exitCode;
    for (const QByteArray& line : result.out.split('\n')) {
        const QJsonObject event = QJsonDocument::fromJson(line).object();
        if (event.isEmpty())
            continue;
        if (event[QStringLiteral("event")].toString() == QLatin1String("step"))
            run.losses.push_back(event[QStringLiteral("loss")].toDouble());
        if (event[QStringLiteral("event")].toString() == QLatin1String("started"))
            run.started = event;
        run.last = event;
    }
    return run;
}

std::vector<float> exportedWeights(const QString& runDir)
{
    SafetensorsFile file(QDir(runDir).filePath(QStringLiteral("export/model/model.safetensors")));
    std::vector<float> values;
    for (const SafetensorsEntry& entry : file.entries()) {
        const auto* data = static_cast<const float*>(file.data(entry));
        values.insert(values.end(), data, data + entry.elementCount());
    }
    return values;
}

// A rank started the way torchrun starts one.
class Rank {
public:
    // rank -1: not a rank but `train --nproc N`, which starts its own.
    Rank(int rank, int world, int port, const QStringList& arguments)
    {
        if (rank >= 0) {
            QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
            env.insert(QStringLiteral("RANK"), QString::number(rank));
            env.insert(QStringLiteral("WORLD_SIZE"), QString::number(world));
            env.insert(QStringLiteral("MASTER_ADDR"), QStringLiteral("127.0.0.1"));
            env.insert(QStringLiteral("MASTER_PORT"), QString::number(port));
            m_process.setProcessEnvironment(env);
        }
        m_process.start(test::cliPath(), arguments);
    }
    ~Rank()
    {
        m_process.kill();
        m_process.waitForFinished();
    }
    QJsonObject waitFor(const QString& name, int timeoutMs = 120000)
    {
        QElapsedTimer timer;
        timer.start();
        while (timer.elapsed() < timeoutMs) {
            while (m_process.canReadLine()) {
                const QJsonObject event = QJsonDocument::fromJson(m_process.readLine()).object();
                if (event[QStringLiteral("event")].toString() == name)
                    return event;
            }
            if (m_process.state() == QProcess::NotRunning && !m_process.canReadLine())
                return {};
            m_process.waitForReadyRead(200);
        }
        return {};
    }
    QProcess& process() { return m_process; }

private:
    QProcess m_process;
};

// The process started by `pid` whose environment says RANK=`rank` (the supervisor's children), or 0.
qint64 rankProcess(qint64 pid, int rank)
{
    for (const QFileInfo& task :
         QDir(QStringLiteral("/proc/%1/task").arg(pid)).entryInfoList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        QFile children(task.filePath() + QStringLiteral("/children"));
        if (!children.open(QIODevice::ReadOnly))
            continue;
        for (const QByteArray& child : children.readAll().simplified().split(' ')) {
            QFile environ(QStringLiteral("/proc/%1/environ").arg(QString::fromLatin1(child)));
            if (environ.open(QIODevice::ReadOnly) &&
                environ.readAll().split('\0').contains("RANK=" + QByteArray::number(rank)))
                return child.toLongLong();
        }
    }
    return 0;
}

} // namespace

class TestDistributed : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    QString m_train;

    QStringList arguments(const QString& runDir, int steps)
    {
        return {QStringLiteral("train"),
                QStringLiteral("--model"),
                test::sharedPath(QStringLiteral("fixtures/stories260K/hf")),
                QStringLiteral("--train"),
                m_train,
                QStringLiteral("--run"),
                runDir,
                QStringLiteral("--steps"),
                QString::number(steps),
                QStringLiteral("--template"),
                QStringLiteral("plain"),
                QStringLiteral("--max-length"),
                QStringLiteral("128"),
                QStringLiteral("--batch-size"),
                QStringLiteral("4"),
                QStringLiteral("--lr"),
                QStringLiteral("2e-3"),
                QStringLiteral("--set"),
                QStringLiteral("sample_prompts=0"),
                QStringLiteral("--set"),
                QStringLiteral("grad_accumulation=2"),
                QStringLiteral("--set"),
                QStringLiteral("eval_every=3"),
                QStringLiteral("--threads"),
                QStringLiteral("1"),
                QStringLiteral("--events"),
                QStringLiteral("jsonl")};
    }

private slots:
    void initTestCase()
    {
        m_train = m_dir.filePath(QStringLiteral("train.jsonl"));
        QFile file(m_train);
        file.open(QIODevice::WriteOnly);
        for (int i = 0; i < 80; ++i)
            file.write(QStringLiteral("{\"instruction\": \"Tell a story about %1.\", \"response\": \"Once upon a time "
                                      "there was a %1 who liked "
                                      "to play in the park with %2 friends.\"}\n")
                           .arg(QStringList{QStringLiteral("cat"), QStringLiteral("dog"), QStringLiteral("bird"),
                                            QStringLiteral("girl")}[i % 4])
                           .arg(i % 5 + 2)
                           .toUtf8());
    }
    void twoProcessesTrainLikeOne()
    {
        FT_REQUIRE_SHARED();
        const QString one = m_dir.filePath(QStringLiteral("one"));
        const QString two = m_dir.filePath(QStringLiteral("two"));
        const RunResult single = parseEvents(test::runCli(arguments(one, 6), 300000));
        const RunResult pair =
            parseEvents(test::runCli(arguments(two, 6) << QStringLiteral("--nproc") << QStringLiteral("2"), 300000));
        QCOMPARE(single.exitCode, 0);
        QCOMPARE(pair.exitCode, 0);
        QCOMPARE(pair.last[QStringLiteral("event")].toString(), QStringLiteral("finished"));
        QCOMPARE(pair.losses.size(), size_t(6));
        QCOMPARE(single.started[QStringLiteral("world_size")].toInt(), 1);
        QCOMPARE(pair.started[QStringLiteral("world_size")].toInt(), 2);
        for (size_t i = 0; i < single.losses.size(); ++i)
            QVERIFY2(std::abs(single.losses[i] - pair.losses[i]) <= 1e-5 * single.losses[i],
                     qPrintable(QStringLiteral("step %1: %2 vs %3")
                                    .arg(i + 1)
                                    .arg(single.losses[i], 0, 'g', 10)
                                    .arg(pair.losses[i], 0, 'g', 10)));
        const std::vector<float> a = exportedWeights(one);
        const std::vector<float> b = exportedWeights(two);
        QCOMPARE(a.size(), b.size());
        double worst = 0.0;
        for (size_t i = 0; i < a.size(); ++i)
            worst = std::max(worst, static_cast<double>(std::abs(a[i] - b[i])));
        // Summed in another order, the gradients differ in their last bits, and Adam's division by the root of
        // the second moment enlarges that where a gradient is near zero: 1.2e-5 after 6 steps on one machine
        // (AMD EPYC, 2026-12-07) where earlier machines stayed within 1e-5: both far under one step's update (lr 2e-3).
        QVERIFY2(worst <= 2e-5, qPrintable(QStringLiteral("largest weight difference %1").arg(worst)));
    }
    // DPO deals out whole pairs: two processes train like one (adapter dropout off, since each rank
    // draws its own masks).
    void twoProcessesTrainPreferencePairsLikeOne()
    {
        FT_REQUIRE_SHARED();
        const QString pairs = m_dir.filePath(QStringLiteral("pairs.jsonl"));
        QFile file(pairs);
        QVERIFY(file.open(QIODevice::WriteOnly));
        for (int i = 0; i < 40; ++i)
            file.write(QStringLiteral("{\"instruction\": \"Tell a story about %1.\", \"response\": \"Once upon a time "
                                      "there was a %1.\", \"rejected\": \"%1 a was there time a upon Once.\"}\n")
                           .arg(i)
                           .toUtf8());
        file.close();
        auto dpo = [&](const QString& runDir) {
            QStringList args = arguments(runDir, 4);
            args[args.indexOf(QStringLiteral("--train")) + 1] = pairs;
            return args << QStringLiteral("--mode") << QStringLiteral("dpo") << QStringLiteral("--set")
                        << QStringLiteral("lora_dropout=0") << QStringLiteral("--set")
                        << QStringLiteral("max_length=256");
        };
        const RunResult single = parseEvents(test::runCli(dpo(m_dir.filePath(QStringLiteral("dpo-one"))), 300000));
        const RunResult pair = parseEvents(test::runCli(dpo(m_dir.filePath(QStringLiteral("dpo-two")))
                                                            << QStringLiteral("--nproc") << QStringLiteral("2"),
                                                        300000));
        QCOMPARE(single.exitCode, 0);
        QCOMPARE(pair.exitCode, 0);
        QCOMPARE(pair.started[QStringLiteral("world_size")].toInt(), 2);
        QCOMPARE(pair.losses.size(), size_t(4));
        QCOMPARE(single.losses.size(), size_t(4));
        QVERIFY(std::abs(single.losses[0] - std::log(2.0)) < 1e-5);
        for (size_t i = 0; i < single.losses.size(); ++i)
            QVERIFY2(std::abs(single.losses[i] - pair.losses[i]) <= 1e-5 * single.losses[i],
                     qPrintable(QStringLiteral("step %1: %2 vs %3")
                                    .arg(i + 1)
                                    .arg(single.losses[i], 0, 'g', 10)
                                    .arg(pair.losses[i], 0, 'g', 10)));
        QVERIFY(single.losses.back() < single.losses.front()); // it learnt
    }
    // The studio launches a prepared run folder: its settings' "processes" starts the ranks (no
    // --nproc), and both ranks read the prepared settings before rank 0 rewrites them resolved.
    void aPreparedRunAsksForTwoProcesses()
    {
        FT_REQUIRE_SHARED();
        const QString runDir = m_dir.filePath(QStringLiteral("prepared"));
        QVERIFY(QDir().mkpath(runDir));
        QJsonObject settings{{QStringLiteral("model"), test::sharedPath(QStringLiteral("fixtures/stories260K/hf"))},
                             {QStringLiteral("train_file"), m_train},
                             {QStringLiteral("template"), QStringLiteral("plain")},
                             {QStringLiteral("max_length"), 128},
                             {QStringLiteral("batch_size"), 4},
                             {QStringLiteral("max_steps"), 2},
                             {QStringLiteral("sample_prompts"), 0},
                             {QStringLiteral("threads"), 1},
                             {QStringLiteral("processes"), 2}};
        QFile file(QDir(runDir).filePath(QStringLiteral("config.json")));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(QJsonDocument(settings).toJson());
        file.close();
        const RunResult run = parseEvents(test::runCli({QStringLiteral("train"), QStringLiteral("--run"), runDir,
                                                        QStringLiteral("--events"), QStringLiteral("jsonl")},
                                                       300000));
        QCOMPARE(run.exitCode, 0);
        QCOMPARE(run.last[QStringLiteral("event")].toString(), QStringLiteral("finished"));
        QCOMPARE(run.started[QStringLiteral("world_size")].toInt(), 2);
        QCOMPARE(run.losses.size(), size_t(2));
    }
    // Rank 0 alone opens the workspace: a folder it would create, or a dataset snapshot it would
    // write, would not exist for the other ranks. Both are refused before any rank starts.
    void severalProcessesNeedOneRunFolderAndFiles()
    {
        const test::CliResult noFolder =
            test::runCli({QStringLiteral("train"), QStringLiteral("--model"), QStringLiteral("/nonexistent"),
                          QStringLiteral("--train"), m_train, QStringLiteral("--nproc"), QStringLiteral("2")});
        QCOMPARE(noFolder.exitCode, 2);
        QVERIFY2(noFolder.err.contains("--run DIR"), noFolder.err.constData());
        const test::CliResult dataset = test::runCli(
            {QStringLiteral("train"), QStringLiteral("--dataset"), QStringLiteral("Sample"), QStringLiteral("--run"),
             m_dir.filePath(QStringLiteral("ds")), QStringLiteral("--set"), QStringLiteral("processes=2")});
        QCOMPARE(dataset.exitCode, 2);
        QVERIFY2(dataset.err.contains("--dataset trains in one process only"), dataset.err.constData());
        QVERIFY(!QFileInfo::exists(m_dir.filePath(QStringLiteral("ds"))));
    }
    // `train --nproc 2` whose rank 0 is killed says which signal, and that rank 0 said nothing.
    void aKilledRankZeroIsNamedWithItsSignal()
    {
        FT_REQUIRE_SHARED();
        const QString runDir = m_dir.filePath(QStringLiteral("rank0-killed"));
        Rank supervisor(-1, 0, 0, arguments(runDir, 1000) << QStringLiteral("--nproc") << QStringLiteral("2"));
        QVERIFY(!supervisor.waitFor(QStringLiteral("step")).isEmpty());
        const qint64 rankZero = rankProcess(supervisor.process().processId(), 0);
        QVERIFY2(rankZero > 0, "rank 0's process was not found under /proc");
        QCOMPARE(::kill(static_cast<pid_t>(rankZero), SIGKILL), 0);
        const QJsonObject failed = supervisor.waitFor(QStringLiteral("failed"), 60000);
        const QString message = failed[QStringLiteral("message")].toString();
        QVERIFY2(message.startsWith(QLatin1String("rank 0 was killed by signal 9")), qPrintable(message));
        QVERIFY2(message.endsWith(QLatin1String("it wrote nothing on stderr")) ||
                     message.contains(QLatin1String("its last words on stderr: ")),
                 qPrintable(message));
        QVERIFY(supervisor.process().waitForFinished(60000));
        QCOMPARE(supervisor.process().exitCode(), 1);
    }
    // A pause left in the run folder reaches rank 0 only (a studio that did not start the run has no
    // other channel); the other rank must wait with it, however long, and not fail when its collective
    // times out (here after 3 s). Resumed, both go on and finish.
    void aPauseThroughTheRunFolderHoldsEveryRank()
    {
        FT_REQUIRE_SHARED();
        const QString runDir = m_dir.filePath(QStringLiteral("paused"));
        const int port = 30000 + static_cast<int>(QCoreApplication::applicationPid() % 1000);
        qputenv("FT_DIST_TIMEOUT_SECONDS", "3");
        const QStringList args = arguments(runDir, 12);
        Rank main(0, 2, port, args);
        Rank other(1, 2, port, args);
        qunsetenv("FT_DIST_TIMEOUT_SECONDS");
        QVERIFY(!main.waitFor(QStringLiteral("step")).isEmpty());
        RunFolder(runDir).sendCommand(QStringLiteral("pause"));
        QVERIFY(!main.waitFor(QStringLiteral("paused"), 20000).isEmpty());
        QTRY_VERIFY(RunFolder(runDir).isPaused()); // marked just after the event is told
        QTest::qWait(5000);                        // longer than the collective timeout
        QCOMPARE(other.process().state(), QProcess::Running);
        RunFolder(runDir).sendCommand(QStringLiteral("resume"));
        const QJsonObject finished = main.waitFor(QStringLiteral("finished"), 120000);
        QVERIFY2(!finished.isEmpty(), other.process().readAllStandardError().constData());
        QCOMPARE(finished[QStringLiteral("step")].toInt(), 12);
        QVERIFY(other.process().waitForFinished(30000));
        QCOMPARE(other.process().exitCode(), 0);
        QTRY_VERIFY(!RunFolder(runDir).isPaused());
    }

    void aKilledRankFailsTheOtherAndTheRunResumes()
    {
        FT_REQUIRE_SHARED();
        const QString runDir = m_dir.filePath(QStringLiteral("killed"));
        const int port = 29000 + static_cast<int>(QCoreApplication::applicationPid() % 1000);
        QStringList args = arguments(runDir, 1000) << QStringLiteral("--set") << QStringLiteral("save_every=2");
        Rank main(0, 2, port, args);
        Rank other(1, 2, port, args);
        QVERIFY(!main.waitFor(QStringLiteral("checkpoint")).isEmpty());
        other.process().kill();
        const QJsonObject failed = main.waitFor(QStringLiteral("failed"), 60000);
        QVERIFY2(failed[QStringLiteral("message")].toString().contains(QLatin1String("rank 1")),
                 qPrintable(failed[QStringLiteral("message")].toString()));
        QVERIFY(main.process().waitForFinished(30000));
        QCOMPARE(main.process().exitCode(), 1);

        // The last checkpoint is usable: one process continues the two-process run.
        const QStringList resume{QStringLiteral("train"), QStringLiteral("--resume"), runDir,
                                 QStringLiteral("--events"), QStringLiteral("jsonl")};
        QProcess continued;
        continued.start(test::cliPath(), resume);
        QVERIFY(continued.waitForStarted());
        QElapsedTimer timer;
        timer.start();
        int steps = 0;
        int resumedFrom = -1;
        while (steps < 2 && timer.elapsed() < 120000) {
            continued.waitForReadyRead(500);
            while (continued.canReadLine()) {
                const QJsonObject event = QJsonDocument::fromJson(continued.readLine()).object();
                if (event[QStringLiteral("event")].toString() == QLatin1String("started"))
                    resumedFrom = event[QStringLiteral("resumed_from_step")].toInt();
                if (event[QStringLiteral("event")].toString() == QLatin1String("step"))
                    ++steps;
            }
        }
        QVERIFY(resumedFrom >= 2);
        QCOMPARE(steps, 2);
        continued.terminate();
        QVERIFY(continued.waitForFinished(60000));
        QCOMPARE(continued.exitCode(), 0);
    }
};

QTEST_MAIN(TestDistributed)
#include "tst_distributed.moc"
