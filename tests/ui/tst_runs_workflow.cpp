// The whole path of the run history (issues 6 and 7), through the main window: the alpaca demo
// dataset imported into the workspace (the store's import API), its training split exported and
// chosen on the Train page, an Instruction (LoRA) run on stories260K launched with a few steps, its
// points reaching the plot, the run finishing and appearing in the Runs history as the worker recorded
// it; a second run; the two compared (curves, the settings that differ); the first evaluated from the
// Runs page (ftstudio-cli eval with --base, a few examples) and its numbers and examples shown.
// Slow: two short training runs and an evaluation.

#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRadioButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>
#include <qcustomplot.h>

#include "app_settings.h"
#include "dialogs/compare_dialog.h"
#include "dialogs/examples_dialog.h"
#include "main_window.h"
#include "models/run_history_model.h"
#include "pages/monitor_page.h"
#include "pages/runs_page.h"
#include "pages/train_page.h"
#include "runs/eval_process.h"
#include "runs/run_queue.h"
#include "runs/store_run_history.h"
#include "store/dataset_export.h"
#include "store/dataset_import.h"
#include "store/workspace.h"
#include "support/test_support.h"
#include "ui_test_support.h"
#include "widgets/model_picker.h"
#include "widgets/training_plot.h"

using namespace ft;
using namespace ft::ui;

class TestRunsWorkflow : public QObject {
    Q_OBJECT
private slots:
    void initTestCase()
    {
        qRegisterMetaType<RunEndInfo>();
        qRegisterMetaType<EvalEnd>();
    }

    void importTrainCompareEvaluate()
    {
        FT_REQUIRE_SHARED();
        QTemporaryDir dir;
        qputenv("FT_DATA_HOME", dir.filePath(QStringLiteral("data-home")).toUtf8());
        const QString workspacePath = dir.filePath(QStringLiteral("workspace"));

        // The dataset, imported into the workspace and frozen as the Train page's training file.
        QString trainFile;
        {
            const Workspace workspace = Workspace::open(workspacePath, {false});
            ImportOptions options;
            options.format = DatasetFormat::Alpaca;
            DatasetImportTarget target;
            target.newName = QStringLiteral("alpaca demo");
            const DatasetImportResult imported =
                importDataset(workspace.database(), test::sharedPath(QStringLiteral("datasets/alpaca_en_demo.json")),
                              options, target);
            QCOMPARE(imported.imported, 999);
            const TrainingSnapshot snapshot =
                exportTrainingSnapshot(workspace.database(), imported.datasetId, dir.filePath(QStringLiteral("data")));
            QCOMPARE(snapshot.trainExamples, 999);
            trainFile = snapshot.trainPath;
        }

        AppSettings settings(dir.filePath(QStringLiteral("settings.ini")));
        settings.setWorkspace(workspacePath);
        settings.setThreads(1);
        MainWindowOptions options;
        options.offerStarterModel = false;
        options.measureThroughput = false;
        MainWindow window(&settings, options);
        window.resize(1280, 900);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        window.history()->setRefreshInterval(300);

        TrainPage* train = window.trainPage();
        window.showPage(MainWindow::Train);
        train->modelPicker()->setModelPath(test::sharedPath(QStringLiteral("fixtures/stories260K/hf")));
        QTRY_VERIFY_WITH_TIMEOUT(train->modelPicker()->hasModel(), 20000);
        auto* trainField = child<QLineEdit>(train, "trainFile");
        trainField->setFocus();
        QTest::keyClicks(trainField, trainFile);
        clickIndicator(child<QRadioButton>(train, "mode_instruction"));
        QTest::mouseClick(child<QToolButton>(train, "advancedToggle"), Qt::LeftButton);
        typeNumber(train, "max_steps", 6);
        typeNumber(train, "max_length", 192);
        typeNumber(train, "batch_size", 2);
        typeNumber(train, "eval_every", 3);
        typeNumber(train, "sample_max_tokens", 8);
        typeNumber(train, "threads", 1);
        auto* launch = child<QPushButton>(train, "launchButton");
        QTRY_VERIFY_WITH_TIMEOUT(launch->isEnabled(), 60000);

        // First run: points reach the plot, it finishes, the history shows the worker's record.
        QTest::mouseClick(launch, Qt::LeftButton);
        MonitorPage* monitor = window.monitorPage();
        QCPGraph* loss = monitor->plot()->graph(TrainingPlot::Series::Loss);
        QTRY_VERIFY_WITH_TIMEOUT(loss->dataCount() >= 1, 180000);
        const int first = monitor->shownJob();
        QTRY_VERIFY_WITH_TIMEOUT(window.queue()->job(first)->trace.hasEnd, 300000);
        QCOMPARE(window.queue()->job(first)->trace.end.status, QStringLiteral("finished"));
        StoreRunHistory* history = window.history();
        auto recordedRunOf = [history](int job) -> qint64 {
            for (int i = 0; i < history->runCount(); ++i)
                if (history->runAt(i).jobId == job && history->runAt(i).runId > 0)
                    return history->runAt(i).runId;
            return 0;
        };
        QTRY_VERIFY_WITH_TIMEOUT(recordedRunOf(first) > 0, 10000);
        const qint64 firstRun = recordedRunOf(first);
        QTRY_COMPARE_WITH_TIMEOUT(history->runAt(history->indexOfRun(firstRun)).status, QStringLiteral("finished"),
                                  10000);
        QCOMPARE(history->runAt(history->indexOfRun(firstRun)).mode, QStringLiteral("instruction"));
        QCOMPARE(history->runAt(history->indexOfRun(firstRun)).step, 6);

        // Second run with other settings.
        window.showPage(MainWindow::Train);
        typeNumber(train, "max_steps", 4);
        QTRY_VERIFY(launch->isEnabled());
        QTest::mouseClick(launch, Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(monitor->shownJob() != first, 10000);
        const int second = monitor->shownJob();
        QTRY_VERIFY_WITH_TIMEOUT(window.queue()->job(second)->trace.hasEnd, 300000);
        QCOMPARE(window.queue()->job(second)->trace.end.status, QStringLiteral("finished"));
        QTRY_VERIFY_WITH_TIMEOUT(recordedRunOf(second) > 0, 10000);
        const qint64 secondRun = recordedRunOf(second);
        QTRY_COMPARE_WITH_TIMEOUT(history->runAt(history->indexOfRun(secondRun)).status, QStringLiteral("finished"),
                                  10000);

        // Both in the Runs table; compared.
        window.showPage(MainWindow::Runs);
        auto* runs = window.findChild<RunsPage*>();
        QVERIFY(runs);
        QCOMPARE(runs->table()->model()->rowCount(), 2);
        runs->selectRuns({firstRun, secondRun});
        QTest::mouseClick(child<QPushButton>(runs, "runsCompare"), Qt::LeftButton);
        auto* compare = runs->findChild<CompareDialog*>();
        QVERIFY(compare);
        QTRY_VERIFY_WITH_TIMEOUT(compare->isLoaded(), 10000);
        QCOMPARE(compare->plot()->graphCount() >= 2, true);
        QCOMPARE(compare->plot()->graph(0)->dataCount() +
                         compare->plot()->graph(compare->plot()->graphCount() - 1)->dataCount() >
                     0,
                 true);
        bool maxStepsDiffer = false;
        for (const SettingRow& row : compare->data().differences)
            maxStepsDiffer = maxStepsDiffer || row.key == QLatin1String("config.max_steps");
        QVERIFY(maxStepsDiffer);
        compare->close();

        // Evaluate the first run on a few examples, with its base model.
        runs->selectRuns({firstRun});
        child<QSpinBox>(runs, "runsEvalLimit")->setValue(3);
        auto* evaluate = child<QPushButton>(runs, "runsEvaluate");
        QTRY_VERIFY(evaluate->isEnabled());
        QSignalSpy evaluated(runs, &RunsPage::evaluationEnded);
        QTest::mouseClick(evaluate, Qt::LeftButton);
        QVERIFY(runs->isEvaluating());
        QVERIFY(child<QPushButton>(runs, "runsCancelEval")->isVisible());
        QTRY_VERIFY_WITH_TIMEOUT(!evaluated.isEmpty(), 300000);
        const EvalEnd end = evaluated.first().first().value<EvalEnd>();
        QVERIFY2(end.status == QLatin1String("finished"), qPrintable(end.message));
        QTRY_VERIFY_WITH_TIMEOUT(!history->runAt(history->indexOfRun(firstRun)).evaluation.isEmpty(), 10000);
        QVERIFY(history->runAt(history->indexOfRun(firstRun)).evalMetrics.contains(QStringLiteral("rouge-l")));
        runs->selectRuns({firstRun});
        auto* examples = child<QPushButton>(runs, "runsExamples");
        QTRY_VERIFY(examples->isEnabled());
        QTest::mouseClick(examples, Qt::LeftButton);
        auto* table = runs->findChild<ExamplesDialog*>();
        QVERIFY(table);
        QTRY_VERIFY_WITH_TIMEOUT(table->isLoaded(), 10000);
        QCOMPARE(table->table()->model()->rowCount(), 3);
        QCOMPARE(table->table()->model()->headerData(3, Qt::Horizontal).toString(), QStringLiteral("base"));
    }
};

QTEST_MAIN(TestRunsWorkflow)
#include "tst_runs_workflow.moc"
