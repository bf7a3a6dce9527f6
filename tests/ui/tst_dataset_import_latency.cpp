// Importing the shared GSM8K file (7,473 records) on the Datasets page. First: how long the GUI
// thread is blocked while the page imports it and then shows it: a 10 ms EventLoopProbe runs from
// the Import click until the new dataset's table is loaded and scrolled through. The goal is no
// block over 100 ms; the test asserts generous bounds (slow CI machines, other tests running beside
// it; see verifyResponsive) and prints the figures. Then: 50,000 rows open and scroll with the same probe; Cancel
// during the import rolls it back (no dataset, no examples).
//
//   cd build && FT_SHARED_DIR=/work/shared ctest -R tst_dataset_import_latency -V

#include <QFileInfo>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

#include "event_loop_probe.h"
#include "models/dataset_session.h"
#include "models/example_table_model.h"
#include "pages/datasets_page.h"
#include "store/dataset_store.h"
#include "store/example_store.h"
#include "store/workspace.h"
#include "support/test_support.h"
#include "widgets/dataset_import_panel.h"

using namespace ft;
using namespace ft::ui;

namespace {

// What a user would see as a freeze: the GUI thread working for a quarter second on its own (CPU
// time, which load elsewhere does not add to), or the loop held for a second while a thread beside
// it that only sleeps kept waking (the GUI thread waiting on a worker would use no CPU). The 100 ms
// goal is printed, not asserted: on a loaded 2-core virtual machine scheduling alone has delayed a
// tick by 300-530 ms, and a stalled host by a second.
void verifyResponsive(const EventLoopProbe& probe)
{
    QVERIFY2(probe.maxBusyMs() < 250.0, qPrintable(probe.summary()));
    QVERIFY2(probe.maxOwnDelayMs() < 1000.0, qPrintable(probe.summary()));
}

} // namespace

class TestDatasetImportLatency : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;

private slots:
    void importOfGsm8kKeepsTheGuiResponsive()
    {
        FT_REQUIRE_SHARED();
        const QString path = ft::test::sharedPath(QStringLiteral("datasets/gsm8k_alpaca.json"));
        if (!QFileInfo::exists(path))
            QSKIP("datasets/gsm8k_alpaca.json is not in the shared folder");
        DatasetsPage page;
        page.resize(1400, 800);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        QVERIFY2(page.openWorkspace(m_dir.filePath(QStringLiteral("ws"))), qPrintable(page.openError()));
        page.offerImport({path});
        auto* importButton = page.findChild<QPushButton*>(QStringLiteral("importButton"));
        QVERIFY(importButton);
        QTRY_VERIFY_WITH_TIMEOUT(importButton->isEnabled(), 10000);

        EventLoopProbe probe(10);
        QSignalSpy imported(page.importPanel(), &DatasetImportPanel::imported);
        QSignalSpy shown(&page, &DatasetsPage::datasetShown);
        probe.start();
        QTest::mouseClick(importButton, Qt::LeftButton);
        QVERIFY(imported.wait(120000));
        QTRY_VERIFY_WITH_TIMEOUT(
            !shown.isEmpty() && shown.last().at(0).toLongLong() == imported.first().at(0).toLongLong(), 20000);
        // Scroll through the new dataset as a user would: pages are read as they come into view.
        QTableView* table = page.table();
        for (int row = 0; row < page.exampleModel()->rowCount(); row += 700) {
            table->scrollTo(page.exampleModel()->index(row, 0));
            QTest::qWait(20);
        }
        QTest::qWait(100);
        probe.stop();

        QCOMPARE(imported.first().at(1).toLongLong(), 7473);
        QCOMPARE(page.exampleModel()->rowCount(), 7473);
        qInfo("GUI thread during the gsm8k import and display: %s", qPrintable(probe.summary()));
        qInfo("max stall %.1f ms over %d ticks (%d later than 50 ms)", probe.maxDelayMs(), probe.samples(),
              probe.lateOver(50));
        QVERIFY(probe.samples() > 10);
        verifyResponsive(probe);
    }

    // 50,000 examples: the id list loads on a thread, and scrolling through the table from top to
    // bottom (a page read per 100 rows as they come into view) keeps the event loop responsive.
    void scrollsFiftyThousandRows()
    {
        const QString dir = m_dir.filePath(QStringLiteral("ws-50k"));
        qint64 datasetId = 0;
        {
            const Workspace workspace = Workspace::open(dir, WorkspaceOptions{false});
            QSqlDatabase db = workspace.database();
            datasetId = DatasetStore(db).create(QStringLiteral("big"));
            ExampleInserter inserter(db, datasetId);
            for (int i = 0; i < 50000; ++i) {
                ExampleRecord record;
                record.instruction = QStringLiteral("question %1 about something worth asking").arg(i);
                record.response = QStringLiteral("answer %1, long enough to fill a cell of the table").arg(i);
                inserter.add(record, {QStringLiteral("t%1").arg(i % 5)});
            }
            inserter.finish();
        }
        DatasetsPage page;
        page.resize(1400, 800);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        EventLoopProbe probe(10);
        probe.start();
        QSignalSpy shown(&page, &DatasetsPage::datasetShown);
        QVERIFY2(page.openWorkspace(dir), qPrintable(page.openError()));
        QTRY_VERIFY_WITH_TIMEOUT(!shown.isEmpty() && page.exampleModel()->rowCount() == 50000, 20000);
        QTableView* table = page.table();
        const int pagesBefore = page.exampleModel()->pagesRead();
        for (int row = 0; row < 50000; row += 2500) {
            table->scrollTo(page.exampleModel()->index(row, 0), QAbstractItemView::PositionAtTop);
            QTest::qWait(15);
        }
        table->scrollToBottom();
        QTest::qWait(50);
        probe.stop();
        QVERIFY(page.exampleModel()->pagesRead() > pagesBefore);
        QVERIFY(page.exampleModel()->cachedPages() <= ExampleTableModel::kMaxCachedPages);
        qInfo("50,000 rows, opening and scrolling: %s", qPrintable(probe.summary()));
        verifyResponsive(probe);
    }

    void cancelledImportLeavesNothing()
    {
        FT_REQUIRE_SHARED();
        const QString path = ft::test::sharedPath(QStringLiteral("datasets/gsm8k_alpaca.json"));
        if (!QFileInfo::exists(path))
            QSKIP("datasets/gsm8k_alpaca.json is not in the shared folder");
        DatasetsPage page;
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        QVERIFY2(page.openWorkspace(m_dir.filePath(QStringLiteral("ws-cancel"))), qPrintable(page.openError()));
        const qint64 before = page.session()->examples().count(page.currentDatasetId());
        page.offerImport({path});
        auto* importButton = page.findChild<QPushButton*>(QStringLiteral("importButton"));
        QTRY_VERIFY_WITH_TIMEOUT(importButton->isEnabled(), 10000);
        QSignalSpy imported(page.importPanel(), &DatasetImportPanel::imported);
        QTest::mouseClick(importButton, Qt::LeftButton);
        QVERIFY(page.importPanel()->isImporting());
        auto* cancel = page.findChild<QPushButton*>(QStringLiteral("cancelImport"));
        QVERIFY(cancel->isVisible());
        QTest::mouseClick(cancel, Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(!page.importPanel()->isImporting(), 60000);
        QCOMPARE(imported.size(), 0);
        QVERIFY(
            page.findChild<QLabel*>(QStringLiteral("importExplanation"))->text().contains(QStringLiteral("cancelled")));
        QCOMPARE(page.findChild<QListWidget*>(QStringLiteral("datasetList"))->count(),
                 1); // rolled back, no new dataset
        QCOMPARE(page.session()->examples().count(page.currentDatasetId()), before);
    }
};

QTEST_MAIN(TestDatasetImportLatency)
#include "tst_dataset_import_latency.moc"
