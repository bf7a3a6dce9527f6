// ExampleTableModel: a dataset of a few thousand examples, read lazily a page at a time, filtered and
// sorted in SQL, following edits made through the undo commands; QAbstractItemModelTester watches
// every change.

#include <QAbstractItemModelTester>
#include <QElapsedTimer>
#include <QPersistentModelIndex>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QUndoStack>

#include "models/dataset_session.h"
#include "models/example_table_model.h"
#include "store/database.h"
#include "store/dataset_store.h"
#include "store/example_store.h"
#include "store/workspace.h"
#include "undo/example_commands.h"

using namespace ft;
using namespace ft::ui;

namespace {

constexpr int kRows = 3000;

// Examples "instruction 0000" ... with every 10th in validation and every 7th tagged "seven".
qint64 fillDataset(const QString& dir)
{
    const Workspace workspace = Workspace::open(dir, WorkspaceOptions{false});
    QSqlDatabase db = workspace.database();
    const qint64 id = DatasetStore(db).create(QStringLiteral("big"));
    ExampleInserter inserter(db, id);
    for (int i = 0; i < kRows; ++i) {
        ExampleRecord record;
        record.instruction = QStringLiteral("instruction %1").arg(i, 4, 10, QLatin1Char('0'));
        record.response = i == 1234 ? QStringLiteral("the zebra answer") : QStringLiteral("response %1").arg(i);
        inserter.add(record, i % 7 == 0 ? QStringList{QStringLiteral("seven")} : QStringList{},
                     QStringLiteral("test:%1").arg(i + 1), i % 10 == 0 ? Split::Validation : Split::Train);
    }
    inserter.finish();
    return id;
}

bool waitLoaded(ExampleTableModel& model)
{
    QSignalSpy spy(&model, &ExampleTableModel::loaded);
    return model.isLoading() ? spy.wait(5000) : true;
}

} // namespace

class TestExampleTableModel : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    qint64 m_datasetId = 0;
    DatasetSession* m_session = nullptr;

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_datasetId = fillDataset(m_dir.path());
        m_session = new DatasetSession(this);
        m_session->open(m_dir.path());
    }

    void readsPagesLazily()
    {
        ExampleTableModel model(m_session);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setDataset(m_datasetId);
        QVERIFY(waitLoaded(model));
        QCOMPARE(model.rowCount(), kRows);
        QCOMPARE(model.columnCount(), int(ExampleTableModel::ColumnCount));
        const int readBefore = model.pagesRead();
        QCOMPARE(model.data(model.index(2500, ExampleTableModel::Instruction)).toString(),
                 QStringLiteral("instruction 2500"));
        QCOMPARE(model.pagesRead(), readBefore + 1); // one page of 100 rows, not the table
        QCOMPARE(model.data(model.index(2599, ExampleTableModel::Instruction)).toString(),
                 QStringLiteral("instruction 2599"));
        QCOMPARE(model.pagesRead(), readBefore + 1);
        QCOMPARE(model.data(model.index(2500, ExampleTableModel::Split)).toString(), QStringLiteral("val"));
        QCOMPARE(model.data(model.index(2499, ExampleTableModel::Split)).toString(), QStringLiteral("train"));
        QCOMPARE(model.data(model.index(2498, ExampleTableModel::Tags)).toString(), QString());
        QCOMPARE(model.data(model.index(2499 - 2499 % 7, ExampleTableModel::Tags)).toString(), QStringLiteral("seven"));

        // Scrolling through everything reads one page per 100 rows and keeps a bounded window of
        // them (the time is printed for docs/gui.md, not asserted: machines here are noisy).
        const int pagesBeforeScrolling = model.pagesRead();
        QElapsedTimer clock;
        clock.start();
        qint64 worstPageMs = 0;
        for (int row = 0; row < kRows; row += ExampleTableModel::kPageSize) {
            QElapsedTimer page;
            page.start();
            QCOMPARE(model.data(model.index(row, 0)).toString(),
                     QStringLiteral("instruction %1").arg(row, 4, 10, QLatin1Char('0')));
            worstPageMs = std::max(worstPageMs, page.elapsed());
        }
        qInfo("read %d pages in %lld ms, the slowest %lld ms", kRows / ExampleTableModel::kPageSize, clock.elapsed(),
              worstPageMs);
        QVERIFY(model.cachedPages() <= ExampleTableModel::kMaxCachedPages);
        QVERIFY(model.pagesRead() - pagesBeforeScrolling <= kRows / ExampleTableModel::kPageSize);
    }

    void filtersAndSortsInSql()
    {
        ExampleTableModel model(m_session);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setDataset(m_datasetId);
        QVERIFY(waitLoaded(model));

        ExampleFilter validation;
        validation.split = Split::Validation;
        model.setFilter(validation);
        QVERIFY(waitLoaded(model));
        QCOMPARE(model.rowCount(), kRows / 10);
        QCOMPARE(model.data(model.index(1, 0)).toString(), QStringLiteral("instruction 0010"));

        ExampleFilter tagged;
        tagged.tags = {QStringLiteral("seven")};
        model.setFilter(tagged);
        QVERIFY(waitLoaded(model));
        QCOMPARE(model.rowCount(), (kRows + 6) / 7);

        ExampleFilter search;
        search.search = QStringLiteral("zebra");
        model.setFilter(search);
        QVERIFY(waitLoaded(model));
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(model.data(model.index(0, 0)).toString(), QStringLiteral("instruction 1234"));

        model.setFilter({});
        QVERIFY(waitLoaded(model));
        QCOMPARE(model.rowCount(), kRows);
        // Sorting keeps a persistent index on its example.
        const QPersistentModelIndex tracked(model.index(5, 0));
        model.sort(ExampleTableModel::Instruction, Qt::DescendingOrder);
        QVERIFY(waitLoaded(model));
        QCOMPARE(model.data(model.index(0, 0)).toString(), QStringLiteral("instruction 2999"));
        QVERIFY(tracked.isValid());
        QCOMPARE(tracked.row(), kRows - 1 - 5);
        QCOMPARE(tracked.data().toString(), QStringLiteral("instruction 0005"));
        model.sort(-1, Qt::AscendingOrder); // back to the dataset's order
        QVERIFY(waitLoaded(model));
        QCOMPARE(tracked.row(), 5);
    }

    void followsEditsAndUndo()
    {
        ExampleTableModel model(m_session);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setDataset(m_datasetId);
        QVERIFY(waitLoaded(model));
        ExampleFilter tagged;
        tagged.tags = {QStringLiteral("fresh")};
        model.setFilter(tagged);
        QVERIFY(waitLoaded(model));
        QCOMPARE(model.rowCount(), 0);

        const std::vector<qint64> all = m_session->examples().ids(m_datasetId);
        const std::vector<qint64> some(all.begin() + 10, all.begin() + 20);
        QUndoStack* stack = m_session->undoStack();
        stack->push(new TagExamplesCommand(m_session, m_datasetId, some, QStringLiteral("fresh"),
                                           TagExamplesCommand::Action::Add));
        QVERIFY(waitLoaded(model));
        QCOMPARE(model.rowCount(), 10);
        QCOMPARE(model.data(model.index(0, ExampleTableModel::Tags)).toString(), QStringLiteral("fresh"));

        stack->undo();
        QVERIFY(waitLoaded(model));
        QCOMPARE(model.rowCount(), 0);
        stack->redo();
        QVERIFY(waitLoaded(model));
        QCOMPARE(model.rowCount(), 10);

        // Deleting rows removes them (not a reset): a persistent index on a survivor stays.
        model.setFilter({});
        QVERIFY(waitLoaded(model));
        const QPersistentModelIndex survivor(model.index(30, 0));
        QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
        stack->push(new RemoveExamplesCommand(m_session, m_datasetId, some));
        QVERIFY(waitLoaded(model));
        QCOMPARE(model.rowCount(), kRows - 10);
        QCOMPARE(removed.size(), 1);
        QCOMPARE(survivor.row(), 20);
        QCOMPARE(survivor.data().toString(), QStringLiteral("instruction 0030"));
        stack->undo(); // the same rows come back, in their place
        QVERIFY(waitLoaded(model));
        QCOMPARE(model.rowCount(), kRows);
        QCOMPARE(model.data(model.index(15, 0)).toString(), QStringLiteral("instruction 0015"));
        QCOMPARE(survivor.row(), 30);
        // A bulk write of more than DatasetSession::kInlineRows rows runs on a thread while the event
        // loop keeps going; the model follows the same way.
        const std::vector<qint64> many(all.begin() + 100, all.begin() + 100 + 2 * DatasetSession::kInlineRows);
        stack->push(new RemoveExamplesCommand(m_session, m_datasetId, many));
        QCOMPARE(m_session->examples().count(m_datasetId), qint64(kRows) - qint64(many.size()));
        QVERIFY(waitLoaded(model));
        QCOMPARE(model.rowCount(), kRows - int(many.size()));
        QCOMPARE(model.data(model.index(100, 0)).toString(),
                 QStringLiteral("instruction %1").arg(100 + many.size(), 4, 10, QLatin1Char('0')));
        stack->undo();
        QVERIFY(waitLoaded(model));
        QCOMPARE(model.rowCount(), kRows);
        QCOMPARE(model.data(model.index(100, 0)).toString(), QStringLiteral("instruction 0100"));
        stack->clear();
        // The tag was put on and the rows came back: the dataset is as it was, except the tag.
        stack->push(new TagExamplesCommand(m_session, m_datasetId, some, QStringLiteral("fresh"),
                                           TagExamplesCommand::Action::Remove));
        QVERIFY(waitLoaded(model));
        stack->clear();
    }
};

QTEST_MAIN(TestExampleTableModel)
#include "tst_example_table_model.moc"
