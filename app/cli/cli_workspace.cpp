#include "cli_workspace.h"

#include <cstdio>
#include <unistd.h>

#include <QDateTime>
#include <QJsonArray>
#include <QTextStream>

#include "cli_common.h"
#include "store/store_sql.h"

namespace ft::cli {

int dispatchSubcommand(const QStringList& args, const QString& group, const std::vector<Subcommand>& subcommands)
{
    const QString name = args.size() > 1 ? args[1] : QString();
    for (const Subcommand& subcommand : subcommands) {
        if (name != QLatin1String(subcommand.name))
            continue;
        if (!subcommand.run) // an engine command that reached the wrong program
            throw UsageError{QStringLiteral("%1 %2 is run by ftstudio-engine").arg(group, name)};
        QStringList subArgs = args.mid(1);
        subArgs[0] = QStringLiteral("ftstudio-cli %1 %2").arg(group, name);
        return subcommand.run(subArgs);
    }
    const bool help = name == QLatin1String("--help") || name == QLatin1String("-h");
    QTextStream& stream = help ? out() : err();
    stream << "Usage: ftstudio-cli " << group << " <subcommand> [options]\n\nSubcommands:\n";
    for (const Subcommand& subcommand : subcommands)
        stream << QStringLiteral("  %1%2\n")
                      .arg(QLatin1String(subcommand.name), -10)
                      .arg(QLatin1String(subcommand.summary));
    stream << "\nEvery subcommand has --help, --json and --workspace DIR.\n";
    stream.flush();
    if (help)
        return 0;
    throw UsageError{name.isEmpty() ? QStringLiteral("expected a subcommand")
                                    : QStringLiteral("unknown subcommand '%1'").arg(name)};
}

void addWorkspaceOptions(QCommandLineParser& parser)
{
    parser.addOption(
        {QStringLiteral("workspace"),
         QStringLiteral("The workspace folder (default: $FT_WORKSPACE, else %1).").arg(Workspace::defaultPath()),
         QStringLiteral("DIR")});
    parser.addOption({QStringLiteral("json"), QStringLiteral("Print the result as JSON.")});
}

Workspace openWorkspace(const QCommandLineParser& parser)
{
    Workspace workspace = Workspace::open(parser.value(QStringLiteral("workspace")));
    for (const QString& warning : workspace.warnings())
        err() << "warning: " << warning << "\n";
    err().flush();
    return workspace;
}

bool jsonRequested(const QCommandLineParser& parser) { return parser.isSet(QStringLiteral("json")); }

bool confirm(const QString& question, bool assumeYes)
{
    if (assumeYes)
        return true;
    if (!isatty(STDIN_FILENO))
        throw UsageError{QStringLiteral("%1 -- pass --yes to confirm without a terminal").arg(question)};
    err() << question << " [y/N] ";
    err().flush();
    QTextStream in(stdin);
    const QString answer = in.readLine().trimmed().toLower();
    return answer == QLatin1String("y") || answer == QLatin1String("yes");
}

namespace {
bool g_progressShown = false;
}

ProgressCallback terminalProgress(const QString& label)
{
    if (!isatty(STDERR_FILENO))
        return {};
    return [label, lastPercent = -1](int64_t done, int64_t total) mutable {
        const int percent = total > 0 ? static_cast<int>(100 * done / total) : 0;
        if (percent != lastPercent) {
            lastPercent = percent;
            err() << "\r" << label << "  " << percent << "%";
            err().flush();
            g_progressShown = true;
        }
        return true;
    };
}

void endProgress()
{
    if (!g_progressShown)
        return;
    err() << "\r\033[K";
    err().flush();
    g_progressShown = false;
}

std::optional<Split> splitOption(const QCommandLineParser& parser, const QString& name)
{
    if (!parser.isSet(name))
        return std::nullopt;
    const auto split = store::splitFromText(parser.value(name));
    if (!split)
        throw UsageError{QStringLiteral("--%1 expects train, val or test (got \"%2\")").arg(name, parser.value(name))};
    return split;
}

qint64 integerOption(const QCommandLineParser& parser, const QString& name, qint64 minimum)
{
    bool ok = false;
    const qint64 value = parser.value(name).toLongLong(&ok);
    if (!ok || value < minimum)
        throw UsageError{QStringLiteral("--%1 expects an integer of at least %2 (got \"%3\")")
                             .arg(name)
                             .arg(minimum)
                             .arg(parser.value(name))};
    return value;
}

double numberOption(const QCommandLineParser& parser, const QString& name, double minimum, double maximum)
{
    bool ok = false;
    const double value = parser.value(name).toDouble(&ok);
    if (!ok || value < minimum || value > maximum)
        throw UsageError{QStringLiteral("--%1 expects a number from %2 to %3 (got \"%4\")")
                             .arg(name)
                             .arg(minimum)
                             .arg(maximum)
                             .arg(parser.value(name))};
    return value;
}

void printTable(const QStringList& headers, const std::vector<QStringList>& rows)
{
    std::vector<int> widths;
    for (const QString& header : headers)
        widths.push_back(static_cast<int>(header.size()));
    for (const QStringList& row : rows)
        for (int i = 0; i < row.size() && i < static_cast<int>(widths.size()); ++i)
            widths[size_t(i)] = std::max(widths[size_t(i)], static_cast<int>(row[i].size()));
    auto printRow = [&](const QStringList& cells) {
        QString line;
        for (int i = 0; i < cells.size(); ++i)
            line += i + 1 == cells.size() ? cells[i] : cells[i].leftJustified(widths[size_t(i)]) + QStringLiteral("  ");
        out() << line.trimmed() << "\n";
    };
    printRow(headers);
    for (const QStringList& row : rows)
        printRow(row);
    out().flush();
}

QString oneLine(const QString& text, int width)
{
    QString line = text;
    line.replace(QLatin1Char('\n'), QChar(0x23CE))
        .replace(QLatin1Char('\r'), QString())
        .replace(QLatin1Char('\t'), QLatin1Char(' '));
    if (line.size() > width)
        line = line.left(width - 1) + QChar(0x2026);
    return line;
}

QString localTime(qint64 msSinceEpoch)
{
    return QDateTime::fromMSecsSinceEpoch(msSinceEpoch).toString(QStringLiteral("yyyy-MM-dd HH:mm"));
}

QString isoTime(qint64 msSinceEpoch)
{
    return QDateTime::fromMSecsSinceEpoch(msSinceEpoch, Qt::UTC).toString(Qt::ISODateWithMs);
}

QString splitLabel(Split split) { return store::splitToSql(split); }

QJsonObject datasetJson(const DatasetInfo& dataset)
{
    return {{QStringLiteral("id"), dataset.id},
            {QStringLiteral("name"), dataset.name},
            {QStringLiteral("description"), dataset.description},
            {QStringLiteral("version"), dataset.version},
            {QStringLiteral("examples"), dataset.examples},
            {QStringLiteral("train"), dataset.train},
            {QStringLiteral("val"), dataset.validation},
            {QStringLiteral("test"), dataset.test},
            {QStringLiteral("created"), isoTime(dataset.created)},
            {QStringLiteral("modified"), isoTime(dataset.modified)}};
}

QJsonObject exampleJson(const StoredExample& example)
{
    QJsonObject json = example.record.toJson();
    json[QStringLiteral("id")] = example.id;
    json[QStringLiteral("position")] = example.position;
    json[QStringLiteral("tags")] = QJsonArray::fromStringList(example.tags);
    json[QStringLiteral("split")] = splitLabel(example.split);
    json[QStringLiteral("source")] = example.source;
    json[QStringLiteral("notes")] = example.notes;
    json[QStringLiteral("flags")] =
        QJsonArray::fromStringList(exampleFlagNames(example.flags).split(QLatin1Char(','), Qt::SkipEmptyParts));
    json[QStringLiteral("modified")] = isoTime(example.modified);
    return json;
}

QJsonObject runJson(const RunInfo& run)
{
    auto optionalInt = [](const std::optional<qint64>& value) { return value ? QJsonValue(*value) : QJsonValue(); };
    auto optionalTime = [](const std::optional<qint64>& value) {
        return value ? QJsonValue(isoTime(*value)) : QJsonValue();
    };
    return {{QStringLiteral("id"), run.id},
            {QStringLiteral("name"), run.name},
            {QStringLiteral("status"), runStatusName(run.status)},
            {QStringLiteral("mode"), run.mode},
            {QStringLiteral("base_model_path"), run.baseModelPath},
            {QStringLiteral("base_model_id"), run.baseModelId},
            {QStringLiteral("dataset_id"), optionalInt(run.datasetId)},
            {QStringLiteral("dataset_name"), run.datasetName},
            {QStringLiteral("dataset_version"), optionalInt(run.datasetVersion)},
            {QStringLiteral("train_sha256"), run.trainSha256},
            {QStringLiteral("val_sha256"), run.valSha256},
            {QStringLiteral("run_dir"), run.runDir},
            {QStringLiteral("pid"), optionalInt(run.pid)},
            {QStringLiteral("host"), run.host},
            {QStringLiteral("created"), isoTime(run.created)},
            {QStringLiteral("started"), optionalTime(run.started)},
            {QStringLiteral("finished"), optionalTime(run.finished)},
            {QStringLiteral("tokens_seen"), run.tokensSeen},
            {QStringLiteral("best_val_loss"), run.bestValLoss ? QJsonValue(*run.bestValLoss) : QJsonValue()},
            {QStringLiteral("notes"), run.notes},
            {QStringLiteral("tags"), QJsonArray::fromStringList(run.tags)},
            {QStringLiteral("message"), run.message},
            {QStringLiteral("config"), run.config}};
}

} // namespace ft::cli
