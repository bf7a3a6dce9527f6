#include "contract/run_events.h"

#include <QJsonDocument>
#include <QJsonParseError>

#include "common/json_file.h"
#include "contract/event_fields.h"

namespace ft {

namespace {

// Each event: its writer, then its reader. A reader leaves field type errors to EventFields.

QJsonObject write(const RunStartInfo& s)
{
    return {{QStringLiteral("event"), QStringLiteral("started")},
            {QStringLiteral("run_dir"), s.runDir},
            {QStringLiteral("config"), s.config},
            {QStringLiteral("parameters"), QJsonObject{{QStringLiteral("total"), s.totalParameters},
                                                       {QStringLiteral("trainable"), s.trainableParameters}}},
            {QStringLiteral("train_examples"), s.trainExamples},
            {QStringLiteral("val_examples"), s.valExamples},
            {QStringLiteral("truncated_examples"), s.truncatedExamples},
            {QStringLiteral("tokens_per_epoch"), s.tokensPerEpoch},
            {QStringLiteral("total_steps"), s.totalSteps},
            {QStringLiteral("resumed_from_step"), s.resumedFromStep},
            {QStringLiteral("world_size"), s.worldSize}};
}

std::optional<WorkerEvent> readStarted(EventFields& f)
{
    RunStartInfo s;
    s.runDir = f.text("run_dir");
    s.config = f.object("config");
    EventFields parameters(f.object("parameters"));
    s.totalParameters = parameters.integer("total");
    s.trainableParameters = parameters.integer("trainable");
    s.trainExamples = f.integer("train_examples");
    s.valExamples = f.integer("val_examples");
    s.truncatedExamples = f.integer("truncated_examples");
    s.tokensPerEpoch = f.integer("tokens_per_epoch");
    s.totalSteps = f.integer("total_steps");
    s.resumedFromStep = f.integer("resumed_from_step", -1);
    s.worldSize = static_cast<int>(f.integer("world_size", 1));
    if (!parameters.error().isEmpty())
        f.fail(QStringLiteral("parameters: %1").arg(parameters.error()));
    return s;
}

// Drops the DPO fields a run without preference pairs does not have, so its lines stay as they were.
QJsonObject withoutAbsent(QJsonObject json, std::initializer_list<const char*> optionalKeys)
{
    for (const char* key : optionalKeys)
        if (std::isnan(json.value(QLatin1String(key)).toDouble(0.0)))
            json.remove(QLatin1String(key));
    return json;
}

QJsonObject write(const StepPoint& p)
{
    return withoutAbsent({{QStringLiteral("event"), QStringLiteral("step")},
                          {QStringLiteral("step"), p.step},
                          {QStringLiteral("total_steps"), p.totalSteps},
                          {QStringLiteral("epoch"), p.epoch},
                          {QStringLiteral("loss"), p.loss},
                          {QStringLiteral("lr"), p.learningRate},
                          {QStringLiteral("grad_norm"), p.gradNorm},
                          {QStringLiteral("tokens"), p.tokens},
                          {QStringLiteral("tokens_per_second"), p.tokensPerSecond},
                          {QStringLiteral("elapsed"), p.elapsed},
                          {QStringLiteral("eta"), p.eta},
                          {QStringLiteral("chosen_reward"), p.chosenReward},
                          {QStringLiteral("rejected_reward"), p.rejectedReward},
                          {QStringLiteral("reward_margin"), p.rewardMargin},
                          {QStringLiteral("reward_accuracy"), p.rewardAccuracy}},
                         {"chosen_reward", "rejected_reward", "reward_margin", "reward_accuracy"});
}

std::optional<WorkerEvent> readStep(EventFields& f)
{
    StepPoint p;
    p.step = f.integer("step", -1);
    p.totalSteps = f.integer("total_steps");
    p.epoch = f.number("epoch", 0.0);
    p.loss = f.number("loss");
    p.learningRate = f.number("lr");
    p.gradNorm = f.number("grad_norm");
    p.tokens = f.integer("tokens");
    p.tokensPerSecond = f.number("tokens_per_second");
    p.elapsed = f.number("elapsed", 0.0);
    p.eta = f.number("eta");
    p.chosenReward = f.number("chosen_reward");
    p.rejectedReward = f.number("rejected_reward");
    p.rewardMargin = f.number("reward_margin");
    p.rewardAccuracy = f.number("reward_accuracy");
    if (p.step < 0)
        f.fail(QStringLiteral("no step number"));
    return p;
}

QJsonObject write(const EvalPoint& e)
{
    return withoutAbsent({{QStringLiteral("event"), QStringLiteral("eval")},
                          {QStringLiteral("step"), e.step},
                          {QStringLiteral("val_loss"), e.valLoss},
                          {QStringLiteral("perplexity"), e.perplexity},
                          {QStringLiteral("best_val_loss"), e.bestValLoss},
                          {QStringLiteral("is_best"), e.isBest},
                          {QStringLiteral("reward_margin"), e.rewardMargin},
                          {QStringLiteral("reward_accuracy"), e.rewardAccuracy}},
                         {"perplexity", "reward_margin", "reward_accuracy"});
}

std::optional<WorkerEvent> readEval(EventFields& f)
{
    EvalPoint e;
    e.step = f.integer("step");
    e.valLoss = f.number("val_loss");
    e.perplexity = f.number("perplexity");
    e.bestValLoss = f.number("best_val_loss");
    e.isBest = f.boolean("is_best");
    e.rewardMargin = f.number("reward_margin");
    e.rewardAccuracy = f.number("reward_accuracy");
    return e;
}

QJsonObject write(const SamplePoint& s)
{
    return {{QStringLiteral("event"), QStringLiteral("sample")},
            {QStringLiteral("step"), s.step},
            {QStringLiteral("prompt"), s.prompt},
            {QStringLiteral("reference"), s.reference},
            {QStringLiteral("text"), s.text}};
}

std::optional<WorkerEvent> readSample(EventFields& f)
{
    SamplePoint s;
    s.step = f.integer("step");
    s.prompt = f.text("prompt");
    s.reference = f.text("reference");
    s.text = f.text("text");
    return s;
}

QJsonObject write(const CheckpointPoint& c)
{
    QJsonObject json{{QStringLiteral("event"), QStringLiteral("checkpoint")},
                     {QStringLiteral("step"), c.step},
                     {QStringLiteral("path"), c.path},
                     {QStringLiteral("best"), c.best}};
    if (!std::isnan(c.valLoss))
        json[QStringLiteral("val_loss")] = c.valLoss;
    return json;
}

std::optional<WorkerEvent> readCheckpoint(EventFields& f)
{
    CheckpointPoint c;
    c.step = f.integer("step");
    c.path = f.text("path");
    c.best = f.boolean("best");
    c.valLoss = f.number("val_loss");
    return c;
}

QJsonObject write(const LogEvent& l)
{
    return {{QStringLiteral("event"), QStringLiteral("log")},
            {QStringLiteral("level"), l.level},
            {QStringLiteral("message"), l.message}};
}

std::optional<WorkerEvent> readLog(EventFields& f)
{
    LogEvent l;
    l.level = f.text("level");
    l.message = f.text("message");
    if (l.level.isEmpty())
        l.level = QStringLiteral("info");
    return l;
}

QJsonObject write(const PausedEvent& p)
{
    return {{QStringLiteral("event"), p.paused ? QStringLiteral("paused") : QStringLiteral("resumed")}};
}

QJsonObject write(const RunEndInfo& e)
{
    QJsonObject json{{QStringLiteral("event"), e.status}, {QStringLiteral("message"), e.message}};
    if (e.status != runOutcomeName(RunOutcome::Failed) || e.step >= 0) {
        json[QStringLiteral("step")] = e.step;
        json[QStringLiteral("tokens")] = e.tokens;
    }
    if (!e.exportPath.isEmpty())
        json[QStringLiteral("export")] = e.exportPath;
    if (e.hasBestValLoss())
        json[QStringLiteral("best_val_loss")] = e.bestValLoss;
    return json;
}

std::optional<WorkerEvent> readEnd(EventFields& f, const QString& status)
{
    RunEndInfo end;
    end.status = status;
    end.message = f.text("message");
    end.step = f.integer("step", -1);
    end.tokens = f.integer("tokens");
    end.exportPath = f.text("export");
    end.bestValLoss = f.number("best_val_loss");
    end.reportedByWorker = true;
    return end;
}

QString preview(const QByteArray& line)
{
    QString text = QString::fromUtf8(line.left(80)).simplified();
    if (line.size() > 80)
        text += QStringLiteral("...");
    return text;
}

} // namespace

QString runOutcomeName(RunOutcome outcome)
{
    switch (outcome) {
    case RunOutcome::Finished:
        return QStringLiteral("finished");
    case RunOutcome::Stopped:
        return QStringLiteral("stopped");
    case RunOutcome::Diverged:
        return QStringLiteral("diverged");
    case RunOutcome::Failed:
        return QStringLiteral("failed");
    case RunOutcome::Interrupted:
        return QStringLiteral("interrupted");
    }
    return {};
}

std::optional<RunOutcome> runOutcomeFromName(const QString& name)
{
    for (RunOutcome outcome :
         {RunOutcome::Finished, RunOutcome::Stopped, RunOutcome::Diverged, RunOutcome::Failed, RunOutcome::Interrupted})
        if (name == runOutcomeName(outcome))
            return outcome;
    return std::nullopt;
}

bool isFinalRunStatus(const QString& status) { return runOutcomeFromName(status).has_value(); }

QStringList workerEventNames()
{
    return {QStringLiteral("started"), QStringLiteral("step"),       QStringLiteral("eval"),
            QStringLiteral("sample"),  QStringLiteral("checkpoint"), QStringLiteral("log"),
            QStringLiteral("paused"),  QStringLiteral("resumed"),    QStringLiteral("finished"),
            QStringLiteral("stopped"), QStringLiteral("diverged"),   QStringLiteral("failed")};
}

QJsonObject workerEventJson(const WorkerEvent& event)
{
    return std::visit([](const auto& e) { return write(e); }, event);
}

QByteArray workerEventLine(const WorkerEvent& event, const QDateTime& time)
{
    QJsonObject json = workerEventJson(event);
    json[QStringLiteral("time")] = time.toUTC().toString(Qt::ISODateWithMs);
    return QJsonDocument(json).toJson(QJsonDocument::Compact) + '\n';
}

std::optional<WorkerEvent> parseWorkerEvent(const QByteArray& line, QString* error)
{
    auto reject = [&](const QString& why) -> std::optional<WorkerEvent> {
        if (error)
            *error = why;
        return std::nullopt;
    };
    QJsonParseError parseError{};
    const QJsonDocument document = QJsonDocument::fromJson(line, &parseError);
    if (parseError.error != QJsonParseError::NoError)
        return reject(QStringLiteral("not JSON (%1 at byte %2): %3")
                          .arg(jsonErrorText(line, parseError))
                          .arg(parseError.offset)
                          .arg(preview(line)));
    if (!document.isObject())
        return reject(QStringLiteral("not a JSON object: %1").arg(preview(line)));
    EventFields f(document.object());
    const QString name = f.text("event");
    if (name.isEmpty())
        return reject(QStringLiteral("no \"event\" name: %1").arg(preview(line)));

    std::optional<WorkerEvent> event;
    if (name == QLatin1String("started"))
        event = readStarted(f);
    else if (name == QLatin1String("step"))
        event = readStep(f);
    else if (name == QLatin1String("eval"))
        event = readEval(f);
    else if (name == QLatin1String("sample"))
        event = readSample(f);
    else if (name == QLatin1String("checkpoint"))
        event = readCheckpoint(f);
    else if (name == QLatin1String("log"))
        event = readLog(f);
    else if (name == QLatin1String("paused") || name == QLatin1String("resumed"))
        event = PausedEvent{name == QLatin1String("paused")};
    else if (isFinalRunStatus(name) && name != runOutcomeName(RunOutcome::Interrupted))
        event = readEnd(f, name);
    else
        return reject(QStringLiteral("unknown event \"%1\"").arg(name.left(40)));
    if (!f.error().isEmpty())
        return reject(QStringLiteral("%1: %2").arg(name, f.error()));
    return event;
}

} // namespace ft
