// The run history: what the worker records (create, status, progress, checkpoints, finish), reading it
// back, and runs whose worker died while `running` being reported and marked `interrupted`.

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QJsonObject>
#include <QProcess>
#include <QSqlQuery>
#include <QTest>

#include "common/error.h"
#include "store/database.h"
#include "store/dataset_export.h"
#include "store/dataset_store.h"
#include "store/metric_store.h"
#include "store/run_store.h"
#include "store_test_support.h"

using namespace ft;

namespace {

// A pid that is certainly not running: a child that has exited and been collected.
qint64 deadPid()
{
    QProcess process;
    process.start(QStringLiteral("/bin/true"));
    process.waitForStarted();
    const qint64 pid = process.processId();
    process.waitForFinished();
    return pid;
}

void forceRunning(QSqlDatabase db, qint64 runId, qint64 pid, const QString& host)
{
    QSqlQuery query(db);
    query.prepare(QStringLiteral("UPDATE runs SET status = 'running', pid = ?, host = ? WHERE id = ?"));
    query.addBindValue(pid);
    query.addBindValue(host);
    query.addBindValue(runId);
    QVERIFY(query.exec());
}

QString storedStatus(QSqlDatabase db, qint64 runId)
{
    return scalarSql(db, QStringLiteral("SELECT status FROM runs WHERE id = %1").arg(runId)).toString();
}

} // namespace

class TestRunStore : public QObject {
    Q_OBJECT
private slots:
    void workerLifeCycle()
    {
        test::TempDatabase temp;
        const qint64 datasetId = DatasetStore(temp.db()).create(QStringLiteral("data"));
        RunStore runs(temp.db());
        NewRun run;
        run.name = QStringLiteral("first");
        run.mode = QStringLiteral("instruction");
        run.baseModelPath = QStringLiteral("/models/base");
        run.baseModelId = QStringLiteral("abc123");
        run.datasetId = datasetId;
        run.datasetVersion = 4;
        run.config = {{QStringLiteral("lr"), 0.001}, {QStringLiteral("epochs"), 2}};
        run.runDir = QDir(temp.dir()).filePath(QStringLiteral("runs/first"));
        run.tags = {QStringLiteral("baseline")};
        const qint64 id = runs.createRun(run);

        RunInfo info = *runs.run(id);
        QCOMPARE(info.status, RunStatus::Queued);
        QCOMPARE(info.datasetName, QStringLiteral("data")); // filled in from the dataset
        QCOMPARE(info.datasetVersion, std::optional<qint64>(4));
        QCOMPARE(info.config[QStringLiteral("epochs")].toInt(), 2);
        QCOMPARE(info.runDir, run.runDir);
        QCOMPARE(scalarSql(temp.db(), QStringLiteral("SELECT run_dir FROM runs")).toString(),
                 QStringLiteral("runs/first")); // relative
        QVERIFY(!info.started);

        runs.setStatus(id, RunStatus::Running);
        info = *runs.run(id);
        QCOMPARE(info.status, RunStatus::Interrupted); // this test program is no ftstudio-cli...
        forceRunning(temp.db(), id, QCoreApplication::applicationPid(), thisHostName());
        QCOMPARE(runs.markInterruptedRuns({QFileInfo(QCoreApplication::applicationFilePath()).fileName()}),
                 0); // ...but alive
        QCOMPARE(storedStatus(temp.db(), id), QStringLiteral("running"));
        QVERIFY(info.started);
        QCOMPARE(info.pid, std::optional<qint64>(QCoreApplication::applicationPid()));
        QCOMPARE(info.host, thisHostName());

        runs.setProgress(id, 1000, 2.5);
        runs.addCheckpoint(id, 10, QDir(temp.dir()).filePath(QStringLiteral("runs/first/checkpoints/step-10")), 2.5,
                           true);
        runs.addCheckpoint(id, 20, QDir(temp.dir()).filePath(QStringLiteral("runs/first/checkpoints/step-20")), 2.1,
                           true);
        runs.addCheckpoint(id, 30, QDir(temp.dir()).filePath(QStringLiteral("runs/first/checkpoints/step-30")), 2.3,
                           false);
        runs.removeCheckpoint(id, 10);
        const auto checkpoints = runs.checkpoints(id);
        QCOMPARE(checkpoints.size(), size_t(2));
        QCOMPARE(checkpoints[0].step, 20);
        QVERIFY(checkpoints[0].best);
        QVERIFY(!checkpoints[1].best); // one best per run
        QCOMPARE(checkpoints[1].path, QDir(temp.dir()).filePath(QStringLiteral("runs/first/checkpoints/step-30")));

        runs.finishRun(id, RunStatus::Finished, 4096, 2.1, QStringLiteral("done"));
        info = *runs.run(id);
        QCOMPARE(info.status, RunStatus::Finished);
        QCOMPARE(info.tokensSeen, 4096);
        QCOMPARE(info.bestValLoss, std::optional<double>(2.1));
        QCOMPARE(info.message, QStringLiteral("done"));
        QVERIFY(info.finished && *info.finished >= *info.started);
        QVERIFY_THROWS_EXCEPTION(Error, runs.finishRun(id, RunStatus::Running, 0, std::nullopt));
        QVERIFY_THROWS_EXCEPTION(Error, runs.setStatus(9999, RunStatus::Failed));
    }

    void snapshotAndEdits()
    {
        test::TempDatabase temp;
        RunStore runs(temp.db());
        const qint64 id = runs.createRun({});
        TrainingSnapshot snapshot;
        snapshot.datasetName = QStringLiteral("gone later");
        snapshot.datasetVersion = 9;
        snapshot.trainSha256 = QStringLiteral("aa");
        snapshot.valSha256 = QStringLiteral("bb");
        runs.setSnapshot(id, snapshot);
        runs.rename(id, QStringLiteral("renamed"));
        runs.setNotes(id, QStringLiteral("some notes"));
        runs.setTags(id, {QStringLiteral("x"), QStringLiteral("y,z")});
        runs.setConfig(id, {{QStringLiteral("seed"), 7}});
        const RunInfo info = *runs.run(id);
        QCOMPARE(info.name, QStringLiteral("renamed"));
        QCOMPARE(info.datasetName, QStringLiteral("gone later"));
        QCOMPARE(info.datasetVersion, std::optional<qint64>(9));
        QCOMPARE(info.trainSha256, QStringLiteral("aa"));
        QCOMPARE(info.notes, QStringLiteral("some notes"));
        QCOMPARE(info.tags, (QStringList{QStringLiteral("x"), QStringLiteral("y z")}));
        QCOMPARE(info.config[QStringLiteral("seed")].toInt(), 7);
        QVERIFY(!info.datasetId);
    }

    void resolveAndList()
    {
        test::TempDatabase temp;
        RunStore runs(temp.db());
        NewRun run;
        run.name = QStringLiteral("same");
        const qint64 a = runs.createRun(run);
        const qint64 b = runs.createRun(run);
        run.name = QStringLiteral("unique");
        run.status = RunStatus::Failed;
        const qint64 c = runs.createRun(run);
        QCOMPARE(runs.resolve(QString::number(a)).id, a);
        QCOMPARE(runs.resolve(QStringLiteral("unique")).id, c);
        QVERIFY_THROWS_EXCEPTION(Error, runs.resolve(QStringLiteral("same"))); // ambiguous
        QVERIFY_THROWS_EXCEPTION(Error, runs.resolve(QStringLiteral("none")));
        const auto all = runs.runs();
        QCOMPARE(all.size(), size_t(3));
        QCOMPARE(all[0].id, c); // newest first
        QCOMPARE(all[2].id, a);
        QCOMPARE(runs.runs(RunStatus::Failed).size(), size_t(1));
        QVERIFY(runs.run(c)->finished);
        Q_UNUSED(b);
    }

    void deadWorkerIsInterrupted()
    {
        test::TempDatabase temp;
        RunStore runs(temp.db());
        const qint64 dead = runs.createRun({});
        const qint64 otherHost = runs.createRun({});
        const qint64 finished = runs.createRun({});
        forceRunning(temp.db(), dead, deadPid(), thisHostName());
        forceRunning(temp.db(), otherHost, deadPid(), QStringLiteral("another-machine.example"));
        runs.finishRun(finished, RunStatus::Stopped, 1, std::nullopt);

        // Listing notices the dead worker, reports it and records it.
        QCOMPARE(storedStatus(temp.db(), dead), QStringLiteral("running"));
        const RunInfo info = *runs.run(dead);
        QCOMPARE(info.status, RunStatus::Interrupted);
        QVERIFY2(info.message.contains(QString::number(*info.pid)), qPrintable(info.message));
        QCOMPARE(storedStatus(temp.db(), dead), QStringLiteral("interrupted"));
        // A process on another machine cannot be checked from here; a finished run is left alone.
        QCOMPARE(runs.run(otherHost)->status, RunStatus::Running);
        QCOMPARE(runs.run(finished)->status, RunStatus::Stopped);
        QCOMPARE(runs.markInterruptedRuns(), 0);
    }

    void livingProcessOfAnotherProgramIsNoWorker()
    {
        QVERIFY(!isWorkerProcessAlive(deadPid(), RunStore::defaultWorkerNames()));
        QVERIFY(!isWorkerProcessAlive(QCoreApplication::applicationPid(), RunStore::defaultWorkerNames()));
        QVERIFY(isWorkerProcessAlive(QCoreApplication::applicationPid(),
                                     {QFileInfo(QCoreApplication::applicationFilePath()).fileName()}));
        QVERIFY(!isWorkerProcessAlive(0, RunStore::defaultWorkerNames()));
    }

    void deleteCascades()
    {
        test::TempDatabase temp;
        RunStore runs(temp.db());
        MetricStore metrics(temp.db());
        const qint64 keep = runs.createRun({});
        const qint64 drop = runs.createRun({});
        for (const qint64 id : {keep, drop}) {
            metrics.append(id, {{1, QStringLiteral("loss"), 2.0, 0}, {2, QStringLiteral("loss"), 1.5, 0}});
            metrics.recordEvaluation(id, QStringLiteral("final"), QStringLiteral("val"), QStringLiteral("loss"), 1.4);
            runs.addCheckpoint(id, 2, QStringLiteral("c"), 1.5, true);
        }
        runs.remove(drop);
        QVERIFY(!runs.run(drop));
        QCOMPARE(metrics.count(drop), 0);
        QCOMPARE(metrics.count(keep), 2);
        QVERIFY(metrics.evaluations(drop).empty());
        QVERIFY(runs.checkpoints(drop).empty());
        QCOMPARE(runs.checkpoints(keep).size(), size_t(1));
        QVERIFY_THROWS_EXCEPTION(Error, runs.remove(drop));
    }

    void deletingTheDatasetKeepsTheRun()
    {
        test::TempDatabase temp;
        const qint64 datasetId = DatasetStore(temp.db()).create(QStringLiteral("short-lived"));
        RunStore runs(temp.db());
        NewRun run;
        run.datasetId = datasetId;
        const qint64 id = runs.createRun(run);
        DatasetStore(temp.db()).remove(datasetId);
        const RunInfo info = *runs.run(id);
        QVERIFY(!info.datasetId);
        QCOMPARE(info.datasetName, QStringLiteral("short-lived"));
    }
};

QTEST_GUILESS_MAIN(TestRunStore)
#include "tst_run_store.moc"
