// ftstudio-cli dataset list|show|create|delete, and the table of every dataset subcommand.

#include <QJsonArray>

#include "cli_common.h"
#include "cli_workspace.h"
#include "commands.h"
#include "common/error.h"

namespace ft::cli {

namespace {

int runDatasetList(const QStringList& args)
{
    QCommandLineParser parser;
    addWorkspaceOptions(parser);
    if (!parseArguments(parser, args,
                        QStringLiteral("List the datasets of the workspace with their sizes, splits and versions.")))
        return 0;
    requirePositional(parser, 0, QStringLiteral("no arguments"));
    const Workspace workspace = openWorkspace(parser);
    const std::vector<DatasetInfo> datasets = DatasetStore(workspace.database()).list();
    if (jsonRequested(parser)) {
        QJsonArray array;
        for (const DatasetInfo& dataset : datasets)
            array.append(datasetJson(dataset));
        printJson({{QStringLiteral("workspace"), workspace.path()}, {QStringLiteral("datasets"), array}});
        return 0;
    }
    if (datasets.empty()) {
        out() << "No datasets in " << workspace.path() << " (add one with 'ftstudio-cli dataset import FILE').\n";
        return 0;
    }
    std::vector<QStringList> rows;
    for (const DatasetInfo& d : datasets)
        rows.push_back({QString::number(d.id), d.name, QString::number(d.examples), QString::number(d.train),
                        QString::number(d.validation), QString::number(d.test), QString::number(d.version),
                        localTime(d.modified)});
    printTable({QStringLiteral("ID"), QStringLiteral("NAME"), QStringLiteral("EXAMPLES"), QStringLiteral("TRAIN"),
                QStringLiteral("VAL"), QStringLiteral("TEST"), QStringLiteral("VERSION"), QStringLiteral("MODIFIED")},
               rows);
    return 0;
}

void printExample(const StoredExample& e)
{
    QTextStream& s = out();
    s << "#" << e.id << "  [" << splitLabel(e.split) << "]";
    if (!e.tags.isEmpty())
        s << "  tags: " << e.tags.join(QStringLiteral(", "));
    if (e.flags != 0)
        s << "  flags: " << exampleFlagNames(e.flags);
    if (!e.source.isEmpty())
        s << "  source: " << e.source;
    s << "\n";
    if (!e.record.system.isEmpty())
        s << "system:      " << e.record.system << "\n";
    if (e.record.isMultiTurn()) {
        for (const ChatTurn& turn : e.record.turns)
            s << (turn.role == ChatTurn::Role::User ? "user:        " : "assistant:   ") << turn.content << "\n";
    } else {
        s << "instruction: " << e.record.instruction << "\n";
        if (!e.record.input.isEmpty())
            s << "input:       " << e.record.input << "\n";
        s << "response:    " << e.record.response << "\n";
    }
    if (!e.notes.isEmpty())
        s << "notes:       " << e.notes << "\n";
    s << "\n";
}

int runDatasetShow(const QStringList& args)
{
    QCommandLineParser parser;
    parser.addPositionalArgument(QStringLiteral("DATASET"), QStringLiteral("The dataset's name or id."));
    parser.addOptions({
        {QStringLiteral("offset"), QStringLiteral("Skip this many examples (default 0)."), QStringLiteral("N"),
         QStringLiteral("0")},
        {QStringLiteral("limit"), QStringLiteral("Show at most N examples (default 10; 0: none, only the summary)."),
         QStringLiteral("N"), QStringLiteral("10")},
        {QStringLiteral("search"),
         QStringLiteral("Only examples containing every word of TEXT (full-text search; word* for a prefix)."),
         QStringLiteral("TEXT")},
        {QStringLiteral("tag"), QStringLiteral("Only examples with this tag (repeatable)."), QStringLiteral("TAG")},
        {QStringLiteral("split"), QStringLiteral("Only this split: train, val or test."), QStringLiteral("SPLIT")},
        {QStringLiteral("flag"),
         QStringLiteral("Only examples flagged by validation: duplicate, too-long, empty, pii, control-characters."),
         QStringLiteral("FLAG")},
        {QStringLiteral("sort"),
         QStringLiteral("Order by position (default), instruction, response, length, tags, split, modified, relevance; "
                        "add :desc to reverse, e.g. length:desc."),
         QStringLiteral("COLUMN")},
        {QStringLiteral("full"), QStringLiteral("Print whole examples instead of one line each.")},
    });
    addWorkspaceOptions(parser);
    if (!parseArguments(
            parser, args,
            QStringLiteral("Show a dataset: its summary, tags, and a page of its examples, filtered and sorted.")))
        return 0;
    const QString name = requirePositional(parser, 1, QStringLiteral("DATASET"))[0];

    ExampleFilter filter;
    filter.search = parser.value(QStringLiteral("search"));
    filter.tags = parser.values(QStringLiteral("tag"));
    filter.split = splitOption(parser, QStringLiteral("split"));
    for (const QString& flag : parser.values(QStringLiteral("flag"))) {
        const int bit = exampleFlagFromName(flag);
        if (bit == 0)
            throw UsageError{QStringLiteral("unknown --flag \"%1\"").arg(flag)};
        filter.flagsAny |= bit;
    }
    ExampleSort sort;
    if (parser.isSet(QStringLiteral("sort"))) {
        QString column = parser.value(QStringLiteral("sort"));
        if (column.endsWith(QLatin1String(":desc"))) {
            sort.descending = true;
            column.chop(5);
        }
        const auto parsed = exampleColumnFromName(column);
        if (!parsed)
            throw UsageError{QStringLiteral("unknown --sort column \"%1\"").arg(column)};
        sort.column = *parsed;
    }
    const qint64 offset = integerOption(parser, QStringLiteral("offset"), 0);
    const qint64 limit = integerOption(parser, QStringLiteral("limit"), 0);

    const Workspace workspace = openWorkspace(parser);
    const DatasetInfo dataset = DatasetStore(workspace.database()).resolve(name);
    ExampleStore store(workspace.database());
    const qint64 matching = store.count(dataset.id, filter);
    const std::vector<StoredExample> page =
        limit > 0 ? store.examples(dataset.id, filter, sort, offset, limit) : std::vector<StoredExample>{};
    const auto tags = store.tagCounts(dataset.id);

    if (jsonRequested(parser)) {
        QJsonObject tagJson;
        for (const auto& [tag, count] : tags)
            tagJson[tag] = count;
        QJsonArray examples;
        for (const StoredExample& e : page)
            examples.append(exampleJson(e));
        printJson({{QStringLiteral("dataset"), datasetJson(dataset)},
                   {QStringLiteral("tags"), tagJson},
                   {QStringLiteral("matching"), matching},
                   {QStringLiteral("offset"), offset},
                   {QStringLiteral("examples"), examples}});
        return 0;
    }
    QTextStream& s = out();
    s << "Dataset:     " << dataset.name << " (id " << dataset.id << ", version " << dataset.version << ")\n";
    if (!dataset.description.isEmpty())
        s << "Description: " << dataset.description << "\n";
    s << "Examples:    " << dataset.examples << " (train " << dataset.train << ", val " << dataset.validation
      << ", test " << dataset.test << ")\n"
      << "Modified:    " << localTime(dataset.modified) << "\n";
    if (!tags.empty()) {
        QStringList list;
        for (const auto& [tag, count] : tags)
            list << QStringLiteral("%1 (%2)").arg(tag).arg(count);
        s << "Tags:        " << list.join(QStringLiteral(", ")) << "\n";
    }
    if (limit == 0) {
        s.flush();
        return 0;
    }
    s << "Showing:     " << (page.empty() ? 0 : offset + 1) << "-" << offset + qint64(page.size()) << " of " << matching
      << (matching != dataset.examples ? " matching" : "") << "\n\n";
    s.flush();
    if (parser.isSet(QStringLiteral("full"))) {
        for (const StoredExample& e : page)
            printExample(e);
        s.flush();
        return 0;
    }
    std::vector<QStringList> rows;
    for (const StoredExample& e : page) {
        const QString prompt = e.record.isMultiTurn() ? QStringLiteral("[%1 turns] ").arg(e.record.turns.size()) +
                                                            e.record.turns.front().content
                                                      : e.record.instruction;
        const QString answer = e.record.isMultiTurn() ? e.record.turns.back().content : e.record.response;
        rows.push_back({QString::number(e.id), splitLabel(e.split), oneLine(e.tags.join(QLatin1Char(',')), 20),
                        oneLine(prompt, 48), oneLine(answer, 48)});
    }
    printTable({QStringLiteral("ID"), QStringLiteral("SPLIT"), QStringLiteral("TAGS"), QStringLiteral("INSTRUCTION"),
                QStringLiteral("RESPONSE")},
               rows);
    return 0;
}

int runDatasetCreate(const QStringList& args)
{
    QCommandLineParser parser;
    parser.addPositionalArgument(QStringLiteral("NAME"), QStringLiteral("The new dataset's name."));
    parser.addOption(
        {QStringLiteral("description"), QStringLiteral("What the dataset is for."), QStringLiteral("TEXT")});
    addWorkspaceOptions(parser);
    if (!parseArguments(parser, args, QStringLiteral("Create an empty dataset.")))
        return 0;
    const QString name = requirePositional(parser, 1, QStringLiteral("NAME"))[0];
    const Workspace workspace = openWorkspace(parser);
    DatasetStore datasets(workspace.database());
    const qint64 id = datasets.create(name, parser.value(QStringLiteral("description")));
    if (jsonRequested(parser))
        printJson(datasetJson(*datasets.find(id)));
    else
        out() << "created dataset \"" << datasets.find(id)->name << "\" (id " << id << ")\n";
    return 0;
}

int runDatasetDelete(const QStringList& args)
{
    QCommandLineParser parser;
    parser.addPositionalArgument(QStringLiteral("DATASET"), QStringLiteral("The dataset's name or id."));
    parser.addOption({QStringLiteral("yes"), QStringLiteral("Do not ask for confirmation.")});
    addWorkspaceOptions(parser);
    if (!parseArguments(parser, args,
                        QStringLiteral("Delete a dataset and all its examples. Runs trained on it keep their "
                                       "frozen snapshot and the dataset's name and version.")))
        return 0;
    const QString name = requirePositional(parser, 1, QStringLiteral("DATASET"))[0];
    const Workspace workspace = openWorkspace(parser);
    DatasetStore datasets(workspace.database());
    const DatasetInfo dataset = datasets.resolve(name);
    if (!confirm(QStringLiteral("Delete dataset \"%1\" with its %2 examples?").arg(dataset.name).arg(dataset.examples),
                 parser.isSet(QStringLiteral("yes")))) {
        err() << "nothing deleted\n";
        return 1;
    }
    datasets.remove(dataset.id);
    if (jsonRequested(parser))
        printJson({{QStringLiteral("deleted"), datasetJson(dataset)}});
    else
        out() << "deleted dataset \"" << dataset.name << "\" (" << dataset.examples << " examples)\n";
    return 0;
}

} // namespace

int runDataset(const QStringList& args)
{
    static const std::vector<Subcommand> subcommands = {
        {"list", "list the datasets of the workspace", runDatasetList},
        {"show", "show a dataset's summary and examples (search, filter, sort, page)", runDatasetShow},
        {"create", "create an empty dataset", runDatasetCreate},
        {"delete", "delete a dataset and its examples", runDatasetDelete},
        {"import", "import a file (Alpaca, Dolly, ShareGPT, OpenAI, CSV/TSV, text, studio JSONL)", runDatasetImport},
        {"export", "write a dataset or one split in any format", runDatasetExport},
        {"validate", "report empty, duplicate, too long, control-character and PII examples (saved as flags)",
         runDatasetValidate},
        {"dedup", "find exact and near duplicates; remove them with --apply", runDatasetDedup},
        {"mask-pii", "replace personal data by placeholders; write with --apply", runDatasetMaskPii},
        {"split", "assign train/val/test, seeded, optionally stratified by tag", runDatasetSplit},
        {"stats", "token-length statistics and histogram under a tokenizer and template", runDatasetStats},
        // Run by ftstudio-engine (--fill generates): main() hands it over before this table is read.
        {"generate", "synthetic examples from a template; --fill MODEL generates empty responses", nullptr},
    };
    return dispatchSubcommand(args, QStringLiteral("dataset"), subcommands);
}

} // namespace ft::cli
