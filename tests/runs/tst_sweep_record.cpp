// sweep.json read back: a record written and loaded is the same; trials out of order, an unknown
// status, a bad base and an empty sweep are refused naming the file (they would otherwise index past
// the trials or never finish).

#include <QDir>
#include <QJsonArray>
#include <QTemporaryDir>
#include <QTest>

#include "common/error.h"
#include "runs/sweep_record.h"

using namespace ft;

namespace {

QString errorOf(const QJsonObject& json)
{
    try {
        SweepRecord::fromJson(json, QStringLiteral("/sweep"), QStringLiteral("sweep.json"));
    } catch (const Error& error) {
        return error.message();
    }
    return {};
}

} // namespace

class TestSweepRecord : public QObject {
    Q_OBJECT
private slots:
    void writtenAndReadBack()
    {
        QTemporaryDir dir;
        TrainConfig base;
        base.applyModePreset(QStringLiteral("instruction"));
        base.model = dir.path(); // exists: validation looks
        SweepSpec spec;
        spec.name = QStringLiteral("rates");
        spec.parameters = {parseSweepParameter(QStringLiteral("lr=1e-3,1e-4")),
                           parseSweepParameter(QStringLiteral("r=4,8"))};
        SweepRecord record = SweepRecord::create(dir.filePath(QStringLiteral("runs")), spec, base, {});
        QVERIFY(record.folder().startsWith(dir.filePath(QStringLiteral("runs/sweeps/"))));
        QCOMPARE(record.trials().size(), size_t(4));
        record.trials()[0].status = QStringLiteral("finished");
        record.trials()[0].valLosses = {{3, 2.5}, {6, 2.25}};
        record.trials()[0].objective = 2.25;
        record.trials()[1].status = QStringLiteral("finished");
        record.trials()[1].valLosses = {{3, 2.0}};
        record.trials()[1].objective = 2.0;
        record.save();
        const SweepRecord back = SweepRecord::load(record.folder());
        QCOMPARE(back.toJson(), record.toJson());
        QCOMPARE(back.bestTrial(), std::optional<int>(1));
        QCOMPARE(back.finishedLossesAt(3, 3), (std::vector<double>{2.5, 2.0}));
        QCOMPARE(back.finishedLossesAt(3, 1), (std::vector<double>{2.0})); // a trial is not its own peer
        QCOMPARE(back.trialName(back.trials()[2]), QStringLiteral("rates #3"));
    }
    // With an evaluation metric as the objective the highest metric wins, whatever the losses say; a
    // trial whose metric is still being measured is not done (a resumed sweep evaluates it again).
    void metricObjectivePicksTheHighest()
    {
        QTemporaryDir dir;
        TrainConfig base;
        base.applyModePreset(QStringLiteral("instruction"));
        base.model = dir.path();
        SweepSpec spec;
        spec.name = QStringLiteral("by rouge");
        spec.parameters = {parseSweepParameter(QStringLiteral("lr=1e-3,1e-4,1e-5"))};
        spec.objective = QStringLiteral("rouge-l");
        try { // eval keeps its results in a workspace: a sweep without one is refused before it starts
            SweepRecord::create(dir.filePath(QStringLiteral("runs")), spec, base, {});
            QFAIL("a metric objective without a workspace was accepted");
        } catch (const Error& error) {
            QVERIFY2(error.message().contains(QLatin1String("workspace")), qPrintable(error.message()));
        }
        RunData data;
        data.workspace = dir.filePath(QStringLiteral("workspace"));
        SweepRecord record = SweepRecord::create(dir.filePath(QStringLiteral("runs")), spec, base, data);
        record.trials()[0].status = QStringLiteral("finished");
        record.trials()[0].objective = 2.0; // the lowest loss ...
        record.trials()[0].metric = 0.25;
        record.trials()[1].status = QStringLiteral("finished");
        record.trials()[1].objective = 2.5; // ... but the higher metric
        record.trials()[1].metric = 0.5;
        record.trials()[2].status = QStringLiteral("evaluating");
        record.trials()[2].objective = 1.0;
        record.save();
        const SweepRecord back = SweepRecord::load(record.folder());
        QCOMPARE(back.toJson(), record.toJson());
        QCOMPARE(back.trials()[1].metric, std::optional<double>(0.5));
        QCOMPARE(back.bestTrial(), std::optional<int>(1));
        QCOMPARE(back.objectiveValue(back.trials()[0]), std::optional<double>(0.25));
        QVERIFY(!back.trials()[2].isDone());
    }
    void refusesWhatItCannotRun()
    {
        QTemporaryDir dir;
        TrainConfig base;
        base.model = dir.path();
        SweepSpec spec;
        spec.parameters = {parseSweepParameter(QStringLiteral("lr=1e-3,1e-4"))};
        const QJsonObject good = SweepRecord::create(dir.filePath(QStringLiteral("runs")), spec, base, {}).toJson();
        QCOMPARE(errorOf(good), QString());

        QJsonObject json = good;
        QJsonArray trials = json[QStringLiteral("trials")].toArray();
        QJsonObject first = trials[0].toObject();
        first[QStringLiteral("index")] = 0;
        trials[0] = first;
        json[QStringLiteral("trials")] = trials;
        QVERIFY2(errorOf(json).contains(QLatin1String("sweep.json: trial 1 has index 0")), qPrintable(errorOf(json)));

        first[QStringLiteral("index")] = 1;
        first[QStringLiteral("status")] = QStringLiteral("done");
        trials[0] = first;
        json[QStringLiteral("trials")] = trials;
        QVERIFY2(errorOf(json).contains(QLatin1String("status \"done\"")), qPrintable(errorOf(json)));

        json = good;
        json[QStringLiteral("trials")] = QJsonArray();
        QVERIFY(errorOf(json).contains(QLatin1String("no trials")));
        json = good;
        QJsonObject badBase = json[QStringLiteral("base")].toObject();
        badBase[QStringLiteral("lora_rank")] = QStringLiteral("eight");
        json[QStringLiteral("base")] = badBase;
        QVERIFY(errorOf(json).contains(QLatin1String("lora_rank")));
        try {
            SweepRecord::load(dir.path());
            QFAIL("a folder without sweep.json was read");
        } catch (const Error& error) {
            QVERIFY(error.message().contains(QLatin1String("not a sweep folder")));
        }
    }
};

QTEST_APPLESS_MAIN(TestSweepRecord)
#include "tst_sweep_record.moc"
