// The studio's window as a user meets it: pages by Ctrl+1..5, files dropped on the window, the
// layout kept across sessions, the first start offering the starter model, closing with runs
// active; and the whole path of this phase: on the Train page pick the stories260K fixture and a
// small JSONL, template plain, Full fine-tuning for a few steps, Launch, see the points reach the
// plot and the run finish; start a second run and stop it with the Stop button. Meanwhile a probe
// measures how long the GUI thread was ever blocked.

#include <csignal>
#include <cstdlib>

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QElapsedTimer>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMessageBox>
#include <QMimeData>
#include <QProgressBar>
#include <QPushButton>
#include <QRadioButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QSplitter>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>
#include <QUrl>

#include <qcustomplot.h>

#include "../runs/fake_workers.h"
#include "app_settings.h"
#include "event_loop_probe.h"
#include "main_window.h"
#include "models/dataset_session.h"
#include "pages/datasets_page.h"
#include "pages/monitor_page.h"
#include "pages/playground_page.h"
#include "pages/train_page.h"
#include "runs/run_queue.h"
#include "theme.h"
#include "widgets/readable_icon.h"
#include "store/dataset_store.h"
#include "store/example_store.h"
#include "support/test_support.h"
#include "ui_test_support.h"
#include "widgets/data_source_picker.h"
#include "widgets/model_picker.h"
#include "widgets/token_setup_picker.h"
#include "widgets/training_plot.h"

using namespace ft;
using namespace ft::ui;

namespace {

MainWindowOptions quiet()
{
    MainWindowOptions options;
    options.offerStarterModel = false;
    options.measureThroughput = false;
    return options;
}

} // namespace

class TestMainWindow : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;

    std::unique_ptr<AppSettings> settings(const QString& name)
    {
        auto s = std::make_unique<AppSettings>(m_dir.filePath(name + QStringLiteral(".ini")));
        s->setWorkspace(m_dir.filePath(name + QStringLiteral("-workspace")));
        return s;
    }

private slots:
    void initTestCase()
    {
        qRegisterMetaType<RunEndInfo>();
        // The starter model and default folders go to the test's folder, never the user's.
        qputenv("FT_DATA_HOME", m_dir.filePath(QStringLiteral("data-home")).toUtf8());
    }

    void navigatesWithShortcuts()
    {
        auto s = settings(QStringLiteral("nav"));
        MainWindow window(s.get(), quiet());
        window.show();
        QVERIFY(QTest::qWaitForWindowActive(&window));
        const std::pair<Qt::Key, MainWindow::Page> keys[] = {{Qt::Key_1, MainWindow::Datasets},
                                                             {Qt::Key_3, MainWindow::Monitor},
                                                             {Qt::Key_4, MainWindow::Runs},
                                                             {Qt::Key_5, MainWindow::Playground},
                                                             {Qt::Key_2, MainWindow::Train}};
        for (const auto& [key, page] : keys) {
            QTest::keyClick(&window, key, Qt::ControlModifier);
            QCOMPARE(window.currentPage(), page);
            QCOMPARE(child<QListWidget>(&window, "sidebar")->currentRow(), static_cast<int>(page));
        }
        // The sidebar switches pages too.
        child<QListWidget>(&window, "sidebar")->setCurrentRow(MainWindow::Runs);
        QCOMPARE(window.currentPage(), MainWindow::Runs);
    }

    // The dark theme as a user found it: the Train icon (Fusion's dark "play") vanished on the dark
    // sidebar, and the statistics histogram stayed white. Switching the theme at run time fixes both.
    void theDarkThemeKeepsIconsAndPlotsReadable()
    {
        auto s = settings(QStringLiteral("dark"));
        MainWindow window(s.get(), quiet());
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        applyTheme(QStringLiteral("dark"));
        QCoreApplication::processEvents();
        auto* sidebar = child<QListWidget>(&window, "sidebar");
        const int background = sidebar->palette().color(QPalette::Base).lightness();
        QVERIFY(background < 80);
        for (int row = 0; row < sidebar->count(); ++row) {
            const int lightness = meanIconLightness(sidebar->item(row)->icon(), 32);
            QVERIFY2(std::abs(lightness - background) >= 85,
                     qPrintable(QStringLiteral("%1: icon lightness %2 on a background of %3")
                                    .arg(sidebar->item(row)->text())
                                    .arg(lightness)
                                    .arg(background)));
        }
        auto* stats = window.findChild<QCustomPlot*>(QStringLiteral("statsPlot"));
        QVERIFY(stats);
        const auto corner = [stats] { return stats->toPixmap(120, 80).toImage().pixelColor(1, 1); };
        QCOMPARE(corner(), stats->palette().color(QPalette::Base));
        QCOMPARE(stats->xAxis->tickLabelColor(), stats->palette().color(QPalette::Text));

        applyTheme(QStringLiteral("light"));
        QCoreApplication::processEvents();
        QVERIFY(corner().lightness() > 180);
        applyTheme(QStringLiteral("system"));
    }

    void offersDroppedFiles()
    {
        auto s = settings(QStringLiteral("drop"));
        MainWindow window(s.get(), quiet());
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QSignalSpy dropped(&window, &MainWindow::filesDropped);
        QMimeData mime;
        mime.setUrls({QUrl::fromLocalFile(QStringLiteral("/data/alpaca.json")),
                      QUrl::fromLocalFile(QStringLiteral("/data/notes.csv")),
                      QUrl(QStringLiteral("https://example.com/remote.jsonl"))});
        const QPoint centre = window.rect().center();
        QDragEnterEvent enter(centre, Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(&window, &enter);
        QVERIFY(enter.isAccepted());
        QDropEvent drop(centre, Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(&window, &drop);
        QCOMPARE(dropped.size(), 1);
        QCOMPARE(dropped.first().at(0).toStringList(),
                 (QStringList{QStringLiteral("/data/alpaca.json"), QStringLiteral("/data/notes.csv")}));
        QCOMPARE(window.currentPage(), MainWindow::Datasets);
        QCOMPARE(window.datasetsPage()->pendingFiles().size(), 2);
        // Nothing to offer: a drag of text only is not accepted.
        QMimeData text;
        text.setText(QStringLiteral("hello"));
        QDragEnterEvent refused(centre, Qt::CopyAction, &text, Qt::LeftButton, Qt::NoModifier);
        refused.setAccepted(false);
        QApplication::sendEvent(&window, &refused);
        QVERIFY(!refused.isAccepted());
    }

    void useForTrainingChoosesTheDatasetOnTheTrainPage()
    {
        auto s = settings(QStringLiteral("use"));
        s->setText(QStringLiteral("train/source"), QStringLiteral("files")); // Files chosen before
        MainWindow window(s.get(), quiet());
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        window.showPage(MainWindow::Datasets);
        DatasetsPage* datasets = window.datasetsPage();
        QTRY_VERIFY2(datasets->currentDatasetId() > 0, // the sample dataset of the new workspace
                     qPrintable(datasets->openError() + datasets->session()->openWarnings().join(QLatin1Char(' '))));
        QVERIFY(!window.trainPage()->dataSource()->usesDataset());
        QTest::mouseClick(child<QPushButton>(datasets, "useForTraining"), Qt::LeftButton);
        QCOMPARE(window.currentPage(), MainWindow::Train);
        QVERIFY(window.trainPage()->dataSource()->usesDataset());
        QTRY_COMPARE_WITH_TIMEOUT(window.trainPage()->dataSource()->dataset().value_or(DatasetInfo()).id,
                                  datasets->currentDatasetId(), 5000);
        // An edit on the Datasets page reaches the Train page's counts.
        const qint64 before = window.trainPage()->dataSource()->dataset()->train;
        datasets->session()->examples().add(datasets->currentDatasetId(), StoredExample());
        datasets->session()->notifyExamples(datasets->currentDatasetId(), {}, true);
        QTRY_COMPARE_WITH_TIMEOUT(window.trainPage()->dataSource()->dataset()->train, before + 1, 5000);
        // Every re-read asked for so far has finished (a loaded host can delay one).
        QTRY_VERIFY_WITH_TIMEOUT(!window.trainPage()->dataSource()->isLoading() &&
                                     !window.trainPage()->dataSource()->isRefreshPending(),
                                 5000);
        // While the Train page is hidden, edits cost it nothing; it reads them when shown.
        window.showPage(MainWindow::Datasets);
        datasets->session()->examples().add(datasets->currentDatasetId(), StoredExample());
        datasets->session()->notifyExamples(datasets->currentDatasetId(), {}, true);
        QTest::qWait(600);
        QCOMPARE(window.trainPage()->dataSource()->dataset()->train, before + 1);
        window.showPage(MainWindow::Train);
        QTRY_COMPARE_WITH_TIMEOUT(window.trainPage()->dataSource()->dataset()->train, before + 2, 5000);
    }

    void keepsTheLayout()
    {
        auto s = settings(QStringLiteral("layout"));
        {
            MainWindow window(s.get(), quiet());
            window.resize(1000, 700);
            window.show();
            QVERIFY(QTest::qWaitForWindowExposed(&window));
            child<QSplitter>(&window, "mainSplitter")->setSizes({190, 810});
            window.showPage(MainWindow::Runs);
            QVERIFY(window.close());
        }
        MainWindow again(s.get(), quiet());
        again.show();
        QVERIFY(QTest::qWaitForWindowExposed(&again));
        QCOMPARE(again.size(), QSize(1000, 700));
        QCOMPARE(again.currentPage(), MainWindow::Runs);
        QCOMPARE(child<QSplitter>(&again, "mainSplitter")->sizes().value(0), 190);
    }

    void firstStartOffersTheStarterModel()
    {
        auto s = settings(QStringLiteral("first"));
        QVERIFY(s->knownModels().isEmpty());
        MainWindowOptions options = quiet();
        options.offerStarterModel = true;
        MainWindow window(s.get(), options);
        window.show();
        QMessageBox* box = nullptr;
        QTRY_VERIFY((box = window.findChild<QMessageBox*>()) != nullptr);
        QVERIFY(box->text().contains(QStringLiteral("starter model")));
        QTest::mouseClick(box->button(QMessageBox::Yes), Qt::LeftButton);
        // Created by `ftstudio-cli model new` in the background, then chosen on the Train page.
        QTRY_VERIFY_WITH_TIMEOUT(window.trainPage()->modelPicker()->hasModel(), 180000);
        QCOMPARE(window.trainPage()->modelPicker()->modelPath(), s->starterModelPath());
        QVERIFY(s->starterModelPath().startsWith(m_dir.path()));
        QCOMPARE(s->knownModels().value(0), s->starterModelPath());
        // One list of models for every page: the starter model is offered for token counts on the
        // Datasets page and in the Playground at once, without a restart or Refresh.
        auto* tokenModel = child<QComboBox>(window.datasetsPage(), "tokenModel");
        QTRY_VERIFY(tokenModel->findData(s->starterModelPath()) >= 0);
        QCOMPARE(tokenModel->itemText(tokenModel->findData(s->starterModelPath())), QStringLiteral("starter-tiny"));
        auto* playgroundModel = child<QComboBox>(window.playgroundPage(), "columnModel");
        QTRY_VERIFY(playgroundModel->findData(s->starterModelPath()) >= 0);
        // And a model read for token counts joins the list the Train page offers.
        const QString other = test::sharedPath(QStringLiteral("fixtures/stories260K/hf"));
        if (QFileInfo::exists(other)) {
            window.datasetsPage()->findChild<TokenSetupPicker*>()->chooseModel(other);
            QTRY_COMPARE_WITH_TIMEOUT(s->knownModels().value(0), other, 20000);
            auto* trainModels = child<QComboBox>(window.trainPage(), "modelCombo");
            QVERIFY(trainModels->findData(other) >= 0);
        }
        // Known now: a second start does not ask again.
        MainWindow second(s.get(), options);
        QTest::qWait(200);
        QVERIFY(second.findChild<QMessageBox*>() == nullptr);
    }

    void closingAsksAboutActiveRuns()
    {
        const QString stepping =
            test::writeScript(m_dir.filePath(QStringLiteral("stepping.sh")), test::kSteppingWorker);
        auto s = settings(QStringLiteral("close"));
        auto request = [&](const QString& name) {
            RunRequest r;
            r.name = name;
            r.runDir = m_dir.filePath(QStringLiteral("close-runs/") + name);
            QDir().mkpath(r.runDir);
            return r;
        };
        {
            MainWindow window(s.get(), quiet());
            window.queue()->setCliPath(stepping);
            window.show();
            const int id = window.queue()->enqueue(request(QStringLiteral("a")));
            QTRY_VERIFY_WITH_TIMEOUT(!window.queue()->job(id)->trace.steps.isEmpty(), 10000);
            // The status bar shows the running job.
            QVERIFY(child<QProgressBar>(&window, "jobProgress")->isVisible());
            QVERIFY(child<QLabel>(&window, "jobLabel")->text().contains(QStringLiteral("Training a")));

            int asked = 0;
            window.setCloseDecider([&] {
                ++asked;
                return MainWindow::CloseDecision::Cancel;
            });
            QVERIFY(!window.close());
            QCOMPARE(asked, 1);
            QVERIFY(window.isVisible());
            QVERIFY(window.queue()->job(id)->worker->isActive());

            // Stop: the window closes once the run has written its checkpoint and ended.
            window.setCloseDecider([] { return MainWindow::CloseDecision::StopRuns; });
            QVERIFY(!window.close());
            QTRY_VERIFY_WITH_TIMEOUT(!window.isVisible(), 10000);
            QCOMPARE(window.queue()->job(id)->status, QStringLiteral("stopped"));
        }
        {
            // Keep running: the window closes at once and the worker goes on alone (this fake one ends
            // when its stdin closes, as the detach closes it).
            MainWindow window(s.get(), quiet());
            window.queue()->setCliPath(stepping);
            window.show();
            const int id = window.queue()->enqueue(request(QStringLiteral("b")));
            QTRY_VERIFY_WITH_TIMEOUT(!window.queue()->job(id)->trace.steps.isEmpty(), 10000);
            const qint64 pid = window.queue()->job(id)->worker->processId();
            window.setCloseDecider([] { return MainWindow::CloseDecision::KeepRunning; });
            QVERIFY(window.close());
            QVERIFY(!window.isVisible());
            QTRY_VERIFY_WITH_TIMEOUT(::kill(static_cast<pid_t>(pid), 0) != 0, 10000);
        }
    }

    void trainsFromTheTrainPage()
    {
        FT_REQUIRE_SHARED();
        const QString model = test::sharedPath(QStringLiteral("fixtures/stories260K/hf"));
        const QString data = test::writeSampleJsonl(m_dir.filePath(QStringLiteral("train.jsonl")), 40);
        auto s = settings(QStringLiteral("train"));
        s->setThreads(1);
        MainWindow window(s.get(), quiet());
        window.resize(1280, 900);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        // Two probes: `session` from the start (it also sees the test's own synchronous typing and
        // clicking, several user actions in one pass of the event loop), `running` from the moment
        // each Launch click has returned until the run has ended.
        EventLoopProbe session(10);
        session.start();
        EventLoopProbe running(10);

        // The Train page, as a user fills it.
        TrainPage* train = window.trainPage();
        window.showPage(MainWindow::Train);
        train->modelPicker()->setModelPath(model);
        QTRY_VERIFY_WITH_TIMEOUT(train->modelPicker()->hasModel(), 20000);
        QVERIFY(child<QLabel>(train, "modelInfo")->text().contains(QStringLiteral("LlamaForCausalLM")));
        auto* trainFile = child<QLineEdit>(train, "trainFile");
        trainFile->setFocus();
        QTest::keyClicks(trainFile, data);
        auto* format = child<QComboBox>(train, "templateCombo");
        format->setCurrentIndex(format->findData(QStringLiteral("plain")));
        clickIndicator(child<QRadioButton>(train, "mode_full"));
        QTest::mouseClick(child<QToolButton>(train, "advancedToggle"), Qt::LeftButton);
        typeNumber(train, "max_steps", 6);
        typeNumber(train, "max_length", 64);
        typeNumber(train, "batch_size", 2);
        typeNumber(train, "eval_every", 3);
        typeNumber(train, "sample_max_tokens", 8);
        typeNumber(train, "threads", 1);
        auto* launch = child<QPushButton>(train, "launchButton");
        QTRY_VERIFY_WITH_TIMEOUT(launch->isEnabled(), 20000);

        // Launch: the monitor comes up and the points reach the plot.
        QElapsedTimer click;
        click.start();
        QTest::mouseClick(launch, Qt::LeftButton);
        qInfo("Launch (run folder, config.json, worker started, monitor shown) took %lld ms on the GUI thread",
              click.elapsed());
        running.start();
        QCOMPARE(window.currentPage(), MainWindow::Monitor);
        MonitorPage* monitor = window.monitorPage();
        QCPGraph* loss = monitor->plot()->graph(TrainingPlot::Series::Loss);
        QTRY_VERIFY_WITH_TIMEOUT(loss->dataCount() >= 1, 180000);
        const int first = monitor->shownJob();
        QTRY_VERIFY_WITH_TIMEOUT(window.queue()->job(first)->trace.hasEnd, 300000);
        running.stop();
        const RunEndInfo end = window.queue()->job(first)->trace.end;
        QVERIFY2(end.status == QLatin1String("finished"), qPrintable(end.status + QStringLiteral(": ") + end.message));
        QCOMPARE(loss->dataCount(), 6);
        QCOMPARE(monitor->plot()->graph(TrainingPlot::Series::ValLoss)->dataCount(), 2);
        QTRY_VERIFY(child<QLabel>(monitor, "endBanner")->text().startsWith(QStringLiteral("Finished")));
        QVERIFY(QFileInfo::exists(end.exportPath + QStringLiteral("/model.safetensors")));
        QVERIFY(QFileInfo::exists(window.queue()->job(first)->request.runDir + QStringLiteral("/events.jsonl")));
        QCOMPARE(window.queue()->job(first)->request.mode, QStringLiteral("full"));

        // A second, long run, stopped with the Stop button.
        window.showPage(MainWindow::Train);
        typeNumber(train, "max_steps", 100000);
        typeNumber(train, "eval_every", 0);
        QTRY_VERIFY(launch->isEnabled());
        QTest::mouseClick(launch, Qt::LeftButton);
        running.start();
        QTRY_VERIFY_WITH_TIMEOUT(monitor->shownJob() != first, 10000);
        const int second = monitor->shownJob();
        QTRY_VERIFY_WITH_TIMEOUT(loss->dataCount() >= 20, 180000); // a few seconds of live points
        auto* stop = child<QPushButton>(monitor, "stopButton");
        QVERIFY(stop->isEnabled());
        QTest::mouseClick(stop, Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(window.queue()->job(second)->trace.hasEnd, 120000);
        QCOMPARE(window.queue()->job(second)->status, QStringLiteral("stopped"));
        QTRY_VERIFY(child<QLabel>(monitor, "endBanner")->text().startsWith(QStringLiteral("Stopped")));
        QVERIFY(!QDir(window.queue()->job(second)->request.runDir + QStringLiteral("/checkpoints"))
                     .entryList({QStringLiteral("step-*")}, QDir::Dirs)
                     .isEmpty());

        running.stop();
        session.stop();
        qInfo("GUI thread while the runs ran: %s", qPrintable(running.summary()));
        qInfo("GUI thread over the whole session (with the test's typing): %s", qPrintable(session.summary()));
        // The goal (no block over 100 ms) is a measurement, reported above and in docs/gui.md; on a
        // loaded 2-core machine scheduling alone has delayed a tick by 200-530 ms, and a stalled host
        // by a second. What this asserts is the failure a user would see: the GUI thread doing the
        // work itself (a training step, a database read of the run) for a quarter second of its own
        // CPU time, which load elsewhere does not add to, or the loop held for a second while a
        // thread beside it that only sleeps and wakes kept waking (waiting on a worker uses no CPU).
        QVERIFY2(running.maxBusyMs() < 250.0, qPrintable(running.summary()));
        QVERIFY2(running.maxOwnDelayMs() < 1000.0, qPrintable(running.summary()));
    }
};

QTEST_MAIN(TestMainWindow)
#include "tst_main_window.moc"
