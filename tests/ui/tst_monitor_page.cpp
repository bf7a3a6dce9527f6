// MonitorPage: follows a queued run live (points reach the plot, the progress bar moves), Pause and
// Stop work through the buttons, a refused run shows the worker's message in the banner, and a past
// run is read back from its events.jsonl (bad lines skipped).

#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QLabel>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <qcustomplot.h>

#include "../runs/fake_workers.h"
#include "../runs/recorded_runs.h"
#include "app_settings.h"
#include "pages/monitor_page.h"
#include "runs/run_queue.h"
#include "runs/store_thread.h"
#include "support/test_support.h"
#include "widgets/training_plot.h"

using namespace ft;
using namespace ft::ui;

class TestMonitorPage : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;

    RunRequest request(const QString& name)
    {
        RunRequest r;
        r.name = name;
        r.runDir = m_dir.filePath(name);
        QDir().mkpath(r.runDir);
        r.mode = QStringLiteral("full");
        return r;
    }
    int plotted(MonitorPage& page) { return page.plot()->graph(TrainingPlot::Series::Loss)->dataCount(); }

private slots:
    // The end banner names the state once, as a sentence ("Finished: finished after 80 steps" before).
    void endBannerReadsAsOneSentence()
    {
        QCOMPARE(MonitorPage::endSentence(QStringLiteral("finished"), QStringLiteral("finished after 80 steps")),
                 QStringLiteral("Finished after 80 steps."));
        QCOMPARE(MonitorPage::endSentence(QStringLiteral("stopped"), QStringLiteral("stopped at step 3 on request")),
                 QStringLiteral("Stopped at step 3 on request."));
        QCOMPARE(MonitorPage::endSentence(QStringLiteral("failed"), QStringLiteral("out of memory.")),
                 QStringLiteral("Failed: out of memory."));
        QCOMPARE(MonitorPage::endSentence(QString(), QString()), QStringLiteral("Ended."));
    }
    void initTestCase() { qRegisterMetaType<RunEndInfo>(); }

    void followsARunAndStopsIt()
    {
        AppSettings settings(m_dir.filePath(QStringLiteral("a.ini")));
        RunQueue queue;
        queue.setCliPath(test::writeScript(m_dir.filePath(QStringLiteral("stepping.sh")), test::kSteppingWorker));
        queue.setStepBatchInterval(30);
        MonitorPage page(&settings, &queue);
        page.resize(1000, 800);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        auto* pause = page.findChild<QPushButton*>(QStringLiteral("pauseButton"));
        auto* stop = page.findChild<QPushButton*>(QStringLiteral("stopButton"));
        QVERIFY(!stop->isEnabled()); // nothing to stop yet

        const int id = queue.enqueue(request(QStringLiteral("live")));
        QCOMPARE(page.shownJob(), id); // a started run is followed
        QTRY_VERIFY_WITH_TIMEOUT(plotted(page) >= 5, 20000);
        QVERIFY(stop->isEnabled());
        auto* progress = page.findChild<QProgressBar*>(QStringLiteral("runProgress"));
        QCOMPARE(progress->maximum(), 1000);
        QVERIFY(progress->value() >= 5);
        QVERIFY(page.findChild<QLabel*>(QStringLiteral("progressText"))->text().contains(QStringLiteral("tokens/s")));

        QTest::mouseClick(pause, Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(pause->text(), QStringLiteral("Resume"), 10000);
        QTest::mouseClick(pause, Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(pause->text(), QStringLiteral("Pause"), 10000);

        QSignalSpy ended(&queue, &RunQueue::jobEnded);
        QTest::mouseClick(stop, Qt::LeftButton);
        QVERIFY(!stop->isEnabled());
        QVERIFY(ended.wait(10000));
        QCOMPARE(queue.job(id)->status, QStringLiteral("stopped"));
        auto* banner = page.findChild<QLabel*>(QStringLiteral("endBanner"));
        QTRY_VERIFY(banner->isVisible());
        QVERIFY(banner->text().startsWith(QStringLiteral("Stopped")));
        QCOMPARE(page.plot()->graph(TrainingPlot::Series::Checkpoints)->dataCount(), 1);
        const QString log = page.findChild<QPlainTextEdit*>(QStringLiteral("runLog"))->toPlainText();
        QVERIFY2(log.contains(QStringLiteral("paused")) && log.contains(QStringLiteral("stopped at step")),
                 qPrintable(log));
        QCOMPARE(plotted(page), queue.job(id)->trace.steps.size()); // every point reached the plot
    }

    void showsARefusalWell()
    {
        AppSettings settings(m_dir.filePath(QStringLiteral("b.ini")));
        RunQueue queue;
        queue.setCliPath(test::writeScript(m_dir.filePath(QStringLiteral("refusing.sh")), test::kRefusingWorker));
        MonitorPage page(&settings, &queue);
        page.show();
        QSignalSpy ended(&queue, &RunQueue::jobEnded);
        queue.enqueue(request(QStringLiteral("lora")));
        QVERIFY(ended.wait(10000));
        auto* banner = page.findChild<QLabel*>(QStringLiteral("endBanner"));
        QTRY_VERIFY(banner->isVisible());
        QVERIFY2(banner->text().startsWith(QStringLiteral("Failed: training configuration: LoRA adapters")),
                 qPrintable(banner->text()));
        QVERIFY(banner->styleSheet().contains(QStringLiteral("#c0392b"))); // red
        QVERIFY(page.findChild<QProgressBar*>(QStringLiteral("runProgress"))
                    ->text()
                    .contains(QStringLiteral("ended before the first step")));
        QVERIFY(!page.findChild<QPushButton*>(QStringLiteral("stopButton"))->isEnabled());
    }

    void switchesBetweenRuns()
    {
        AppSettings settings(m_dir.filePath(QStringLiteral("c.ini")));
        RunQueue queue;
        queue.setCliPath(test::writeScript(m_dir.filePath(QStringLiteral("short.sh")), test::kShortWorker));
        queue.setStepBatchInterval(10);
        MonitorPage page(&settings, &queue);
        QSignalSpy ended(&queue, &RunQueue::jobEnded);
        const int first = queue.enqueue(request(QStringLiteral("one")));
        const int second = queue.enqueue(request(QStringLiteral("two")));
        QTRY_COMPARE_WITH_TIMEOUT(ended.size(), 2, 20000);
        QCOMPARE(page.shownJob(), second);
        page.showJob(first); // replays the first run's trace
        QCOMPARE(plotted(page), 3);
        QCOMPARE(page.plot()->graph(TrainingPlot::Series::ValLoss)->dataCount(), 1);
        QCOMPARE(page.findChild<QComboBox*>(QStringLiteral("monitorRunCombo"))->count(), 2);
    }

    // Stop, then Resume: the monitor shows one run, one curve from step 1 on with the resume marked, and
    // one entry in its list of runs.
    void aResumedRunIsOneCurve()
    {
        AppSettings settings(m_dir.filePath(QStringLiteral("resumed.ini")));
        RunQueue queue;
        queue.setCliPath(test::writeScript(m_dir.filePath(QStringLiteral("first.sh")), test::kShortWorker));
        queue.setStepBatchInterval(10);
        MonitorPage page(&settings, &queue);
        QSignalSpy ended(&queue, &RunQueue::jobEnded);
        RunRequest run = request(QStringLiteral("resumed"));
        QVERIFY(QDir().mkpath(run.runDir));
        queue.enqueue(run); // writes steps 1-3 into the folder's events.jsonl
        QTRY_COMPARE_WITH_TIMEOUT(ended.size(), 1, 20000);
        queue.setCliPath(test::writeScript(m_dir.filePath(QStringLiteral("second.sh")), test::kResumedWorker));
        run.resume = true;
        const int second = queue.enqueue(run);
        page.showJob(second);
        QTRY_COMPARE_WITH_TIMEOUT(ended.size(), 2, 20000);
        QCOMPARE(plotted(page), 5);
        QCOMPARE(page.plot()->graph(TrainingPlot::Series::Resumes)->dataCount(), 1);
        QCOMPARE(page.findChild<QComboBox*>(QStringLiteral("monitorRunCombo"))->count(), 1);
    }

    void readsAPastRun()
    {
        const QString runDir = m_dir.filePath(QStringLiteral("past"));
        QDir().mkpath(runDir);
        QFile events(QDir(runDir).filePath(QStringLiteral("events.jsonl")));
        QVERIFY(events.open(QIODevice::WriteOnly));
        events.write(
            R"({"event":"started","run_dir":"/somewhere/past","total_steps":50,"parameters":{"total":1000,"trainable":1000}})"
            "\n");
        for (int i = 1; i <= 50; ++i)
            events.write(
                QStringLiteral("{\"event\":\"step\",\"step\":%1,\"total_steps\":50,\"loss\":%2,\"tokens\":%3}\n")
                    .arg(i)
                    .arg(3.0 - i * 0.02)
                    .arg(i * 100)
                    .toUtf8());
        events.write("this line is damaged\n");
        events.write(R"({"event":"eval","step":50,"val_loss":2.1,"is_best":true})"
                     "\n");
        events.write(
            R"({"event":"finished","step":50,"message":"finished after 50 steps","export":"/somewhere/past/export/model"})"
            "\n");
        events.close();
        AppSettings settings(m_dir.filePath(QStringLiteral("d.ini")));
        RunQueue queue;
        MonitorPage page(&settings, &queue);
        QVERIFY(page.openRunFolder(runDir));
        QTRY_COMPARE_WITH_TIMEOUT(plotted(page), 50, 10000);
        QCOMPARE(page.plot()->graph(TrainingPlot::Series::Best)->dataCount(), 1);
        QVERIFY(page.findChild<QLabel*>(QStringLiteral("monitorTitle"))
                    ->text()
                    .contains(QStringLiteral("1 unreadable lines skipped")));
        QVERIFY(page.findChild<QLabel*>(QStringLiteral("endBanner"))->text().contains(QStringLiteral("export/model")));
        QSignalSpy message(&page, &MonitorPage::statusMessage);
        QVERIFY(!page.openRunFolder(m_dir.filePath(QStringLiteral("nothing-here"))));
        QCOMPARE(message.size(), 1);
    }

    void readsARecordedRunFromTheStore()
    {
        // A run the command line recorded: no events.jsonl, only the workspace's metrics.
        const QString workspacePath = m_dir.filePath(QStringLiteral("workspace"));
        const Workspace workspace = Workspace::open(workspacePath, {false});
        test::RecordedRunSpec spec;
        spec.name = QStringLiteral("from the command line");
        spec.steps = 30;
        const qint64 id = test::addRecordedRun(workspace, spec);
        AppSettings settings(m_dir.filePath(QStringLiteral("e.ini")));
        RunQueue queue;
        MonitorPage page(&settings, &queue);
        StoreThread store;
        page.showStoredRun(&store, workspacePath, id, spec.name);
        QTRY_COMPARE_WITH_TIMEOUT(plotted(page), 30, 10000);
        QCOMPARE(page.plot()->graph(TrainingPlot::Series::ValLoss)->dataCount(), 3);
        QCOMPARE(page.plot()->graph(TrainingPlot::Series::Loss)->data()->at(0)->value, 3.0);
        QVERIFY(page.findChild<QLabel*>(QStringLiteral("monitorTitle"))
                    ->text()
                    .contains(QStringLiteral("workspace's history")));
        QVERIFY(page.findChild<QLabel*>(QStringLiteral("endBanner"))->text().startsWith(QStringLiteral("Finished")));

        QSignalSpy message(&page, &MonitorPage::statusMessage);
        page.showStoredRun(&store, workspacePath, 999, QStringLiteral("gone"));
        QVERIFY(message.wait(5000));
        QVERIFY(message.first().first().toString().contains(QStringLiteral("run 999 does not exist")));
    }
};

QTEST_MAIN(TestMonitorPage)
#include "tst_monitor_page.moc"
