// ftstudio-cli dataset generate [TEMPLATE.json] [--fill MODEL]: synthetic examples from a template with
// slots, and empty responses filled by generating with a model.

#include <QFileInfo>
#include <QJsonArray>

#include "chat/model_prompt_template.h"
#include "cli_common.h"
#include "cli_workspace.h"
#include "common/error.h"
#include "data/synthetic.h"
#include "engine/model_loader.h"
#include "engine/response_filler.h"
#include "engine_commands.h"
#include "engine_threads.h"
#include "store/database.h"

namespace ft::cli {

namespace {

struct Filler {
    LoadedModel loaded;
    PromptTemplate promptTemplate;
    SamplingOptions sampling;
};

// Loads --fill's model and reads the sampling options; nullptr without --fill.
std::unique_ptr<Filler> fillerOption(const QCommandLineParser& parser)
{
    if (!parser.isSet(QStringLiteral("fill")))
        return nullptr;
    applyThreadsOption(parser);
    auto filler = std::make_unique<Filler>();
    filler->promptTemplate =
        resolvePromptTemplate(parser.value(QStringLiteral("template")), parser.value(QStringLiteral("fill")));
    SamplingOptions& s = filler->sampling;
    s.greedy = parser.isSet(QStringLiteral("greedy"));
    s.temperature = numberOption(parser, QStringLiteral("temperature"), 0.0, 100.0);
    s.topP = numberOption(parser, QStringLiteral("top-p"), 1e-6, 1.0);
    s.topK = static_cast<int>(integerOption(parser, QStringLiteral("top-k"), 0));
    s.maxNewTokens = static_cast<int>(integerOption(parser, QStringLiteral("max-new-tokens"), 1));
    s.seed = static_cast<uint64_t>(integerOption(parser, QStringLiteral("seed"), 0));
    LoadOptions load;
    load.tokenizerPath = parser.value(QStringLiteral("tokenizer"));
    filler->loaded = loadModel(parser.value(QStringLiteral("fill")), load);
    for (const QString& warning : filler->loaded.warnings)
        err() << "warning: " << warning << "\n";
    return filler;
}

int64_t fill(Filler& filler, std::vector<ExampleRecord>& records)
{
    const int64_t filled =
        fillEmptyResponses(records, *filler.loaded.model, *filler.loaded.tokenizer, filler.promptTemplate,
                           filler.sampling, terminalProgress(QStringLiteral("generating responses")));
    endProgress();
    return filled;
}

int64_t stillEmpty(const std::vector<ExampleRecord>& records)
{
    return std::count_if(records.begin(), records.end(), [](const ExampleRecord& r) { return needsResponse(r); });
}

// Without a template: fill the empty responses of an existing dataset, as one change.
int fillExisting(const QCommandLineParser& parser, const Workspace& workspace, Filler& filler)
{
    QSqlDatabase db = workspace.database();
    const DatasetInfo dataset = DatasetStore(db).resolve(parser.value(QStringLiteral("into")));
    ExampleStore store(db);
    std::vector<StoredExample> stored = store.examples(dataset.id);
    std::vector<ExampleRecord> records;
    std::vector<qint64> ids;
    for (const StoredExample& e : stored) {
        if (needsResponse(e.record)) {
            records.push_back(e.record);
            ids.push_back(e.id);
        }
    }
    const int64_t filled = fill(filler, records);
    std::vector<ExampleTextChange> changes;
    for (size_t i = 0; i < records.size(); ++i)
        if (!needsResponse(records[i]))
            changes.push_back({ids[i], records[i]});
    if (!parser.isSet(QStringLiteral("dry-run")) && !changes.empty())
        store.replaceTexts(changes);
    if (jsonRequested(parser)) {
        printJson({{QStringLiteral("dataset"), datasetJson(*DatasetStore(db).find(dataset.id))},
                   {QStringLiteral("empty"), qint64(records.size())},
                   {QStringLiteral("filled"), qint64(filled)},
                   {QStringLiteral("applied"), !parser.isSet(QStringLiteral("dry-run"))}});
        return 0;
    }
    out() << "filled " << filled << " of " << records.size() << " empty responses of \"" << dataset.name << "\""
          << (parser.isSet(QStringLiteral("dry-run")) ? " (dry run: nothing written)" : "") << "\n";
    return 0;
}

} // namespace

int runDatasetGenerate(const QStringList& args)
{
    QCommandLineParser parser;
    parser.addPositionalArgument(
        QStringLiteral("TEMPLATE"),
        QStringLiteral("A JSON file {\"instruction\", \"input\"?, \"response\"?, \"slots\": {name: [values]}}; "
                       "without it, --fill fills the empty responses of --into."),
        QStringLiteral("[TEMPLATE]"));
    parser.addOptions({
        {QStringLiteral("name"),
         QStringLiteral("Put the examples in a new dataset of this name (default: the template's file name)."),
         QStringLiteral("NAME")},
        {QStringLiteral("into"), QStringLiteral("Put the examples into this existing dataset (name or id)."),
         QStringLiteral("DATASET")},
        {QStringLiteral("limit"), QStringLiteral("At most N combinations (default 0: all)."), QStringLiteral("N"),
         QStringLiteral("0")},
        {QStringLiteral("split"), QStringLiteral("Split of the new examples: train (default), val or test."),
         QStringLiteral("SPLIT")},
        {QStringLiteral("dry-run"), QStringLiteral("Print the examples instead of storing them.")},
        {QStringLiteral("fill"),
         QStringLiteral("Generate the empty responses with this model (Hugging Face folder or llama2.c .bin)."),
         QStringLiteral("MODEL")},
        {QStringLiteral("tokenizer"), QStringLiteral("With --fill: a sentencepiece .model for a llama2.c checkpoint."),
         QStringLiteral("PATH")},
        {QStringLiteral("template"),
         QStringLiteral("With --fill: the prompt template the model answers in (default alpaca)."),
         QStringLiteral("NAME"), QStringLiteral("alpaca")},
        {QStringLiteral("max-new-tokens"), QStringLiteral("With --fill: most tokens per response (default 128)."),
         QStringLiteral("N"), QStringLiteral("128")},
        {QStringLiteral("temperature"), QStringLiteral("With --fill: sampling temperature (default 0.8)."),
         QStringLiteral("T"), QStringLiteral("0.8")},
        {QStringLiteral("top-p"), QStringLiteral("With --fill: nucleus mass (default 0.95)."), QStringLiteral("P"),
         QStringLiteral("0.95")},
        {QStringLiteral("top-k"), QStringLiteral("With --fill: top-k (default 0: off)."), QStringLiteral("K"),
         QStringLiteral("0")},
        {QStringLiteral("greedy"), QStringLiteral("With --fill: always take the most likely token.")},
        {QStringLiteral("seed"),
         QStringLiteral("With --fill: seed of the first response; response k uses seed + k (default 0)."),
         QStringLiteral("S"), QStringLiteral("0")},
    });
    addThreadsOption(parser);
    addWorkspaceOptions(parser);
    if (!parseArguments(parser, args,
                        QStringLiteral("Create examples from a template with {slots} and value lists (every "
                                       "combination, e.g. \"Translate {word} to {language}\"), optionally "
                                       "filling their responses by generating with a model (--fill).")))
        return 0;
    const QStringList positional = parser.positionalArguments();
    if (positional.size() > 1)
        throw UsageError{QStringLiteral("expected at most one TEMPLATE")};
    if (parser.isSet(QStringLiteral("name")) && parser.isSet(QStringLiteral("into")))
        throw UsageError{QStringLiteral("--name and --into exclude each other")};
    const qint64 limit = integerOption(parser, QStringLiteral("limit"), 0);
    const Split split = splitOption(parser, QStringLiteral("split")).value_or(Split::Train);

    if (positional.isEmpty()) {
        if (!parser.isSet(QStringLiteral("fill")) || !parser.isSet(QStringLiteral("into")))
            throw UsageError{
                QStringLiteral("without a TEMPLATE, give --fill MODEL and --into DATASET to fill its empty responses")};
        const Workspace workspace = openWorkspace(parser);
        const std::unique_ptr<Filler> filler = fillerOption(parser);
        return fillExisting(parser, workspace, *filler);
    }

    const QString templatePath = positional[0];
    std::vector<ExampleRecord> records = expandSyntheticTemplate(readSyntheticTemplate(templatePath), limit);
    const std::unique_ptr<Filler> filler = fillerOption(parser);
    const int64_t filled = filler ? fill(*filler, records) : 0;
    const int64_t empty = stillEmpty(records);

    if (parser.isSet(QStringLiteral("dry-run"))) {
        if (jsonRequested(parser)) {
            QJsonArray array;
            for (const ExampleRecord& r : records)
                array.append(r.toJson());
            printJson({{QStringLiteral("examples"), array},
                       {QStringLiteral("filled"), qint64(filled)},
                       {QStringLiteral("empty_responses"), qint64(empty)}});
            return 0;
        }
        for (const ExampleRecord& r : records)
            out() << oneLine(r.instruction, 60)
                  << (r.input.isEmpty() ? QString() : QStringLiteral(" | ") + oneLine(r.input, 30)) << "  ->  "
                  << (r.response.isEmpty() ? QStringLiteral("(empty)") : oneLine(r.response, 60)) << "\n";
        out() << records.size() << " examples (dry run: nothing stored)\n";
        return 0;
    }

    const Workspace workspace = openWorkspace(parser);
    QSqlDatabase db = workspace.database();
    DatasetStore datasets(db);
    const QString label = QFileInfo(templatePath).fileName();
    const qint64 datasetId = inTransaction(db, [&] {
        const qint64 id =
            parser.isSet(QStringLiteral("into"))
                ? datasets.resolve(parser.value(QStringLiteral("into"))).id
                : datasets.create(parser.isSet(QStringLiteral("name")) ? parser.value(QStringLiteral("name"))
                                                                       : QFileInfo(templatePath).completeBaseName());
        ExampleInserter inserter(db, id);
        for (size_t i = 0; i < records.size(); ++i)
            inserter.add(records[i], {QStringLiteral("synthetic")}, QStringLiteral("synthetic:%1#%2").arg(label).arg(i),
                         split);
        inserter.finish();
        return id;
    });
    const DatasetInfo dataset = *datasets.find(datasetId);
    if (jsonRequested(parser)) {
        printJson({{QStringLiteral("dataset"), datasetJson(dataset)},
                   {QStringLiteral("added"), qint64(records.size())},
                   {QStringLiteral("filled"), qint64(filled)},
                   {QStringLiteral("empty_responses"), qint64(empty)}});
        return 0;
    }
    out() << "added " << records.size() << " synthetic examples to \"" << dataset.name << "\" (id " << dataset.id
          << ", version " << dataset.version << ")";
    if (filler)
        out() << "; " << filled << " responses generated with "
              << QFileInfo(parser.value(QStringLiteral("fill"))).fileName();
    out() << "\n";
    if (empty > 0)
        out()
            << empty
            << " examples have an empty response: fill them with 'ftstudio-cli dataset generate --fill MODEL --into \""
            << dataset.name << "\"', or edit them.\n";
    return 0;
}

} // namespace ft::cli
