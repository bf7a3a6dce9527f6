// RunsPage over the workspace's history: recorded runs listed (a tester on the model), filtered by
// text and tags, renamed, tagged, annotated and deleted through the widgets (the store checked
// after each), compare opening with two runs; and this session's runs stopped, resumed and cloned.

#include <QAbstractItemModelTester>
#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QInputDialog>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

#include "../runs/fake_workers.h"
#include "../runs/recorded_runs.h"
#include "dialogs/compare_dialog.h"
#include "modal_helper.h"
#include "models/run_history_model.h"
#include "pages/runs_page.h"
#include "runs/run_queue.h"
#include "runs/store_run_history.h"
#include "support/test_support.h"

using namespace ft;
using namespace ft::ui;

namespace {

void typeIntoInputDialog(const QString& text)
{
    onModal([text](QWidget* modal) {
        auto* dialog = qobject_cast<QInputDialog*>(modal);
        QVERIFY(dialog);
        dialog->setTextValue(text);
        dialog->accept();
    });
}

QPushButton* buttonOf(const RunsPage& page, const char* name)
{
    return page.findChild<QPushButton*>(QLatin1String(name));
}

} // namespace

class TestRunsPage : public QObject {
    Q_OBJECT
private slots:
    void initTestCase()
    {
        qRegisterMetaType<RunEndInfo>();
        qRegisterMetaType<TrainConfig>();
    }

    void recordedRunsAreEditedThroughTheWidgets()
    {
        QTemporaryDir dir;
        const Workspace workspace = Workspace::open(dir.path(), {false});
        test::RecordedRunSpec spec;
        spec.name = QStringLiteral("alpha");
        spec.evaluation = {{QStringLiteral("rouge-l"), 0.5}};
        spec.evaluationOutputs = true;
        const qint64 alpha = test::addRecordedRun(workspace, spec);
        spec.name = QStringLiteral("beta");
        spec.learningRate = 1e-3;
        spec.evaluation = {{QStringLiteral("loss"), 1.5}}; // the numbers training recorded, no outputs
        spec.evaluationOutputs = false;
        const qint64 beta = test::addRecordedRun(workspace, spec);

        RunQueue queue;
        StoreRunHistory history(&queue);
        history.setRefreshInterval(0);
        history.setWorkspace(dir.path());
        RunsPage page(&history);
        QAbstractItemModelTester tester(page.table()->model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester sourceTester(page.model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        QTRY_COMPARE_WITH_TIMEOUT(page.table()->model()->rowCount(), 2, 5000);
        QCOMPARE(page.table()->model()->headerData(RunHistoryModel::RougeL, Qt::Horizontal).toString(),
                 QStringLiteral("ROUGE-L"));

        // Rename.
        page.selectRuns({alpha});
        QCOMPARE(page.selectedRuns().size(), 1);
        QVERIFY(buttonOf(page, "runsRename")->isEnabled());
        QVERIFY(buttonOf(page, "runsExamples")->isEnabled()); // alpha has an evaluation with its outputs
        QVERIFY(buttonOf(page, "runsRate")->isEnabled());     // and can be rated against its base
        page.selectRuns({beta});
        QVERIFY(!buttonOf(page, "runsExamples")->isEnabled()); // beta's evaluation has numbers only
        QVERIFY(!buttonOf(page, "runsRate")->isEnabled());
        page.selectRuns({alpha, beta});
        QVERIFY(!buttonOf(page, "runsExamples")->isEnabled());
        QVERIFY(!buttonOf(page, "runsRate")->isEnabled());
        page.selectRuns({alpha});
        typeIntoInputDialog(QStringLiteral("alpha prime"));
        QTest::mouseClick(buttonOf(page, "runsRename"), Qt::LeftButton);
        QTRY_COMPARE(RunStore(workspace.database(), workspace.path()).run(alpha)->name, QStringLiteral("alpha prime"));
        QTRY_COMPARE(page.model()->run(history.indexOfRun(alpha)).name, QStringLiteral("alpha prime"));

        // Tags, then the filter finds the run by tag.
        page.selectRuns({alpha});
        typeIntoInputDialog(QStringLiteral("lora, keeper ,lora"));
        QTest::mouseClick(buttonOf(page, "runsTags"), Qt::LeftButton);
        QTRY_COMPARE(RunStore(workspace.database(), workspace.path()).run(alpha)->tags,
                     (QStringList{QStringLiteral("lora"), QStringLiteral("keeper")}));
        auto* filter = page.findChild<QLineEdit*>(QStringLiteral("runsFilter"));
        QTRY_COMPARE(page.model()->run(history.indexOfRun(alpha)).tags.size(), 2);
        QTest::keyClicks(filter, QStringLiteral("keeper"));
        QCOMPARE(page.table()->model()->rowCount(), 1);
        QCOMPARE(page.table()->model()->index(0, RunHistoryModel::Name).data().toString(),
                 QStringLiteral("alpha prime"));
        filter->clear();
        QCOMPARE(page.table()->model()->rowCount(), 2);
        // The status filter, alone and with the text.
        auto* status = page.findChild<QComboBox*>(QStringLiteral("runsStatusFilter"));
        status->setCurrentIndex(status->findData(QStringLiteral("stopped")));
        QCOMPARE(page.table()->model()->rowCount(), 0);
        status->setCurrentIndex(status->findData(QStringLiteral("finished")));
        QCOMPARE(page.table()->model()->rowCount(), 2);
        QTest::keyClicks(filter, QStringLiteral("beta"));
        QCOMPARE(page.table()->model()->rowCount(), 1);
        filter->clear();
        status->setCurrentIndex(0);
        QCOMPARE(page.table()->model()->rowCount(), 2);

        // Notes.
        page.selectRuns({alpha});
        onModal([](QWidget* modal) {
            auto* notes = modal->findChild<QPlainTextEdit*>(QStringLiteral("runNotes"));
            QVERIFY(notes);
            notes->setPlainText(QStringLiteral("best so far"));
            QTest::mouseClick(modal->findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Save), Qt::LeftButton);
        });
        QTest::mouseClick(buttonOf(page, "runsNotes"), Qt::LeftButton);
        QTRY_COMPARE(RunStore(workspace.database(), workspace.path()).run(alpha)->notes, QStringLiteral("best so far"));

        // Compare with both selected.
        page.selectRuns({alpha, beta});
        QCOMPARE(page.selectedRuns().size(), 2);
        QVERIFY(buttonOf(page, "runsCompare")->isEnabled());
        QVERIFY(!buttonOf(page, "runsRename")->isEnabled());
        QTest::mouseClick(buttonOf(page, "runsCompare"), Qt::LeftButton);
        auto* compare = page.findChild<CompareDialog*>();
        QVERIFY(compare);
        QTRY_VERIFY_WITH_TIMEOUT(compare->isLoaded(), 5000);
        QCOMPARE(compare->data().runs.size(), size_t(2));
        compare->close();

        // Cancelling the delete keeps the run; confirming deletes it with its folder.
        const QString betaDir = page.model()->run(history.indexOfRun(beta)).runDir;
        page.selectRuns({beta});
        onModal([](QWidget* modal) { qobject_cast<QMessageBox*>(modal)->button(QMessageBox::Cancel)->click(); });
        QTest::mouseClick(buttonOf(page, "runsDelete"), Qt::LeftButton);
        QTest::qWait(100);
        QVERIFY(RunStore(workspace.database(), workspace.path()).run(beta));
        page.selectRuns({beta});
        onModal([](QWidget* modal) {
            auto* box = qobject_cast<QMessageBox*>(modal);
            QVERIFY(box->checkBox() && box->checkBox()->isChecked());
            box->button(QMessageBox::Yes)->click();
        });
        QTest::mouseClick(buttonOf(page, "runsDelete"), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(page.table()->model()->rowCount(), 1, 5000);
        QVERIFY(!RunStore(workspace.database(), workspace.path()).run(beta));
        QVERIFY(!QFileInfo::exists(betaDir));

        // A past run shows in the monitor from its folder; clone reads its config.json.
        page.selectRuns({alpha});
        QSignalSpy past(&page, &RunsPage::showPastRun);
        QTest::mouseClick(buttonOf(page, "runsShow"), Qt::LeftButton);
        QCOMPARE(past.size(), 1);
        QCOMPARE(past.first().at(0).toLongLong(), alpha);
        QSignalSpy cloned(&page, &RunsPage::cloneSettings);
        QTest::mouseClick(buttonOf(page, "runsClone"), Qt::LeftButton);
        QCOMPARE(cloned.size(), 1);
        QCOMPARE(cloned.first().at(0).value<TrainConfig>().maxSteps, 20);
    }

    void sessionRunsStopResumeAndClone()
    {
        QTemporaryDir dir;
        RunQueue queue;
        queue.setCliPath(test::writeScript(dir.filePath(QStringLiteral("stepping.sh")), test::kSteppingWorker));
        StoreRunHistory history(&queue); // no workspace: this session's runs only
        RunsPage page(&history);
        QAbstractItemModelTester tester(page.table()->model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));

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

        const QModelIndexList match =
            page.table()->model()->match(page.table()->model()->index(0, 0), Qt::DisplayRole, QStringLiteral("alpha"));
        QCOMPARE(match.size(), 1);
        page.table()->selectRow(match.first().row());
        auto* stop = buttonOf(page, "runsStop");
        auto* resume = buttonOf(page, "runsResume");
        QTRY_VERIFY(stop->isEnabled());
        QVERIFY(!resume->isEnabled());
        QVERIFY(!buttonOf(page, "runsRename")->isEnabled()); // not recorded: nothing to rename in a workspace
        QSignalSpy ended(&queue, &RunQueue::jobEnded);
        QTest::mouseClick(stop, Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(!ended.isEmpty(), 10000);
        QCOMPARE(queue.job(alpha)->status, QStringLiteral("stopped"));
        QTRY_VERIFY(resume->isEnabled());

        QSignalSpy show(&page, &RunsPage::showInMonitor);
        QTest::mouseClick(resume, Qt::LeftButton);
        QCOMPARE(show.size(), 1);
        const RunJob* resumed = queue.job(show.first().at(0).toInt());
        QVERIFY(resumed->request.resume);
        QCOMPARE(resumed->request.runDir, queue.job(alpha)->request.runDir);

        QSignalSpy cloned(&page, &RunsPage::cloneSettings);
        page.table()->selectRow(match.first().row());
        QTest::mouseClick(buttonOf(page, "runsClone"), Qt::LeftButton);
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
