// ftstudio-cli dataset import FILE | export DATASET OUT: files in, files out.

#include <QFileInfo>
#include <QJsonArray>

#include "cli_common.h"
#include "cli_workspace.h"
#include "commands.h"
#include "common/error.h"
#include "store/dataset_export.h"
#include "store/dataset_import.h"

namespace ft::cli {

namespace {

DatasetFormat formatOption(const QString& name)
{
    const auto format = datasetFormatFromName(name);
    if (!format)
        throw UsageError{QStringLiteral("unknown format \"%1\"; expected one of: %2")
                             .arg(name, datasetFormatNames().join(QStringLiteral(", ")))};
    return *format;
}

// "instruction=question,response=answer" over the detected mapping.
ColumnMapping mappingOption(const QString& text, ColumnMapping mapping)
{
    for (const QString& pair : text.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        const int equals = pair.indexOf(QLatin1Char('='));
        const QString field = pair.left(equals).trimmed().toLower();
        const QString column = equals < 0 ? QString() : pair.mid(equals + 1).trimmed();
        QString* target = field == QLatin1String("instruction") ? &mapping.instruction
                          : field == QLatin1String("input")     ? &mapping.input
                          : field == QLatin1String("response")  ? &mapping.response
                          : field == QLatin1String("system")    ? &mapping.system
                          : field == QLatin1String("tags")      ? &mapping.tags
                                                                : nullptr;
        if (equals < 0 || !target)
            throw UsageError{
                QStringLiteral("--map expects FIELD=COLUMN pairs with FIELD one of instruction, input, response, "
                               "system, tags (got \"%1\")")
                    .arg(pair)};
        *target = column;
    }
    return mapping;
}

QString describeMapping(const ColumnMapping& m)
{
    QStringList parts;
    const std::pair<const char*, QString> fields[] = {{"instruction", m.instruction},
                                                      {"input", m.input},
                                                      {"response", m.response},
                                                      {"system", m.system},
                                                      {"tags", m.tags}};
    for (const auto& [field, column] : fields)
        parts << QStringLiteral("%1=%2").arg(QLatin1String(field),
                                             column.isEmpty() ? QStringLiteral("(none)") : column);
    return parts.join(QStringLiteral(", "));
}

bool isTable(DatasetFormat format) { return format == DatasetFormat::Csv || format == DatasetFormat::Tsv; }

DatasetFormat formatFromExtension(const QString& path)
{
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (suffix == QLatin1String("jsonl"))
        return DatasetFormat::Studio;
    if (suffix == QLatin1String("csv"))
        return DatasetFormat::Csv;
    if (suffix == QLatin1String("tsv"))
        return DatasetFormat::Tsv;
    if (suffix == QLatin1String("txt"))
        return DatasetFormat::PlainText;
    if (suffix == QLatin1String("json"))
        return DatasetFormat::Alpaca;
    throw UsageError{QStringLiteral("cannot tell the format from \"%1\": pass --format (%2)")
                         .arg(path, datasetFormatNames().join(QStringLiteral(", ")))};
}

} // namespace

int runDatasetImport(const QStringList& args)
{
    QCommandLineParser parser;
    parser.addPositionalArgument(QStringLiteral("FILE"), QStringLiteral("The file to import."));
    parser.addOptions({
        {QStringLiteral("name"),
         QStringLiteral("Name of the new dataset (default: the file's name without extension)."),
         QStringLiteral("NAME")},
        {QStringLiteral("into"), QStringLiteral("Add the examples to this existing dataset (name or id) instead."),
         QStringLiteral("DATASET")},
        {QStringLiteral("description"), QStringLiteral("Description of the new dataset."), QStringLiteral("TEXT")},
        {QStringLiteral("format"),
         QStringLiteral("The file's format: %1 (default: detected).")
             .arg(datasetFormatNames().join(QStringLiteral(", "))),
         QStringLiteral("FORMAT")},
        {QStringLiteral("map"),
         QStringLiteral("CSV/TSV columns, e.g. instruction=question,input=context,response=answer,tags=category "
                        "(default: detected from the header)."),
         QStringLiteral("FIELD=COLUMN,...")},
        {QStringLiteral("text-unit"),
         QStringLiteral("Plain text: one example per line or per paragraph (default: detected)."),
         QStringLiteral("line|paragraph")},
        {QStringLiteral("split"), QStringLiteral("Put the examples in this split: train (default), val or test."),
         QStringLiteral("SPLIT")},
        {QStringLiteral("skip-bad"), QStringLiteral("Skip bad records (each is listed) instead of importing nothing.")},
    });
    addWorkspaceOptions(parser);
    if (!parseArguments(parser, args,
                        QStringLiteral("Import a dataset file into the workspace, as one transaction: all or nothing, "
                                       "unless --skip-bad. The format and (for CSV/TSV) the column mapping are "
                                       "detected and shown; --format and --map override them.")))
        return 0;
    const QString path = requirePositional(parser, 1, QStringLiteral("FILE"))[0];
    if (!QFileInfo(path).isFile())
        throw Error(QStringLiteral("%1: no such file").arg(path));
    if (parser.isSet(QStringLiteral("name")) && parser.isSet(QStringLiteral("into")))
        throw UsageError{QStringLiteral("--name and --into exclude each other")};
    const bool json = jsonRequested(parser);

    ImportOptions options;
    QString explanation;
    if (parser.isSet(QStringLiteral("format"))) {
        options.format = formatOption(parser.value(QStringLiteral("format")));
        if (isTable(options.format) || options.format == DatasetFormat::PlainText) {
            const FormatDetection detection = detectDatasetFormat(path);
            if (detection.format == options.format)
                options = detection.options();
        }
        explanation = QStringLiteral("%1 (chosen with --format)").arg(datasetFormatName(options.format));
    } else {
        const FormatDetection detection = detectDatasetFormat(path);
        options = detection.options();
        explanation = detection.explanation;
    }
    if (parser.isSet(QStringLiteral("map"))) {
        if (!isTable(options.format))
            throw UsageError{QStringLiteral("--map applies to CSV and TSV files; this one is read as %1")
                                 .arg(datasetFormatName(options.format))};
        options.mapping = mappingOption(parser.value(QStringLiteral("map")), options.mapping);
    }
    if (parser.isSet(QStringLiteral("text-unit"))) {
        const QString unit = parser.value(QStringLiteral("text-unit"));
        if (unit != QLatin1String("line") && unit != QLatin1String("paragraph"))
            throw UsageError{QStringLiteral("--text-unit expects line or paragraph")};
        options.textUnit = unit == QLatin1String("line") ? PlainTextUnit::Line : PlainTextUnit::Paragraph;
    }
    options.skipBadRecords = parser.isSet(QStringLiteral("skip-bad"));
    if (!json) {
        const QString formatName = datasetFormatName(options.format);
        err() << "Format:  "
              << (explanation.startsWith(formatName) ? explanation : formatName + QStringLiteral(": ") + explanation)
              << "\n";
        if (isTable(options.format))
            err() << "Mapping: " << describeMapping(options.mapping) << "\n";
        if (options.format == DatasetFormat::PlainText)
            err() << "Unit:    one example per " << (options.textUnit == PlainTextUnit::Line ? "line" : "paragraph")
                  << "\n";
        err().flush();
    }

    const Workspace workspace = openWorkspace(parser);
    QSqlDatabase db = workspace.database();
    DatasetStore datasets(db);
    DatasetImportTarget target;
    target.split = splitOption(parser, QStringLiteral("split")).value_or(Split::Train);
    if (parser.isSet(QStringLiteral("into"))) {
        target.datasetId = datasets.resolve(parser.value(QStringLiteral("into"))).id;
    } else {
        target.newName = parser.isSet(QStringLiteral("name")) ? parser.value(QStringLiteral("name"))
                                                              : QFileInfo(path).completeBaseName();
        target.newDescription = parser.value(QStringLiteral("description"));
        if (const auto existing = datasets.findByName(target.newName))
            throw Error(
                QStringLiteral("a dataset named \"%1\" already exists: add to it with --into \"%1\", or choose another "
                               "--name (e.g. \"%2\")")
                    .arg(existing->name, datasets.uniqueName(target.newName)));
    }

    const DatasetImportResult result = importDataset(
        db, path, options, target, json ? ProgressCallback{} : terminalProgress(QStringLiteral("importing")));
    endProgress();
    const DatasetInfo dataset = *datasets.find(result.datasetId);
    if (json) {
        QJsonArray skipped;
        for (const ImportIssue& issue : result.skipped)
            skipped.append(
                QJsonObject{{QStringLiteral("location"), issue.location}, {QStringLiteral("reason"), issue.reason}});
        printJson({{QStringLiteral("dataset"), datasetJson(dataset)},
                   {QStringLiteral("format"), datasetFormatName(options.format)},
                   {QStringLiteral("explanation"), explanation},
                   {QStringLiteral("imported"), result.imported},
                   {QStringLiteral("multi_turn"), qint64(result.counts.multiTurn)},
                   {QStringLiteral("tool_calls"), qint64(result.counts.toolCalls)},
                   {QStringLiteral("skipped"), skipped},
                   {QStringLiteral("seconds"), result.seconds}});
        return 0;
    }
    QTextStream& s = out();
    s << "imported " << result.imported << " examples into \"" << dataset.name << "\" (id " << dataset.id
      << ", version " << dataset.version << ", " << dataset.examples << " examples in all) in "
      << QString::number(result.seconds, 'f', 2) << " s\n";
    if (result.counts.multiTurn > 0)
        s << "  " << result.counts.multiTurn << " conversations of more than one exchange, kept whole\n";
    if (result.counts.toolCalls + result.counts.toolResults + result.counts.toolDefinitions > 0)
        s << "  tool use kept as text: " << result.counts.toolCalls << " calls, " << result.counts.toolResults
          << " results, " << result.counts.toolDefinitions << " tool lists in system prompts\n";
    if (!result.skipped.empty()) {
        s << "skipped " << result.skipped.size() << " bad records:\n";
        for (const ImportIssue& issue : result.skipped)
            s << "  " << issue.location << ": " << issue.reason << "\n";
    }
    s.flush();
    return 0;
}

int runDatasetExport(const QStringList& args)
{
    QCommandLineParser parser;
    parser.addPositionalArgument(QStringLiteral("DATASET"), QStringLiteral("The dataset's name or id."));
    parser.addPositionalArgument(QStringLiteral("OUT"),
                                 QStringLiteral("The file to write (replaced atomically if it exists)."));
    parser.addOptions({
        {QStringLiteral("format"),
         QStringLiteral("%1 (default: from OUT's extension: .jsonl studio, .json alpaca, .csv, .tsv, .txt text).")
             .arg(datasetFormatNames().join(QStringLiteral(", "))),
         QStringLiteral("FORMAT")},
        {QStringLiteral("split"), QStringLiteral("Only this split: train, val or test."), QStringLiteral("SPLIT")},
    });
    addWorkspaceOptions(parser);
    if (!parseArguments(parser, args,
                        QStringLiteral("Write a dataset (or one split) to a file in any supported format. "
                                       "Conversations are refused, naming the example, by formats that cannot "
                                       "hold them (Alpaca, Dolly, CSV/TSV, text).")))
        return 0;
    const QStringList positional = requirePositional(parser, 2, QStringLiteral("DATASET and OUT"));
    const DatasetFormat format = parser.isSet(QStringLiteral("format"))
                                     ? formatOption(parser.value(QStringLiteral("format")))
                                     : formatFromExtension(positional[1]);
    const std::optional<Split> split = splitOption(parser, QStringLiteral("split"));
    const Workspace workspace = openWorkspace(parser);
    const DatasetInfo dataset = DatasetStore(workspace.database()).resolve(positional[0]);
    const qint64 written = exportDataset(workspace.database(), dataset.id, positional[1], format, split);
    if (jsonRequested(parser)) {
        printJson({{QStringLiteral("dataset"), datasetJson(dataset)},
                   {QStringLiteral("path"), QFileInfo(positional[1]).absoluteFilePath()},
                   {QStringLiteral("format"), datasetFormatName(format)},
                   {QStringLiteral("split"), split ? splitLabel(*split) : QStringLiteral("all")},
                   {QStringLiteral("examples"), written}});
        return 0;
    }
    out() << "wrote " << written << " examples of \"" << dataset.name << "\""
          << (split ? QStringLiteral(" (%1)").arg(splitLabel(*split)) : QString()) << " to "
          << QFileInfo(positional[1]).absoluteFilePath() << " as " << datasetFormatName(format) << "\n";
    return 0;
}

} // namespace ft::cli
