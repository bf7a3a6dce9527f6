// The GGUF export from the Runs page, as a user does it: a finished run with a final model enables
// "Export GGUF…" (a run without one does not); the dialog shows each type's size from `export --estimate`,
// names the file after the run and the type, exports with a progress bar through the real ftstudio-cli
// (the file and its Ollama Modelfile appear, the status says how to use them); Cancel during an export, and
// closing the dialog during one, leave no file.

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

#include "../runs/recorded_runs.h"
#include "dialogs/gguf_export_dialog.h"
#include "models/run_history_model.h"
#include "pages/runs_page.h"
#include "runs/run_queue.h"
#include "runs/store_run_history.h"
#include "support/test_support.h"

using namespace ft;
using namespace ft::ui;

namespace {

bool copyFolder(const QString& from, const QString& to)
{
    if (!QDir().mkpath(to))
        return false;
    for (const QString& name : QDir(from).entryList(QDir::Files))
        if (!QFile::copy(QDir(from).filePath(name), QDir(to).filePath(name)))
            return false;
    return true;
}

} // namespace

class TestGgufExportDialog : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    QString m_model; // the tiny starter model
    QString m_small; // the small preset: an export long enough to cancel

private slots:
    void initTestCase()
    {
        qRegisterMetaType<GgufExportEnd>();
        qRegisterMetaType<RunEndInfo>();
        QString error;
        m_model = test::makeTinyModel(m_dir.filePath(QStringLiteral("tiny")), &error);
        QVERIFY2(!m_model.isEmpty(), qPrintable(error));
        m_small = test::makeStarterModel(m_dir.filePath(QStringLiteral("small")), QStringLiteral("small"), &error);
        QVERIFY2(!m_small.isEmpty(), qPrintable(error));
    }

    void exportsAFinishedRunFromTheRunsPage()
    {
        QTemporaryDir dir;
        const Workspace workspace = Workspace::open(dir.path(), {false});
        test::RecordedRunSpec spec;
        spec.name = QStringLiteral("exported");
        const qint64 withModel = test::addRecordedRun(workspace, spec);
        spec.name = QStringLiteral("bare");
        const qint64 bare = test::addRecordedRun(workspace, spec);

        RunQueue queue;
        StoreRunHistory history(&queue);
        history.setRefreshInterval(0);
        history.setWorkspace(dir.path());
        RunsPage page(&history);
        page.setEvaluationCliPath(test::cliPath());
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        QTRY_COMPARE_WITH_TIMEOUT(page.table()->model()->rowCount(), 2, 5000);
        const QString runDir = page.model()->run(history.indexOfRun(withModel)).runDir;
        QVERIFY(copyFolder(m_model, QDir(runDir).filePath(QStringLiteral("export/model"))));

        auto* exportButton = page.findChild<QPushButton*>(QStringLiteral("runsExportGguf"));
        QVERIFY(exportButton);
        page.selectRuns({bare});
        QVERIFY(!exportButton->isEnabled()); // no final model
        page.selectRuns({withModel, bare});
        QVERIFY(!exportButton->isEnabled());
        page.selectRuns({withModel});
        QVERIFY(exportButton->isEnabled());
        QTest::mouseClick(exportButton, Qt::LeftButton);
        auto* dialog = page.findChild<GgufExportDialog*>();
        QVERIFY(dialog);
        QVERIFY(QTest::qWaitForWindowExposed(dialog));

        // Sizes arrive in the background; the file is named after the run and the type.
        auto* type = dialog->findChild<QComboBox*>(QStringLiteral("ggufType"));
        auto* estimate = dialog->findChild<QLabel*>(QStringLiteral("ggufEstimate"));
        QTRY_VERIFY_WITH_TIMEOUT(estimate->text().startsWith(QStringLiteral("about")), 60000);
        QCOMPARE(dialog->outPath(),
                 QDir(runDir).filePath(QStringLiteral("export/%1-f16.gguf").arg(QFileInfo(runDir).fileName())));
        const QString f16Size = estimate->text();
        type->setCurrentIndex(type->findData(QStringLiteral("q8_0")));
        QVERIFY(dialog->outPath().endsWith(QStringLiteral("-q8_0.gguf")));
        QVERIFY(estimate->text() != f16Size);

        QSignalSpy ended(dialog, &GgufExportDialog::exportEnded);
        QTest::mouseClick(dialog->findChild<QPushButton*>(QStringLiteral("ggufExport")), Qt::LeftButton);
        QVERIFY(dialog->isExporting());
        QVERIFY(!type->isEnabled());
        QVERIFY(ended.wait(120000));
        const GgufExportEnd end = ended.first().first().value<GgufExportEnd>();
        QCOMPARE(end.status, QStringLiteral("finished"));
        QVERIFY(QFile::exists(dialog->outPath()));
        QVERIFY(QFile::exists(QDir(runDir).filePath(QStringLiteral("export/Modelfile"))));
        const QString status = dialog->findChild<QLabel*>(QStringLiteral("ggufStatus"))->text();
        QVERIFY2(status.contains(QStringLiteral("ollama create")), qPrintable(status));
        QCOMPARE(dialog->findChild<QProgressBar*>(QStringLiteral("ggufProgress"))->value(), 1000);
        QVERIFY(type->isEnabled());
    }

    void cancellingLeavesNoFile()
    {
        GgufExportDialog dialog(m_small, m_dir.filePath(QStringLiteral("out")), QStringLiteral("small"),
                                test::cliPath());
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        auto* type = dialog.findChild<QComboBox*>(QStringLiteral("ggufType"));
        type->setCurrentIndex(type->findData(QStringLiteral("f32")));
        dialog.findChild<QCheckBox*>(QStringLiteral("ggufModelfile"))->setChecked(false);
        QSignalSpy ended(&dialog, &GgufExportDialog::exportEnded);
        dialog.startExport();
        QTest::mouseClick(dialog.findChild<QPushButton*>(QStringLiteral("ggufCancel")), Qt::LeftButton);
        QVERIFY(ended.wait(60000));
        QCOMPARE(ended.first().first().value<GgufExportEnd>().status, QStringLiteral("cancelled"));
        QVERIFY(!QFile::exists(dialog.outPath()));
        QVERIFY(dialog.findChild<QLabel*>(QStringLiteral("ggufStatus"))->text().contains(QStringLiteral("nothing")));

        // Closing during an export cancels it and closes when it has ended.
        QSignalSpy endedAgain(&dialog, &GgufExportDialog::exportEnded);
        dialog.startExport();
        dialog.reject();
        QVERIFY(dialog.isVisible()); // still open while the export stops
        QVERIFY(endedAgain.wait(60000));
        QCOMPARE(endedAgain.first().first().value<GgufExportEnd>().status, QStringLiteral("cancelled"));
        QTRY_VERIFY(!dialog.isVisible());
        QVERIFY(!QFile::exists(dialog.outPath()));
    }

    void aBadFileNameIsRefusedBeforeStarting()
    {
        GgufExportDialog dialog(m_model, m_dir.filePath(QStringLiteral("out2")), QStringLiteral("tiny"),
                                test::cliPath());
        auto* path = dialog.findChild<QLineEdit*>(QStringLiteral("ggufPath"));
        path->setText(m_dir.filePath(QStringLiteral("model.bin")));
        dialog.startExport();
        QVERIFY(!dialog.isExporting());
        QVERIFY(dialog.findChild<QLabel*>(QStringLiteral("ggufStatus"))->text().contains(QStringLiteral(".gguf")));
    }
};

QTEST_MAIN(TestGgufExportDialog)
#include "tst_gguf_export_dialog.moc"
