// How many sweep trials train at once: the spec's number where the machine's memory holds that many
// of its most demanding trial (by the resource estimate), fewer where it does not, with the reason;
// unchecked, and said so, where the model cannot be estimated.

#include <cmath>

#include <QTemporaryDir>
#include <QTest>

#include "modelio/model_folder.h"
#include "runs/resource_estimate.h"
#include "runs/sweep_fit.h"
#include "support/test_support.h"

using namespace ft;

class TestSweepFit : public QObject {
    Q_OBJECT
private:
    TrainConfig base() const
    {
        TrainConfig c;
        c.applyModePreset(QStringLiteral("instruction"));
        c.model = test::sharedPath(QStringLiteral("fixtures/stories260K/hf"));
        c.maxLength = 256;
        return c;
    }

private slots:
    void fitsWhatTheMemoryHolds()
    {
        FT_REQUIRE_SHARED();
        SweepSpec spec;
        spec.parameters = {parseSweepParameter(QStringLiteral("batch=1,64"))};
        spec.parallel = 4;
        // The batch-64 trial is the most demanding one: every slot is counted at its size.
        TrainConfig big = base();
        big.batchSize = 64;
        const ModelConfig model = ModelFolder::inspect(big.model).config;
        const double needed = estimateResources(model, big).totalBytes();
        TrainConfig small = base();
        small.batchSize = 1;
        QVERIFY(estimateResources(model, small).totalBytes() < needed);

        const qint64 plenty = static_cast<qint64>(needed * 10);
        SweepParallelism all = sweepParallelism(spec, base(), plenty);
        QCOMPARE(all.trials, 4);
        QVERIFY(all.reason.isEmpty());

        // Room for two and a half of them, with 15 % kept free: two.
        const qint64 tight = static_cast<qint64>(needed * 2.5 / 0.85);
        const SweepParallelism two = sweepParallelism(spec, base(), tight);
        QCOMPARE(two.trials, 2);
        QVERIFY2(two.reason.contains(QLatin1String("2 trials at once, not 4")), qPrintable(two.reason));

        // Not even one: still one (a run refuses or warns on its own).
        QCOMPARE(sweepParallelism(spec, base(), static_cast<qint64>(needed / 2)).trials, 1);
        spec.parallel = 1;
        QCOMPARE(sweepParallelism(spec, base(), 1).trials, 1); // one at a time needs no check
    }

    void unknownModelIsNotChecked()
    {
        QTemporaryDir dir;
        SweepSpec spec;
        spec.parameters = {parseSweepParameter(QStringLiteral("lr=1e-4,1e-3"))};
        spec.parallel = 2;
        TrainConfig config = base();
        config.model = dir.filePath(QStringLiteral("no-model"));
        const SweepParallelism p = sweepParallelism(spec, config, qint64(1) << 34);
        QCOMPARE(p.trials, 2);
        QVERIFY2(p.reason.contains(QLatin1String("could not be estimated")), qPrintable(p.reason));
    }
};

QTEST_APPLESS_MAIN(TestSweepFit)
#include "tst_sweep_fit.moc"
