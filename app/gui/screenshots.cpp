#include "screenshots.h"

#include <QApplication>
#include <QCheckBox>
#include <QDir>
#include <QEventLoop>
#include <QFileInfo>
#include <QPixmap>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollArea>
#include <QScrollBar>
#include <QSpinBox>
#include <QTableView>
#include <QTimer>
#include <QToolButton>
#include <qcustomplot.h>

#include "dialogs/blind_rating_dialog.h"
#include "dialogs/compare_dialog.h"
#include "dialogs/sweep_dialog.h"
#include "main_window.h"
#include "pages/monitor_page.h"
#include "pages/playground_page.h"
#include "pages/runs_page.h"
#include "pages/train_page.h"

namespace {

// The Playground's screenshot shows a chat: a message sent to its columns, answered greedily (a few
// seconds with a small model), waited for at most 60 s.
void startConversation(ft::ui::PlaygroundPage* playground)
{
    playground->findChild<QCheckBox*>(QStringLiteral("playgroundGreedy"))->setChecked(true);
    playground->findChild<QSpinBox*>(QStringLiteral("playgroundMaxTokens"))->setValue(48);
    playground->findChild<QPlainTextEdit*>(QStringLiteral("playgroundPrompt"))
        ->setPlainText(QStringLiteral("Write a short story about Tom and a kite."));
    playground->generate();
    QEventLoop wait;
    QTimer poll;
    QObject::connect(&poll, &QTimer::timeout, &wait, [&] {
        if (!playground->isGenerating())
            wait.quit();
    });
    poll.start(100);
    QTimer::singleShot(60000, &wait, &QEventLoop::quit);
    wait.exec();
}

// Waits for `signal` of `object` at most `milliseconds`, unless `done` already holds.
template <typename Object, typename Signal> void waitFor(Object* object, Signal signal, bool done, int milliseconds)
{
    if (done)
        return;
    QEventLoop wait;
    QTimer::singleShot(milliseconds, &wait, &QEventLoop::quit);
    QObject::connect(object, signal, &wait, &QEventLoop::quit);
    wait.exec();
}

// The newest sweep under the runs folder (runs/sweeps/<date>-<name>), if any.
QString newestSweep(const QString& runsFolder)
{
    const QFileInfoList sweeps = QDir(QDir(runsFolder).filePath(QStringLiteral("sweeps")))
                                     .entryInfoList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name | QDir::Reversed);
    return sweeps.isEmpty() ? QString() : sweeps.front().filePath();
}

} // namespace

namespace ft::ui {

void saveScreenshots(MainWindow& window, const QString& dir, const QString& runsFolder, const QString& dpoRun)
{
    const char* names[] = {"datasets", "train", "monitor", "runs", "playground"};
    for (int page = 0; page < MainWindow::PageCount; ++page) {
        window.showPage(static_cast<MainWindow::Page>(page));
        QApplication::processEvents();
        if (page == MainWindow::Playground)
            startConversation(window.playgroundPage());
        window.grab().save(QDir(dir).filePath(QStringLiteral("%1.png").arg(QLatin1String(names[page]))));
    }
    // The Train page again, scrolled to its advanced settings, open.
    if (auto* advanced = window.findChild<QToolButton*>(QStringLiteral("advancedToggle"))) {
        window.showPage(MainWindow::Train);
        advanced->setChecked(true);
        QApplication::processEvents();
        if (auto* scroll = window.trainPage()->findChild<QScrollArea*>())
            scroll->verticalScrollBar()->setValue(advanced->mapTo(scroll->widget(), QPoint()).y() - 8);
        QApplication::processEvents();
        window.grab().save(QDir(dir).filePath(QStringLiteral("train-advanced.png")));
    }
    // The comparison of every run in the workspace (read on the store thread: waited for, at most 5 s).
    if (auto* runs = window.findChild<RunsPage*>(); runs && runs->table()->model()->rowCount() >= 2) {
        window.showPage(MainWindow::Runs);
        runs->table()->selectAll();
        runs->compareSelected();
        if (auto* compare = runs->findChild<CompareDialog*>()) {
            waitFor(compare, &CompareDialog::loaded, compare->isLoaded(), 5000);
            compare->plot()->replot();
            QApplication::processEvents();
            compare->grab().save(QDir(dir).filePath(QStringLiteral("compare.png")));
            compare->close();
        }
    }
    // A finished sweep of the workspace (scripts/screenshots runs one), shown as the Sweep dialog shows it.
    if (const QString sweepFolder = newestSweep(runsFolder); !sweepFolder.isEmpty()) {
        SweepDialog* sweep = window.trainPage()->sweepDialog();
        sweep->show();
        if (sweep->resume(sweepFolder)) {
            waitFor(sweep, &SweepDialog::finished, !sweep->isRunning(), 10000);
            QApplication::processEvents();
            sweep->grab().save(QDir(dir).filePath(QStringLiteral("sweep.png")));
        }
        sweep->hide();
    }
    // The blind rating of the first evaluated run against its base, with three examples rated.
    auto* rate = window.findChild<QPushButton*>(QStringLiteral("runsRate"));
    if (auto* runs = window.findChild<RunsPage*>(); runs && rate) {
        window.showPage(MainWindow::Runs);
        for (int row = 0; row < runs->table()->model()->rowCount() && !rate->isEnabled(); ++row) {
            runs->table()->clearSelection();
            runs->table()->selectRow(row); // the evaluated run is the one Rate blind… takes
        }
        if (rate->isEnabled())
            runs->rateSelected();
        if (auto* rating = runs->findChild<BlindRatingDialog*>()) {
            waitFor(rating, &BlindRatingDialog::loaded, rating->isLoaded(), 5000);
            for (int i = 0; i < 3 && rating->isLoaded(); ++i)
                rating->rate(i % 3 == 2 ? 0 : 1 + i % 2);
            QApplication::processEvents();
            rating->grab().save(QDir(dir).filePath(QStringLiteral("rate.png")));
            rating->close();
        }
    }
    // A DPO run in the monitor: its reward panel under the loss (read from its events.jsonl on a thread).
    if (!dpoRun.isEmpty()) {
        window.monitorPage()->openRunFolder(dpoRun);
        window.showPage(MainWindow::Monitor);
        QEventLoop settle;
        QTimer::singleShot(1500, &settle, &QEventLoop::quit);
        settle.exec();
        window.grab().save(QDir(dir).filePath(QStringLiteral("monitor-dpo.png")));
    }
}

} // namespace ft::ui
