// DatasetsPage (a placeholder until the workspace store): it says so, lists dropped files, and lets a
// JSONL file be used as training or validation data.

#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QSignalSpy>
#include <QTest>

#include "pages/datasets_page.h"

using namespace ft::ui;

class TestDatasetsPage : public QObject {
    Q_OBJECT
private slots:
    void saysWhatComesNext()
    {
        DatasetsPage page;
        const QString text = page.findChild<QLabel*>(QStringLiteral("datasetsPlaceholder"))->text();
        QVERIFY(text.contains(QStringLiteral("workspace store")));
        QCOMPARE(page.findChild<QListWidget*>(QStringLiteral("droppedFiles"))->count(), 0); // no made-up data
    }
    void offersDroppedFiles()
    {
        DatasetsPage page;
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        QSignalSpy useTrain(&page, &DatasetsPage::useAsTrainingData);
        page.offerImport({QStringLiteral("/data/a.csv"), QStringLiteral("/data/b.jsonl")});
        page.offerImport({QStringLiteral("/data/b.jsonl")}); // once only
        auto* list = page.findChild<QListWidget*>(QStringLiteral("droppedFiles"));
        QCOMPARE(list->count(), 2);
        QCOMPARE(page.pendingFiles(), (QStringList{QStringLiteral("/data/a.csv"), QStringLiteral("/data/b.jsonl")}));
        auto* use = page.findChild<QPushButton*>(QStringLiteral("useAsTraining"));
        list->setCurrentRow(0);
        QVERIFY(!use->isEnabled()); // CSV waits for the import wizard
        list->setCurrentRow(1);
        QVERIFY(use->isEnabled());
        QTest::mouseClick(use, Qt::LeftButton);
        QCOMPARE(useTrain.size(), 1);
        QCOMPARE(useTrain.first().at(0).toString(), QStringLiteral("/data/b.jsonl"));
    }
};

QTEST_MAIN(TestDatasetsPage)
#include "tst_datasets_page.moc"
