// A run whose worker outlived the studio that started it ("Keep running and quit"), played by a worker the
// test starts on its own: the Runs page lists it as running and its Stop works (the worker gets SIGTERM,
// checkpoints and records "stopped"); the Monitor follows it in the workspace's history while it trains
// (the curve grows, Stop is enabled), pauses, resumes and checkpoints it through its run folder, then shows
// how it ended. Before, such a run showed a "Stopped" banner and a frozen curve, and could not be stopped;
// then it could be stopped but not paused or checkpointed (its stdin went with the studio that started it).

#include <QProcess>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include "app_settings.h"
#include "contract/run_folder.h"
#include "pages/monitor_page.h"
#include "pages/runs_page.h"
#include "runs/run_queue.h"
#include "runs/store_run_history.h"
#include "store/metric_store.h"
#include "store/run_store.h"
#include "store/workspace.h"
#include "support/test_support.h"
#include "widgets/training_plot.h"

#include <qcustomplot.h>

using namespace ft;
using namespace ft::ui;

class TestDetachedRun : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;

    // The run of the workspace, once its worker has recorded `steps` steps; 0 on timeout.
    qint64 waitForRunning(const QString& workspace, int steps)
    {
        QElapsedTimer clock;
        clock.start();
        while (clock.elapsed() < 60000) {
            const Workspace w = Workspace::open(workspace);
            RunStore runs(w.database(), w.path());
            for (const RunInfo& run : runs.runs())
                if (run.status == RunStatus::Running &&
                    MetricStore(w.database()).series(run.id, QStringLiteral("loss")).steps.size() >= size_t(steps))
                    return run.id;
            QTest::qWait(100);
        }
        return 0;
    }

private slots:
    void initTestCase()
    {
        qRegisterMetaType<RunEndInfo>();
        qputenv("FT_DATA_HOME", m_dir.filePath(QStringLiteral("data-home")).toUtf8());
    }

    void followsAndStopsARunItDidNotStart()
    {
        QString error;
        const QString model = test::makeTinyModel(m_dir.filePath(QStringLiteral("tiny")), &error);
        QVERIFY2(!model.isEmpty(), qPrintable(error));
        const QString workspace = m_dir.filePath(QStringLiteral("workspace"));
        QProcess worker;
        worker.start(test::cliPath(), {QStringLiteral("train"),
                                       QStringLiteral("--workspace"),
                                       workspace,
                                       QStringLiteral("--dataset"),
                                       QStringLiteral("Sample"),
                                       QStringLiteral("--model"),
                                       model,
                                       QStringLiteral("--steps"),
                                       QStringLiteral("100000"),
                                       QStringLiteral("--template"),
                                       QStringLiteral("plain"),
                                       QStringLiteral("--max-length"),
                                       QStringLiteral("64"),
                                       QStringLiteral("--set"),
                                       QStringLiteral("sample_prompts=0"),
                                       QStringLiteral("--set"),
                                       QStringLiteral("eval_every=0"),
                                       QStringLiteral("--set"),
                                       QStringLiteral("save_every=1000000"), // checkpoints come on request only
                                       QStringLiteral("--set"),
                                       QStringLiteral("val_fraction=0"), // (no best checkpoint either)
                                       QStringLiteral("--threads"),
                                       QStringLiteral("1"),
                                       QStringLiteral("--name"),
                                       QStringLiteral("left running")});
        QVERIFY(worker.waitForStarted());
        const qint64 runId = waitForRunning(workspace, 2);
        QVERIFY2(runId > 0, worker.readAllStandardError().constData());

        AppSettings settings(m_dir.filePath(QStringLiteral("studio.ini")));
        RunQueue queue;
        StoreRunHistory history(&queue);
        history.setRefreshInterval(300);
        history.setWorkspace(workspace);
        RunsPage runs(&history);
        MonitorPage monitor(&settings, &queue);
        connect(&monitor, &MonitorPage::stopRecordedRun, &history, [&history](qint64 id) { history.stopDetached(id); });
        connect(&monitor, &MonitorPage::controlRecordedRun, &history,
                [&history](qint64 id, const QString& command) { QVERIFY(history.controlDetached(id, command).isEmpty()); });
        runs.show();
        monitor.show();
        QTRY_VERIFY_WITH_TIMEOUT(history.isDetachedRunning(runId), 10000);

        // The Monitor follows it: the curve grows while it trains, and Stop is there.
        const QString runDir = [&] {
            const Workspace w = Workspace::open(workspace);
            return RunStore(w.database(), w.path()).run(runId)->runDir;
        }();
        monitor.followStoredRun(history.storeThread(), workspace, runId, QStringLiteral("left running"), runDir);
        QCPGraph* loss = monitor.plot()->graph(TrainingPlot::Series::Loss);
        QTRY_VERIFY_WITH_TIMEOUT(loss->dataCount() >= 2, 10000);
        const int seen = loss->dataCount();
        QTRY_VERIFY_WITH_TIMEOUT(loss->dataCount() > seen, 15000);
        auto* monitorStop = monitor.findChild<QPushButton*>(QStringLiteral("stopButton"));
        QVERIFY(monitorStop);
        QVERIFY(monitorStop->isEnabled());

        // Pause: the worker stops stepping and marks its folder; the button offers Resume.
        auto* pause = monitor.findChild<QPushButton*>(QStringLiteral("pauseButton"));
        auto* checkpoint = monitor.findChild<QPushButton*>(QStringLiteral("checkpointButton"));
        QVERIFY(pause->isEnabled() && checkpoint->isEnabled());
        QTest::mouseClick(pause, Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(RunFolder(runDir).isPaused(), 10000);
        QTRY_COMPARE_WITH_TIMEOUT(pause->text(), QStringLiteral("Resume"), 5000);
        const size_t pausedAt = [&] {
            const Workspace w = Workspace::open(workspace);
            return MetricStore(w.database()).series(runId, QStringLiteral("loss")).steps.size();
        }();
        QTest::qWait(1200);
        {
            const Workspace w = Workspace::open(workspace);
            QVERIFY(MetricStore(w.database()).series(runId, QStringLiteral("loss")).steps.size() <= pausedAt + 1);
        }
        // Resume, then Checkpoint now: a checkpoint appears in its folder at the next step boundary.
        QTest::mouseClick(pause, Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(!RunFolder(runDir).isPaused(), 10000);
        QTRY_COMPARE_WITH_TIMEOUT(pause->text(), QStringLiteral("Pause"), 5000);
        QVERIFY(RunFolder(runDir).checkpoints().empty());
        QTest::mouseClick(checkpoint, Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(!RunFolder(runDir).checkpoints().empty(), 15000);

        // The Runs page can stop it too; here the Monitor's Stop does.
        runs.selectRuns({runId});
        QTRY_VERIFY(runs.findChild<QPushButton*>(QStringLiteral("runsStop"))->isEnabled());
        QTest::mouseClick(monitorStop, Qt::LeftButton);
        QVERIFY(worker.waitForFinished(60000));
        QCOMPARE(worker.exitCode(), 0);
        const Workspace w = Workspace::open(workspace);
        QCOMPARE(RunStore(w.database(), w.path()).run(runId)->status, RunStatus::Stopped);
        QVERIFY(!RunStore(w.database(), w.path()).checkpoints(runId).empty());
        // The Monitor shows the end, and stops following.
        QTRY_COMPARE_WITH_TIMEOUT(monitor.followedRun(), qint64(0), 10000);
        QVERIFY(!monitorStop->isEnabled());
        QTRY_VERIFY_WITH_TIMEOUT(!history.isDetachedRunning(runId), 10000);
    }
};

QTEST_MAIN(TestDetachedRun)
#include "tst_detached_run.moc"
