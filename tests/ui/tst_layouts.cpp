// Every page fits the smallest window the studio supports, 1024×680, and the default 1280×860: the
// window keeps that size (no page asks for more), and no label, button, choice or table header is cut
// off. The pages hold what a user has after some work: two recorded runs in the Runs page, and a
// finished run (with its long "the model is in ..." ending) in the Monitor.
// Each page is grabbed to a PNG at each size (in FT_SCREENSHOT_DIR when set): the screenshots that
// docs/ shows are the ones this test checks.

#include <QDir>
#include <QLabel>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTableView>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>

#include "../runs/recorded_runs.h"
#include "app_settings.h"
#include "clipped_text.h"
#include "dialogs/blind_rating_dialog.h"
#include "dialogs/compare_dialog.h"
#include "dialogs/sweep_dialog.h"
#include "main_window.h"
#include "pages/monitor_page.h"
#include "runs/store_thread.h"
#include "settings_dialog.h"
#include "support/test_support.h"

using namespace ft;
using namespace ft::ui;

class TestLayouts : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;

private slots:
    void pagesFitTheWindow_data()
    {
        QTest::addColumn<QSize>("size");
        QTest::newRow("1024x680") << QSize(1024, 680);
        QTest::newRow("1280x860") << QSize(1280, 860);
    }

    void pagesFitTheWindow()
    {
        QFETCH(QSize, size);
        AppSettings settings(m_dir.filePath(QStringLiteral("layouts.ini")));
        settings.setWorkspace(m_dir.filePath(QStringLiteral("workspace")));
        const QString model = test::sharedPath(QStringLiteral("fixtures/stories260K/hf"));
        if (QFileInfo::exists(model))
            settings.addKnownModel(model);
        const QString workspacePath = m_dir.filePath(QStringLiteral("workspace"));
        QString monitored;
        {
            const Workspace workspace = Workspace::open(workspacePath);
            test::RecordedRunSpec first;
            first.name = QStringLiteral("roleplay-lora-a");
            if (test::addRecordedRun(workspace, first) < 0)
                QFAIL("no run recorded");
            test::RecordedRunSpec second;
            second.name = QStringLiteral("full fine-tune of the support answers, lr 3e-4");
            second.evaluation = {{QStringLiteral("rouge-l"), 0.41}, {QStringLiteral("bleu"), 0.12}};
            test::addRecordedRun(workspace, second);
            monitored = QDir(workspace.runsPath()).filePath(QStringLiteral("20261206-051155-monitored"));
        }
        QVERIFY(QDir().mkpath(monitored));
        QFile events(QDir(monitored).filePath(QStringLiteral("events.jsonl")));
        QVERIFY(events.open(QIODevice::WriteOnly));
        events.write(
            ("{\"event\":\"started\",\"total_steps\":240,\"run_dir\":\"" + monitored.toUtf8() + "\"}\n").constData());
        for (int step = 1; step <= 240; ++step)
            events.write(QStringLiteral("{\"event\":\"step\",\"step\":%1,\"total_steps\":240,\"epoch\":%2,\"loss\":%3,"
                                        "\"tokens\":%4,\"tokens_per_second\":15612.5,\"elapsed\":%5}\n")
                             .arg(step)
                             .arg(step / 49.0)
                             .arg(4.0 - step / 100.0)
                             .arg(step * 512)
                             .arg(step * 0.04)
                             .toUtf8());
        events.write(("{\"event\":\"finished\",\"step\":240,\"message\":\"Finished after 240 steps. The model is in " +
                      monitored.toUtf8() + "/export/model.\"}\n")
                         .constData());
        events.close();

        MainWindowOptions options;
        options.offerStarterModel = false;
        options.measureThroughput = false;
        MainWindow window(&settings, options);
        window.resize(size);
        window.show();
        QVERIFY(window.monitorPage()->openRunFolder(monitored));
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        // What arrives from threads, before anything is measured: the examples, the runs, the model's description.
        QTRY_VERIFY_WITH_TIMEOUT(
            window.findChild<QLabel*>(QStringLiteral("exampleCount"))->text().contains(QStringLiteral("216")), 10000);
        QTRY_VERIFY_WITH_TIMEOUT(window.findChild<QTableView*>(QStringLiteral("runsTable"))->model()->rowCount() >= 2,
                                 10000);
        QTRY_VERIFY_WITH_TIMEOUT(
            !window.findChild<QLabel*>(QStringLiteral("modelInfo"))->text().startsWith(QStringLiteral("Reading")),
            10000);
        QTest::qWait(100);
        const char* names[] = {"datasets", "train", "monitor", "runs", "playground"};
        const QString out = qEnvironmentVariable("FT_SCREENSHOT_DIR");
        QStringList problems;
        for (int page = 0; page < MainWindow::PageCount; ++page) {
            window.showPage(static_cast<MainWindow::Page>(page));
            QTest::qWait(50);
            if (window.size() != size)
                problems << QStringLiteral("%1: the window grew to %2×%3")
                                .arg(QLatin1String(names[page]))
                                .arg(window.width())
                                .arg(window.height());
            for (const QString& clipped : test::clippedTexts(&window))
                problems << QStringLiteral("%1: %2").arg(QLatin1String(names[page]), clipped);
            // The page's other tabs (the Datasets page's Import and Statistics) and its advanced settings.
            for (QTabWidget* tabs : window.findChildren<QTabWidget*>()) {
                if (!tabs->isVisible())
                    continue;
                for (int tab = 1; tab < tabs->count(); ++tab) {
                    tabs->setCurrentIndex(tab);
                    QTest::qWait(20);
                    for (const QString& clipped : test::clippedTexts(&window))
                        problems << QStringLiteral("%1 ▸ %2: %3")
                                        .arg(QLatin1String(names[page]), tabs->tabText(tab), clipped);
                    if (!out.isEmpty())
                        window.grab().save(
                            QDir(out).filePath(QStringLiteral("%1-%2-%3x%4.png")
                                                   .arg(QLatin1String(names[page]), tabs->tabText(tab).toLower())
                                                   .arg(size.width())
                                                   .arg(size.height())));
                }
                tabs->setCurrentIndex(0);
            }
            if (auto* advanced = window.findChild<QToolButton*>(QStringLiteral("advancedToggle"));
                advanced && advanced->isVisible()) {
                advanced->setChecked(true);
                QTest::qWait(20);
                for (const QString& clipped : test::clippedTexts(&window))
                    problems << QStringLiteral("%1 ▸ advanced: %2").arg(QLatin1String(names[page]), clipped);
                if (!out.isEmpty())
                    window.grab().save(QDir(out).filePath(QStringLiteral("%1-advanced-%2x%3.png")
                                                              .arg(QLatin1String(names[page]))
                                                              .arg(size.width())
                                                              .arg(size.height())));
            }
            if (!out.isEmpty()) {
                QDir().mkpath(out);
                window.grab().save(QDir(out).filePath(QStringLiteral("%1-%2x%3.png")
                                                          .arg(QLatin1String(names[page]))
                                                          .arg(size.width())
                                                          .arg(size.height())));
            }
        }
        QVERIFY2(problems.isEmpty(), qPrintable(QStringLiteral("\n") + problems.join(QLatin1Char('\n'))));
        // The Runs table's columns follow their contents: a long name is read whole, not cut at 100 px.
        auto* runs = window.findChild<QTableView*>(QStringLiteral("runsTable"));
        QVERIFY(runs);
        const int nameWidth =
            runs->fontMetrics().horizontalAdvance(QStringLiteral("full fine-tune of the support answers, lr 3e-4"));
        QVERIFY2(runs->columnWidth(0) >= nameWidth,
                 qPrintable(QStringLiteral("%1 < %2").arg(runs->columnWidth(0)).arg(nameWidth)));
    }

    // Compare opens within a 1024×680 screen, with nothing cut off: the settings that differ are read whole
    // for every run (the second run's were clipped).
    void compareDialogFits()
    {
        QTemporaryDir dir;
        const Workspace workspace = Workspace::open(dir.path(), {false});
        test::RecordedRunSpec spec;
        spec.name = QStringLiteral("instruction tuning of the support answers, rank 16");
        spec.evaluation = {{QStringLiteral("bleu"), 0.125}, {QStringLiteral("rouge-l"), 0.41}};
        const qint64 a = test::addRecordedRun(workspace, spec);
        spec.name = QStringLiteral("the same with a higher learning rate and a longer warmup");
        spec.learningRate = 1e-3;
        const qint64 b = test::addRecordedRun(workspace, spec);
        StoreThread store;
        CompareDialog dialog(&store, dir.path(), {a, b});
        QSignalSpy loaded(&dialog, &CompareDialog::loaded);
        dialog.show();
        QVERIFY(loaded.wait(5000));
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        QTest::qWait(50); // the layout settles (the run names are fitted to their columns after it)
        QVERIFY2(dialog.width() <= 1024 && dialog.height() <= 680,
                 qPrintable(QStringLiteral("%1×%2").arg(dialog.width()).arg(dialog.height())));
        QStringList problems = test::clippedTexts(&dialog);
        // Every run's column is in view without scrolling; a value too long for it is whole in its tool tip.
        for (const char* name : {"compareSettings", "compareMetrics"}) {
            auto* table = dialog.findChild<QTableWidget*>(QLatin1String(name));
            QCOMPARE(table->columnCount(), 2);
            if (table->horizontalHeader()->length() > table->viewport()->width())
                problems << QStringLiteral("%1: %2 px of columns in %3 px")
                                .arg(QLatin1String(name))
                                .arg(table->horizontalHeader()->length())
                                .arg(table->viewport()->width());
            for (int row = 0; row < table->rowCount(); ++row)
                for (int column = 0; column < table->columnCount(); ++column)
                    if (const QTableWidgetItem* item = table->item(row, column);
                        item && table->columnWidth(column) < table->fontMetrics().horizontalAdvance(item->text()) + 8 &&
                        item->toolTip() != item->text())
                        problems << QStringLiteral("%1: \"%2\" cut, with no tool tip")
                                        .arg(QLatin1String(name), item->text());
        }
        if (const QString out = qEnvironmentVariable("FT_SCREENSHOT_DIR"); !out.isEmpty())
            dialog.grab().save(QDir(out).filePath(QStringLiteral("compare-default.png")));
        QVERIFY2(problems.isEmpty(), qPrintable(QStringLiteral("\n") + problems.join(QLatin1Char('\n'))));
    }

    // The Settings dialog at the size it opens with.
    void settingsDialogFits()
    {
        AppSettings settings(m_dir.filePath(QStringLiteral("dialog.ini")));
        SettingsDialog dialog(&settings);
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        const QStringList problems = test::clippedTexts(&dialog);
        QVERIFY2(problems.isEmpty(), qPrintable(QStringLiteral("\n") + problems.join(QLatin1Char('\n'))));
        QVERIFY(dialog.width() <= 1024 && dialog.height() <= 680);
    }

    // The Sweep dialog and the blind rating, at the sizes they open with, before anything runs.
    void sweepAndRatingDialogsFit()
    {
        RunQueue queue;
        SweepDialog sweep(&queue);
        TrainConfig base;
        base.applyModePreset(QStringLiteral("instruction"));
        sweep.setBase(base, {}, m_dir.filePath(QStringLiteral("runs")));
        sweep.show();
        QVERIFY(QTest::qWaitForWindowExposed(&sweep));
        QStringList problems = test::clippedTexts(&sweep);
        QVERIFY2(sweep.width() <= 1024 && sweep.height() <= 680,
                 qPrintable(QStringLiteral("%1×%2").arg(sweep.width()).arg(sweep.height())));

        QTemporaryDir dir;
        const Workspace workspace = Workspace::open(dir.path(), {false});
        StoreThread store;
        BlindRatingDialog rating(&store, dir.path(), {1});
        rating.show();
        QVERIFY(QTest::qWaitForWindowExposed(&rating));
        problems << test::clippedTexts(&rating);
        QVERIFY2(rating.width() <= 1024 && rating.height() <= 680,
                 qPrintable(QStringLiteral("%1×%2").arg(rating.width()).arg(rating.height())));
        QVERIFY2(problems.isEmpty(), qPrintable(QStringLiteral("\n") + problems.join(QLatin1Char('\n'))));
    }
};

QTEST_MAIN(TestLayouts)
#include "tst_layouts.moc"
