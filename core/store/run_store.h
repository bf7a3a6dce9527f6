#pragma once
// The run history: one row per training run (what it trained, from what, how, how it ended) and its
// checkpoints. The training worker records its own run here (createRun, setStatus, addCheckpoint,
// finishRun); the GUI and `ftstudio-cli runs` read it.
//
// A run whose status says `running` but whose worker process is gone is `interrupted`: reading runs
// checks the recorded pid and host (a live /proc/<pid> that is an ftstudio-cli process on this host),
// and marks dead ones in the database when it notices them.

#include <optional>
#include <vector>

#include <QJsonObject>
#include <QSqlDatabase>
#include <QString>
#include <QStringList>
#include <QVariantList>

namespace ft {

struct TrainingSnapshot;

enum class RunStatus { Queued, Running, Finished, Stopped, Diverged, Failed, Interrupted };
QString runStatusName(RunStatus status); // "queued", "running", ...
std::optional<RunStatus> runStatusFromName(const QString& name);
bool isFinalStatus(RunStatus status); // finished, stopped, diverged, failed, interrupted

struct NewRun {
    QString name;
    QString mode; // "full", "instruction", "qlora", "freeze", ... (as the worker calls it)
    QString baseModelPath;
    QString baseModelId;  // identity of the base model, e.g. the SHA-256 of its config.json
    qint64 datasetId = 0; // 0: trained on files, not on a workspace dataset
    QString datasetName;  // filled from datasetId when empty; kept when the dataset is deleted
    std::optional<qint64> datasetVersion;
    QString trainSha256; // of the frozen snapshot (runDir/data/train.jsonl)
    QString valSha256;
    QJsonObject config; // the fully resolved configuration
    QString runDir;     // stored relative to the workspace when inside it
    QString notes;
    QStringList tags;
    RunStatus status = RunStatus::Queued;
};

struct RunInfo {
    qint64 id = 0;
    QString name;
    RunStatus status = RunStatus::Queued;
    QString mode;
    QString baseModelPath;
    QString baseModelId;
    std::optional<qint64> datasetId;
    QString datasetName;
    std::optional<qint64> datasetVersion;
    QString trainSha256;
    QString valSha256;
    QJsonObject config;
    QString runDir; // absolute
    std::optional<qint64> pid;
    QString host;
    qint64 created = 0; // ms since the Unix epoch
    std::optional<qint64> started;
    std::optional<qint64> finished;
    qint64 tokensSeen = 0;
    std::optional<double> bestValLoss;
    QString notes;
    QStringList tags;
    QString message; // why it stopped, failed or was interrupted
};

struct CheckpointInfo {
    qint64 id = 0;
    qint64 runId = 0;
    qint64 step = 0;
    QString path;
    std::optional<double> valLoss;
    bool best = false;
    qint64 created = 0;
};

class RunStore {
public:
    // `workspaceDir` anchors relative run folders; empty: the folder of the database file.
    explicit RunStore(QSqlDatabase db, const QString& workspaceDir = {});

    // For the worker.
    qint64 createRun(const NewRun& run);
    // Running records the calling process's pid and host and the start time (call it from the
    // worker itself); a final status records the finish time.
    void setStatus(qint64 id, RunStatus status, const QString& message = {});
    void setProgress(qint64 id, qint64 tokensSeen, std::optional<double> bestValLoss);
    void setSnapshot(qint64 id, const TrainingSnapshot& snapshot);
    void setConfig(qint64 id, const QJsonObject& config);
    void setRunDir(qint64 id, const QString& runDir);
    void finishRun(qint64 id, RunStatus status, qint64 tokensSeen, std::optional<double> bestValLoss,
                   const QString& message = {});
    // A checkpoint written at `step`; `best` moves the best mark to it (one best per run). Writing the
    // same step again replaces it.
    qint64 addCheckpoint(qint64 runId, qint64 step, const QString& path, std::optional<double> valLoss, bool best);
    void removeCheckpoint(qint64 runId, qint64 step); // when the worker deletes an old one

    // For the GUI and the command line.
    std::vector<RunInfo> runs(std::optional<RunStatus> status = {}); // newest first
    std::optional<RunInfo> run(qint64 id);
    RunInfo resolve(const QString& idOrName); // throws ft::Error when none or several match
    std::vector<CheckpointInfo> checkpoints(qint64 runId) const;
    void rename(qint64 id, const QString& name);
    void setNotes(qint64 id, const QString& notes);
    void setTags(qint64 id, const QStringList& tags);
    // Deletes the run's rows (metrics, evaluations and checkpoints with it); its folder is the
    // caller's to remove (Workspace::removeRunFolder).
    void remove(qint64 id);

    // Marks `running` runs of this host whose worker is gone as `interrupted`; returns how many.
    // runs() and run() call it. `workerNames`: process names that count as a live worker.
    int markInterruptedRuns(const QStringList& workerNames = defaultWorkerNames());
    static QStringList defaultWorkerNames(); // {"ftstudio-cli", "ftstudio-engine"}

private:
    std::vector<RunInfo> selectRuns(const QString& where, const QVariantList& binds) const;
    QString storedRunDir(const QString& runDir) const;
    void requireUpdated(const QSqlQuery& query, qint64 id) const;
    QSqlDatabase m_db;
    QString m_workspaceDir;
};

// Whether process `pid` exists on this machine and is one of `names` (its /proc/<pid>/comm or the
// file name of its argv[0]); zombies count as gone.
bool isWorkerProcessAlive(qint64 pid, const QStringList& names);
QString thisHostName();

} // namespace ft
