// Metrics and evaluations: batched appends, curves in step order, a step logged again replacing the
// old value, NaN kept, a failing batch leaving nothing behind.

#include <cmath>
#include <limits>

#include <QTest>

#include "common/error.h"
#include "store/database.h"
#include "store/metric_store.h"
#include "store/run_store.h"
#include "store_test_support.h"

using namespace ft;

class TestMetricStore : public QObject {
    Q_OBJECT
private slots:
    void appendAndRead()
    {
        test::TempDatabase temp;
        const qint64 run = RunStore(temp.db()).createRun({});
        MetricStore metrics(temp.db());
        std::vector<MetricPoint> batch;
        for (int step = 1; step <= 100; ++step) {
            batch.push_back({step, QStringLiteral("loss"), 10.0 / step, 1000.0 + step});
            batch.push_back({step, QStringLiteral("lr"), 1e-3, 1000.0 + step});
            if (step % 10 == 0)
                batch.push_back({step, QStringLiteral("val_loss"), 20.0 / step, 1000.0 + step});
        }
        // Out of order across batches: the curve still comes back by step.
        metrics.append(run, std::vector<MetricPoint>(batch.begin() + 150, batch.end()));
        metrics.append(run, std::vector<MetricPoint>(batch.begin(), batch.begin() + 150));
        QCOMPARE(metrics.count(run), 210);
        QCOMPARE(metrics.names(run),
                 (QStringList{QStringLiteral("loss"), QStringLiteral("lr"), QStringLiteral("val_loss")}));

        const MetricSeries loss = metrics.series(run, QStringLiteral("loss"));
        QCOMPARE(loss.steps.size(), size_t(100));
        QVERIFY(std::is_sorted(loss.steps.begin(), loss.steps.end()));
        QCOMPARE(loss.values[9], 1.0);
        QCOMPARE(loss.wallTimes[9], 1010.0);
        QCOMPARE(metrics.series(run, QStringLiteral("loss"), 91).steps.size(), size_t(10)); // the rest only

        const auto last = metrics.last(run);
        QCOMPARE(last.at(QStringLiteral("val_loss")).step, 100);
        QCOMPARE(last.at(QStringLiteral("val_loss")).value, 0.2);
    }

    void stepLoggedAgainReplaces()
    {
        test::TempDatabase temp;
        const qint64 run = RunStore(temp.db()).createRun({});
        MetricStore metrics(temp.db());
        metrics.append(run, {{1, QStringLiteral("loss"), 3.0, 0},
                             {2, QStringLiteral("loss"), 2.0, 0},
                             {3, QStringLiteral("loss"), 1.0, 0}});
        metrics.truncateAfter(run, 1); // resumed from the checkpoint at step 1
        QCOMPARE(metrics.count(run), 1);
        metrics.append(run, {{1, QStringLiteral("loss"), 3.5, 0}, {2, QStringLiteral("loss"), 2.5, 0}});
        const MetricSeries loss = metrics.series(run, QStringLiteral("loss"));
        QCOMPARE(loss.values, (std::vector<double>{3.5, 2.5}));
        QVERIFY(loss.wallTimes[0] > 1.6e9); // 0 means "now"
    }

    void nanAndInfinity()
    {
        test::TempDatabase temp;
        const qint64 run = RunStore(temp.db()).createRun({});
        MetricStore metrics(temp.db());
        metrics.append(run, {{1, QStringLiteral("loss"), std::numeric_limits<double>::quiet_NaN(), 1},
                             {2, QStringLiteral("loss"), std::numeric_limits<double>::infinity(), 2}});
        const MetricSeries loss = metrics.series(run, QStringLiteral("loss"));
        QVERIFY(std::isnan(loss.values[0]));
        QVERIFY(std::isinf(loss.values[1]));
    }

    void failingBatchLeavesNothing()
    {
        test::TempDatabase temp;
        MetricStore metrics(temp.db());
        const qint64 run = RunStore(temp.db()).createRun({});
        metrics.append(run, {{1, QStringLiteral("loss"), 1, 1}});
        // The second batch names a run that does not exist (foreign key): none of it may stay.
        QVERIFY_THROWS_EXCEPTION(Error, metrics.append(run + 100, {{2, QStringLiteral("loss"), 1, 1}}));
        QCOMPARE(scalarSql(temp.db(), QStringLiteral("SELECT count(*) FROM metrics")).toInt(), 1);
        // The cached statement still works after a failure.
        metrics.append(run, {{2, QStringLiteral("loss"), 1, 1}});
        QCOMPARE(metrics.count(run), 2);
    }

    void evaluations()
    {
        test::TempDatabase temp;
        const qint64 run = RunStore(temp.db()).createRun({});
        MetricStore metrics(temp.db());
        metrics.recordEvaluation(run, QStringLiteral("best"), QStringLiteral("val"), QStringLiteral("loss"), 1.25);
        metrics.recordEvaluation(run, QStringLiteral("best"), QStringLiteral("test"), QStringLiteral("rouge-l"), 0.4);
        const auto all = metrics.evaluations(run);
        QCOMPARE(all.size(), size_t(2));
        QCOMPARE(all[0].checkpoint, QStringLiteral("best"));
        QCOMPARE(all[0].value, 1.25);
        QCOMPARE(all[1].split, QStringLiteral("test"));
        QCOMPARE(all[1].metric, QStringLiteral("rouge-l"));
        QVERIFY(all[1].created > 0);
        QVERIFY_THROWS_EXCEPTION(Error, metrics.recordEvaluation(run + 1, {}, {}, QStringLiteral("x"), 1));
    }
};

QTEST_GUILESS_MAIN(TestMetricStore)
#include "tst_metric_store.moc"
