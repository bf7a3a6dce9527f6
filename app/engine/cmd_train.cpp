// ftstudio-cli train: the training worker. The GUI runs exactly this command in the background.

#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>

#include "cli_common.h"
#include "cli_workspace.h"
#include "commands.h"
#include "common/error.h"
#include "common/json_file.h"
#include "engine/distributed.h"
#include "engine/trainer.h"
#include "observer_fanout.h"
#include "rank_supervisor.h"
#include "run_recorder.h"
#include "store/dataset_export.h"
#include "store/dataset_store.h"
#include "train_events.h"
#include "worker_control.h"

namespace ft::cli {

namespace {

enum ExitCode { kOk = 0, kFailed = 1, kBadConfiguration = 2, kDiverged = 3 };

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

// The local processes this command asks for: --nproc, else the settings' "processes" (the CONFIG
// file, a prepared or resumed run folder's config.json, --set). 1 when they say nothing or say
// something invalid: the single process then reports what is wrong with the settings.
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
        const QString saved = folder.isEmpty() ? QString() : QDir(folder).filePath(QStringLiteral("config.json"));
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

} // namespace

int runTrain(const QStringList& args)
{
    QCommandLineParser parser;
    parser.addPositionalArgument(QStringLiteral("CONFIG"),
                                 QStringLiteral("A JSON file of training settings (see docs/training.md)."),
                                 QStringLiteral("[CONFIG]"));
    parser.addOptions({
        {QStringLiteral("run"),
         QStringLiteral("The run folder (default: runs/<date-time> here). If it holds a prepared "
                        "config.json, that configuration is used."),
         QStringLiteral("DIR")},
        {QStringLiteral("resume"), QStringLiteral("Continue the run in DIR from its latest checkpoint."),
         QStringLiteral("DIR")},
        {QStringLiteral("events"), QStringLiteral("\"jsonl\": one JSON event per line on stdout (for the studio)."),
         QStringLiteral("FORMAT")},
        {QStringLiteral("mode"), QStringLiteral("Preset: full or freeze."), QStringLiteral("MODE")},
        {QStringLiteral("model"), QStringLiteral("Base model folder or llama2.c .bin."), QStringLiteral("PATH")},
        {QStringLiteral("train"), QStringLiteral("Training JSONL ({system?, instruction, input?, response})."),
         QStringLiteral("FILE")},
        {QStringLiteral("val"), QStringLiteral("Validation JSONL (default: a seeded split of the training set)."),
         QStringLiteral("FILE")},
        {QStringLiteral("template"),
         QStringLiteral("alpaca, chatml, llama2-chat, zephyr, plain, or custom text with {response}."),
         QStringLiteral("T")},
        {QStringLiteral("loss-on"), QStringLiteral("response or all."), QStringLiteral("WHAT")},
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
    if (!parseArguments(parser, args,
                        QStringLiteral("Fine-tune a model on an instruction dataset. Reports every step, obeys "
                                       "stop/pause/resume/checkpoint on stdin and SIGINT/SIGTERM, and resumes "
                                       "exactly with --resume. Exit status: 0 finished or stopped, 1 failed, 2 bad "
                                       "configuration, 3 diverged.")))
        return kOk;

    const QString events = parser.value(QStringLiteral("events"));
    if (!events.isEmpty() && events != QLatin1String("jsonl"))
        throw UsageError{QStringLiteral("--events accepts only \"jsonl\"")};

    const bool datasetGiven = parser.isSet(QStringLiteral("dataset")) || parser.isSet(QStringLiteral("dataset-id"));
    if (parser.isSet(QStringLiteral("dataset")) && parser.isSet(QStringLiteral("dataset-id")))
        throw UsageError{QStringLiteral("give --dataset or --dataset-id, not both")};
    SnapshotSplits splits;
    if ((parser.isSet(QStringLiteral("train-split")) || parser.isSet(QStringLiteral("val-split"))) && !datasetGiven)
        throw UsageError{QStringLiteral("--train-split and --val-split choose splits of a --dataset")};
    if (parser.isSet(QStringLiteral("train-split")) &&
        !splitFromName(parser.value(QStringLiteral("train-split")), &splits.train))
        throw UsageError{QStringLiteral("--train-split expects train, val or test, got \"%1\"")
                             .arg(parser.value(QStringLiteral("train-split")))};
    if (parser.isSet(QStringLiteral("val-split"))) {
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

    const auto distributed = DistributedEnvironment::fromEnvironment();
    const int ranks = distributed ? distributed->worldSize : requestedProcesses(parser);
    if (ranks > 1) {
        // Every rank must resolve the same run folder and the same data: rank 0 alone opens the
        // workspace, so a dataset snapshot or a folder it creates would exist for it only.
        if (datasetGiven)
            throw UsageError{
                QStringLiteral("--dataset trains in one process only: export the dataset's splits "
                               "(ftstudio-cli dataset export) and pass them as --train/--val for %1 processes")
                    .arg(ranks)};
        if (!parser.isSet(QStringLiteral("run")) && !parser.isSet(QStringLiteral("resume")))
            throw UsageError{
                QStringLiteral("training in %1 processes needs the run folder named with --run DIR (or --resume DIR)")
                    .arg(ranks)};
    }
    if (!distributed && ranks > 1) {
        QStringList workerArguments = args.mid(1);
        const int at = workerArguments.indexOf(QStringLiteral("--nproc"));
        if (at >= 0)
            workerArguments.remove(at, 2);
        else
            workerArguments.removeIf([](const QString& a) { return a.startsWith(QLatin1String("--nproc=")); });
        return superviseRanks(QStringList{QStringLiteral("train")} + workerArguments, ranks,
                              events == QLatin1String("jsonl"));
    }
    std::unique_ptr<DistributedGroup> group;
    const bool main = !distributed || distributed->rank == 0;
    TrainingObserver silent;
    WorkerReporter reporter(events == QLatin1String("jsonl") && main, QString());
    ObserverFanout fanout;
    fanout.add(&reporter);
    TrainingObserver& observer = main ? static_cast<TrainingObserver&>(fanout) : silent;

    // The workspace record (rank 0 only): --workspace, --dataset or --run-id ask for it.
    std::optional<Workspace> workspace;
    std::unique_ptr<RunRecorder> recorder;
    const bool useWorkspace =
        parser.isSet(QStringLiteral("workspace")) || datasetGiven || parser.isSet(QStringLiteral("run-id"));
    qint64 datasetId = 0;
    if (useWorkspace && main) {
        try {
            workspace = openWorkspace(parser);
            if (parser.isSet(QStringLiteral("dataset")))
                datasetId = DatasetStore(workspace->database()).resolve(parser.value(QStringLiteral("dataset"))).id;
            if (parser.isSet(QStringLiteral("dataset-id"))) {
                bool isNumber = false;
                const qint64 id = parser.value(QStringLiteral("dataset-id")).toLongLong(&isNumber);
                if (!isNumber || !DatasetStore(workspace->database()).find(id))
                    throw Error(
                        QStringLiteral(
                            "no dataset with id %1 in this workspace (was it deleted after the run was queued?)")
                            .arg(parser.value(QStringLiteral("dataset-id"))));
                datasetId = id;
            }
        } catch (const Error& error) {
            reporter.failed(error.message());
            if (!parser.isSet(QStringLiteral("events")))
                err() << "error: " << error.message() << "\n";
            return kBadConfiguration;
        }
        recorder = std::make_unique<RunRecorder>(*workspace, parser.value(QStringLiteral("run-id")).toLongLong(),
                                                 parser.value(QStringLiteral("name")), datasetId, reporter);
        fanout.add(recorder.get());
    }
    static TrainerControl control; // outlives the detached control threads
    startWorkerControl(control);
    auto fail = [&](const QString& message) {
        if (recorder)
            recorder->failed(message);
        if (!main) {
            if (group)
                group->reportFailure(message);
            err() << "error: " << message << "\n";
            return;
        }
        reporter.failed(message);
        if (!parser.isSet(QStringLiteral("events")))
            err() << "error: " << message << "\n";
    };
    if (distributed) {
        try {
            bool ok = false;
            const int seconds = qEnvironmentVariableIntValue("FT_DIST_TIMEOUT_SECONDS", &ok);
            group = DistributedGroup::join(*distributed, std::chrono::seconds(ok && seconds > 0 ? seconds : 120));
        } catch (const Error& error) {
            fail(error.message());
            return kFailed;
        }
    }

    QString runDir;
    std::unique_ptr<Trainer> trainer;
    try {
        if (parser.isSet(QStringLiteral("resume"))) {
            runDir = parser.value(QStringLiteral("resume"));
            reporter.openLog(QDir(runDir).filePath(QStringLiteral("log.txt")));
            trainer = std::make_unique<Trainer>(runDir, observer, control);
            trainer->setDistributed(group.get());
            trainer->setupResume();
        } else {
            runDir = parser.value(QStringLiteral("run"));
            if (runDir.isEmpty() && workspace)
                runDir = workspace->createRunFolder(parser.value(QStringLiteral("name")).isEmpty()
                                                        ? QStringLiteral("run")
                                                        : parser.value(QStringLiteral("name")));
            if (runDir.isEmpty())
                runDir = QDir::current().filePath(QStringLiteral("runs/run-") + QDateTime::currentDateTime().toString(
                                                                                    QStringLiteral("yyyyMMdd-HHmmss")));
            const QString prepared = QDir(runDir).filePath(QStringLiteral("config.json"));
            QJsonObject json = QFileInfo::exists(prepared) ? readJsonObjectFile(prepared) : QJsonObject();
            const QJsonObject overrides = configFromArguments(parser);
            for (auto it = overrides.begin(); it != overrides.end(); ++it)
                json[it.key()] = it.value();
            if (datasetId > 0) {
                // The dataset as it is now, frozen: what this run trains on, whatever happens to it later.
                const TrainingSnapshot snapshot =
                    exportTrainingSnapshot(workspace->database(), datasetId, runDir, splits);
                recorder->setSnapshot(snapshot);
                json[QStringLiteral("train_file")] = snapshot.trainPath;
                json[QStringLiteral("val_file")] = snapshot.valExamples > 0 ? snapshot.valPath : QString();
            }
            const TrainConfig config = TrainConfig::fromJson(json, QStringLiteral("training configuration"));
            if (group)
                group->barrier(); // every rank has read the prepared settings before rank 0 replaces them
            trainer = std::make_unique<Trainer>(runDir, observer, control);
            trainer->setDistributed(group.get());
            if (QFileInfo::exists(prepared) && main)
                QFile::remove(prepared); // a prepared run: its settings were read above and are rewritten resolved
            trainer->setupNew(config);
            if (main)
                reporter.openLog(QDir(runDir).filePath(QStringLiteral("log.txt")));
        }
    } catch (const Error& error) {
        fail(error.message());
        return kBadConfiguration;
    }

    try {
        const RunEnd end = trainer->run();
        switch (end.status) {
        case RunOutcome::Finished:
        case RunOutcome::Stopped:
            return kOk;
        case RunOutcome::Diverged:
            return kDiverged;
        case RunOutcome::Failed:
            return kFailed;
        }
    } catch (const std::exception& error) {
        QString message = QString::fromUtf8(error.what());
        // A failed collective means a peer is gone: name it.
        if (group && main)
            message = group->describePeerFailure(message);
        fail(message);
        return kFailed;
    }
    return kOk;
}

} // namespace ft::cli
