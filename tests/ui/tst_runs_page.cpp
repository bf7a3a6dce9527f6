// RunsPage: says the full history comes with the store; lists this session's runs (a tester on its
// model), filters them, resumes a stopped run and clones a run's settings.

#include <QAbstractItemModelTester>
#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

#include "../runs/fake_workers.h"
#include "models/run_history_model.h"
#include "pages/runs_page.h"
#include "runs/run_queue.h"
#include "support/test_support.h"

using namespace ft;
using namespace ft::ui;

class TestRunsPage : public QObject {
    Q_OBJECT
private slots:
    void initTestCase()
    {
        qRegisterMetaType<RunEndInfo>();
        qRegisterMetaType<TrainConfig>();
    }

    void listsFiltersResumesAndClones()
    {
        QTemporaryDir dir;
        RunQueue queue;
        queue.setCliPath(test::writeScript(dir.filePath(QStringLiteral("stepping.sh")), test::kSteppingWorker));
        RunsPage page(&queue);
        QAbstractItemModelTester tester(page.table()->model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        QVERIFY(page.findChild<QLabel*>(QStringLiteral("runsPlaceholder"))->text().contains(QStringLiteral("workspace store")));

        TrainConfig config;
        config.learningRate = 1.234e-4;
        config.maxSteps = 77;
        RunRequest r;
        r.name = QStringLiteral("alpha");
        r.runDir = dir.filePath(QStringLiteral("alpha"));
        QDir().mkpath(r.runDir);
        QFile file(QDir(r.runDir).filePath(QStringLiteral("config.json")));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(QJsonDocument(config.toJson()).toJson());
        file.close();
        const int alpha = queue.enqueue(r);
        r.name = QStringLiteral("beta");
        queue.enqueue(r); // queued behind alpha
        QCOMPARE(page.table()->model()->rowCount(), 2);

        auto* filter = page.findChild<QLineEdit*>(QStringLiteral("runsFilter"));
        QTest::keyClicks(filter, QStringLiteral("alp"));
        QCOMPARE(page.table()->model()->rowCount(), 1);
        filter->clear();

        // Select alpha and stop it.
        const QModelIndexList match = page.table()->model()->match(page.table()->model()->index(0, 0), Qt::DisplayRole, QStringLiteral("alpha"));
        QCOMPARE(match.size(), 1);
        page.table()->selectRow(match.first().row());
        auto* stop = page.findChild<QPushButton*>(QStringLiteral("runsStop"));
        auto* resume = page.findChild<QPushButton*>(QStringLiteral("runsResume"));
        QTRY_VERIFY(stop->isEnabled());
        QVERIFY(!resume->isEnabled());
        QSignalSpy ended(&queue, &RunQueue::jobEnded);
        QTest::mouseClick(stop, Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(!ended.isEmpty(), 10000);
        QCOMPARE(queue.job(alpha)->status, QStringLiteral("stopped"));
        QTRY_VERIFY(resume->isEnabled());

        // Resume queues a `--resume` job for the same folder.
        QSignalSpy show(&page, &RunsPage::showInMonitor);
        QTest::mouseClick(resume, Qt::LeftButton);
        QCOMPARE(show.size(), 1);
        const RunJob* resumed = queue.job(show.first().at(0).toInt());
        QVERIFY(resumed->request.resume);
        QCOMPARE(resumed->request.runDir, queue.job(alpha)->request.runDir);
        QCOMPARE(page.table()->model()->rowCount(), 3);

        // Clone sends the run's settings to the Train page.
        QSignalSpy cloned(&page, &RunsPage::cloneSettings);
        const QModelIndexList again = page.table()->model()->match(page.table()->model()->index(0, 0), Qt::DisplayRole, QStringLiteral("alpha"));
        page.table()->selectRow(again.first().row());
        QTest::mouseClick(page.findChild<QPushButton*>(QStringLiteral("runsClone")), Qt::LeftButton);
        QCOMPARE(cloned.size(), 1);
        const TrainConfig clone = cloned.first().at(0).value<TrainConfig>();
        QCOMPARE(clone.learningRate, 1.234e-4);
        QCOMPARE(clone.maxSteps, 77);
        for (int id : queue.jobIds())
            queue.cancel(id);
        QTRY_COMPARE_WITH_TIMEOUT(queue.activeCount(), 0, 10000);
    }
};

QTEST_MAIN(TestRunsPage)
#include "tst_runs_page.moc"
