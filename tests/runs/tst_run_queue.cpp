// RunQueue with fake workers: jobs start one after another (or N at a time), a queued job can be
// cancelled, every job's events land in its trace, and the queue reports itself as a RunHistory.

#include <QDir>
#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include "fake_workers.h"
#include "contract/run_folder.h"
#include "runs/run_queue.h"
#include "support/test_support.h"

using namespace ft;

class TestRunQueue : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    QString m_worker;

    RunRequest request(const QString& name)
    {
        RunRequest r;
        r.name = name;
        r.runDir = m_dir.filePath(name);
        r.mode = QStringLiteral("full");
        return r;
    }

private slots:
    void initTestCase()
    {
        qRegisterMetaType<RunEndInfo>();
        // A worker that takes about half a second: started, three steps, finished.
        m_worker = test::writeScript(m_dir.filePath(QStringLiteral("worker.sh")), test::kShortWorker);
    }

    void workerArguments()
    {
        RunRequest files = request(QStringLiteral("files"));
        QCOMPARE(files.trainArguments(), (QStringList{QStringLiteral("--run"), files.runDir, QStringLiteral("--name"),
                                                      QStringLiteral("files")}));
        RunRequest recorded = request(QStringLiteral("recorded"));
        recorded.workspace = m_dir.filePath(QStringLiteral("ws"));
        recorded.datasetId = 7;
        recorded.trainSplit = QStringLiteral("test");
        recorded.valSplit = QStringLiteral("none");
        QCOMPARE(recorded.trainArguments(),
                 (QStringList{QStringLiteral("--run"), recorded.runDir, QStringLiteral("--workspace"),
                              recorded.workspace, QStringLiteral("--name"), QStringLiteral("recorded"),
                              QStringLiteral("--dataset-id"), QStringLiteral("7"), QStringLiteral("--train-split"),
                              QStringLiteral("test"), QStringLiteral("--val-split"), QStringLiteral("none")}));
        // A resumed run trains on the snapshot frozen into its folder: no dataset is read again.
        recorded.resume = true;
        QVERIFY(!recorded.trainArguments().contains(QStringLiteral("--dataset-id")));
        QVERIFY(!recorded.trainArguments().contains(QStringLiteral("--name"))); // the run has its name
    }

    void runsOneAfterAnother()
    {
        RunQueue queue;
        queue.setCliPath(m_worker);
        queue.setStepBatchInterval(10);
        int maxActive = 0;
        QStringList order;
        connect(&queue, &RunQueue::activityChanged, this,
                [&](int active, int) { maxActive = std::max(maxActive, active); });
        connect(&queue, &RunQueue::jobStarted, this, [&](int id) { order << queue.job(id)->request.name; });
        QSignalSpy ended(&queue, &RunQueue::jobEnded);
        QSignalSpy inserted(&queue, &RunHistory::runInserted);
        const int a = queue.enqueue(request(QStringLiteral("a")));
        const int b = queue.enqueue(request(QStringLiteral("b")));
        const int c = queue.enqueue(request(QStringLiteral("c")));
        QCOMPARE(inserted.size(), 3);
        QCOMPARE(queue.activeCount(), 1);
        QCOMPARE(queue.queuedCount(), 2);
        QCOMPARE(queue.job(b)->status, QStringLiteral("queued"));
        QTRY_COMPARE_WITH_TIMEOUT(ended.size(), 3, 30000);
        QCOMPARE(maxActive, 1);
        QCOMPARE(order, (QStringList{QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c")}));
        for (int id : {a, b, c}) {
            const RunJob* job = queue.job(id);
            QCOMPARE(job->status, QStringLiteral("finished"));
            QCOMPARE(job->trace.steps.size(), 3);
            QCOMPARE(job->trace.evals.size(), 1);
        }
        // As a run history.
        QCOMPARE(queue.runCount(), 3);
        const RunSummary summary = queue.runAt(0);
        QCOMPARE(summary.name, QStringLiteral("a"));
        QCOMPARE(summary.status, QStringLiteral("finished"));
        QCOMPARE(summary.step, 3);
        QCOMPARE(summary.totalSteps, 3);
        QCOMPARE(summary.tokens, 300);
        QCOMPARE(summary.bestValLoss, 1.25);
        QCOMPARE(queue.activeCount(), 0);
        QCOMPARE(queue.currentJobId(), 0);
    }

    // Resuming a run continues its curve: the job starts with what the folder's events.jsonl holds from
    // the earlier session (its ending forgotten), the new session's steps follow, the resume is marked.
    void aResumedJobContinuesTheEarlierCurve()
    {
        RunRequest r = request(QStringLiteral("resumed"));
        QVERIFY(QDir().mkpath(r.runDir));
        QFile events(RunFolder(r.runDir).eventsPath());
        QVERIFY(events.open(QIODevice::WriteOnly));
        events.write("{\"event\":\"started\",\"total_steps\":5}\n"
                     "{\"event\":\"step\",\"step\":1,\"loss\":3.0}\n"
                     "{\"event\":\"step\",\"step\":2,\"loss\":2.0}\n"
                     "{\"event\":\"step\",\"step\":3,\"loss\":1.5}\n"
                     "{\"event\":\"stopped\",\"step\":3,\"message\":\"stopped on request\"}\n");
        events.close();
        RunQueue queue;
        queue.setCliPath(test::writeScript(m_dir.filePath(QStringLiteral("resumed.sh")), test::kResumedWorker));
        queue.setStepBatchInterval(10);
        QSignalSpy ended(&queue, &RunQueue::jobEnded);
        r.resume = true;
        const int id = queue.enqueue(r);
        QCOMPARE(queue.job(id)->trace.steps.size(), 3); // the earlier session, at once
        QVERIFY(!queue.job(id)->trace.hasEnd);
        QTRY_COMPARE_WITH_TIMEOUT(ended.size(), 1, 30000);
        const RunTrace& trace = queue.job(id)->trace;
        QCOMPARE(trace.steps.size(), 5);
        QCOMPARE(trace.steps.first().step, 1);
        QCOMPARE(trace.steps.last().step, 5);
        QCOMPARE(trace.resumes, QVector<qint64>{3});
        QCOMPARE(trace.end.status, QStringLiteral("finished"));
        // The run folder's events.jsonl now holds both sessions: read back, the same one curve.
        const RunTrace reread = RunTrace::loadEventLog(RunFolder(r.runDir).eventsPath());
        QCOMPARE(reread.steps.size(), 5);
        QCOMPARE(reread.resumes, QVector<qint64>{3});
    }

    void runsSeveralAtOnce()
    {
        RunQueue queue;
        queue.setCliPath(m_worker);
        queue.setMaxConcurrent(2);
        int maxActive = 0;
        connect(&queue, &RunQueue::activityChanged, this,
                [&](int active, int) { maxActive = std::max(maxActive, active); });
        QSignalSpy ended(&queue, &RunQueue::jobEnded);
        for (const char* name : {"p", "q", "r"})
            queue.enqueue(request(QLatin1String(name)));
        QCOMPARE(queue.activeCount(), 2);
        QTRY_COMPARE_WITH_TIMEOUT(ended.size(), 3, 30000);
        QCOMPARE(maxActive, 2);
    }

    void cancelsQueuedAndStopsRunning()
    {
        const QString slow = test::writeScript(m_dir.filePath(QStringLiteral("slow.sh")), test::kStoppableWorker);
        RunQueue queue;
        queue.setCliPath(slow);
        QSignalSpy ended(&queue, &RunQueue::jobEnded);
        QSignalSpy changed(&queue, &RunHistory::runChanged);
        const int running = queue.enqueue(request(QStringLiteral("long")));
        const int waiting = queue.enqueue(request(QStringLiteral("waiting")));
        queue.cancel(waiting);
        QCOMPARE(queue.job(waiting)->status, QStringLiteral("cancelled"));
        QCOMPARE(queue.queuedCount(), 0);
        QVERIFY(!changed.isEmpty());
        queue.cancel(running);
        QTRY_COMPARE_WITH_TIMEOUT(ended.size(), 1, 10000);
        QCOMPARE(queue.job(running)->status, QStringLiteral("stopped"));
        QTest::qWait(100);
        QCOMPARE(queue.job(waiting)->status, QStringLiteral("cancelled")); // never started
    }

    void aFailedStartEndsTheJobAndTheNextRuns()
    {
        RunQueue queue;
        queue.setCliPath(m_dir.filePath(QStringLiteral("missing-worker")));
        QSignalSpy ended(&queue, &RunQueue::jobEnded);
        queue.enqueue(request(QStringLiteral("x")));
        queue.enqueue(request(QStringLiteral("y")));
        QTRY_COMPARE_WITH_TIMEOUT(ended.size(), 2, 10000);
        QCOMPARE(ended.at(0).at(1).value<RunEndInfo>().status, QStringLiteral("failed"));
    }
};

QTEST_GUILESS_MAIN(TestRunQueue)
#include "tst_run_queue.moc"
