// ftstudio-cli train: the training worker. The GUI runs exactly this command in the background.

#include <QDir>
#include <QFileInfo>

#include "chat/model_prompt_template.h"
#include "cli_common.h"
#include "cli_workspace.h"
#include "common/error.h"
#include "common/json_file.h"
#include "contract/compute_precision.h"
#include "contract/run_folder.h"
#include "engine/distributed.h"
#include "engine/trainer.h"
#include "engine_commands.h"
#include "observer_fanout.h"
#include "rank_supervisor.h"
#include "run_recorder.h"
#include "store/dataset_store.h"
#include "train_arguments.h"
#include "train_events.h"
#include "worker_control.h"

namespace ft::cli {

namespace {

enum ExitCode { kOk = 0, kFailed = 1, kBadConfiguration = 2, kDiverged = 3 };

int exitCodeFor(const RunEndInfo& end)
{
    switch (runOutcomeFromName(end.status).value_or(RunOutcome::Failed)) {
    case RunOutcome::Finished:
    case RunOutcome::Stopped:
        return kOk;
    case RunOutcome::Diverged:
        return kDiverged;
    case RunOutcome::Failed:
    case RunOutcome::Interrupted:
        return kFailed;
    }
    return kFailed;
}

// Every rank must resolve the same run folder and the same data: rank 0 alone opens the workspace,
// so a dataset snapshot or a folder it creates would exist for it only.
void checkProcessCount(const TrainArguments& arguments, int ranks)
{
    if (ranks <= 1)
        return;
    if (arguments.datasetGiven)
        throw UsageError{QStringLiteral("--dataset trains in one process only: export the dataset's splits "
                                        "(ftstudio-cli dataset export) and pass them as --train/--val for %1 processes")
                             .arg(ranks)};
    if (arguments.runDir.isEmpty())
        throw UsageError{
            QStringLiteral("training in %1 processes needs the run folder named with --run DIR (or --resume DIR)")
                .arg(ranks)};
}

// `train --nproc N` without torchrun: this process supervises N ranks of the same command.
int superviseLocalRanks(const QStringList& args, int ranks, bool jsonEvents)
{
    QStringList workerArguments = args.mid(1);
    const int at = workerArguments.indexOf(QStringLiteral("--nproc"));
    if (at >= 0)
        workerArguments.remove(at, 2);
    else
        workerArguments.removeIf([](const QString& a) { return a.startsWith(QLatin1String("--nproc=")); });
    return superviseRanks(QStringList{QStringLiteral("train")} + workerArguments, ranks, jsonEvents);
}

// One rank's run of the trainer, with its reporting: the event stream and log (rank 0), the
// workspace record (rank 0, when asked for), the steering from stdin and signals, and the group of
// data-parallel ranks.
class TrainWorker {
public:
    TrainWorker(const QCommandLineParser& parser, const TrainArguments& arguments,
                const std::optional<DistributedEnvironment>& distributed)
        : m_parser(parser)
        , m_arguments(arguments)
        , m_distributed(distributed)
        , m_main(!distributed || distributed->rank == 0)
        , m_reporter(arguments.jsonEvents && m_main, QString())
    {
        m_fanout.add(&m_reporter);
    }

    int run()
    {
        if (m_arguments.useWorkspace && m_main && !openWorkspaceRecord())
            return kBadConfiguration;
        static TrainerControl control; // outlives the detached control threads
        const QDateTime started = QDateTime::currentDateTime();
        startWorkerControl(control);
        if (m_distributed && !joinGroup())
            return kFailed;
        std::unique_ptr<Trainer> trainer;
        try {
            trainer = m_arguments.resume ? setUpResumedRun(control) : setUpNewRun(control);
        } catch (const Error& error) {
            fail(error.message());
            return kBadConfiguration;
        }
        if (m_main) {
            // Commands left in the run folder reach the worker even when the studio that started it is gone.
            watchControlFolder(control, m_runDir, started);
            m_pauseMarker = std::make_unique<PauseMarker>(m_runDir);
            m_fanout.add(m_pauseMarker.get());
        }
        try {
            return exitCodeFor(trainer->run());
        } catch (const std::exception& error) {
            QString message = QString::fromUtf8(error.what());
            // A failed collective means a peer is gone: name it.
            if (m_group && m_main)
                message = m_group->describePeerFailure(message);
            fail(message);
            return kFailed;
        }
    }

private:
    TrainingObserver& observer() { return m_main ? static_cast<TrainingObserver&>(m_fanout) : m_silent; }

    // The workspace this run is recorded in (--workspace, --dataset or --run-id), and the dataset.
    bool openWorkspaceRecord()
    {
        try {
            m_workspace = openWorkspace(m_parser);
            m_datasetId = resolveDataset();
        } catch (const Error& error) {
            m_reporter.failed(error.message()); // also the terminal's line ("failed: ...") without --events
            return false;
        }
        m_recorder = std::make_unique<RunRecorder>(*m_workspace, m_arguments.runId, m_arguments.runName, m_datasetId,
                                                   m_reporter);
        m_fanout.add(m_recorder.get());
        return true;
    }

    qint64 resolveDataset() const
    {
        const DatasetStore datasets(m_workspace->database());
        if (m_parser.isSet(QStringLiteral("dataset")))
            return datasets.resolve(m_parser.value(QStringLiteral("dataset"))).id;
        if (!m_parser.isSet(QStringLiteral("dataset-id")))
            return 0;
        bool isNumber = false;
        const qint64 id = m_parser.value(QStringLiteral("dataset-id")).toLongLong(&isNumber);
        if (!isNumber || !datasets.find(id))
            throw Error(
                QStringLiteral("no dataset with id %1 in this workspace (was it deleted after the run was queued?)")
                    .arg(m_parser.value(QStringLiteral("dataset-id"))));
        return id;
    }

    bool joinGroup()
    {
        try {
            bool ok = false;
            const int seconds = qEnvironmentVariableIntValue("FT_DIST_TIMEOUT_SECONDS", &ok);
            m_group = DistributedGroup::join(*m_distributed, std::chrono::seconds(ok && seconds > 0 ? seconds : 120));
            return true;
        } catch (const Error& error) {
            fail(error.message());
            return false;
        }
    }

    std::unique_ptr<Trainer> setUpResumedRun(TrainerControl& control)
    {
        const RunFolder folder(m_arguments.runDir);
        m_runDir = folder.path();
        m_reporter.openLog(folder.logPath());
        auto trainer = std::make_unique<Trainer>(folder.path(), observer(), control);
        trainer->setDistributed(m_group.get());
        trainer->setupResume();
        return trainer;
    }

    // A new run: its folder (named, prepared by the studio, or made by the run folder rule), the
    // settings (a prepared request, then the command line's on top), the dataset frozen into it.
    std::unique_ptr<Trainer> setUpNewRun(TrainerControl& control)
    {
        const RunFolder folder = newRunFolder();
        m_runDir = folder.path();
        QJsonObject json =
            QFileInfo::exists(folder.configPath()) ? readJsonObjectFile(folder.configPath()) : QJsonObject();
        const QJsonObject overrides = configFromArguments(m_parser);
        for (auto it = overrides.begin(); it != overrides.end(); ++it)
            json[it.key()] = it.value();
        if (m_datasetId > 0)
            freezeDataset(folder, json);
        // No template named anywhere: a model folder with its own chat template trains on it.
        if (!json.contains(QStringLiteral("template")) &&
            hasModelChatTemplate(json.value(QStringLiteral("model")).toString()))
            json[QStringLiteral("template")] = PromptTemplate::modelTemplateName();
        // No precision named: bfloat16 where this CPU computes it in hardware (recorded in config.json).
        applyDefaultComputeDtype(json);
        const TrainConfig config = TrainConfig::fromJson(json, QStringLiteral("training configuration"));
        if (m_group)
            m_group->barrier(); // every rank has read the prepared settings before rank 0 replaces them
        auto trainer = std::make_unique<Trainer>(folder.path(), observer(), control);
        trainer->setDistributed(m_group.get());
        trainer->setupNew(config);
        if (m_main)
            m_reporter.openLog(folder.logPath());
        return trainer;
    }

    RunFolder newRunFolder() const
    {
        if (!m_arguments.runDir.isEmpty())
            return RunFolder(m_arguments.runDir);
        const QString runsDir =
            m_workspace ? m_workspace->runsPath() : QDir::current().filePath(QStringLiteral("runs"));
        return RunFolder::create(runsDir, m_arguments.runName.isEmpty() ? QStringLiteral("run") : m_arguments.runName);
    }

    // The dataset as it is now, frozen: what this run trains on, whatever happens to it later.
    void freezeDataset(const RunFolder& folder, QJsonObject& json)
    {
        const TrainingSnapshot snapshot =
            exportTrainingSnapshot(m_workspace->database(), m_datasetId, folder.path(), m_arguments.splits);
        m_recorder->setSnapshot(snapshot);
        json[QStringLiteral("train_file")] = snapshot.trainPath;
        json[QStringLiteral("val_file")] = snapshot.valExamples > 0 ? snapshot.valPath : QString();
    }

    void fail(const QString& message)
    {
        if (m_pauseMarker)
            m_pauseMarker->ended({}); // a failure while paused leaves no pause mark behind
        if (m_recorder)
            m_recorder->failed(message);
        if (!m_main) {
            if (m_group)
                m_group->reportFailure(message);
            err() << "error: " << message << "\n";
            return;
        }
        m_reporter.failed(message); // also the terminal's line ("failed: ...") without --events
    }

    const QCommandLineParser& m_parser;
    const TrainArguments& m_arguments;
    const std::optional<DistributedEnvironment>& m_distributed;
    const bool m_main;
    TrainingObserver m_silent;
    WorkerReporter m_reporter;
    ObserverFanout m_fanout;
    QString m_runDir;                           // known once the run is set up
    std::unique_ptr<PauseMarker> m_pauseMarker; // marks the run folder while paused
    std::optional<Workspace> m_workspace;
    std::unique_ptr<RunRecorder> m_recorder;
    qint64 m_datasetId = 0;
    std::unique_ptr<DistributedGroup> m_group;
};

} // namespace

int runTrain(const QStringList& args)
{
    QCommandLineParser parser;
    addTrainOptions(parser);
    if (!parseArguments(parser, args,
                        QStringLiteral("Fine-tune a model on an instruction dataset. Reports every step, obeys "
                                       "stop/pause/resume/checkpoint on stdin and SIGINT/SIGTERM, and resumes "
                                       "exactly with --resume. Exit status: 0 finished or stopped, 1 failed, 2 bad "
                                       "configuration, 3 diverged.")))
        return kOk;
    const TrainArguments arguments = readTrainArguments(parser);
    const auto distributed = DistributedEnvironment::fromEnvironment();
    const int ranks = distributed ? distributed->worldSize : requestedProcesses(parser);
    checkProcessCount(arguments, ranks);
    if (!distributed && ranks > 1)
        return superviseLocalRanks(args, ranks, arguments.jsonEvents);
    return TrainWorker(parser, arguments, distributed).run();
}

} // namespace ft::cli
