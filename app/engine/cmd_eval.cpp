// ftstudio-cli eval RUN_OR_MODEL: loss, perplexity and generation metrics on held-out examples,
// stored in the workspace against the checkpoint evaluated (base models: cached once per model,
// records and settings). `eval compare` is in cmd_eval_compare.cpp.

#include <cmath>

#include <QDateTime>
#include <QFileInfo>
#include <QJsonArray>

#include "cli_common.h"
#include "cli_workspace.h"
#include "common/error.h"
#include "data/eval_record.h"
#include "engine/eval_model.h"
#include "engine/evaluator.h"
#include "engine_commands.h"
#include "engine_threads.h"
#include "eval_events.h"
#include "eval_inputs.h"
#include "modelio/model_identity.h"
#include "store/evaluation_store.h"
#include "store/run_settings.h"
#include "worker_control.h"

namespace ft::cli {

namespace {

enum ExitCode { kOk = 0, kFailed = 1, kCancelled = 3 };

// A cancelled evaluation stores nothing.
struct Cancelled {};

struct Request {
    QString argument;
    QString checkpoint = QStringLiteral("final");
    RecordChoice records;
    std::vector<EvalMetric> metrics = allEvalMetrics();
    bool metricsGiven = false;
    SamplingOptions sampling = EvalSettings::defaultSampling();
    QString promptTemplate = QStringLiteral("alpaca");
    QString lossOn = QStringLiteral("response");
    qint64 maxLength = 512;
    QString dtype = QStringLiteral("float32");
    bool withBase = false;
    bool noCache = false;
};

QStringList metricNames(const std::vector<EvalMetric>& metrics)
{
    QStringList names;
    for (EvalMetric metric : metrics)
        names << evalMetricName(metric);
    return names;
}

// Whether stored numbers hold every metric asked for.
bool covers(const std::map<QString, double>& stored, const std::vector<EvalMetric>& wanted)
{
    for (EvalMetric metric : wanted)
        if (stored.find(evalMetricName(metric)) == stored.end())
            return false;
    return true;
}

std::vector<EvaluationOutput> outputsOf(const EvalResult& result)
{
    std::vector<EvaluationOutput> outputs;
    for (const EvalExample& e : result.examples)
        outputs.push_back({e.index, e.key, e.prompt, e.reference, e.output, e.promptTokens, e.outputTokens,
                           e.stopReason, e.scores.toJson()});
    return outputs;
}

// One model evaluated, with what it was and where it went.
struct Outcome {
    QString target; // "run", "base", "model"
    QString model;
    QString modelId;
    std::map<QString, double> metrics;
    qint64 examples = 0;
    double seconds = 0.0;
    bool cached = false;
    qint64 storedId = 0; // run_evaluations or base_evaluations id; 0: not stored
    QString note;
};

QJsonObject outcomeJson(const Outcome& o)
{
    QJsonObject json{{QStringLiteral("target"), o.target},
                     {QStringLiteral("model"), o.model},
                     {QStringLiteral("metrics"), metricsJson(o.metrics)},
                     {QStringLiteral("examples"), o.examples},
                     {QStringLiteral("seconds"), o.seconds},
                     {QStringLiteral("cached"), o.cached},
                     {QStringLiteral("stored"), o.storedId > 0}};
    if (!o.modelId.isEmpty())
        json[QStringLiteral("model_id")] = o.modelId;
    if (o.storedId > 0)
        json[o.target == QLatin1String("run") ? QStringLiteral("evaluation_id")
                                              : QStringLiteral("base_evaluation_id")] = o.storedId;
    return json;
}

class EvalCommand {
public:
    EvalCommand(const Request& request, const Workspace& workspace, EvalReporter& reporter, TrainerControl& control)
        : m_request(request)
        , m_workspace(workspace)
        , m_reporter(reporter)
        , m_control(control)
    {
    }

    QJsonObject run()
    {
        const EvalTarget target = resolveEvalTarget(m_request.argument, m_workspace);
        QJsonObject summary;
        if (target.isRun)
            runTarget(target, summary);
        else
            modelTarget(target, summary);
        return summary;
    }

    const std::vector<Outcome>& outcomes() const { return m_outcomes; }
    const EvalRecords& records() const { return m_records; }

private:
    EvalSettings applyRequest(EvalSettings settings) const
    {
        settings.metrics = m_request.metrics;
        settings.sampling = m_request.sampling;
        return settings;
    }

    EvalCallbacks callbacks(const QString& target)
    {
        EvalCallbacks callbacks;
        callbacks.progress = [this, target](EvalPhase phase, int64_t done, int64_t total) {
            m_reporter.progress(target, phase, done, total);
            return !m_control.stopRequested();
        };
        callbacks.exampleDone = [this, target](const EvalExample& example) { m_reporter.example(target, example); };
        return callbacks;
    }

    EvalResult evaluate(EvalModel& model, const EvalSettings& settings, const QString& target)
    {
        EvalResult result = evaluateRecords(*model.loaded.model, *model.loaded.tokenizer, m_records.records, settings,
                                            callbacks(target));
        if (result.cancelled || m_control.stopRequested())
            throw Cancelled{};
        return result;
    }

    StoredEvaluation header(const EvalSettings& settings) const
    {
        StoredEvaluation e;
        e.datasetId = m_records.datasetId;
        e.datasetName = m_records.datasetName;
        e.datasetVersion = m_records.datasetVersion;
        e.split = m_records.split;
        e.source = m_records.source;
        e.recordsSha256 = recordsSha256(m_records.records);
        e.examples = static_cast<qint64>(m_records.records.size());
        e.settings = settings.toJson();
        e.settingsKey = settings.key();
        return e;
    }

    QJsonObject startedFields(const QString& target, const QString& model, const EvalSettings& settings) const
    {
        return {{QStringLiteral("target"), target},
                {QStringLiteral("model"), model},
                {QStringLiteral("split"), m_records.split},
                {QStringLiteral("source"), m_records.source},
                {QStringLiteral("examples"), static_cast<qint64>(m_records.records.size())},
                {QStringLiteral("available"), m_records.totalAvailable},
                {QStringLiteral("metrics"), QJsonArray::fromStringList(metricNames(settings.metrics))},
                {QStringLiteral("settings"), settings.toJson()},
                {QStringLiteral("records_sha256"), recordsSha256(m_records.records)}};
    }

    // A base model on the current records: the cached evaluation when there is one that covers the
    // metrics, else a new one, which is cached.
    Outcome baseModel(const QString& target, const QString& modelPath, EvalSettings settings, const QString& dtype)
    {
        Outcome outcome;
        outcome.target = target;
        outcome.model = QFileInfo(modelPath).absoluteFilePath();
        outcome.modelId = modelIdentity(modelPath);
        EvaluationStore store(m_workspace.database());
        StoredEvaluation e = header(settings);
        const auto cached = store.findBaseEvaluation(outcome.modelId, e.split, e.recordsSha256, e.settingsKey);
        if (cached && !m_request.noCache && covers(cached->metrics, settings.metrics)) {
            outcome.cached = true;
            outcome.metrics = cached->metrics;
            outcome.examples = cached->examples;
            outcome.seconds = cached->seconds;
            outcome.storedId = cached->id;
            outcome.note =
                QStringLiteral("cached %1")
                    .arg(QDateTime::fromMSecsSinceEpoch(cached->created).toString(QStringLiteral("yyyy-MM-dd HH:mm")));
            return outcome;
        }
        if (cached) // keep what the cached evaluation had, so that replacing it loses nothing
            for (EvalMetric metric : allEvalMetrics())
                if (!settings.wants(metric) && cached->metrics.count(evalMetricName(metric)))
                    settings.metrics.push_back(metric);
        EvalModel model = loadEvalBaseModel(modelPath, dtype);
        for (const QString& warning : model.loaded.warnings)
            m_reporter.log(QStringLiteral("warning"), warning);
        e = header(settings);
        m_reporter.started(startedFields(target, outcome.model, settings));
        const EvalResult result = evaluate(model, settings, target);
        outcome.metrics = result.summary.metrics(settings.metrics);
        outcome.examples = result.summary.examples;
        outcome.seconds = result.summary.seconds;
        e.kind = EvaluationKind::Base;
        e.modelId = outcome.modelId;
        e.modelPath = outcome.model;
        e.metrics = outcome.metrics;
        e.seconds = outcome.seconds;
        outcome.storedId = store.saveBaseEvaluation(e, outputsOf(result));
        return outcome;
    }

    void runTarget(const EvalTarget& target, QJsonObject& summary)
    {
        m_records = selectEvalRecords(target, m_request.records, m_workspace);
        EvalSettings settings;
        QString baseModelPath;
        QString computeDtype;
        {
            EvalModel model = loadEvalRunModel(target.runDir, m_request.checkpoint);
            for (const QString& warning : model.loaded.warnings)
                m_reporter.log(QStringLiteral("warning"), warning);
            settings = applyRequest(EvalSettings::fromRunConfig(model.runConfig));
            baseModelPath = model.runConfig.model;
            computeDtype = model.runConfig.computeDtype;
            QJsonObject started = startedFields(QStringLiteral("run"), model.weightsPath, settings);
            started[QStringLiteral("run_dir")] = target.runDir;
            started[QStringLiteral("checkpoint")] = model.checkpoint;
            if (model.step)
                started[QStringLiteral("step")] = static_cast<qint64>(*model.step);
            if (target.run) {
                started[QStringLiteral("run_id")] = target.run->id;
                started[QStringLiteral("run_name")] = target.run->name;
            }
            m_reporter.started(started);
            const EvalResult result = evaluate(model, settings, QStringLiteral("run"));

            Outcome outcome;
            outcome.target = QStringLiteral("run");
            outcome.model = model.weightsPath;
            outcome.metrics = result.summary.metrics(settings.metrics);
            outcome.examples = result.summary.examples;
            outcome.seconds = result.summary.seconds;
            // The base's identity links this evaluation to the base model's cached one.
            outcome.modelId = QFileInfo::exists(baseModelPath) ? modelIdentity(baseModelPath)
                                                               : (target.run ? target.run->baseModelId : QString());
            if (target.run) {
                StoredEvaluation e = header(settings);
                e.kind = EvaluationKind::Run;
                e.runId = target.run->id;
                e.checkpoint = model.checkpoint;
                e.step = model.step ? std::optional<qint64>(*model.step) : std::nullopt;
                e.modelId = outcome.modelId;
                e.modelPath = baseModelPath;
                e.metrics = outcome.metrics;
                e.seconds = outcome.seconds;
                outcome.storedId = EvaluationStore(m_workspace.database()).saveRunEvaluation(e, outputsOf(result));
            } else {
                m_reporter.log(QStringLiteral("warning"),
                               QStringLiteral("%1 is not in the history of workspace %2: the results are not stored")
                                   .arg(target.runDir, m_workspace.path()));
            }
            QJsonObject fields = outcomeJson(outcome);
            fields[QStringLiteral("checkpoint")] = model.checkpoint;
            m_reporter.result(outcome.target, fields);
            m_outcomes.push_back(outcome);

            summary[QStringLiteral("run_dir")] = target.runDir;
            summary[QStringLiteral("checkpoint")] = model.checkpoint;
            if (model.step)
                summary[QStringLiteral("step")] = static_cast<qint64>(*model.step);
            if (target.run)
                summary[QStringLiteral("run")] =
                    QJsonObject{{QStringLiteral("id"), target.run->id}, {QStringLiteral("name"), target.run->name}};
            summary[QStringLiteral("settings")] = settings.toJson();
        } // the run's model is freed before the base is loaded
        if (m_request.withBase) {
            if (!QFileInfo::exists(baseModelPath))
                throw Error(QStringLiteral("the run's base model %1 is gone: cannot evaluate it").arg(baseModelPath));
            m_outcomes.push_back(baseModel(QStringLiteral("base"), baseModelPath, settings, computeDtype));
            reportBase(m_outcomes.back());
        }
    }

    void reportBase(const Outcome& outcome)
    {
        if (outcome.cached)
            m_reporter.log(QStringLiteral("info"),
                           QStringLiteral("%1: the cached evaluation (%2) is reused").arg(outcome.model, outcome.note));
        m_reporter.result(outcome.target, outcomeJson(outcome));
    }

    void modelTarget(const EvalTarget& target, QJsonObject& summary)
    {
        m_records = selectEvalRecords(target, m_request.records, m_workspace);
        EvalSettings settings;
        settings.promptTemplate = m_request.promptTemplate;
        settings.templateModelFolder = target.modelPath;
        settings.lossOn = m_request.lossOn;
        settings.maxLength = m_request.maxLength;
        settings = applyRequest(settings);
        settings.validate();
        m_outcomes.push_back(baseModel(QStringLiteral("model"), target.modelPath, settings, m_request.dtype));
        reportBase(m_outcomes.back());
        summary[QStringLiteral("settings")] = settings.toJson();
    }

    const Request& m_request;
    const Workspace& m_workspace;
    EvalReporter& m_reporter;
    TrainerControl& m_control;
    EvalRecords m_records;
    std::vector<Outcome> m_outcomes;
};

QString metricValue(const std::map<QString, double>& metrics, const QString& name)
{
    const auto it = metrics.find(name);
    return it == metrics.end() ? QStringLiteral("-") : settingNumber(it->second);
}

void printHuman(const QJsonObject& summary, const std::vector<Outcome>& outcomes, const EvalRecords& records,
                const Workspace& workspace)
{
    QTextStream& s = out();
    const QString what =
        summary.contains(QStringLiteral("run"))
            ? QStringLiteral("run %1 \"%2\" at checkpoint %3")
                  .arg(summary[QStringLiteral("run")][QStringLiteral("id")].toInteger())
                  .arg(summary[QStringLiteral("run")][QStringLiteral("name")].toString(),
                       summary[QStringLiteral("checkpoint")].toString())
        : summary.contains(QStringLiteral("checkpoint"))
            ? QStringLiteral("%1 at checkpoint %2")
                  .arg(summary[QStringLiteral("run_dir")].toString(), summary[QStringLiteral("checkpoint")].toString())
            : outcomes.front().model;
    const QJsonObject generation = summary[QStringLiteral("settings")][QStringLiteral("generation")].toObject();
    s << "Evaluated " << what << " on " << records.split << " (" << records.records.size()
      << (records.totalAvailable > static_cast<qint64>(records.records.size())
              ? QStringLiteral(" of %1").arg(records.totalAvailable)
              : QString())
      << " examples; " << (generation[QStringLiteral("greedy")].toBool() ? "greedy" : "sampled") << ", at most "
      << generation[QStringLiteral("max_new_tokens")].toInt() << " new tokens)\n\n";
    QStringList headers{QStringLiteral("METRIC")};
    for (const Outcome& o : outcomes)
        headers << (o.target == QLatin1String("base")  ? QStringLiteral("BASE")
                    : o.target == QLatin1String("run") ? QStringLiteral("RUN")
                                                       : QStringLiteral("MODEL")) +
                       (o.cached ? QStringLiteral(" (cached)") : QString());
    const bool diff = outcomes.size() == 2;
    if (diff)
        headers << QStringLiteral("RUN - BASE");
    std::vector<QStringList> rows;
    for (const char* name :
         {"loss", "perplexity", "bleu", "rouge-l", "exact-match", "f1", "response-words", "response-tokens"}) {
        const QString key = QLatin1String(name);
        bool any = false;
        QStringList row{key};
        for (const Outcome& o : outcomes) {
            row << metricValue(o.metrics, key);
            any = any || o.metrics.count(key);
        }
        if (diff) {
            const auto a = outcomes[0].metrics.find(key);
            const auto b = outcomes[1].metrics.find(key);
            row << (a != outcomes[0].metrics.end() && b != outcomes[1].metrics.end()
                        ? (a->second - b->second > 0 ? QStringLiteral("+") : QString()) +
                              settingNumber(a->second - b->second)
                        : QStringLiteral("-"));
        }
        if (any)
            rows.push_back(row);
    }
    printTable(headers, rows);
    s << "\n";
    for (const Outcome& o : outcomes)
        s << (o.target == QLatin1String("run")
                  ? (o.storedId > 0 ? QStringLiteral("stored as evaluation %1").arg(o.storedId)
                                    : QStringLiteral("not stored"))
                  : QStringLiteral("base model %1: %2")
                        .arg(o.model, o.cached ? QStringLiteral("cached result reused")
                                               : QStringLiteral("evaluated in %1 s, cached").arg(o.seconds, 0, 'f', 1)))
          << (o.target == QLatin1String("run") ? QStringLiteral(" (%1 s)").arg(o.seconds, 0, 'f', 1) : QString())
          << "\n";
    s << "Workspace: " << workspace.path() << "\n";
    s.flush();
}

} // namespace

int runEvalCompare(const QStringList& args);

int runEval(const QStringList& args)
{
    if (args.size() > 1 && args[1] == QLatin1String("compare")) {
        QStringList sub = args.mid(1);
        sub[0] = QStringLiteral("ftstudio-cli eval compare");
        return runEvalCompare(sub);
    }
    QCommandLineParser parser;
    parser.addPositionalArgument(
        QStringLiteral("RUN_OR_MODEL"),
        QStringLiteral("A run (id, name or folder) or a model (Hugging Face folder or llama2.c .bin)."));
    parser.addOptions({
        {QStringLiteral("split"),
         QStringLiteral(
             "val (default), test or train. A run's val and train come from its frozen data; test from its dataset."),
         QStringLiteral("SPLIT"), QStringLiteral("val")},
        {QStringLiteral("checkpoint"),
         QStringLiteral("For runs: final (the exported model, default), best, latest or step-N."), QStringLiteral("C"),
         QStringLiteral("final")},
        {QStringLiteral("dataset"), QStringLiteral("Evaluate on this workspace dataset's --split (name or id)."),
         QStringLiteral("NAME")},
        {QStringLiteral("file"), QStringLiteral("Evaluate on the examples of this JSONL file."),
         QStringLiteral("JSONL")},
        {QStringLiteral("metrics"),
         QStringLiteral("Comma-separated: loss, bleu, rouge-l, exact-match, f1 (default: all)."),
         QStringLiteral("LIST")},
        {QStringLiteral("limit"), QStringLiteral("Only the first N examples."), QStringLiteral("N"),
         QStringLiteral("0")},
        {QStringLiteral("max-tokens"), QStringLiteral("Most new tokens per generated answer (default 128)."),
         QStringLiteral("N"), QStringLiteral("128")},
        {QStringLiteral("temperature"),
         QStringLiteral("Sample at this temperature instead of greedy decoding (seeded per example)."),
         QStringLiteral("T")},
        {QStringLiteral("top-k"), QStringLiteral("With --temperature: sample among the K most likely tokens."),
         QStringLiteral("K"), QStringLiteral("0")},
        {QStringLiteral("top-p"), QStringLiteral("With --temperature: nucleus mass (default 0.95)."),
         QStringLiteral("P"), QStringLiteral("0.95")},
        {QStringLiteral("seed"), QStringLiteral("With --temperature: example k uses seed + k (default 0)."),
         QStringLiteral("S"), QStringLiteral("0")},
        {QStringLiteral("base"),
         QStringLiteral(
             "For runs: also evaluate the run's base model on the same examples with the same settings (cached).")},
        {QStringLiteral("no-cache"),
         QStringLiteral("Evaluate a base model again even when a cached evaluation exists.")},
        {QStringLiteral("template"),
         QStringLiteral("For models: the prompt template, or model for its own chat template (default alpaca; runs "
                        "use their own)."),
         QStringLiteral("T"), QStringLiteral("alpaca")},
        {QStringLiteral("loss-on"), QStringLiteral("For models: response (default) or all."), QStringLiteral("WHAT"),
         QStringLiteral("response")},
        {QStringLiteral("max-length"), QStringLiteral("For models: tokens per example for the loss (default 512)."),
         QStringLiteral("N"), QStringLiteral("512")},
        {QStringLiteral("dtype"), QStringLiteral("For models: float32 (default) or bfloat16."), QStringLiteral("D"),
         QStringLiteral("float32")},
        {QStringLiteral("events"),
         QStringLiteral("\"jsonl\": one JSON event per line on stdout (for the studio; see docs/events.md)."),
         QStringLiteral("FORMAT")},
    });
    addThreadsOption(parser);
    addWorkspaceOptions(parser);
    if (!parseArguments(
            parser, args,
            QStringLiteral("Evaluate a run's checkpoint or a model on held-out examples: teacher-forced loss and "
                           "perplexity, and generated answers scored with corpus BLEU-4, ROUGE-L F1, exact "
                           "match and token F1. Results are stored in the workspace; base models are cached. "
                           "`ftstudio-cli eval compare --help` shows outputs side by side. Exit status: 0 "
                           "done, 1 failed, 2 wrong usage, 3 cancelled (nothing stored).")))
        return kOk;

    const QString events = parser.value(QStringLiteral("events"));
    if (!events.isEmpty() && events != QLatin1String("jsonl"))
        throw UsageError{QStringLiteral("--events accepts only \"jsonl\"")};
    EvalReporter reporter(!events.isEmpty());
    Request request;
    try {
        request.argument = requirePositional(parser, 1, QStringLiteral("RUN_OR_MODEL"))[0];
        request.checkpoint = canonicalCheckpointName(parser.value(QStringLiteral("checkpoint")));
        request.records.split = parser.value(QStringLiteral("split")).trimmed().toLower();
        if (request.records.split == QLatin1String("validation"))
            request.records.split = QStringLiteral("val");
        request.records.splitGiven = parser.isSet(QStringLiteral("split"));
        if (request.records.split != QLatin1String("val") && request.records.split != QLatin1String("test") &&
            request.records.split != QLatin1String("train"))
            throw UsageError{QStringLiteral("--split must be val, test or train")};
        request.records.dataset = parser.value(QStringLiteral("dataset"));
        request.records.file = parser.value(QStringLiteral("file"));
        if (!request.records.dataset.isEmpty() && !request.records.file.isEmpty())
            throw UsageError{QStringLiteral("give --dataset or --file, not both")};
        request.records.limit = integerOption(parser, QStringLiteral("limit"), 0);
        if (parser.isSet(QStringLiteral("metrics"))) {
            try {
                request.metrics = parseEvalMetrics(parser.value(QStringLiteral("metrics")));
            } catch (const Error& error) {
                throw UsageError{QStringLiteral("--metrics: %1").arg(error.message())};
            }
        }
        request.sampling.maxNewTokens = static_cast<int>(integerOption(parser, QStringLiteral("max-tokens"), 1));
        if (parser.isSet(QStringLiteral("temperature"))) {
            request.sampling.temperature = numberOption(parser, QStringLiteral("temperature"), 0.0, 100.0);
            request.sampling.greedy = request.sampling.temperature <= 0.0;
            request.sampling.topK = static_cast<int>(integerOption(parser, QStringLiteral("top-k"), 0));
            request.sampling.topP = numberOption(parser, QStringLiteral("top-p"), 1e-6, 1.0);
            request.sampling.seed = static_cast<uint64_t>(integerOption(parser, QStringLiteral("seed"), 0));
        }
        request.promptTemplate = parser.value(QStringLiteral("template"));
        request.lossOn = parser.value(QStringLiteral("loss-on"));
        request.maxLength = integerOption(parser, QStringLiteral("max-length"), 2);
        request.dtype = parser.value(QStringLiteral("dtype"));
        request.withBase = parser.isSet(QStringLiteral("base"));
        request.noCache = parser.isSet(QStringLiteral("no-cache"));
        applyThreadsOption(parser);
    } catch (const UsageError& error) {
        reporter.failed(error.message);
        throw;
    }

    static TrainerControl control; // outlives the detached control threads
    if (reporter.jsonEvents())
        startWorkerControl(control); // "stop" on stdin, SIGINT/SIGTERM: cancel, store nothing
    try {
        const Workspace workspace = openWorkspace(parser);
        EvalCommand command(request, workspace, reporter, control);
        QJsonObject summary = command.run();
        QJsonArray results;
        for (const Outcome& o : command.outcomes())
            results.append(outcomeJson(o));
        summary[QStringLiteral("workspace")] = workspace.path();
        summary[QStringLiteral("split")] = command.records().split;
        summary[QStringLiteral("source")] = command.records().source;
        summary[QStringLiteral("examples")] = static_cast<qint64>(command.records().records.size());
        summary[QStringLiteral("available")] = command.records().totalAvailable;
        summary[QStringLiteral("results")] = results;
        reporter.finished(summary);
        if (reporter.jsonEvents())
            return kOk; // the finished event carries the summary; stdout holds only events
        if (jsonRequested(parser))
            printJson(summary);
        else
            printHuman(summary, command.outcomes(), command.records(), workspace);
        return kOk;
    } catch (const Cancelled&) {
        reporter.cancelled(QStringLiteral("evaluation cancelled: nothing was stored"));
        return kCancelled;
    } catch (const Error& error) {
        reporter.failed(error.message());
        if (reporter.jsonEvents())
            return kFailed;
        throw;
    } catch (const std::exception& error) {
        reporter.failed(QString::fromUtf8(error.what()));
        if (reporter.jsonEvents())
            return kFailed;
        throw;
    }
}

} // namespace ft::cli
