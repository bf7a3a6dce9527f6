// Sweep specs: --param parsing with short names, the grid's order, seeded random trials, a trial's
// configuration (values that do not fit are refused by name), and the median rule.

#include <QDir>
#include <QTest>

#include "common/error.h"
#include "contract/sweep_spec.h"

using namespace ft;

namespace {

QString errorOf(const std::function<void()>& action)
{
    try {
        action();
    } catch (const Error& error) {
        return error.message();
    }
    return {};
}

} // namespace

class TestSweepSpec : public QObject {
    Q_OBJECT
private slots:
    void parsesParameters()
    {
        const SweepParameter lr = parseSweepParameter(QStringLiteral("lr=1e-4, 3e-4,1e-3"));
        QCOMPARE(lr.key, QStringLiteral("learning_rate"));
        QCOMPARE(lr.values.size(), 3);
        QCOMPARE(lr.values[1].toDouble(), 3e-4);
        const SweepParameter rank = parseSweepParameter(QStringLiteral("r=8,16"));
        QCOMPARE(rank.key, QStringLiteral("lora_rank"));
        const SweepParameter schedule = parseSweepParameter(QStringLiteral("schedule=cosine,linear"));
        QCOMPARE(schedule.values[0].toString(), QStringLiteral("cosine"));
        QCOMPARE(parseSweepParameter(QStringLiteral("packing=true,false")).values[1].toBool(), false);
        QVERIFY(errorOf([] { parseSweepParameter(QStringLiteral("lr")); }).contains(QLatin1String("SETTING=VALUE")));
        QVERIFY(errorOf([] { parseSweepParameter(QStringLiteral("lr=1,1")); }).contains(QLatin1String("twice")));
    }
    void gridAndRandomTrials()
    {
        SweepSpec spec;
        spec.parameters = {parseSweepParameter(QStringLiteral("lr=1,2,3")),
                           parseSweepParameter(QStringLiteral("r=8,16"))};
        const std::vector<QJsonObject> grid = sweepTrialSettings(spec);
        QCOMPARE(grid.size(), size_t(6));
        // The first parameter varies slowest.
        QCOMPARE(grid[0].value(QStringLiteral("learning_rate")).toDouble(), 1.0);
        QCOMPARE(grid[1].value(QStringLiteral("learning_rate")).toDouble(), 1.0);
        QCOMPARE(grid[1].value(QStringLiteral("lora_rank")).toDouble(), 16.0);
        QCOMPARE(grid[2].value(QStringLiteral("learning_rate")).toDouble(), 2.0);
        spec.maxTrials = 4;
        QCOMPARE(sweepTrialSettings(spec).size(), size_t(4));

        spec.method = QStringLiteral("random");
        spec.maxTrials = 4;
        const std::vector<QJsonObject> drawn = sweepTrialSettings(spec);
        QCOMPARE(drawn.size(), size_t(4));
        for (size_t i = 0; i < drawn.size(); ++i)
            for (size_t j = i + 1; j < drawn.size(); ++j)
                QVERIFY(drawn[i] != drawn[j]);     // distinct combinations
        QCOMPARE(sweepTrialSettings(spec), drawn); // the same seed, the same trials
        spec.seed = 7;
        QVERIFY(sweepTrialSettings(spec) != drawn);
    }
    void trialConfiguration()
    {
        TrainConfig base;
        base.applyModePreset(QStringLiteral("instruction"));
        base.model = QDir::tempPath(); // validation wants a model path that exists
        SweepSpec spec;
        spec.stepsPerTrial = 50;
        const TrainConfig trial = sweepTrialConfig(
            base, QJsonObject{{QStringLiteral("learning_rate"), 3e-4}, {QStringLiteral("lora_rank"), 16}}, spec);
        QCOMPARE(trial.learningRate, 3e-4);
        QCOMPARE(trial.loraRank, int64_t(16));
        QCOMPARE(trial.maxSteps, int64_t(50));
        QCOMPARE(trial.mode, QStringLiteral("instruction"));
        QCOMPARE(trial.lossOn, QStringLiteral("response")); // the rest is the base's
        QVERIFY(errorOf([&] {
                    sweepTrialConfig(base, {{QStringLiteral("lora_rank"), 8.5}}, spec);
                }).contains(QLatin1String("\"lora_rank\" must be an integer")));
        QVERIFY(errorOf([&] {
                    sweepTrialConfig(base, {{QStringLiteral("learning_rat"), 1.0}}, spec);
                }).contains(QLatin1String("\"learning_rat\" is not a training setting")));
        // validate() looks at every value before anything runs, and refuses what every trial shares.
        spec.parameters = {parseSweepParameter(QStringLiteral("lr=1e-4,-1"))};
        QVERIFY2(
            errorOf([&] { spec.validate(base); }).contains(QLatin1String("\"learning_rate\" must be greater than 0")),
            qPrintable(errorOf([&] { spec.validate(base); })));
        spec.parameters = {parseSweepParameter(QStringLiteral("model=a,b"))};
        QVERIFY(errorOf([&] { spec.validate(base); }).contains(QLatin1String("cannot be swept")));
        spec.parameters = {parseSweepParameter(QStringLiteral("lr=1e-4"))};
        spec.objective = QStringLiteral("accuracy");
        QVERIFY(errorOf([&] { spec.validate(base); }).contains(QLatin1String("objective must be one of")));
        spec.objective = QStringLiteral("f1");
        spec.objectiveExamples = -1;
        QVERIFY(errorOf([&] { spec.validate(base); }).contains(QLatin1String("must not be negative")));
        spec.objectiveExamples = 0;
        spec.parallel = 0;
        QVERIFY(errorOf([&] { spec.validate(base); }).contains(QLatin1String("between 1 and 16")));
        spec.parallel = 1;
        spec.parameters.clear();
        QVERIFY(errorOf([&] { spec.validate(base); }).contains(QLatin1String("at least one setting")));
    }
    void medianRule()
    {
        QVERIFY(!medianRuleStops(5.0, {1.0}));           // one finished trial is not enough
        QVERIFY(medianRuleStops(5.0, {1.0, 2.0}));       // worse than the median (1.5)
        QVERIFY(!medianRuleStops(1.5, {1.0, 2.0}));      // equal is not worse
        QVERIFY(!medianRuleStops(1.9, {1.0, 2.0, 3.0})); // better than the median (2.0)
        QVERIFY(medianRuleStops(qQNaN(), {}));           // a trial without a finite loss stops
    }
    void roundTripsThroughJson()
    {
        SweepSpec spec;
        spec.name = QStringLiteral("rates");
        spec.parameters = {parseSweepParameter(QStringLiteral("lr=1e-4,3e-4"))};
        spec.method = QStringLiteral("random");
        spec.maxTrials = 2;
        spec.seed = 18446744073709551615ull;
        spec.stepsPerTrial = 30;
        spec.pruning = QStringLiteral("none");
        spec.objective = QStringLiteral("rouge-l");
        spec.objectiveExamples = 12;
        spec.parallel = 3;
        const SweepSpec back = SweepSpec::fromJson(spec.toJson(), QStringLiteral("test"));
        QCOMPARE(back.toJson(), spec.toJson());
        QCOMPARE(back.seed, spec.seed);
        QCOMPARE(back.objective, QStringLiteral("rouge-l"));
        QCOMPARE(back.objectiveExamples, 12);
        QCOMPARE(back.parallel, 3);
        // A sweep.json from before the objective could be chosen reads as the validation loss.
        QJsonObject old = spec.toJson();
        old.remove(QStringLiteral("objective"));
        old.remove(QStringLiteral("objective_examples"));
        QCOMPARE(SweepSpec::fromJson(old, QStringLiteral("old")).objective, QStringLiteral("val_loss"));
    }
    void objectiveDirection()
    {
        SweepSpec spec;
        QVERIFY(!spec.objectiveIsEvaluation());
        QVERIFY(spec.better(1.0, 2.0)); // a loss: lower is better
        spec.objective = QStringLiteral("bleu");
        QVERIFY(spec.objectiveIsEvaluation());
        QVERIFY(spec.better(0.3, 0.2)); // a metric: higher is better
        QVERIFY(!spec.better(0.2, 0.2));
    }
};

QTEST_APPLESS_MAIN(TestSweepSpec)
#include "tst_sweep_spec.moc"
