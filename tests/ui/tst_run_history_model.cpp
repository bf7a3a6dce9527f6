// RunHistoryModel over any RunHistory: QAbstractItemModelTester watches it through inserts anywhere,
// changes, removals and resets (a fake history, as the workspace store will be), and through a real
// RunQueue running fake workers. Also what the cells show.

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QTemporaryDir>
#include <QTest>

#include "../runs/fake_workers.h"
#include "models/run_history_model.h"
#include "runs/run_queue.h"
#include "support/test_support.h"

using namespace ft;
using namespace ft::ui;

namespace {

class FakeHistory : public RunHistory {
public:
    QVector<RunSummary> rows;
    int runCount() const override { return static_cast<int>(rows.size()); }
    RunSummary runAt(int index) const override { return rows.value(index); }
    void insert(int index, const QString& name)
    {
        RunSummary r;
        r.key = name;
        r.name = name;
        r.status = QStringLiteral("finished");
        r.step = 10;
        r.totalSteps = 20;
        r.lastLoss = 1.25;
        r.created = QDateTime::currentDateTime();
        rows.insert(index, r);
        emit runInserted(index);
    }
    void change(int index, const QString& status)
    {
        rows[index].status = status;
        emit runChanged(index);
    }
    void remove(int index)
    {
        rows.remove(index);
        emit runRemoved(index);
    }
    void replaceAll(int count)
    {
        rows.clear();
        for (int i = 0; i < count; ++i) {
            RunSummary r;
            r.key = r.name = QStringLiteral("r%1").arg(i);
            rows.append(r);
        }
        emit runsReset();
    }
};

} // namespace

class TestRunHistoryModel : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { qRegisterMetaType<RunEndInfo>(); }

    void followsAnyHistory()
    {
        FakeHistory history;
        history.insert(0, QStringLiteral("first"));
        RunHistoryModel model(&history);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSortFilterProxyModel proxy;
        proxy.setSourceModel(&model);
        QAbstractItemModelTester proxyTester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(model.rowCount(), 1);
        history.insert(1, QStringLiteral("last"));
        history.insert(0, QStringLiteral("new first")); // inserts anywhere, as a newest-first store would
        history.insert(1, QStringLiteral("middle"));
        QCOMPARE(model.rowCount(), 4);
        QCOMPARE(model.data(model.index(0, RunHistoryModel::Name)).toString(), QStringLiteral("new first"));
        QCOMPARE(model.data(model.index(1, RunHistoryModel::Name)).toString(), QStringLiteral("middle"));
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        history.change(2, QStringLiteral("failed"));
        QCOMPARE(changed.size(), 1);
        QCOMPARE(model.data(model.index(2, RunHistoryModel::Status)).toString(), QStringLiteral("failed"));
        QVERIFY(model.data(model.index(2, RunHistoryModel::Status), Qt::ForegroundRole).isValid());
        history.remove(0);
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(model.data(model.index(0, RunHistoryModel::Name)).toString(), QStringLiteral("middle"));
        history.replaceAll(7);
        QCOMPARE(model.rowCount(), 7);
        QCOMPARE(model.data(model.index(6, RunHistoryModel::Name)).toString(), QStringLiteral("r6"));
    }

    void showsTheCells()
    {
        FakeHistory history;
        history.insert(0, QStringLiteral("run"));
        history.rows[0].baseModel = QStringLiteral("/models/stories260K");
        history.rows[0].dataset = QStringLiteral("/data/train.jsonl");
        history.rows[0].tokens = 1500000;
        history.rows[0].elapsedSeconds = 75;
        history.change(0, QStringLiteral("finished"));
        RunHistoryModel model(&history);
        QCOMPARE(model.columnCount(), static_cast<int>(RunHistoryModel::ColumnCount));
        QCOMPARE(model.headerData(RunHistoryModel::BestValLoss, Qt::Horizontal).toString(),
                 QStringLiteral("Best val loss"));
        QCOMPARE(model.data(model.index(0, RunHistoryModel::BaseModel)).toString(), QStringLiteral("stories260K"));
        // A Hugging Face folder named "hf" is shown with its parent, not as a bare "hf".
        history.rows[0].baseModel = QStringLiteral("/fixtures/stories260K/hf");
        history.change(0, QStringLiteral("finished"));
        QCOMPARE(model.data(model.index(0, RunHistoryModel::BaseModel)).toString(), QStringLiteral("stories260K/hf"));
        QCOMPARE(model.data(model.index(0, RunHistoryModel::Dataset)).toString(), QStringLiteral("train.jsonl"));
        QCOMPARE(model.data(model.index(0, RunHistoryModel::Progress)).toString(), QStringLiteral("10 / 20"));
        QCOMPARE(model.data(model.index(0, RunHistoryModel::Loss)).toString(), QStringLiteral("1.2500"));
        QCOMPARE(model.data(model.index(0, RunHistoryModel::BestValLoss)).toString(), QStringLiteral("–"));
        QCOMPARE(model.data(model.index(0, RunHistoryModel::Tokens)).toString(), QStringLiteral("1.50M"));
        QCOMPARE(model.data(model.index(0, RunHistoryModel::Time)).toString(), QStringLiteral("1:15"));
        QCOMPARE(model.data(model.index(0, RunHistoryModel::Tokens), RunHistoryModel::SortRole).toLongLong(), 1500000);
        QCOMPARE(model.data(model.index(0, 0), RunHistoryModel::KeyRole).toString(), QStringLiteral("run"));
    }

    void followsARunQueue()
    {
        QTemporaryDir dir;
        const QString worker = test::writeScript(dir.filePath(QStringLiteral("worker.sh")), test::kShortWorker);
        RunQueue queue;
        queue.setCliPath(worker);
        queue.setStepBatchInterval(10);
        RunHistoryModel model(&queue);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy ended(&queue, &RunQueue::jobEnded);
        for (const char* name : {"a", "b"}) {
            RunRequest r;
            r.name = QLatin1String(name);
            r.runDir = dir.filePath(r.name);
            queue.enqueue(r);
        }
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(model.data(model.index(1, RunHistoryModel::Status)).toString(), QStringLiteral("queued"));
        QTRY_COMPARE_WITH_TIMEOUT(ended.size(), 2, 30000);
        QCOMPARE(model.data(model.index(0, RunHistoryModel::Status)).toString(), QStringLiteral("finished"));
        QCOMPARE(model.data(model.index(1, RunHistoryModel::Progress)).toString(), QStringLiteral("3 / 3"));
        QCOMPARE(model.data(model.index(1, RunHistoryModel::BestValLoss)).toString(), QStringLiteral("1.2500"));
    }
};

QTEST_MAIN(TestRunHistoryModel)
#include "tst_run_history_model.moc"
