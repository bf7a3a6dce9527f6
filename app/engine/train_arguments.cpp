#include "train_arguments.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>

#include "cli_common.h"
#include "common/error.h"
#include "common/json_file.h"
#include "contract/run_folder.h"

namespace ft::cli {

namespace {

// --set key=value: the value is read as JSON when it parses (numbers, booleans), else as a string.
void applyOverride(QJsonObject& json, const QString& assignment)
{
    const int equals = assignment.indexOf(QLatin1Char('='));
    if (equals <= 0)
        throw UsageError{QStringLiteral("--set expects key=value, got \"%1\"").arg(assignment)};
    const QString key = assignment.left(equals);
    const QString value = assignment.mid(equals + 1);
    const QJsonDocument parsed = QJsonDocument::fromJson(QStringLiteral("[%1]").arg(value).toUtf8());
    json[key] = parsed.isArray() && parsed.array().size() == 1 ? parsed.array().first() : QJsonValue(value);
}

SnapshotSplits readSplits(const QCommandLineParser& parser, bool datasetGiven)
{
    SnapshotSplits splits;
    const bool trainSplitSet = parser.isSet(QStringLiteral("train-split"));
    const bool valSplitSet = parser.isSet(QStringLiteral("val-split"));
    if ((trainSplitSet || valSplitSet) && !datasetGiven)
        throw UsageError{QStringLiteral("--train-split and --val-split choose splits of a --dataset")};
    if (trainSplitSet && !splitFromName(parser.value(QStringLiteral("train-split")), &splits.train))
        throw UsageError{QStringLiteral("--train-split expects train, val or test, got \"%1\"")
                             .arg(parser.value(QStringLiteral("train-split")))};
    if (valSplitSet) {
        const QString value = parser.value(QStringLiteral("val-split"));
        Split split;
        if (value.trimmed().compare(QLatin1String("none"), Qt::CaseInsensitive) == 0)
            splits.validation.reset();
        else if (splitFromName(value, &split))
            splits.validation = split;
        else
            throw UsageError{QStringLiteral("--val-split expects train, val, test or none, got \"%1\"").arg(value)};
        splits.requireValidation = true;
    }
    if (splits.validation && *splits.validation == splits.train)
        throw UsageError{
            QStringLiteral("--train-split and --val-split name the same split (%1)").arg(splitName(splits.train))};
    return splits;
}

} // namespace

void addTrainOptions(QCommandLineParser& parser)
{
    parser.addPositionalArgument(QStringLiteral("CONFIG"),
                                 QStringLiteral("A JSON file of training settings (see docs/training.md)."),
                                 QStringLiteral("[CONFIG]"));
    parser.addOptions({
        {QStringLiteral("run"),
         QStringLiteral("The run folder (default: a new folder under runs/ here, or under the workspace's runs/). "
                        "If it holds a prepared config.json, that configuration is used."),
         QStringLiteral("DIR")},
        {QStringLiteral("resume"), QStringLiteral("Continue the run in DIR from its latest checkpoint."),
         QStringLiteral("DIR")},
        {QStringLiteral("events"), QStringLiteral("\"jsonl\": one JSON event per line on stdout (for the studio)."),
         QStringLiteral("FORMAT")},
        {QStringLiteral("mode"),
         QStringLiteral("Preset: full (the default), instruction, qlora, prompt (prompt tuning), dpo (preference "
                        "pairs) or freeze (docs/training-modes.md)."),
         QStringLiteral("MODE")},
        {QStringLiteral("model"), QStringLiteral("Base model folder or llama2.c .bin."), QStringLiteral("PATH")},
        {QStringLiteral("train"), QStringLiteral("Training JSONL ({system?, instruction, input?, response})."),
         QStringLiteral("FILE")},
        {QStringLiteral("val"), QStringLiteral("Validation JSONL (default: a seeded split of the training set)."),
         QStringLiteral("FILE")},
        {QStringLiteral("template"),
         QStringLiteral(
             "alpaca, chatml, llama2-chat, zephyr, plain, custom text with {response}, or model: the "
             "model folder's own chat template (loss on its assistant turns; the default when the folder has "
             "one, else alpaca)."),
         QStringLiteral("T")},
        {QStringLiteral("loss-on"),
         QStringLiteral("response or all (default: the mode's; all for full, response for the others)."),
         QStringLiteral("WHAT")},
        {QStringLiteral("steps"), QStringLiteral("Stop after N optimizer steps."), QStringLiteral("N")},
        {QStringLiteral("epochs"), QStringLiteral("Epochs (when no step limit)."), QStringLiteral("N")},
        {QStringLiteral("lr"), QStringLiteral("Peak learning rate."), QStringLiteral("X")},
        {QStringLiteral("batch-size"), QStringLiteral("Rows per micro-batch."), QStringLiteral("N")},
        {QStringLiteral("max-length"), QStringLiteral("Maximum tokens per example and per packed row."),
         QStringLiteral("N")},
        {QStringLiteral("seed"), QStringLiteral("Random seed."), QStringLiteral("N")},
        {QStringLiteral("threads"), QStringLiteral("Compute threads (default: physical cores)."), QStringLiteral("N")},
        {QStringLiteral("set"),
         QStringLiteral("Any setting of the configuration, e.g. --set warmup_steps=10 (repeatable)."),
         QStringLiteral("KEY=VALUE")},
        {QStringLiteral("workspace"),
         QStringLiteral("Record the run in this workspace's history (and keep its folder under "
                        "runs/ there unless --run says otherwise)."),
         QStringLiteral("DIR")},
        {QStringLiteral("dataset"),
         QStringLiteral("Train on this workspace dataset (name or id; its train/val splits are frozen "
                        "into the run folder). Implies the default workspace without --workspace."),
         QStringLiteral("NAME")},
        {QStringLiteral("dataset-id"),
         QStringLiteral("Like --dataset, by the dataset's id only (what the studio passes: a name that "
                        "looks like a number cannot be taken for it)."),
         QStringLiteral("ID")},
        {QStringLiteral("train-split"),
         QStringLiteral("With --dataset: the split to train on (train, val or test; default train)."),
         QStringLiteral("SPLIT")},
        {QStringLiteral("val-split"),
         QStringLiteral("With --dataset: the split to validate on (train, val or test), or \"none\" for a seeded share "
                        "of the training split (default: val when it has examples)."),
         QStringLiteral("SPLIT")},
        {QStringLiteral("run-id"), QStringLiteral("The run's row in the workspace, when the studio created it."),
         QStringLiteral("ID")},
        {QStringLiteral("name"), QStringLiteral("A name for the run in the history (default: the run folder's name)."),
         QStringLiteral("NAME")},
        {QStringLiteral("nproc"),
         QStringLiteral("Train data-parallel in N local processes (Gloo). Under torchrun, leave this out: "
                        "RANK, WORLD_SIZE, MASTER_ADDR and MASTER_PORT are read from the environment. Default: the "
                        "settings' \"processes\" (1)."),
         QStringLiteral("N")},
    });
}

TrainArguments readTrainArguments(const QCommandLineParser& parser)
{
    TrainArguments arguments;
    const QString events = parser.value(QStringLiteral("events"));
    if (!events.isEmpty() && events != QLatin1String("jsonl"))
        throw UsageError{QStringLiteral("--events accepts only \"jsonl\"")};
    arguments.jsonEvents = events == QLatin1String("jsonl");
    if (parser.isSet(QStringLiteral("dataset")) && parser.isSet(QStringLiteral("dataset-id")))
        throw UsageError{QStringLiteral("give --dataset or --dataset-id, not both")};
    arguments.datasetGiven = parser.isSet(QStringLiteral("dataset")) || parser.isSet(QStringLiteral("dataset-id"));
    arguments.splits = readSplits(parser, arguments.datasetGiven);
    arguments.resume = parser.isSet(QStringLiteral("resume"));
    arguments.runDir = parser.value(arguments.resume ? QStringLiteral("resume") : QStringLiteral("run"));
    arguments.runName = parser.value(QStringLiteral("name"));
    arguments.runId = parser.value(QStringLiteral("run-id")).toLongLong();
    arguments.useWorkspace =
        parser.isSet(QStringLiteral("workspace")) || arguments.datasetGiven || parser.isSet(QStringLiteral("run-id"));
    return arguments;
}

QJsonObject configFromArguments(const QCommandLineParser& parser)
{
    QJsonObject json;
    const QStringList positional = parser.positionalArguments();
    if (positional.size() > 1)
        throw UsageError{QStringLiteral("expected at most one CONFIG file")};
    if (!positional.isEmpty())
        json = readJsonObjectFile(positional.first());
    // A mode named on the command line applies its preset under whatever the file says.
    if (parser.isSet(QStringLiteral("mode")))
        json[QStringLiteral("mode")] = parser.value(QStringLiteral("mode"));
    const std::pair<const char*, const char*> shortcuts[] = {
        {"model", "model"},           {"train", "train_file"}, {"val", "val_file"},     {"template", "template"},
        {"steps", "max_steps"},       {"epochs", "epochs"},    {"lr", "learning_rate"}, {"batch-size", "batch_size"},
        {"max-length", "max_length"}, {"seed", "seed"},        {"threads", "threads"},  {"loss-on", "loss_on"}};
    for (const auto& [option, key] : shortcuts)
        if (parser.isSet(QLatin1String(option)))
            applyOverride(json, QStringLiteral("%1=%2").arg(QLatin1String(key), parser.value(QLatin1String(option))));
    for (const QString& assignment : parser.values(QStringLiteral("set")))
        applyOverride(json, assignment);
    return json;
}

int requestedProcesses(const QCommandLineParser& parser)
{
    if (parser.isSet(QStringLiteral("nproc"))) {
        bool ok = false;
        const int ranks = parser.value(QStringLiteral("nproc")).toInt(&ok);
        if (!ok || ranks < 1 || ranks > 256)
            throw UsageError{QStringLiteral("--nproc expects a number of processes between 1 and 256")};
        return ranks;
    }
    const bool resume = parser.isSet(QStringLiteral("resume"));
    const QString folder = parser.value(resume ? QStringLiteral("resume") : QStringLiteral("run"));
    try {
        const QString saved = folder.isEmpty() ? QString() : RunFolder(folder).configPath();
        QJsonObject json = !saved.isEmpty() && QFileInfo::exists(saved) ? readJsonObjectFile(saved) : QJsonObject();
        if (!resume) {
            const QJsonObject overrides = configFromArguments(parser);
            for (auto it = overrides.begin(); it != overrides.end(); ++it)
                json[it.key()] = it.value();
        }
        const int processes = json.value(QStringLiteral("processes")).toInt(1);
        return processes >= 1 && processes <= 256 ? processes : 1;
    } catch (const Error&) {
        return 1;
    }
}

} // namespace ft::cli
