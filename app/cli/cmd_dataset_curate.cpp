// ftstudio-cli dataset validate|dedup|mask-pii|split|stats: looking after a dataset's quality.
// Everything that changes examples shows what it will do first and, where it removes or rewrites
// text, only does it with --apply, as one transaction (one version of the dataset).

#include <map>
#include <set>

#include <QFileInfo>
#include <QJsonArray>
#include <QRegularExpression>

#include "chat/model_prompt_template.h"
#include "cli_common.h"
#include "cli_workspace.h"
#include "commands.h"
#include "common/error.h"
#include "data/dataset_stats.h"
#include "data/dedup.h"
#include "data/pii.h"
#include "data/prompt_template.h"
#include "data/splits.h"
#include "data/validation.h"
#include "modelio/tokenizer.h"

namespace ft::cli {

namespace {

// The examples of a dataset (or one split), in order, with their ids.
struct LoadedExamples {
    DatasetInfo dataset;
    std::vector<StoredExample> stored;
    std::vector<ExampleRecord> records;
    std::vector<QStringList> tags;
};

LoadedExamples loadExamples(QSqlDatabase db, const QString& name, std::optional<Split> split)
{
    LoadedExamples loaded;
    loaded.dataset = DatasetStore(db).resolve(name);
    ExampleFilter filter;
    filter.split = split;
    loaded.stored = ExampleStore(db).examples(loaded.dataset.id, filter);
    for (const StoredExample& e : loaded.stored) {
        loaded.records.push_back(e.record);
        loaded.tags.push_back(e.tags);
    }
    return loaded;
}

void addSplitOption(QCommandLineParser& parser)
{
    parser.addOption({QStringLiteral("split"), QStringLiteral("Only the examples of this split: train, val or test."),
                      QStringLiteral("SPLIT")});
}

void addTokenizerOptions(QCommandLineParser& parser)
{
    parser.addOptions({
        {QStringLiteral("model"),
         QStringLiteral(
             "Count tokens with this model's tokenizer (a Hugging Face folder, or a sentencepiece .model file)."),
         QStringLiteral("PATH")},
        {QStringLiteral("template"),
         QStringLiteral("Prompt template: %1, a custom one with {response}, or model (--model's own chat template; "
                        "default alpaca).")
             .arg(PromptTemplate::builtinNames().join(QStringLiteral(", "))),
         QStringLiteral("NAME"), QStringLiteral("alpaca")},
    });
}

std::shared_ptr<const Tokenizer> tokenizerOption(const QCommandLineParser& parser)
{
    const QString path = parser.value(QStringLiteral("model"));
    if (path.isEmpty())
        return nullptr;
    return QFileInfo(path).isDir() ? Tokenizer::fromModelFolder(path) : Tokenizer::fromFile(path);
}

QString preview(const ExampleRecord& record)
{
    return oneLine(record.isMultiTurn() ? record.turns.front().content : record.instruction, 70);
}

// Findings name other examples by their index ("duplicate of #17"); the command line names ids.
QString detailWithIds(const QString& detail, const std::vector<StoredExample>& stored)
{
    static const QRegularExpression reference(QStringLiteral("#(\\d+)"));
    QString result;
    qsizetype last = 0;
    auto it = reference.globalMatch(detail);
    while (it.hasNext()) {
        const auto match = it.next();
        const qint64 index = match.captured(1).toLongLong();
        result += detail.mid(last, match.capturedStart() - last);
        result += index >= 0 && index < qint64(stored.size()) ? QStringLiteral("#%1").arg(stored[size_t(index)].id)
                                                              : match.captured(0);
        last = match.capturedEnd();
    }
    return result + detail.mid(last);
}

int flagOf(IssueKind kind)
{
    switch (kind) {
    case IssueKind::EmptyInstruction:
    case IssueKind::EmptyResponse:
        return FlagEmpty;
    case IssueKind::Duplicate:
        return FlagDuplicate;
    case IssueKind::TooLong:
        return FlagTooLong;
    case IssueKind::ControlCharacters:
        return FlagControlCharacters;
    case IssueKind::Pii:
        return FlagPii;
    }
    return 0;
}

} // namespace

int runDatasetValidate(const QStringList& args)
{
    QCommandLineParser parser;
    parser.addPositionalArgument(QStringLiteral("DATASET"), QStringLiteral("The dataset's name or id."));
    addTokenizerOptions(parser);
    addSplitOption(parser);
    parser.addOptions({
        {QStringLiteral("max-tokens"),
         QStringLiteral("With --model: flag examples longer than N tokens under the template."), QStringLiteral("N"),
         QStringLiteral("0")},
        {QStringLiteral("no-duplicates"), QStringLiteral("Do not look for exact duplicates.")},
        {QStringLiteral("no-pii"), QStringLiteral("Do not look for personal data.")},
        {QStringLiteral("allow-empty-instruction"),
         QStringLiteral("Response-only records are fine (continued pre-training text).")},
        {QStringLiteral("show"), QStringLiteral("List at most N findings (default 50)."), QStringLiteral("N"),
         QStringLiteral("50")},
    });
    addWorkspaceOptions(parser);
    if (!parseArguments(parser, args,
                        QStringLiteral("Check a dataset before training on it: empty instructions or responses, "
                                       "exact duplicates, examples too long for a model's context under a template, "
                                       "control characters, personal data. The findings are saved as flags on the "
                                       "examples (filter with 'dataset show --flag'); the texts are not changed.")))
        return 0;
    const QString name = requirePositional(parser, 1, QStringLiteral("DATASET"))[0];
    const qint64 maxTokens = integerOption(parser, QStringLiteral("max-tokens"), 0);
    const qint64 show = integerOption(parser, QStringLiteral("show"), 0);
    const auto tokenizer = tokenizerOption(parser);
    if (maxTokens > 0 && !tokenizer)
        throw UsageError{QStringLiteral("--max-tokens needs --model (the tokenizer to count with)")};
    const PromptTemplate promptTemplate =
        resolvePromptTemplate(parser.value(QStringLiteral("template")), parser.value(QStringLiteral("model")));

    const Workspace workspace = openWorkspace(parser);
    const LoadedExamples loaded =
        loadExamples(workspace.database(), name, splitOption(parser, QStringLiteral("split")));
    ValidationSettings settings;
    settings.tokenizer = tokenizer.get();
    settings.promptTemplate = tokenizer ? &promptTemplate : nullptr;
    settings.maxTokens = maxTokens;
    settings.checkDuplicates = !parser.isSet(QStringLiteral("no-duplicates"));
    settings.checkPii = !parser.isSet(QStringLiteral("no-pii"));
    settings.allowEmptyInstruction = parser.isSet(QStringLiteral("allow-empty-instruction"));
    const ValidationReport report =
        validateExamples(loaded.records, settings, terminalProgress(QStringLiteral("validating")));
    endProgress();

    // Flags of the kinds that were checked are replaced; the others are left as they were.
    int mask = FlagEmpty | FlagControlCharacters;
    if (settings.checkDuplicates)
        mask |= FlagDuplicate;
    if (settings.checkPii)
        mask |= FlagPii;
    if (settings.tokenizer && maxTokens > 0)
        mask |= FlagTooLong;
    std::vector<int> flags(loaded.stored.size(), 0);
    for (const ValidationFinding& finding : report.findings)
        flags[size_t(finding.index)] |= flagOf(finding.kind);
    std::vector<std::pair<qint64, int>> updates;
    for (size_t i = 0; i < loaded.stored.size(); ++i)
        updates.emplace_back(loaded.stored[i].id, flags[i]);
    ExampleStore(workspace.database()).setFlags(updates, mask);

    if (jsonRequested(parser)) {
        QJsonObject counts;
        for (const auto& [kind, count] : report.counts)
            counts[issueKindName(kind)] = qint64(count);
        QJsonArray findings;
        for (const ValidationFinding& f : report.findings)
            findings.append(QJsonObject{{QStringLiteral("id"), loaded.stored[size_t(f.index)].id},
                                        {QStringLiteral("kind"), issueKindName(f.kind)},
                                        {QStringLiteral("detail"), detailWithIds(f.detail, loaded.stored)}});
        printJson({{QStringLiteral("dataset"), datasetJson(loaded.dataset)},
                   {QStringLiteral("examples"), qint64(report.examples)},
                   {QStringLiteral("counts"), counts},
                   {QStringLiteral("findings"), findings}});
        return 0;
    }
    QTextStream& s = out();
    s << "Validated " << report.examples << " examples of \"" << loaded.dataset.name << "\"";
    if (tokenizer && maxTokens > 0)
        s << " (at most " << maxTokens << " tokens with " << promptTemplate.name << ")";
    s << ".\n";
    if (report.findings.empty()) {
        s << "No findings.\n";
    } else {
        for (const auto& [kind, count] : report.counts)
            s << "  " << issueKindName(kind).leftJustified(20) << count << "\n";
        s << "\n";
        for (size_t i = 0; i < report.findings.size() && i < size_t(show); ++i) {
            const ValidationFinding& f = report.findings[i];
            s << "#" << loaded.stored[size_t(f.index)].id << "  " << issueKindName(f.kind) << ": "
              << detailWithIds(f.detail, loaded.stored) << "  | " << preview(loaded.records[size_t(f.index)]) << "\n";
        }
        if (report.findings.size() > size_t(show))
            s << "... " << report.findings.size() - size_t(show) << " more (--show N, or --json)\n";
    }
    s << "Flags saved on the examples: see them with 'ftstudio-cli dataset show \"" << loaded.dataset.name
      << "\" --flag KIND'.\n";
    s.flush();
    return 0;
}

int runDatasetDedup(const QStringList& args)
{
    QCommandLineParser parser;
    parser.addPositionalArgument(QStringLiteral("DATASET"), QStringLiteral("The dataset's name or id."));
    addSplitOption(parser);
    parser.addOptions({
        {QStringLiteral("threshold"), QStringLiteral("Near-duplicate Jaccard similarity, 0-1 (default 0.8)."),
         QStringLiteral("X"), QStringLiteral("0.8")},
        {QStringLiteral("exact-only"),
         QStringLiteral("Only exact duplicates (after normalising case and whitespace).")},
        {QStringLiteral("shingle-words"), QStringLiteral("Words per shingle (default 2)."), QStringLiteral("N"),
         QStringLiteral("2")},
        {QStringLiteral("apply"),
         QStringLiteral("Remove every duplicate but the first of each group (one transaction).")},
        {QStringLiteral("show"), QStringLiteral("List at most N groups (default 20)."), QStringLiteral("N"),
         QStringLiteral("20")},
    });
    addWorkspaceOptions(parser);
    if (!parseArguments(parser, args,
                        QStringLiteral("Find exact and near-duplicate examples (MinHash over word shingles, verified "
                                       "by Jaccard similarity) and show the groups. With --apply, keep the first of "
                                       "each group and remove the others.")))
        return 0;
    const QString name = requirePositional(parser, 1, QStringLiteral("DATASET"))[0];
    DedupSettings settings;
    settings.threshold = numberOption(parser, QStringLiteral("threshold"), 0.0, 1.0);
    settings.nearDuplicates = !parser.isSet(QStringLiteral("exact-only"));
    settings.shingleWords = static_cast<int>(integerOption(parser, QStringLiteral("shingle-words"), 1));
    const qint64 show = integerOption(parser, QStringLiteral("show"), 0);

    const Workspace workspace = openWorkspace(parser);
    const LoadedExamples loaded =
        loadExamples(workspace.database(), name, splitOption(parser, QStringLiteral("split")));
    const std::vector<DuplicateGroup> groups =
        findDuplicates(loaded.records, settings, terminalProgress(QStringLiteral("comparing")));
    endProgress();
    std::vector<qint64> toRemove;
    for (const DuplicateGroup& group : groups)
        for (size_t i = 1; i < group.indices.size(); ++i)
            toRemove.push_back(loaded.stored[size_t(group.indices[i])].id);

    qint64 version = loaded.dataset.version;
    const bool apply = parser.isSet(QStringLiteral("apply"));
    if (apply && !toRemove.empty()) {
        ExampleStore(workspace.database()).remove(toRemove);
        version = DatasetStore(workspace.database()).find(loaded.dataset.id)->version;
    }
    if (jsonRequested(parser)) {
        QJsonArray groupArray;
        for (const DuplicateGroup& group : groups) {
            QJsonArray ids;
            for (const int64_t index : group.indices)
                ids.append(loaded.stored[size_t(index)].id);
            groupArray.append(QJsonObject{{QStringLiteral("ids"), ids},
                                          {QStringLiteral("exact"), group.exact},
                                          {QStringLiteral("similarity"), group.similarity}});
        }
        printJson({{QStringLiteral("dataset"), loaded.dataset.name},
                   {QStringLiteral("examples"), qint64(loaded.records.size())},
                   {QStringLiteral("groups"), groupArray},
                   {QStringLiteral("duplicates"), qint64(toRemove.size())},
                   {QStringLiteral("applied"), apply},
                   {QStringLiteral("version"), version}});
        return 0;
    }
    QTextStream& s = out();
    s << groups.size() << " groups of duplicates among " << loaded.records.size() << " examples of \""
      << loaded.dataset.name << "\": " << toRemove.size() << " examples would go.\n";
    for (size_t g = 0; g < groups.size() && g < size_t(show); ++g) {
        const DuplicateGroup& group = groups[g];
        s << "\n"
          << (group.exact ? "exact" : QStringLiteral("near, similarity %1").arg(group.similarity, 0, 'f', 2)) << ":\n";
        for (size_t i = 0; i < group.indices.size(); ++i) {
            const size_t index = size_t(group.indices[i]);
            s << (i == 0 ? "  keep   #" : "  remove #") << loaded.stored[index].id << "  "
              << preview(loaded.records[index]) << "\n";
        }
    }
    if (groups.size() > size_t(show))
        s << "\n... " << groups.size() - size_t(show) << " more groups (--show N, or --json)\n";
    if (apply)
        s << "\nremoved " << toRemove.size() << " examples (dataset version " << version << ")\n";
    else if (!toRemove.empty())
        s << "\nNothing was changed: run again with --apply to remove them.\n";
    s.flush();
    return 0;
}

namespace {

std::set<PiiType> piiTypesOption(const QCommandLineParser& parser)
{
    if (!parser.isSet(QStringLiteral("types")))
        return allPiiTypes();
    std::set<PiiType> types;
    for (const QString& name : parser.value(QStringLiteral("types")).split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        bool found = false;
        for (const PiiType type : allPiiTypes()) {
            if (piiTypeName(type) == name.trimmed()) {
                types.insert(type);
                found = true;
            }
        }
        if (!found) {
            QStringList names;
            for (const PiiType type : allPiiTypes())
                names << piiTypeName(type);
            throw UsageError{
                QStringLiteral("unknown PII type \"%1\"; known: %2").arg(name, names.join(QStringLiteral(", ")))};
        }
    }
    return types;
}

// The fields that masking changed, as "field: before -> after" lines.
QStringList changedFields(const ExampleRecord& before, const ExampleRecord& after)
{
    QStringList lines;
    auto compare = [&](const char* field, const QString& a, const QString& b) {
        if (a != b)
            lines << QStringLiteral("%1: %2\n      -> %3").arg(QLatin1String(field), oneLine(a, 100), oneLine(b, 100));
    };
    compare("system", before.system, after.system);
    compare("instruction", before.instruction, after.instruction);
    compare("input", before.input, after.input);
    compare("response", before.response, after.response);
    for (size_t t = 0; t < before.turns.size() && t < after.turns.size(); ++t)
        compare(QStringLiteral("turn %1").arg(t + 1).toLatin1().constData(), before.turns[t].content,
                after.turns[t].content);
    return lines;
}

} // namespace

int runDatasetMaskPii(const QStringList& args)
{
    QCommandLineParser parser;
    parser.addPositionalArgument(QStringLiteral("DATASET"), QStringLiteral("The dataset's name or id."));
    addSplitOption(parser);
    QStringList typeNames;
    for (const PiiType type : allPiiTypes())
        typeNames << piiTypeName(type);
    parser.addOptions({
        {QStringLiteral("types"),
         QStringLiteral("Only these kinds, comma-separated: %1 (default: all).")
             .arg(typeNames.join(QStringLiteral(", "))),
         QStringLiteral("LIST")},
        {QStringLiteral("apply"),
         QStringLiteral("Write the masked texts (one transaction: one change of the dataset).")},
        {QStringLiteral("show"), QStringLiteral("Preview at most N changed examples (default 10)."),
         QStringLiteral("N"), QStringLiteral("10")},
    });
    addWorkspaceOptions(parser);
    if (!parseArguments(parser, args,
                        QStringLiteral("Replace personal data and secrets (e-mail addresses, phone numbers, card "
                                       "numbers, IP addresses, IBANs, US SSNs, API keys, URLs with credentials) by "
                                       "typed placeholders such as [EMAIL]. Shows counts and a preview; changes "
                                       "the dataset only with --apply.")))
        return 0;
    const QString name = requirePositional(parser, 1, QStringLiteral("DATASET"))[0];
    const std::set<PiiType> types = piiTypesOption(parser);
    const qint64 show = integerOption(parser, QStringLiteral("show"), 0);

    const Workspace workspace = openWorkspace(parser);
    const LoadedExamples loaded =
        loadExamples(workspace.database(), name, splitOption(parser, QStringLiteral("split")));
    std::vector<ExampleTextChange> changes;
    std::vector<size_t> changedIndices;
    std::map<PiiType, int64_t> counts;
    for (size_t i = 0; i < loaded.records.size(); ++i) {
        const PiiMaskResult result = maskPii(loaded.records[i], types);
        if (!result.changed)
            continue;
        changes.push_back({loaded.stored[i].id, result.masked});
        changedIndices.push_back(i);
        for (const auto& [type, count] : result.counts)
            counts[type] += count;
    }
    const bool apply = parser.isSet(QStringLiteral("apply"));
    qint64 version = loaded.dataset.version;
    if (apply && !changes.empty()) {
        ExampleStore(workspace.database()).replaceTexts(changes);
        version = DatasetStore(workspace.database()).find(loaded.dataset.id)->version;
    }
    if (jsonRequested(parser)) {
        QJsonObject countJson;
        for (const auto& [type, count] : counts)
            countJson[piiTypeName(type)] = qint64(count);
        QJsonArray examples;
        for (size_t c = 0; c < changes.size(); ++c)
            examples.append(QJsonObject{{QStringLiteral("id"), changes[c].id},
                                        {QStringLiteral("before"), loaded.records[changedIndices[c]].toJson()},
                                        {QStringLiteral("after"), changes[c].record.toJson()}});
        printJson({{QStringLiteral("dataset"), loaded.dataset.name},
                   {QStringLiteral("counts"), countJson},
                   {QStringLiteral("changed"), examples},
                   {QStringLiteral("applied"), apply},
                   {QStringLiteral("version"), version}});
        return 0;
    }
    QTextStream& s = out();
    s << changes.size() << " of " << loaded.records.size() << " examples of \"" << loaded.dataset.name
      << "\" contain personal data";
    if (!counts.empty()) {
        QStringList parts;
        for (const auto& [type, count] : counts)
            parts << QStringLiteral("%1 %2").arg(count).arg(piiTypeName(type));
        s << ": " << parts.join(QStringLiteral(", "));
    }
    s << ".\n";
    for (size_t c = 0; c < changes.size() && c < size_t(show); ++c) {
        s << "\n#" << changes[c].id << "\n";
        for (const QString& line : changedFields(loaded.records[changedIndices[c]], changes[c].record))
            s << "  " << line << "\n";
    }
    if (changes.size() > size_t(show))
        s << "\n... " << changes.size() - size_t(show) << " more (--show N, or --json)\n";
    if (apply)
        s << "\nmasked " << changes.size() << " examples in one change (dataset version " << version << ")\n";
    else if (!changes.empty())
        s << "\nNothing was changed: run again with --apply to write the masked texts.\n";
    s.flush();
    return 0;
}

int runDatasetSplit(const QStringList& args)
{
    QCommandLineParser parser;
    parser.addPositionalArgument(QStringLiteral("DATASET"), QStringLiteral("The dataset's name or id."));
    parser.addOptions({
        {QStringLiteral("val"), QStringLiteral("Fraction for validation (default 0.1)."), QStringLiteral("F"),
         QStringLiteral("0.1")},
        {QStringLiteral("test"), QStringLiteral("Fraction for test (default 0)."), QStringLiteral("F"),
         QStringLiteral("0")},
        {QStringLiteral("seed"), QStringLiteral("Seed (default 42): the same seed gives the same split."),
         QStringLiteral("N"), QStringLiteral("42")},
        {QStringLiteral("stratify"),
         QStringLiteral("Keep each tag's share (first tag of each example) in every split.")},
        {QStringLiteral("dry-run"), QStringLiteral("Show the sizes without changing anything.")},
    });
    addWorkspaceOptions(parser);
    if (!parseArguments(parser, args,
                        QStringLiteral("Assign every example of a dataset to train, val or test: seeded, optionally "
                                       "stratified by tag, in one transaction.")))
        return 0;
    const QString name = requirePositional(parser, 1, QStringLiteral("DATASET"))[0];
    SplitSettings settings;
    settings.validationFraction = numberOption(parser, QStringLiteral("val"), 0.0, 1.0);
    settings.testFraction = numberOption(parser, QStringLiteral("test"), 0.0, 1.0);
    if (settings.validationFraction + settings.testFraction > 1.0)
        throw UsageError{QStringLiteral("--val and --test add up to more than 1")};
    settings.seed = static_cast<uint64_t>(integerOption(parser, QStringLiteral("seed"), 0));
    settings.stratifyByTag = parser.isSet(QStringLiteral("stratify"));

    const Workspace workspace = openWorkspace(parser);
    const LoadedExamples loaded = loadExamples(workspace.database(), name, std::nullopt);
    const std::vector<Split> splits =
        assignSplits(static_cast<int64_t>(loaded.records.size()),
                     settings.stratifyByTag ? loaded.tags : std::vector<QStringList>{}, settings);
    std::vector<std::pair<qint64, Split>> assignment;
    qint64 sizes[3] = {0, 0, 0};
    qint64 moved = 0;
    for (size_t i = 0; i < splits.size(); ++i) {
        assignment.emplace_back(loaded.stored[i].id, splits[i]);
        ++sizes[static_cast<int>(splits[i])];
        moved += splits[i] != loaded.stored[i].split;
    }
    const bool dryRun = parser.isSet(QStringLiteral("dry-run"));
    if (!dryRun)
        ExampleStore(workspace.database()).setSplits(assignment);
    const qint64 version = DatasetStore(workspace.database()).find(loaded.dataset.id)->version;
    if (jsonRequested(parser)) {
        printJson({{QStringLiteral("dataset"), loaded.dataset.name},
                   {QStringLiteral("train"), sizes[0]},
                   {QStringLiteral("val"), sizes[1]},
                   {QStringLiteral("test"), sizes[2]},
                   {QStringLiteral("moved"), moved},
                   {QStringLiteral("applied"), !dryRun},
                   {QStringLiteral("version"), version}});
        return 0;
    }
    out() << (dryRun ? "would split" : "split") << " \"" << loaded.dataset.name << "\": train " << sizes[0] << ", val "
          << sizes[1] << ", test " << sizes[2] << " (" << moved << " examples " << (dryRun ? "would move" : "moved")
          << ", seed " << settings.seed << (settings.stratifyByTag ? ", stratified by tag" : "") << ")\n";
    return 0;
}

namespace {

QJsonObject summaryJson(const LengthSummary& s)
{
    return {{QStringLiteral("total"), qint64(s.total)},
            {QStringLiteral("mean"), s.mean},
            {QStringLiteral("median"), qint64(s.median)},
            {QStringLiteral("p95"), qint64(s.p95)},
            {QStringLiteral("max"), qint64(s.max)}};
}

} // namespace

int runDatasetStats(const QStringList& args)
{
    QCommandLineParser parser;
    parser.addPositionalArgument(QStringLiteral("DATASET"), QStringLiteral("The dataset's name or id."));
    addTokenizerOptions(parser);
    addSplitOption(parser);
    parser.addOptions({
        {QStringLiteral("max-length"), QStringLiteral("Context length to count examples over (default 0: none)."),
         QStringLiteral("N"), QStringLiteral("0")},
        {QStringLiteral("bins"), QStringLiteral("Histogram bins (default 20)."), QStringLiteral("N"),
         QStringLiteral("20")},
    });
    addWorkspaceOptions(parser);
    if (!parseArguments(
            parser, args,
            QStringLiteral("Statistics of a dataset under a model's tokenizer and a template: counts, tags, "
                           "token lengths of prompts and responses, and a histogram of example lengths.")))
        return 0;
    const QString name = requirePositional(parser, 1, QStringLiteral("DATASET"))[0];
    const auto tokenizer = tokenizerOption(parser);
    if (!tokenizer)
        throw UsageError{QStringLiteral("--model is required: token lengths depend on the tokenizer")};
    const PromptTemplate promptTemplate =
        resolvePromptTemplate(parser.value(QStringLiteral("template")), parser.value(QStringLiteral("model")));
    const qint64 maxLength = integerOption(parser, QStringLiteral("max-length"), 0);
    const int bins = static_cast<int>(integerOption(parser, QStringLiteral("bins"), 1));

    const Workspace workspace = openWorkspace(parser);
    const LoadedExamples loaded =
        loadExamples(workspace.database(), name, splitOption(parser, QStringLiteral("split")));
    const DatasetStatistics stats = computeStatistics(loaded.records, loaded.tags, *tokenizer, promptTemplate,
                                                      maxLength, bins, terminalProgress(QStringLiteral("tokenizing")));
    endProgress();
    if (jsonRequested(parser)) {
        QJsonObject tags;
        for (const auto& [tag, count] : stats.tags)
            tags[tag] = qint64(count);
        QJsonArray edges, counts;
        for (const double e : stats.combinedHistogram.edges)
            edges.append(e);
        for (const int64_t c : stats.combinedHistogram.counts)
            counts.append(qint64(c));
        printJson({{QStringLiteral("dataset"), loaded.dataset.name},
                   {QStringLiteral("template"), promptTemplate.name},
                   {QStringLiteral("examples"), qint64(stats.examples)},
                   {QStringLiteral("multi_turn"), qint64(stats.multiTurn)},
                   {QStringLiteral("tags"), tags},
                   {QStringLiteral("prompt_tokens"), summaryJson(stats.prompt)},
                   {QStringLiteral("response_tokens"), summaryJson(stats.response)},
                   {QStringLiteral("example_tokens"), summaryJson(stats.combined)},
                   {QStringLiteral("histogram"),
                    QJsonObject{{QStringLiteral("edges"), edges}, {QStringLiteral("counts"), counts}}},
                   {QStringLiteral("max_length"), maxLength},
                   {QStringLiteral("over_max_length"), qint64(stats.overMaxLength)}});
        return 0;
    }
    QTextStream& s = out();
    s << "Dataset:    " << loaded.dataset.name << " (" << stats.examples << " examples, " << stats.multiTurn
      << " multi-turn)\n"
      << "Template:   " << promptTemplate.name << ", tokenizer " << tokenizer->path() << "\n";
    if (!stats.tags.empty()) {
        QStringList parts;
        for (const auto& [tag, count] : stats.tags)
            parts << QStringLiteral("%1 %2").arg(tag).arg(count);
        s << "Tags:       " << parts.join(QStringLiteral(", ")) << "\n";
    }
    auto line = [&](const char* label, const LengthSummary& l) {
        s << label << "mean " << QString::number(l.mean, 'f', 1) << ", median " << l.median << ", p95 " << l.p95
          << ", max " << l.max << ", total " << l.total << "\n";
    };
    line("Prompt:     ", stats.prompt);
    line("Response:   ", stats.response);
    line("Example:    ", stats.combined);
    if (maxLength > 0)
        s << "Over " << maxLength << " tokens: " << stats.overMaxLength << "\n";
    s << "\nTokens per example:\n";
    int64_t most = 1;
    for (const int64_t c : stats.combinedHistogram.counts)
        most = std::max(most, c);
    for (size_t b = 0; b < stats.combinedHistogram.counts.size(); ++b) {
        const int64_t c = stats.combinedHistogram.counts[b];
        s << QStringLiteral("  %1 - %2  ")
                 .arg(stats.combinedHistogram.edges[b], 7, 'f', 0)
                 .arg(stats.combinedHistogram.edges[b + 1], 7, 'f', 0)
          << QString(static_cast<int>(40 * c / most), QChar(0x2588)) << " " << c << "\n";
    }
    s.flush();
    return 0;
}

} // namespace ft::cli
