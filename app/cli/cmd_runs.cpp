// ftstudio-cli runs list|show|compare|delete: the run history of the workspace.

#include <cmath>
#include <map>
#include <set>

#include <QDateTime>

#include <QJsonArray>
#include <QJsonDocument>

#include "cli_common.h"
#include "cli_workspace.h"
#include "commands.h"
#include "common/error.h"
#include "store/metric_store.h"
#include "store/run_settings.h"

namespace ft::cli {

namespace {

QString number(double value) { return settingNumber(value); }

QString duration(const RunInfo& run)
{
    if (!run.started)
        return QStringLiteral("-");
    const qint64 end = run.finished
                           ? *run.finished
                           : (run.status == RunStatus::Running ? QDateTime::currentMSecsSinceEpoch() : *run.started);
    const qint64 seconds = std::max<qint64>(0, (end - *run.started) / 1000);
    if (seconds < 60)
        return QStringLiteral("%1s").arg(seconds);
    if (seconds < 3600)
        return QStringLiteral("%1m%2s").arg(seconds / 60).arg(seconds % 60, 2, 10, QLatin1Char('0'));
    return QStringLiteral("%1h%2m").arg(seconds / 3600).arg(seconds / 60 % 60, 2, 10, QLatin1Char('0'));
}

QString datasetLabel(const RunInfo& run) { return runDatasetLabel(run); }

int runRunsList(const QStringList& args)
{
    QCommandLineParser parser;
    parser.addOption({QStringLiteral("status"),
                      QStringLiteral("Only runs with this status: queued, running, finished, stopped, diverged, "
                                     "failed, interrupted."),
                      QStringLiteral("STATUS")});
    addWorkspaceOptions(parser);
    if (!parseArguments(parser, args,
                        QStringLiteral("List the runs of the workspace, newest first. A run whose worker process "
                                       "is gone while it says running is shown (and recorded) as interrupted.")))
        return 0;
    requirePositional(parser, 0, QStringLiteral("no arguments"));
    std::optional<RunStatus> status;
    if (parser.isSet(QStringLiteral("status"))) {
        status = runStatusFromName(parser.value(QStringLiteral("status")));
        if (!status)
            throw UsageError{QStringLiteral("unknown --status \"%1\"").arg(parser.value(QStringLiteral("status")))};
    }
    const Workspace workspace = openWorkspace(parser);
    const std::vector<RunInfo> runs = RunStore(workspace.database(), workspace.path()).runs(status);
    if (jsonRequested(parser)) {
        QJsonArray array;
        for (const RunInfo& run : runs) {
            QJsonObject json = runJson(run);
            json.remove(QStringLiteral("config"));
            array.append(json);
        }
        printJson({{QStringLiteral("workspace"), workspace.path()}, {QStringLiteral("runs"), array}});
        return 0;
    }
    if (runs.empty()) {
        out() << "No runs in " << workspace.path() << ".\n";
        return 0;
    }
    std::vector<QStringList> rows;
    for (const RunInfo& run : runs)
        rows.push_back({QString::number(run.id), oneLine(run.name, 30), runStatusName(run.status),
                        run.mode.isEmpty() ? QStringLiteral("-") : run.mode, oneLine(datasetLabel(run), 28),
                        run.bestValLoss ? number(*run.bestValLoss) : QStringLiteral("-"), humanCount(run.tokensSeen),
                        localTime(run.created), duration(run)});
    printTable({QStringLiteral("ID"), QStringLiteral("NAME"), QStringLiteral("STATUS"), QStringLiteral("MODE"),
                QStringLiteral("DATASET"), QStringLiteral("BEST VAL"), QStringLiteral("TOKENS"),
                QStringLiteral("CREATED"), QStringLiteral("TIME")},
               rows);
    return 0;
}

int runRunsShow(const QStringList& args)
{
    QCommandLineParser parser;
    parser.addPositionalArgument(QStringLiteral("RUN"), QStringLiteral("The run's id or name."));
    addWorkspaceOptions(parser);
    if (!parseArguments(parser, args,
                        QStringLiteral("Show a run: what it trained, how, how it ended, its final metrics, "
                                       "checkpoints, evaluations and configuration.")))
        return 0;
    const QString name = requirePositional(parser, 1, QStringLiteral("RUN"))[0];
    const Workspace workspace = openWorkspace(parser);
    RunStore runs(workspace.database(), workspace.path());
    const RunInfo run = runs.resolve(name);
    const MetricStore metrics(workspace.database());
    const auto last = metrics.last(run.id);
    const auto checkpoints = runs.checkpoints(run.id);
    const auto evaluations = metrics.evaluations(run.id);

    if (jsonRequested(parser)) {
        QJsonObject json = runJson(run);
        QJsonObject final;
        for (const auto& [metric, point] : last)
            final[metric] = QJsonObject{
                {QStringLiteral("step"), point.step},
                {QStringLiteral("value"), std::isnan(point.value) ? QJsonValue() : QJsonValue(point.value)}};
        json[QStringLiteral("final_metrics")] = final;
        QJsonArray checkpointArray;
        for (const CheckpointInfo& c : checkpoints)
            checkpointArray.append(
                QJsonObject{{QStringLiteral("step"), c.step},
                            {QStringLiteral("path"), c.path},
                            {QStringLiteral("val_loss"), c.valLoss ? QJsonValue(*c.valLoss) : QJsonValue()},
                            {QStringLiteral("best"), c.best}});
        json[QStringLiteral("checkpoints")] = checkpointArray;
        QJsonArray evaluationArray;
        for (const EvaluationRecord& e : evaluations)
            evaluationArray.append(QJsonObject{{QStringLiteral("checkpoint"), e.checkpoint},
                                               {QStringLiteral("split"), e.split},
                                               {QStringLiteral("metric"), e.metric},
                                               {QStringLiteral("value"), e.value}});
        json[QStringLiteral("evaluations")] = evaluationArray;
        printJson(json);
        return 0;
    }
    QTextStream& s = out();
    s << "Run:        " << run.name << " (id " << run.id << ")\n"
      << "Status:     " << runStatusName(run.status)
      << (run.message.isEmpty() ? QString() : QStringLiteral(" - ") + run.message) << "\n"
      << "Mode:       " << (run.mode.isEmpty() ? QStringLiteral("-") : run.mode) << "\n"
      << "Base model: " << (run.baseModelPath.isEmpty() ? QStringLiteral("-") : run.baseModelPath)
      << (run.baseModelId.isEmpty() ? QString() : QStringLiteral(" [%1]").arg(run.baseModelId.left(12))) << "\n"
      << "Dataset:    " << datasetLabel(run)
      << (run.trainSha256.isEmpty() ? QString() : QStringLiteral(", train sha256 %1").arg(run.trainSha256.left(12)))
      << "\n"
      << "Folder:     " << (run.runDir.isEmpty() ? QStringLiteral("-") : run.runDir) << "\n"
      << "Created:    " << localTime(run.created)
      << (run.started ? QStringLiteral(", started %1").arg(localTime(*run.started)) : QString())
      << (run.finished ? QStringLiteral(", finished %1").arg(localTime(*run.finished)) : QString()) << " ("
      << duration(run) << ")\n";
    if (run.pid)
        s << "Worker:     pid " << *run.pid << " on " << run.host << "\n";
    s << "Tokens:     " << humanCount(run.tokensSeen) << "\n"
      << "Best val:   " << (run.bestValLoss ? number(*run.bestValLoss) : QStringLiteral("-")) << "\n";
    if (!run.tags.isEmpty())
        s << "Tags:       " << run.tags.join(QStringLiteral(", ")) << "\n";
    if (!run.notes.isEmpty())
        s << "Notes:      " << run.notes << "\n";
    if (!last.empty()) {
        s << "\nFinal metrics:\n";
        for (const auto& [metric, point] : last)
            s << "  " << metric.leftJustified(20) << " " << number(point.value) << "  (step " << point.step << ")\n";
    }
    if (!checkpoints.empty()) {
        s << "\nCheckpoints:\n";
        for (const CheckpointInfo& c : checkpoints)
            s << "  step " << c.step << (c.valLoss ? QStringLiteral("  val %1").arg(number(*c.valLoss)) : QString())
              << (c.best ? "  best" : "") << "  " << c.path << "\n";
    }
    if (!evaluations.empty()) {
        s << "\nEvaluations:\n";
        for (const EvaluationRecord& e : evaluations)
            s << "  " << e.checkpoint << " / " << e.split << "  " << e.metric << " = " << number(e.value) << "\n";
    }
    if (!run.config.isEmpty())
        s << "\nConfiguration:\n" << QString::fromUtf8(QJsonDocument(run.config).toJson(QJsonDocument::Indented));
    s.flush();
    return 0;
}

int runRunsCompare(const QStringList& args)
{
    QCommandLineParser parser;
    parser.addPositionalArgument(QStringLiteral("RUN"), QStringLiteral("Two or more runs (ids or names)."),
                                 QStringLiteral("RUN RUN..."));
    parser.addOption({QStringLiteral("all"), QStringLiteral("Show every setting, not only those that differ.")});
    addWorkspaceOptions(parser);
    if (!parseArguments(parser, args,
                        QStringLiteral("Compare runs side by side: the settings that differ (configuration, mode, "
                                       "base model, dataset) and the final metrics.")))
        return 0;
    const QStringList names = parser.positionalArguments();
    if (names.size() < 2)
        throw UsageError{QStringLiteral("expected two or more runs to compare")};
    const Workspace workspace = openWorkspace(parser);
    RunStore store(workspace.database(), workspace.path());
    const MetricStore metrics(workspace.database());
    std::vector<RunInfo> runs;
    for (const QString& name : names)
        runs.push_back(store.resolve(name));

    // Settings: the run's own attributes, then every leaf of its configuration.
    std::vector<std::pair<QString, QStringList>> differences;
    for (const SettingRow& row : settingDifferences(runs, parser.isSet(QStringLiteral("all"))))
        differences.emplace_back(row.key, row.values);

    // Final metrics: status, tokens, best validation loss, the last value of every metric, evaluations.
    std::vector<std::pair<QString, QStringList>> finals;
    auto addFinal = [&](const QString& name, const std::function<QString(size_t)>& value) {
        QStringList values;
        for (size_t i = 0; i < runs.size(); ++i)
            values << value(i);
        finals.emplace_back(name, values);
    };
    addFinal(QStringLiteral("status"), [&](size_t i) { return runStatusName(runs[i].status); });
    addFinal(QStringLiteral("tokens_seen"), [&](size_t i) { return QString::number(runs[i].tokensSeen); });
    addFinal(QStringLiteral("best_val_loss"),
             [&](size_t i) { return runs[i].bestValLoss ? number(*runs[i].bestValLoss) : QStringLiteral("-"); });
    addFinal(QStringLiteral("time"), [&](size_t i) { return duration(runs[i]); });
    std::vector<std::map<QString, MetricPoint>> last;
    std::set<QString> metricNames;
    std::vector<std::map<QString, double>> evaluations(runs.size());
    std::set<QString> evaluationNames;
    for (size_t i = 0; i < runs.size(); ++i) {
        last.push_back(metrics.last(runs[i].id));
        for (const auto& [name, point] : last.back())
            metricNames.insert(name);
        for (const EvaluationRecord& e : metrics.evaluations(runs[i].id)) {
            const QString key = QStringLiteral("eval %1/%2/%3").arg(e.checkpoint, e.split, e.metric);
            evaluations[i][key] = e.value;
            evaluationNames.insert(key);
        }
    }
    for (const QString& name : metricNames)
        addFinal(name, [&](size_t i) {
            const auto it = last[i].find(name);
            return it == last[i].end() ? QStringLiteral("-")
                                       : QStringLiteral("%1 @%2").arg(number(it->second.value)).arg(it->second.step);
        });
    for (const QString& name : evaluationNames)
        addFinal(name, [&](size_t i) {
            const auto it = evaluations[i].find(name);
            return it == evaluations[i].end() ? QStringLiteral("-") : number(it->second);
        });

    if (jsonRequested(parser)) {
        QJsonArray runArray;
        for (const RunInfo& run : runs)
            runArray.append(QJsonObject{{QStringLiteral("id"), run.id}, {QStringLiteral("name"), run.name}});
        auto rowsJson = [](const std::vector<std::pair<QString, QStringList>>& rows) {
            QJsonArray array;
            for (const auto& [key, values] : rows)
                array.append(QJsonObject{{QStringLiteral("key"), key},
                                         {QStringLiteral("values"), QJsonArray::fromStringList(values)}});
            return array;
        };
        printJson({{QStringLiteral("runs"), runArray},
                   {QStringLiteral("differences"), rowsJson(differences)},
                   {QStringLiteral("final"), rowsJson(finals)}});
        return 0;
    }
    QStringList headers{QStringLiteral("SETTING")};
    for (const RunInfo& run : runs)
        headers << QStringLiteral("#%1 %2").arg(run.id).arg(oneLine(run.name, 24));
    std::vector<QStringList> rows;
    for (const auto& [key, values] : differences) {
        QStringList row{key};
        for (const QString& value : values)
            row << oneLine(value, 40);
        rows.push_back(row);
    }
    if (rows.empty())
        out() << "The runs have the same settings.\n";
    else
        printTable(headers, rows);
    out() << "\n";
    headers[0] = QStringLiteral("FINAL");
    rows.clear();
    for (const auto& [key, values] : finals)
        rows.push_back(QStringList{key} + values);
    printTable(headers, rows);
    return 0;
}

int runRunsDelete(const QStringList& args)
{
    QCommandLineParser parser;
    parser.addPositionalArgument(QStringLiteral("RUN"), QStringLiteral("The run's id or name."));
    parser.addOptions({
        {QStringLiteral("yes"), QStringLiteral("Do not ask for confirmation.")},
        {QStringLiteral("keep-folder"), QStringLiteral("Remove the run from the history but keep its folder.")},
    });
    addWorkspaceOptions(parser);
    if (!parseArguments(parser, args,
                        QStringLiteral("Delete a run from the history with its metrics, checkpoints and "
                                       "evaluations, and remove its folder (only a folder inside the "
                                       "workspace's runs/ is ever removed).")))
        return 0;
    const QString name = requirePositional(parser, 1, QStringLiteral("RUN"))[0];
    const Workspace workspace = openWorkspace(parser);
    RunStore runs(workspace.database(), workspace.path());
    const RunInfo run = runs.resolve(name);
    if (run.status == RunStatus::Running)
        throw Error(QStringLiteral("run %1 (\"%2\") is running (pid %3 on %4): stop it first")
                        .arg(run.id)
                        .arg(run.name)
                        .arg(run.pid.value_or(0))
                        .arg(run.host));
    const bool removeFolder = !parser.isSet(QStringLiteral("keep-folder")) && !run.runDir.isEmpty();
    const QString question = removeFolder ? QStringLiteral("Delete run %1 (\"%2\", %3) and its folder %4?")
                                                .arg(run.id)
                                                .arg(run.name, runStatusName(run.status), run.runDir)
                                          : QStringLiteral("Delete run %1 (\"%2\", %3) from the history?")
                                                .arg(run.id)
                                                .arg(run.name, runStatusName(run.status));
    if (!confirm(question, parser.isSet(QStringLiteral("yes")))) {
        err() << "nothing deleted\n";
        return 1;
    }
    bool folderRemoved = false;
    if (removeFolder) {
        folderRemoved = workspace.removeRunFolder(run.runDir);
        if (!folderRemoved)
            err() << "kept " << run.runDir << ": it is not inside " << workspace.runsPath()
                  << " (remove it yourself if you want)\n";
    }
    runs.remove(run.id);
    if (jsonRequested(parser)) {
        printJson({{QStringLiteral("deleted"), run.id},
                   {QStringLiteral("folder_removed"), folderRemoved},
                   {QStringLiteral("run_dir"), run.runDir}});
        return 0;
    }
    out() << "deleted run " << run.id << " (\"" << run.name << "\")"
          << (folderRemoved ? QStringLiteral(" and ") + run.runDir : QString()) << "\n";
    return 0;
}

} // namespace

int runRuns(const QStringList& args)
{
    static const std::vector<Subcommand> subcommands = {
        {"list", "list the runs, newest first", runRunsList},
        {"show", "show one run: data, settings, final metrics, checkpoints", runRunsShow},
        {"compare", "compare runs: settings that differ and final metrics, side by side", runRunsCompare},
        {"delete", "delete a run and its folder", runRunsDelete},
    };
    return dispatchSubcommand(args, QStringLiteral("runs"), subcommands);
}

} // namespace ft::cli
