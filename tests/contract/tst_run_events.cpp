// The worker's event stream: every event written by the contract's writer reads back as the same
// value; docs/events.md lists exactly the fields written; and as hostile input, every kind parses
// into its typed value while garbage, wrong types and cut-off lines are refused without crashing.

#include <QFile>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QSet>
#include <QTest>

#include "contract/run_events.h"

using namespace ft;

namespace {

// One of each event with every field set (and an "interrupted" end is the studio's, never written).
QList<WorkerEvent> everyEvent()
{
    RunStartInfo start;
    start.runDir = QStringLiteral("/runs/r1");
    start.config = QJsonObject{{QStringLiteral("learning_rate"), 0.001}, {QStringLiteral("mode"), "instruction"}};
    start.totalParameters = 4'000'000'000LL;
    start.trainableParameters = 8'000'000;
    start.trainExamples = 900;
    start.valExamples = 100;
    start.truncatedExamples = 3;
    start.tokensPerEpoch = 123'456;
    start.totalSteps = 500;
    start.resumedFromStep = 250;
    start.worldSize = 2;
    StepPoint step;
    step.step = 251;
    step.totalSteps = 500;
    step.epoch = 1.25;
    step.loss = 2.5;
    step.learningRate = 3e-4;
    step.gradNorm = 0.75;
    step.tokens = 99'000;
    step.tokensPerSecond = 1234.5;
    step.elapsed = 60.25;
    step.eta = 59.5;
    EvalPoint eval{251, 1.5, std::exp(1.5), 1.25, false};
    SamplePoint sample{251, QStringLiteral("Name a colour."), QStringLiteral("Red."), QStringLiteral("Blue, \"\n\" é")};
    CheckpointPoint checkpoint{251, QStringLiteral("/runs/r1/checkpoints/step-00000251"), true, 1.5};
    LogEvent log{QStringLiteral("warning"), QStringLiteral("careful")};
    QList<WorkerEvent> events{start, step, eval, sample, checkpoint, log, PausedEvent{true}, PausedEvent{false}};
    for (RunOutcome outcome : {RunOutcome::Finished, RunOutcome::Stopped, RunOutcome::Diverged, RunOutcome::Failed}) {
        RunEndInfo end;
        end.status = runOutcomeName(outcome);
        end.message = QStringLiteral("how it ended");
        end.reportedByWorker = true;
        end.step = 500;
        end.tokens = 198'000;
        if (outcome == RunOutcome::Finished)
            end.exportPath = QStringLiteral("/runs/r1/export/model");
        if (outcome == RunOutcome::Finished || outcome == RunOutcome::Stopped || outcome == RunOutcome::Diverged)
            end.bestValLoss = 1.25;
        events.append(end);
    }
    return events;
}

// NaN == NaN for the comparison of read-back values.
bool same(double a, double b) { return (std::isnan(a) && std::isnan(b)) || a == b; }

bool sameEvent(const WorkerEvent& a, const WorkerEvent& b)
{
    if (a.index() != b.index())
        return false;
    if (auto* x = std::get_if<RunStartInfo>(&a)) {
        const auto& y = std::get<RunStartInfo>(b);
        return x->runDir == y.runDir && x->config == y.config && x->totalParameters == y.totalParameters &&
               x->trainableParameters == y.trainableParameters && x->trainExamples == y.trainExamples &&
               x->valExamples == y.valExamples && x->truncatedExamples == y.truncatedExamples &&
               x->tokensPerEpoch == y.tokensPerEpoch && x->totalSteps == y.totalSteps &&
               x->resumedFromStep == y.resumedFromStep && x->worldSize == y.worldSize;
    }
    if (auto* x = std::get_if<StepPoint>(&a)) {
        const auto& y = std::get<StepPoint>(b);
        return x->step == y.step && x->totalSteps == y.totalSteps && same(x->epoch, y.epoch) && same(x->loss, y.loss) &&
               same(x->learningRate, y.learningRate) && same(x->gradNorm, y.gradNorm) && x->tokens == y.tokens &&
               same(x->tokensPerSecond, y.tokensPerSecond) && same(x->elapsed, y.elapsed) && same(x->eta, y.eta) &&
               same(x->chosenReward, y.chosenReward) && same(x->rejectedReward, y.rejectedReward) &&
               same(x->rewardMargin, y.rewardMargin) && same(x->rewardAccuracy, y.rewardAccuracy);
    }
    if (auto* x = std::get_if<EvalPoint>(&a)) {
        const auto& y = std::get<EvalPoint>(b);
        return x->step == y.step && same(x->valLoss, y.valLoss) && same(x->perplexity, y.perplexity) &&
               same(x->bestValLoss, y.bestValLoss) && x->isBest == y.isBest && same(x->rewardMargin, y.rewardMargin) &&
               same(x->rewardAccuracy, y.rewardAccuracy);
    }
    if (auto* x = std::get_if<SamplePoint>(&a)) {
        const auto& y = std::get<SamplePoint>(b);
        return x->step == y.step && x->prompt == y.prompt && x->reference == y.reference && x->text == y.text;
    }
    if (auto* x = std::get_if<CheckpointPoint>(&a)) {
        const auto& y = std::get<CheckpointPoint>(b);
        return x->step == y.step && x->path == y.path && x->best == y.best && same(x->valLoss, y.valLoss);
    }
    if (auto* x = std::get_if<LogEvent>(&a))
        return x->level == std::get<LogEvent>(b).level && x->message == std::get<LogEvent>(b).message;
    if (auto* x = std::get_if<PausedEvent>(&a))
        return x->paused == std::get<PausedEvent>(b).paused;
    const auto& x = std::get<RunEndInfo>(a);
    const auto& y = std::get<RunEndInfo>(b);
    return x.status == y.status && x.message == y.message && x.step == y.step && x.tokens == y.tokens &&
           x.exportPath == y.exportPath && same(x.bestValLoss, y.bestValLoss) &&
           x.reportedByWorker == y.reportedByWorker;
}

// docs/events.md's table of training events: event name -> the fields it lists (top level only: the
// names inside {...} are a field's members, those inside (...) are values or notes).
QMap<QString, QSet<QString>> documentedFields()
{
    QFile file(QStringLiteral(FT_SOURCE_DIR "/docs/events.md"));
    if (!file.open(QIODevice::ReadOnly | QIODevice::Text))
        return {};
    const QString text = QString::fromUtf8(file.readAll());
    const qsizetype from = text.indexOf(QStringLiteral("### Events (stdout)"));
    const qsizetype to = text.indexOf(QStringLiteral("### Exit status"), from);
    static const QRegularExpression nested(QStringLiteral(R"(\{[^}]*\}|\([^)]*\))"));
    static const QRegularExpression quoted(QStringLiteral("`([a-z_]+)`"));
    QMap<QString, QSet<QString>> fields;
    for (const QString& line : text.mid(from, to - from).split(QLatin1Char('\n'))) {
        const QStringList cells = line.split(QLatin1Char('|'));
        if (cells.size() < 4 || !cells[1].contains(QLatin1Char('`')))
            continue;
        QSet<QString> names;
        QString listed = cells[2];
        listed.remove(nested);
        for (auto it = quoted.globalMatch(listed); it.hasNext();)
            names.insert(it.next().captured(1));
        for (auto it = quoted.globalMatch(cells[1]); it.hasNext();)
            fields[it.next().captured(1)] = names;
    }
    return fields;
}

} // namespace

class TestRunEvents : public QObject {
    Q_OBJECT
private slots:
    // Writer -> line -> reader gives back every field of every event.
    void everyEventReadsBackAsWritten()
    {
        const QDateTime time = QDateTime(QDate(2026, 12, 6), QTime(8, 15, 37, 764), Qt::UTC);
        for (const WorkerEvent& event : everyEvent()) {
            const QByteArray line = workerEventLine(event, time);
            QVERIFY(line.endsWith('\n'));
            QVERIFY2(!line.chopped(1).contains('\n'), line.constData()); // one line, whatever the text holds
            QVERIFY2(line.contains("\"time\":\"2026-12-06T08:15:37.764Z\""), line.constData());
            QString error;
            const auto read = parseWorkerEvent(line.chopped(1), &error);
            QVERIFY2(read, qPrintable(error));
            QVERIFY2(sameEvent(event, *read), line.constData());
        }
    }

    // What a worker leaves out reads back as "not sent".
    void absentValuesAreLeftOut()
    {
        CheckpointPoint checkpoint{7, QStringLiteral("/c"), false, kNoValue};
        const QJsonObject json = workerEventJson(checkpoint);
        QVERIFY(!json.contains(QStringLiteral("val_loss")));
        RunEndInfo stopped;
        stopped.status = runOutcomeName(RunOutcome::Stopped);
        stopped.step = 3;
        const QJsonObject end = workerEventJson(stopped);
        QVERIFY(!end.contains(QStringLiteral("best_val_loss")));
        QVERIFY(!end.contains(QStringLiteral("export")));
        QCOMPARE(end.value(QStringLiteral("event")).toString(), QStringLiteral("stopped"));
        // A configuration that fails before training: only the message.
        RunEndInfo failed;
        failed.status = runOutcomeName(RunOutcome::Failed);
        failed.message = QStringLiteral("no such model");
        QCOMPARE(workerEventJson(failed).keys(), (QStringList{"event", "message"}));
    }

    // A DPO run's steps and evaluations carry the rewards (and its evaluations no perplexity); the
    // other runs' lines have none of these fields.
    void preferenceFieldsOnlyInDpoRuns()
    {
        StepPoint step;
        step.step = 4;
        step.loss = 0.61;
        step.chosenReward = 0.25;
        step.rejectedReward = -0.5;
        step.rewardMargin = 0.75;
        step.rewardAccuracy = 0.875;
        EvalPoint eval;
        eval.step = 4;
        eval.valLoss = 0.65;
        eval.bestValLoss = 0.65;
        eval.isBest = true;
        eval.rewardMargin = 0.5;
        eval.rewardAccuracy = 0.75;
        for (const WorkerEvent& event : {WorkerEvent(step), WorkerEvent(eval)}) {
            const QByteArray line = workerEventLine(event);
            QVERIFY2(line.contains("\"reward_margin\":") && line.contains("\"reward_accuracy\":"), line.constData());
            QVERIFY2(!line.contains("perplexity"), line.constData());
            const auto read = parseWorkerEvent(line.chopped(1));
            QVERIFY(read);
            QVERIFY2(sameEvent(event, *read), line.constData());
        }
        const QByteArray plain = workerEventLine(everyEvent().at(1));
        QVERIFY2(!plain.contains("reward"), plain.constData());
    }

    // docs/events.md names every event the worker writes and exactly the fields each one has.
    void documentationListsTheWrittenFields()
    {
        const QMap<QString, QSet<QString>> documented = documentedFields();
        QVERIFY2(!documented.isEmpty(), "docs/events.md: no table of training events found");
        QSet<QString> written;
        for (const WorkerEvent& event : everyEvent()) {
            QJsonObject json = workerEventJson(event);
            const QString name = json.take(QStringLiteral("event")).toString();
            written.insert(name);
            QVERIFY2(documented.contains(name),
                     qPrintable(QStringLiteral("docs/events.md lacks the event %1").arg(name)));
            const QStringList keys = json.keys();
            const QSet<QString> fields(keys.begin(), keys.end());
            QVERIFY2(fields == documented.value(name),
                     qPrintable(QStringLiteral("%1: written %2, documented %3")
                                    .arg(name, QStringList(fields.values()).join(QLatin1Char(',')),
                                         QStringList(documented.value(name).values()).join(QLatin1Char(',')))));
        }
        const QStringList names = workerEventNames();
        QCOMPARE(written, QSet<QString>(names.begin(), names.end()));
        for (auto it = documented.keyBegin(); it != documented.keyEnd(); ++it)
            QVERIFY2(written.contains(*it),
                     qPrintable(QStringLiteral("docs/events.md lists %1, never written").arg(*it)));
    }

    void outcomesHaveOneName()
    {
        for (RunOutcome outcome : {RunOutcome::Finished, RunOutcome::Stopped, RunOutcome::Diverged, RunOutcome::Failed,
                                   RunOutcome::Interrupted}) {
            QVERIFY(isFinalRunStatus(runOutcomeName(outcome)));
            QCOMPARE(runOutcomeFromName(runOutcomeName(outcome)), std::optional<RunOutcome>(outcome));
        }
        QVERIFY(!isFinalRunStatus(QStringLiteral("running")));
        QVERIFY(!runOutcomeFromName(QStringLiteral("Finished")));
    }

    void parsesEveryEvent()
    {
        auto started = parseWorkerEvent(
            R"({"event":"started","time":"t","run_dir":"/r","config":{"learning_rate":0.1},"parameters":{"total":100,"trainable":40},"train_examples":9,"val_examples":1,"truncated_examples":2,"tokens_per_epoch":512,"total_steps":7,"resumed_from_step":-1})");
        QVERIFY(started);
        const auto& s = std::get<RunStartInfo>(*started);
        QCOMPARE(s.runDir, QStringLiteral("/r"));
        QCOMPARE(s.totalParameters, 100);
        QCOMPARE(s.trainableParameters, 40);
        QCOMPARE(s.totalSteps, 7);
        QCOMPARE(s.truncatedExamples, 2);
        QCOMPARE(s.config.value(QStringLiteral("learning_rate")).toDouble(), 0.1);

        auto step = parseWorkerEvent(
            R"({"event":"step","step":3,"total_steps":7,"epoch":0.5,"loss":2.5,"lr":0.001,"grad_norm":1.5,"tokens":300,"tokens_per_second":1000,"elapsed":1.5,"eta":2})");
        QVERIFY(step);
        const auto& p = std::get<StepPoint>(*step);
        QCOMPARE(p.step, 3);
        QCOMPARE(p.loss, 2.5);
        QCOMPARE(p.learningRate, 0.001);
        QCOMPARE(p.tokens, 300);
        QCOMPARE(p.eta, 2.0);

        auto eval = parseWorkerEvent(
            R"({"event":"eval","step":3,"val_loss":2.0,"perplexity":7.39,"best_val_loss":2.0,"is_best":true})");
        QVERIFY(eval && std::get<EvalPoint>(*eval).isBest);
        auto sample = parseWorkerEvent(R"({"event":"sample","step":3,"prompt":"p","reference":"r","text":"t"})");
        QCOMPARE(std::get<SamplePoint>(*sample).text, QStringLiteral("t"));
        auto checkpoint = parseWorkerEvent(R"({"event":"checkpoint","step":3,"path":"/c","best":true})");
        QVERIFY(checkpoint && std::isnan(std::get<CheckpointPoint>(*checkpoint).valLoss));
        auto log = parseWorkerEvent(R"({"event":"log","level":"warning","message":"careful"})");
        QCOMPARE(std::get<LogEvent>(*log).level, QStringLiteral("warning"));
        QVERIFY(std::get<PausedEvent>(*parseWorkerEvent(R"({"event":"paused"})")).paused);
        QVERIFY(!std::get<PausedEvent>(*parseWorkerEvent(R"({"event":"resumed"})")).paused);
        for (const char* name : {"finished", "stopped", "diverged", "failed"}) {
            auto end = parseWorkerEvent(QByteArray("{\"event\":\"") + name +
                                        "\",\"message\":\"m\",\"step\":5,\"export\":\"/e\"}");
            QVERIFY2(end, name);
            QCOMPARE(std::get<RunEndInfo>(*end).status, QString::fromLatin1(name));
            QVERIFY(std::get<RunEndInfo>(*end).reportedByWorker);
        }
    }
    void missingNumbersAreNaN()
    {
        // JSON has no NaN: a worker writes null for it.
        auto step = parseWorkerEvent(R"({"event":"step","step":1,"loss":null})");
        QVERIFY(step);
        QVERIFY(std::isnan(std::get<StepPoint>(*step).loss));
        QVERIFY(std::isnan(std::get<StepPoint>(*step).gradNorm));
    }
    void refusesHostileLines_data()
    {
        QTest::addColumn<QByteArray>("line");
        QTest::addColumn<QString>("reason");
        QTest::newRow("garbage") << QByteArray("\x01\x02 not json at all \xff") << "not JSON";
        QTest::newRow("cut off") << QByteArray(R"({"event":"step","step":1,"lo)") << "not JSON";
        QTest::newRow("array") << QByteArray("[1,2,3]") << "not a JSON object";
        QTest::newRow("no name") << QByteArray(R"({"step":1})") << "no \"event\"";
        QTest::newRow("unknown") << QByteArray(R"({"event":"explode"})") << "unknown event";
        QTest::newRow("step as text") << QByteArray(R"({"event":"step","step":"three"})")
                                      << "\"step\" is not an integer";
        QTest::newRow("fractional step") << QByteArray(R"({"event":"step","step":1.5})")
                                         << "\"step\" is not an integer";
        QTest::newRow("huge step") << QByteArray(R"({"event":"step","step":1e300})") << "\"step\" is not an integer";
        QTest::newRow("no step") << QByteArray(R"({"event":"step","loss":1})") << "no step number";
        QTest::newRow("loss as text") << QByteArray(R"({"event":"step","step":1,"loss":"low"})")
                                      << "\"loss\" is not a number";
        QTest::newRow("best as number") << QByteArray(R"({"event":"eval","step":1,"is_best":1})")
                                        << "\"is_best\" is not true or false";
        QTest::newRow("config as list") << QByteArray(R"({"event":"started","config":[]})")
                                        << "\"config\" is not an object";
        QTest::newRow("parameters wrong")
            << QByteArray(R"({"event":"started","parameters":{"total":"many"}})") << "parameters";
        QTest::newRow("message as object")
            << QByteArray(R"({"event":"failed","message":{}})") << "\"message\" is not a string";
        QTest::newRow("interrupted is not a worker event")
            << QByteArray(R"({"event":"interrupted"})") << "unknown event";
    }
    void refusesHostileLines()
    {
        QFETCH(QByteArray, line);
        QFETCH(QString, reason);
        QString error;
        QVERIFY(!parseWorkerEvent(line, &error));
        QVERIFY2(error.contains(reason), qPrintable(error));
    }
    void longTextIsCut()
    {
        const QByteArray text(kMaxEventTextChars + 100, 'a');
        auto log = parseWorkerEvent(R"({"event":"log","message":")" + text + R"("})");
        QVERIFY(log);
        QVERIFY(std::get<LogEvent>(*log).message.size() < kMaxEventTextChars + 20);
        QVERIFY(std::get<LogEvent>(*log).message.endsWith(QStringLiteral("[... cut]")));
    }
};

QTEST_APPLESS_MAIN(TestRunEvents)
#include "tst_run_events.moc"
