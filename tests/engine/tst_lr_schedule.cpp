#include <QTest>

#include "engine/lr_schedule.h"

using namespace ft;

class TestLrSchedule : public QObject {
    Q_OBJECT
private slots:
    void warmupThenDecay()
    {
        // Warmup over 4 steps: 0.25, 0.5, 0.75, 1.0 of the peak.
        for (const char* schedule : {"constant", "linear", "cosine"}) {
            QCOMPARE(learningRateAt(QLatin1String(schedule), 1.0, 0, 4, 14), 0.25);
            QCOMPARE(learningRateAt(QLatin1String(schedule), 1.0, 3, 4, 14), 1.0);
        }
        QCOMPARE(learningRateAt(QStringLiteral("constant"), 2.0, 13, 4, 14), 2.0);
        QCOMPARE(learningRateAt(QStringLiteral("linear"), 1.0, 9, 4, 14), 0.5); // halfway through decay
        QCOMPARE(learningRateAt(QStringLiteral("linear"), 1.0, 14, 4, 14), 0.0);
        QVERIFY(std::abs(learningRateAt(QStringLiteral("cosine"), 1.0, 9, 4, 14) - 0.5) < 1e-12);
        QVERIFY(learningRateAt(QStringLiteral("cosine"), 1.0, 6, 4, 14) >
                learningRateAt(QStringLiteral("linear"), 1.0, 6, 4, 14));
        QCOMPARE(learningRateAt(QStringLiteral("cosine"), 1.0, 0, 0, 10), 1.0);
    }
};

QTEST_APPLESS_MAIN(TestLrSchedule)
#include "tst_lr_schedule.moc"
