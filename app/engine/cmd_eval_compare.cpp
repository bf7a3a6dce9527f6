// ftstudio-cli eval compare RUN[@CHECKPOINT]... [--base]: the stored outputs of evaluations side by
// side, per example, sortable by score difference. Nothing is generated here: it reads the store.

#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>

#include "cli_common.h"
#include "cli_workspace.h"
#include "common/error.h"
#include "data/generation_scores.h"
#include "engine/eval_model.h"
#include "engine_commands.h"
#include "eval_events.h"
#include "store/evaluation_compare.h"
#include "store/evaluation_store.h"
#include "store/run_settings.h"

namespace ft::cli {

namespace {

// "RUN" or "RUN@CHECKPOINT"; a run whose name contains '@' is found by its whole name first.
std::pair<RunInfo, QString> resolveRunArgument(RunStore& runs, const QString& argument,
                                               const QString& defaultCheckpoint)
{
    try {
        return {runs.resolve(argument), defaultCheckpoint};
    } catch (const Error&) {
        const int at = argument.lastIndexOf(QLatin1Char('@'));
        if (at <= 0)
            throw;
        return {runs.resolve(argument.left(at)), canonicalCheckpointName(argument.mid(at + 1))};
    }
}

QString evaluationList(const std::vector<StoredEvaluation>& all)
{
    QStringList names;
    for (const StoredEvaluation& e : all)
        names << QStringLiteral("%1 on %2").arg(e.checkpoint, e.split);
    return names.isEmpty() ? QStringLiteral("none") : names.join(QStringLiteral(", "));
}

QJsonObject outputJson(const EvaluationOutput& o)
{
    return {{QStringLiteral("output"), o.output},
            {QStringLiteral("scores"), o.scores},
            {QStringLiteral("output_tokens"), o.outputTokens},
            {QStringLiteral("stop_reason"), o.stopReason}};
}

QString scoreLine(const EvaluationOutput& o)
{
    return QStringLiteral("bleu %1  rouge-l %2  f1 %3  em %4")
        .arg(QString::number(o.score(QStringLiteral("bleu")), 'f', 3),
             QString::number(o.score(QStringLiteral("rouge-l")), 'f', 3),
             QString::number(o.score(QStringLiteral("f1")), 'f', 3),
             o.score(QStringLiteral("exact-match")) > 0 ? QStringLiteral("1") : QStringLiteral("0"));
}

// What `eval compare` was asked.
struct CompareRequest {
    QStringList runs; // RUN[@CHECKPOINT]
    bool withBase = false;
    QString metric; // the per-example score compared
    ComparisonSort sort = ComparisonSort::Difference;
    QString sortName;
    bool json = false;
    qint64 limit = 0; // rows shown; 0: all
    QString split;
    QString defaultCheckpoint;
    bool full = false; // whole texts, not one line each
};

CompareRequest parseCompareRequest(const QCommandLineParser& parser)
{
    CompareRequest r;
    r.runs = parser.positionalArguments();
    r.withBase = parser.isSet(QStringLiteral("base"));
    if (r.runs.isEmpty())
        throw UsageError{QStringLiteral("expected one or more runs")};
    const QString metric = parser.value(QStringLiteral("metric")).trimmed().toLower();
    const auto metricKind = evalMetricFromName(metric);
    if (!metricKind || *metricKind == EvalMetric::Loss)
        throw UsageError{QStringLiteral("--metric must be rouge-l, bleu, f1 or exact-match")};
    r.metric = evalMetricName(*metricKind);
    r.sortName = parser.value(QStringLiteral("sort"));
    const auto sort = comparisonSortFromName(r.sortName);
    if (!sort)
        throw UsageError{QStringLiteral("--sort must be diff, score or index")};
    r.sort = *sort;
    r.json = jsonRequested(parser);
    r.limit =
        parser.isSet(QStringLiteral("limit")) ? integerOption(parser, QStringLiteral("limit"), 0) : (r.json ? 0 : 10);
    r.split = parser.value(QStringLiteral("split")).trimmed();
    if (r.split == QLatin1String("validation"))
        r.split = QStringLiteral("val");
    r.defaultCheckpoint = canonicalCheckpointName(parser.value(QStringLiteral("checkpoint")));
    r.full = parser.isSet(QStringLiteral("full"));
    return r;
}

// One column per run (RUN@CHECKPOINT) with its stored outputs, the base model's first with --base; errors
// say which evaluation to make. Columns generated with other settings than the first get a note.
std::vector<ComparisonColumn> loadColumns(const Workspace& workspace, const CompareRequest& request)
{
    RunStore runs(workspace.database(), workspace.path());
    const EvaluationStore store(workspace.database());
    std::vector<ComparisonColumn> columns;
    for (const QString& argument : request.runs) {
        const auto [run, checkpoint] = resolveRunArgument(runs, argument, request.defaultCheckpoint);
        const auto evaluation = store.runEvaluation(run.id, checkpoint, request.split);
        if (!evaluation)
            throw Error(
                QStringLiteral("run %1 (\"%2\") has no stored evaluation of %3 on %4 (it has: %5); evaluate it with "
                               "`ftstudio-cli eval %1 --checkpoint %3%6`")
                    .arg(run.id)
                    .arg(run.name, checkpoint, request.split, evaluationList(store.runEvaluations(run.id)),
                         request.split == QLatin1String("val") ? QString()
                                                               : QStringLiteral(" --split %1").arg(request.split)));
        columns.push_back({*evaluation, QStringLiteral("#%1 %2 (%3)").arg(run.id).arg(run.name, checkpoint),
                           store.outputs(*evaluation)});
        if (columns.back().outputs.empty())
            throw Error(
                QStringLiteral(
                    "run %1's evaluation of %2 on %3 has no generated outputs (it computed only the loss); evaluate "
                    "it again with generation metrics")
                    .arg(run.id)
                    .arg(checkpoint, request.split));
    }
    if (request.withBase) {
        const auto base = store.baseEvaluationFor(columns.front().evaluation);
        if (!base || store.outputs(*base).empty())
            throw Error(
                QStringLiteral(
                    "the base model %1 has no cached evaluation on the same examples with the same settings as %2; "
                    "create it with `ftstudio-cli eval %3 --checkpoint %4 --base`")
                    .arg(columns.front().evaluation.modelPath, columns.front().label)
                    .arg(columns.front().evaluation.runId)
                    .arg(columns.front().evaluation.checkpoint));
        columns.insert(columns.begin(),
                       ComparisonColumn{*base, QStringLiteral("base %1").arg(QFileInfo(base->modelPath).fileName()),
                                        store.outputs(*base)});
    }
    for (size_t c = 1; c < columns.size(); ++c)
        if (columns[c].evaluation.settingsKey != columns[0].evaluation.settingsKey)
            err() << "note: " << columns[c].label << " was generated with other settings than " << columns[0].label
                  << " ("
                  << QString::fromUtf8(
                         QJsonDocument(columns[c].evaluation.settings[QStringLiteral("generation")].toObject())
                             .toJson(QJsonDocument::Compact))
                  << " vs "
                  << QString::fromUtf8(
                         QJsonDocument(columns[0].evaluation.settings[QStringLiteral("generation")].toObject())
                             .toJson(QJsonDocument::Compact))
                  << ")\n"
                  << Qt::flush;

    return columns;
}

void printComparisonJson(const Comparison& comparison, const CompareRequest& request, qint64 totalRows)
{
    QJsonArray columnArray;
    for (const ComparisonColumn& c : comparison.columns) {
        QJsonObject column{{QStringLiteral("label"), c.label},
                           {QStringLiteral("kind"),
                            c.evaluation.kind == EvaluationKind::Base ? QStringLiteral("base") : QStringLiteral("run")},
                           {QStringLiteral("evaluation_id"), c.evaluation.id},
                           {QStringLiteral("split"), c.evaluation.split},
                           {QStringLiteral("examples"), c.evaluation.examples},
                           {QStringLiteral("metrics"), metricsJson(c.evaluation.metrics)},
                           {QStringLiteral("settings"), c.evaluation.settings}};
        if (c.evaluation.kind == EvaluationKind::Run) {
            column[QStringLiteral("run_id")] = c.evaluation.runId;
            column[QStringLiteral("checkpoint")] = c.evaluation.checkpoint;
        } else {
            column[QStringLiteral("model")] = c.evaluation.modelPath;
            column[QStringLiteral("model_id")] = c.evaluation.modelId;
        }
        columnArray.append(column);
    }
    QJsonArray rowArray;
    for (const ComparisonRow& row : comparison.rows) {
        QJsonArray outputs;
        for (const auto& output : row.outputs)
            outputs.append(output ? QJsonValue(outputJson(*output)) : QJsonValue());
        rowArray.append(QJsonObject{{QStringLiteral("index"), row.index},
                                    {QStringLiteral("key"), row.key},
                                    {QStringLiteral("prompt"), row.prompt},
                                    {QStringLiteral("reference"), row.reference},
                                    {QStringLiteral("difference"), row.difference},
                                    {QStringLiteral("outputs"), outputs}});
    }
    printJson({{QStringLiteral("metric"), comparison.metric},
               {QStringLiteral("sort"), request.sortName},
               {QStringLiteral("split"), request.split},
               {QStringLiteral("columns"), columnArray},
               {QStringLiteral("rows"), rowArray},
               {QStringLiteral("total_rows"), totalRows},
               {QStringLiteral("unmatched"), comparison.unmatched}});
}

void printComparisonTable(const Comparison& comparison, const CompareRequest& request, qint64 totalRows)
{
    QTextStream& s = out();
    s << "Evaluations on " << request.split << ", " << totalRows << " examples; per-example " << comparison.metric
      << ", sorted by "
      << (request.sort == ComparisonSort::Difference
              ? QStringLiteral("difference from %1").arg(comparison.columns.front().label)
          : request.sort == ComparisonSort::Score ? QStringLiteral("score")
                                                  : QStringLiteral("index"))
      << ".\n\n";
    QStringList headers{QStringLiteral("COLUMN"), QStringLiteral("EXAMPLES")};
    const QStringList metricNames{QStringLiteral("loss"),          QStringLiteral("perplexity"),
                                  QStringLiteral("bleu"),          QStringLiteral("rouge-l"),
                                  QStringLiteral("exact-match"),   QStringLiteral("f1"),
                                  QStringLiteral("response-words")};
    for (const QString& name : metricNames)
        headers << name.toUpper();
    std::vector<QStringList> rows;
    for (const ComparisonColumn& c : comparison.columns) {
        QStringList row{oneLine(c.label, 40), QString::number(c.evaluation.examples)};
        for (const QString& name : metricNames) {
            const auto it = c.evaluation.metrics.find(name);
            row << (it == c.evaluation.metrics.end() ? QStringLiteral("-") : settingNumber(it->second));
        }
        rows.push_back(row);
    }
    printTable(headers, rows);
    if (comparison.unmatched > 0)
        s << "(" << comparison.unmatched << " examples of later columns are not in the first one and are not shown)\n";
    auto text = [&](const QString& value) { return request.full ? value : oneLine(value, 110); };
    int labelWidth = 10;
    for (const ComparisonColumn& c : comparison.columns)
        labelWidth = std::max(labelWidth, static_cast<int>(std::min<qsizetype>(c.label.size(), 32)));
    for (const ComparisonRow& row : comparison.rows) {
        s << "\n#" << row.index << "  " << comparison.metric << " difference " << (row.difference > 0 ? "+" : "")
          << QString::number(row.difference, 'f', 3) << "\n";
        s << "  " << QStringLiteral("prompt").leftJustified(labelWidth) << "  " << text(row.prompt) << "\n";
        s << "  " << QStringLiteral("reference").leftJustified(labelWidth) << "  " << text(row.reference) << "\n";
        for (size_t c = 0; c < row.outputs.size(); ++c) {
            const QString label = comparison.columns[c].label.left(32).leftJustified(labelWidth);
            if (!row.outputs[c]) {
                s << "  " << label << "  (not evaluated)\n";
                continue;
            }
            s << "  " << label << "  " << text(row.outputs[c]->output) << "\n";
            s << "  " << QString(labelWidth, QLatin1Char(' ')) << "  [" << scoreLine(*row.outputs[c]) << "]\n";
        }
    }
    if (request.limit > 0 && request.limit < totalRows)
        s << "\n(" << totalRows - request.limit << " more examples: --limit 0 shows all)\n";
    s.flush();
}

} // namespace

int runEvalCompare(const QStringList& args)
{
    QCommandLineParser parser;
    parser.addPositionalArgument(
        QStringLiteral("RUN"),
        QStringLiteral("Runs (ids or names), each optionally RUN@CHECKPOINT (e.g. 3@best, 3@step-200)."),
        QStringLiteral("RUN[@CHECKPOINT]..."));
    parser.addOptions({
        {QStringLiteral("base"),
         QStringLiteral(
             "Add the base model's column (its cached evaluation on the same examples with the same settings).")},
        {QStringLiteral("checkpoint"),
         QStringLiteral("The evaluated checkpoint of runs given without @ (default final)."), QStringLiteral("C"),
         QStringLiteral("final")},
        {QStringLiteral("split"), QStringLiteral("The evaluated split (default val; a file's is file:NAME)."),
         QStringLiteral("SPLIT"), QStringLiteral("val")},
        {QStringLiteral("metric"),
         QStringLiteral("Per-example score compared and sorted by: rouge-l (default), bleu, f1, exact-match."),
         QStringLiteral("M"), QStringLiteral("rouge-l")},
        {QStringLiteral("sort"),
         QStringLiteral("diff (largest difference from the first column first; default), score (last column's, highest "
                        "first) or index."),
         QStringLiteral("ORDER"), QStringLiteral("diff")},
        {QStringLiteral("limit"),
         QStringLiteral("Show only the first N examples (default: 10 in the table, all with --json)."),
         QStringLiteral("N")},
        {QStringLiteral("full"), QStringLiteral("Print whole texts instead of one line each.")},
    });
    addWorkspaceOptions(parser);
    if (!parseArguments(
            parser, args,
            QStringLiteral("Show the stored outputs of evaluations side by side: prompt, reference, the base "
                           "model's output (--base) and each run's, with per-example scores, sorted so that the "
                           "examples that improved or regressed most come first. Evaluate first with "
                           "`ftstudio-cli eval RUN [--base]`.")))
        return 0;
    const CompareRequest request = parseCompareRequest(parser);
    const Workspace workspace = openWorkspace(parser);
    Comparison comparison = compareEvaluations(loadColumns(workspace, request), request.metric, request.sort);
    const qint64 totalRows = static_cast<qint64>(comparison.rows.size());
    if (request.limit > 0 && request.limit < totalRows)
        comparison.rows.resize(static_cast<size_t>(request.limit));
    if (request.json)
        printComparisonJson(comparison, request, totalRows);
    else
        printComparisonTable(comparison, request, totalRows);
    return 0;
}

} // namespace ft::cli
