// StoreRunHistory: every run recorded in a workspace (also those written by another process), their
// latest evaluation, edits written on the store thread (rename, notes, tags, delete with the folder),
// and this session's jobs merged with their recorded rows (one row per run).

#include <QDir>
#include <QFileInfo>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include "fake_workers.h"
#include "recorded_runs.h"
#include "runs/run_queue.h"
#include "runs/store_run_history.h"
#include "support/test_support.h"

using namespace ft;

class TestStoreRunHistory : public QObject {
    Q_OBJECT

    static void waitForRead(StoreRunHistory& history)
    {
        QSignalSpy refreshed(&history, &StoreRunHistory::refreshed);
        history.refresh();
        QVERIFY(refreshed.wait(5000));
    }

private slots:
    void initTestCase() { qRegisterMetaType<RunEndInfo>(); }

    void listsRecordedRunsWithTheirEvaluation()
    {
        QTemporaryDir dir;
        const Workspace workspace = Workspace::open(dir.path(), {false});
        test::RecordedRunSpec a;
        a.name = QStringLiteral("alpha");
        a.tags = {QStringLiteral("baseline")};
        a.evaluation = {{QStringLiteral("bleu"), 0.25}, {QStringLiteral("rouge-l"), 0.5}};
        const qint64 alpha = test::addRecordedRun(workspace, a);
        test::RecordedRunSpec b;
        b.name = QStringLiteral("beta");
        b.status = RunStatus::Stopped;
        b.steps = 7;
        test::addRecordedRun(workspace, b);

        RunQueue queue;
        StoreRunHistory history(&queue);
        history.setRefreshInterval(0);
        QSignalSpy refreshed(&history, &StoreRunHistory::refreshed);
        history.setWorkspace(dir.path());
        QVERIFY(refreshed.wait(5000));
        QVERIFY(history.isLoaded());
        QCOMPARE(history.runCount(), 2);
        const RunSummary first = history.runAt(history.indexOfRun(alpha));
        QCOMPARE(first.name, QStringLiteral("alpha"));
        QCOMPARE(first.status, QStringLiteral("finished"));
        QCOMPARE(first.mode, QStringLiteral("instruction"));
        QCOMPARE(first.step, 20);
        QCOMPARE(first.totalSteps, 20);
        QCOMPARE(first.tokens, 64 * 20);
        QCOMPARE(first.tags, QStringList{QStringLiteral("baseline")});
        QCOMPARE(first.checkpoints, 1);
        QCOMPARE(first.evaluation, QStringLiteral("final / val"));
        QCOMPARE(first.evalMetrics.value(QStringLiteral("rouge-l")), 0.5);
        QCOMPARE(first.elapsedSeconds, 10.0);
        QCOMPARE(first.key, QStringLiteral("run:%1").arg(alpha));

        // A run another process records appears on the next read.
        test::RecordedRunSpec c;
        c.name = QStringLiteral("from the command line");
        const qint64 cli = test::addRecordedRun(workspace, c);
        waitForRead(history);
        QCOMPARE(history.runCount(), 3);
        QVERIFY(history.indexOfRun(cli) >= 0);
        QCOMPARE(history.baseModels(), QStringList{QStringLiteral("/models/tiny")});
    }

    void editsAreWrittenToTheStore()
    {
        QTemporaryDir dir;
        const Workspace workspace = Workspace::open(dir.path(), {false});
        test::RecordedRunSpec a;
        a.name = QStringLiteral("alpha");
        const qint64 alpha = test::addRecordedRun(workspace, a);
        a.name = QStringLiteral("beta");
        const qint64 beta = test::addRecordedRun(workspace, a);

        RunQueue queue;
        StoreRunHistory history(&queue);
        history.setRefreshInterval(0);
        history.setWorkspace(dir.path());
        QTRY_COMPARE_WITH_TIMEOUT(history.runCount(), 2, 5000);

        QString error = QStringLiteral("not called");
        auto done = [&error](const QString& e) { error = e; };
        history.rename(alpha, QStringLiteral("alpha renamed"), done);
        QTRY_VERIFY(error.isEmpty());
        QTRY_COMPARE(history.runAt(history.indexOfRun(alpha)).name, QStringLiteral("alpha renamed"));
        error = QStringLiteral("not called");
        history.setTags(alpha, {QStringLiteral("lora"), QStringLiteral("keep")}, done);
        QTRY_VERIFY(error.isEmpty());
        error = QStringLiteral("not called");
        history.setNotes(alpha, QStringLiteral("the good one"), done);
        QTRY_VERIFY(error.isEmpty());
        QTRY_COMPARE(history.runAt(history.indexOfRun(alpha)).notes, QStringLiteral("the good one"));
        const std::optional<RunInfo> stored = RunStore(workspace.database(), workspace.path()).run(alpha);
        QVERIFY(stored);
        QCOMPARE(stored->name, QStringLiteral("alpha renamed"));
        QCOMPARE(stored->tags, (QStringList{QStringLiteral("lora"), QStringLiteral("keep")}));

        // A write that fails says why.
        error = QStringLiteral("not called");
        history.remove(987654, true, done);
        QTRY_VERIFY(error != QStringLiteral("not called"));
        QVERIFY2(error.contains(QStringLiteral("987654")), qPrintable(error));

        // Delete with the folder.
        const QString betaDir = history.runAt(history.indexOfRun(beta)).runDir;
        QVERIFY(QFileInfo::exists(betaDir));
        error = QStringLiteral("not called");
        history.remove(beta, true, done);
        QTRY_VERIFY(error.isEmpty());
        QTRY_COMPARE(history.runCount(), 1);
        QVERIFY(!QFileInfo::exists(betaDir));
        QVERIFY(!RunStore(workspace.database(), workspace.path()).run(beta));
    }

    void sessionJobsShowOnceWithTheirRecord()
    {
        QTemporaryDir dir;
        const Workspace workspace = Workspace::open(dir.path(), {false});
        test::RecordedRunSpec a;
        a.name = QStringLiteral("recorded");
        a.status = RunStatus::Stopped;
        const qint64 id = test::addRecordedRun(workspace, a);

        RunQueue queue;
        queue.setCliPath(test::writeScript(dir.filePath(QStringLiteral("stepping.sh")), test::kSteppingWorker));
        StoreRunHistory history(&queue);
        history.setRefreshInterval(0);
        history.setWorkspace(dir.path());
        QTRY_COMPARE_WITH_TIMEOUT(history.runCount(), 1, 5000);
        QCOMPARE(history.runAt(0).status, QStringLiteral("stopped"));

        // A job on the recorded run's folder is that run: its live state shows in the run's row.
        RunRequest request;
        request.name = QStringLiteral("recorded");
        request.runDir = history.runAt(0).runDir;
        const int job = queue.enqueue(request);
        QTRY_COMPARE(history.runAt(0).status, QStringLiteral("running"));
        QCOMPARE(history.runCount(), 1);
        QCOMPARE(history.runAt(0).jobId, job);
        QCOMPARE(history.jobOfRun(id), job);

        // A job without a record has a row of its own.
        request.name = QStringLiteral("session only");
        request.runDir = dir.filePath(QStringLiteral("elsewhere"));
        QDir().mkpath(request.runDir);
        const int other = queue.enqueue(request); // queued behind the first
        QCOMPARE(history.runCount(), 2);
        QCOMPARE(history.indexOfKey(QStringLiteral("job:%1").arg(other)) >= 0, true);
        queue.cancel(other);
        queue.cancel(job);
        QTRY_COMPARE_WITH_TIMEOUT(queue.activeCount(), 0, 10000);
        QTRY_COMPARE(history.runAt(history.indexOfRun(id)).status, QStringLiteral("stopped"));

        // Resuming the recorded run: a new job on its folder that records itself into the same row.
        const int resumed = history.resume(id);
        QVERIFY(resumed > 0);
        const RunJob* resumedJob = queue.job(resumed);
        QVERIFY(resumedJob->request.resume);
        QCOMPARE(resumedJob->request.runId, id);
        const QStringList args = resumedJob->request.trainArguments();
        QCOMPARE(args.mid(0, 2),
                 (QStringList{QStringLiteral("--resume"), history.runAt(history.indexOfRun(id)).runDir}));
        QCOMPARE(args.at(args.indexOf(QStringLiteral("--run-id")) + 1), QString::number(id));
        QCOMPARE(args.at(args.indexOf(QStringLiteral("--workspace")) + 1), QFileInfo(dir.path()).absoluteFilePath());
        QCOMPARE(history.jobOfRun(id), resumed);
        QTRY_COMPARE(history.runAt(history.indexOfRun(id)).status, QStringLiteral("running"));
        QCOMPARE(history.runCount(), 2);
        queue.cancel(resumed);
        QTRY_COMPARE_WITH_TIMEOUT(queue.activeCount(), 0, 10000);
        QCOMPARE(history.resume(987654), 0); // not recorded
    }
};

QTEST_GUILESS_MAIN(TestStoreRunHistory)
#include "tst_store_run_history.moc"
